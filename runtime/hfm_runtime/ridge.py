"""The sequence-skill ridge as a fitted object the runtime can score with (numpy and pandas, no scikit-learn).

hfm_train.baselines.AggregateRidge fits it (its module docstring says what the features are: the
5/4/3-weighted outcome and skill rates of the three seasons before the projected one, shrunk, their
sample sizes, the AAA share, age, and the switches of `RidgeConfig`: with `positions`, a batter's
share of the window's games at each fielding position); `RidgeModel` holds what the fit learned (the league and prior rates the features are shrunk toward, the standardiser, one linear map
per target stat) and computes the same features and projections from a player's game or season lines.

A bundle whose blend takes the ridge in (`blend.json` "mix": per player type and stat, lam) ships it
as `ridge_<type>.json` (`to_json`); the scorer's opening-day projection for a player the model
adjusts is then (1 - lam) * blend + lam * ridge (hfm_runtime.scoring). The ridge reads only seasons
before the projected one, so it is applied only to projections as of opening day or earlier (an
as-of date on or before the season's home opening day, `seasons.last_opening_day`).

Inputs: `season_sums` of the player's lines (one row per player, season and level: opportunities,
target-stat counts, SKILL_COUNTS, a batter's POSITION_GAMES and `games`), his age in the projected
season (NaN: the training rows' median age).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.profiles import OLD_YEARS, shrink_weighted
from hfm_runtime.skills import POSITION_GAMES, SKILL_COUNTS, skill_rates, type_rates
from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS, PlayerType, season_scale

RIDGE_FILE = "ridge_{player_type}.json"
# the line columns `season_sums` sums, per player type (besides the keys)
RIDGE_COLUMNS: dict[str, tuple[str, ...]] = {pt: (OPPORTUNITY[pt], *TARGET_STATS[pt], *SKILL_COUNTS) for pt in TARGET_STATS}
RIDGE_COLUMNS["batter"] += POSITION_GAMES  # summed where the lines have them (RidgeConfig.positions needs them)


@dataclass(frozen=True)
class RidgeConfig:
    weights: tuple[float, ...] = (5.0, 4.0, 3.0)  # most recent season first (Marcel's)
    alphas: tuple[float, ...] = tuple(float(a) for a in np.logspace(-2, 4, 25))
    min_opportunities: int = 10
    skills: bool = True  # False: stat_ridge
    denoise: bool = False  # True: statcast_ridge_denoised
    window_detail: bool = False  # each season's own shrunk rates and opportunities per game
    speed_rates: bool = False  # batters: skills.SPEED_RATES beside the other skill rates
    putaway_rate: bool = False  # batters: skills.PUTAWAY_RATES after them
    old_seasons: bool = False  # batters: seasons t-4..t-6 shrunk
    positions: bool = False  # batters: the window's share of games at each of skills.POSITION_GAMES
    platoon: bool = False  # batters: skills.PLATOON_RATES after the putaway rate (on in fits of real leagues)

    @property
    def years(self) -> int:
        """How many seasons before the projected one the features read."""
        return OLD_YEARS if self.old_seasons else len(self.weights)

    def rates(self, player_type: PlayerType) -> tuple[str, ...]:
        """The skill rates it reads."""
        return type_rates(player_type, self.speed_rates, self.putaway_rate, self.platoon) if self.skills else ()


def season_sums(lines: pd.DataFrame, player_type: PlayerType) -> pd.DataFrame:
    """Per (player_id, season, level): opportunities, target-stat counts and skill counts summed (a
    batter's POSITION_GAMES too, where `lines` has them), and `games` (game lines: one per game
    played)."""
    cols = [c for c in RIDGE_COLUMNS[player_type] if c not in POSITION_GAMES or c in lines.columns]
    missing = [c for c in cols if c not in lines.columns]
    if missing:
        raise HFMInputError(f"game lines: missing column(s) {', '.join(missing)} (hfm_runtime.identity.player_lines)")
    keys = ["player_id", "season", "level"]
    sums = lines.groupby(keys, sort=True)[cols].sum()
    sums["games"] = lines.groupby(keys, sort=True).size().astype(np.float64)
    return sums.reset_index()


@dataclass(frozen=True)
class RidgeState:
    """What a fit learned before the regression: the rates the features are shrunk toward."""
    league: Mapping[str, float]  # MLB rate per target stat, seasons before the last training one
    prior_k: Mapping[str, float]  # empirical-Bayes prior opportunities per target stat
    skill_league: Mapping[str, float]
    skill_prior: Mapping[str, float]
    median_age: float  # fills an unknown age
    # with RidgeConfig.positions: each POSITION_GAMES share over the training rows' windows, for a
    # window whose rows hold no position (a file without them: unknown, not "no position")
    position_league: Mapping[str, float] = field(default_factory=dict)


def ridge_features(player_type: PlayerType, config: RidgeConfig, state: RidgeState, sums: pd.DataFrame,
                   ids: np.ndarray, season: np.ndarray, ages: np.ndarray) -> pd.DataFrame:
    """The feature rows of (ids[i], season[i]) from `sums` (season_sums of lines before each season),
    `ages` [N] in that season (NaN where unknown: left NaN, the caller fills it)."""
    pt, stats, opp = player_type, list(TARGET_STATS[player_type]), OPPORTUNITY[player_type]
    if config.window_detail and "games" not in sums.columns:
        raise HFMInputError("ridge: season sums lack 'games' (season_sums counts them), which "
                            "RidgeConfig.window_detail reads")
    both = sums.groupby(["player_id", "season"])[[c for c in sums.columns if c not in
                                                   ("player_id", "season", "level")]].sum()
    aaa = sums[sums["level"] == "AAA"].set_index(["player_id", "season"])[opp]
    ids, season = np.asarray(ids, dtype=np.int64), np.asarray(season, dtype=np.int64)
    n = len(ids)
    weighted = pd.DataFrame(0.0, index=range(n), columns=both.columns)
    X: dict[str, np.ndarray] = {}
    aaa_opp, all_opp, weighted_eq, squared = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n)
    for k, w in enumerate(config.weights, start=1):
        key = pd.MultiIndex.from_arrays([ids, season - k])
        part = both.reindex(key).fillna(0.0).reset_index(drop=True)
        weighted += w * part
        squared += w * w * part[opp].to_numpy()
        all_opp += part[opp].to_numpy()
        aaa_opp += aaa.reindex(key).fillna(0.0).to_numpy()
        eq = part[opp].to_numpy() * season_scale(season - k)  # full-season equivalents (2020: x 2.7)
        weighted_eq += w * eq
        X[f"log_opp_{k}"] = np.log1p(eq)
        if config.window_detail:
            n_k = part[opp].to_numpy()
            for s in stats:  # the season's own rate, shrunk as the window's is
                X[f"shrunk{k}_{s}"] = (part[s].to_numpy() + state.prior_k[s] * state.league[s]) / (n_k + state.prior_k[s])
            if k == 1:
                games = part["games"].to_numpy()
                X["log_per_game_1"] = np.log1p(np.divide(n_k, games, out=np.zeros(n), where=games > 0))
    if config.old_seasons and pt == "batter":  # the seasons before the window, as the profile's
        old, old_eq = np.zeros((n, 1 + len(stats))), np.zeros(n)
        for k in range(len(config.weights) + 1, OLD_YEARS + 1):
            part = both.reindex(pd.MultiIndex.from_arrays([ids, season - k])).fillna(0.0)
            old += part[[opp, *stats]].to_numpy()
            old_eq += part[opp].to_numpy() * season_scale(season - k)
        for j, s in enumerate(stats):
            X[f"old_shrunk_{s}"] = (old[:, 1 + j] + state.prior_k[s] * state.league[s]) / (old[:, 0] + state.prior_k[s])
        X["log_old_opp"] = np.log1p(old_eq)
    wopp = weighted[opp].to_numpy()
    for s in stats:
        with np.errstate(invalid="ignore", divide="ignore"):
            X[f"rate_{s}"] = np.where(wopp > 0, weighted[s].to_numpy() / wopp, state.league[s])
    shrunk = shrink_weighted(np.column_stack([X[f"rate_{s}"] for s in stats]), wopp, squared,
                             np.array([state.prior_k[s] for s in stats]), np.array([state.league[s] for s in stats]))
    for j, s in enumerate(stats):
        X[f"shrunk_{s}"] = shrunk[:, j]
    X["aaa_share"] = np.divide(aaa_opp, all_opp, out=np.zeros(n), where=all_opp > 0)
    if config.window_detail:
        games = weighted["games"].to_numpy()
        X["log_per_game"] = np.log1p(np.divide(wopp, games, out=np.zeros(n), where=games > 0))
    if config.positions and pt == "batter":
        if not all(c in weighted.columns for c in POSITION_GAMES):
            raise HFMInputError("ridge: season sums lack the position games (skills.POSITION_GAMES), which "
                                "RidgeConfig.positions reads")
        games = sum(weighted[g].to_numpy() for g in POSITION_GAMES)
        for g in POSITION_GAMES:
            X[g] = np.divide(weighted[g].to_numpy(), games, out=np.full(n, state.position_league.get(g, 0.0)),
                             where=games > 0)
    ages = np.asarray(ages, dtype=np.float64)
    X["age"], X["age2"] = ages, (ages - 28.0) ** 2
    if config.skills:
        per_eq = np.divide(weighted_eq, wopp, out=np.ones(n), where=wopp > 0)
        names = config.rates(pt)
        total = sum(config.weights)
        rates = skill_rates(weighted, names, state.skill_league, {r: state.skill_prior.get(r, 0.0) * total for r in names})
        for r in names:
            X[f"skill_{r}"] = rates[r]
            X[f"log_n_{r}"] = np.log1p(rates[f"{r}_n"] / total * per_eq)
    return pd.DataFrame(X)


@dataclass(frozen=True)
class RidgeModel:
    """A fitted ridge per target stat on standardised features: rate_S = (x - mean) / scale . coef_S + b_S."""
    player_type: PlayerType
    config: RidgeConfig
    state: RidgeState
    columns: tuple[str, ...]
    mean: np.ndarray  # [F]
    scale: np.ndarray  # [F]
    coef: np.ndarray  # [S, F]
    intercept: np.ndarray  # [S]

    def features(self, sums: pd.DataFrame, ids: np.ndarray, season: int | np.ndarray, ages: np.ndarray) -> np.ndarray:
        """[N, F] in `columns`' order, an unknown age filled with the training rows' median."""
        ids = np.asarray(ids, dtype=np.int64)
        seasons = np.broadcast_to(np.asarray(season, dtype=np.int64), ids.shape)
        X = ridge_features(self.player_type, self.config, self.state, sums, ids, seasons, ages)
        return X.fillna({"age": self.state.median_age, "age2": 0.0})[list(self.columns)].to_numpy(np.float64)

    def predict(self, sums: pd.DataFrame, ids: np.ndarray, season: int | np.ndarray, ages: np.ndarray) -> np.ndarray:
        """float64 [N, len(TARGET_STATS)]: projected rates of `ids` for `season` (sums: their lines before it)."""
        Z = (self.features(sums, ids, season, ages) - self.mean) / self.scale
        return Z @ self.coef.T + self.intercept

    def predict_lines(self, lines: pd.DataFrame, ids: np.ndarray, season: int, ages: np.ndarray) -> np.ndarray:
        """`predict` from game lines (hfm_runtime.identity.player_lines' layout) of any seasons: those of
        the `config.years` seasons before `season` are summed."""
        keep = (lines["season"] < season) & (lines["season"] >= season - self.config.years)
        return self.predict(season_sums(lines[keep.to_numpy()], self.player_type), ids, season, ages)

    def to_json(self) -> dict[str, Any]:
        return {"player_type": self.player_type, "config": asdict(self.config), "state": asdict(self.state),
                "columns": list(self.columns), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept.tolist()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str = "ridge") -> RidgeModel:
        try:
            config = RidgeConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in data["config"].items()})
            state = RidgeState(**data["state"])
            model = cls(data["player_type"], config, state, tuple(data["columns"]),
                        np.asarray(data["mean"], np.float64), np.asarray(data["scale"], np.float64),
                        np.asarray(data["coef"], np.float64), np.asarray(data["intercept"], np.float64))
        except (KeyError, TypeError, ValueError) as exc:
            raise HFMInputError(f"{where}: not a ridge ({type(exc).__name__}: {exc})") from None
        f, s = len(model.columns), len(TARGET_STATS.get(model.player_type, ()))
        if model.mean.shape != (f,) or model.scale.shape != (f,) or model.coef.shape != (s, f) or model.intercept.shape != (s,):
            raise HFMInputError(f"{where}: shapes do not match {f} columns and {s} target stats")
        return model


def mixed(blend: np.ndarray, ridge: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """[N, S]: (1 - lam) * blend + lam * ridge per stat (lam [S]: a bundle's blend.json "mix")."""
    return (1 - lam[None, :]) * blend + lam[None, :] * ridge


def missing_positions_note(ridge: RidgeModel | None, known_games: float, batter_games: float, what: str) -> str | None:
    """A warning when `ridge` reads batters' fielding positions (RidgeConfig.positions) and the data it
    scores from know none: `known_games` games with a position (POSITION_GAMES summed) among
    `batter_games` batter games of Marcel's window in `what`. Every batter then gets the training
    league's mean shares, as a player with no known position does, which costs the projections what
    the positions were kept for. None when the ridge does not read them, or the window has no games."""
    if ridge is None or not ridge.config.positions or batter_games <= 0 or known_games > 0:
        return None
    return (f"warning: the bundle's batter ridge reads where each batter fielded, and {what} hold no fielding "
            "position in Marcel's window: every batter gets the league's mean shares. A league imported before "
            "2026-12-06 lacks them (import it again); Savant files give them through their fielder_2..fielder_9 "
            "columns")


def position_games(lines: pd.DataFrame) -> float:
    """POSITION_GAMES summed over batter game or season lines (0 where the columns are absent)."""
    present = [c for c in POSITION_GAMES if c in lines.columns]
    return float(lines[present].to_numpy(np.float64).sum()) if present else 0.0
