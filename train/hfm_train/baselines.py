"""The simple baselines the model has to beat: ridge regressions on per-player aggregates.

What a careful analyst builds in an afternoon, fitted only on seasons before the one projected and on
ACTUAL outcomes (never on the simulator's true talent):

  statcast_ridge  per stat, a ridge regression (alpha by leave-one-out CV, features standardised) of a
                  player's MLB rate in season t on aggregates of his seasons t-1, t-2, t-3 (all levels):
                  * 5/4/3-weighted outcome rates of every target stat (Marcel's weights, no regression),
                    and the same regressed toward the league by each stat's empirical-Bayes prior
                    (hfm_runtime.profiles.prior_opportunities) against the window's effective sample
                    (sum w n)^2 / sum w^2 n: shrinkage by sample size, which no linear map of the raw
                    rate can do (the profile's `marcel_shrunk` columns, which the model's wide path reads)
                  (opportunity weights scaled to mean 1, so the penalty grid means the same on any league)
                  * log opportunities per season (as full-season equivalents: targets.season_scale), the
                    AAA share of them, age and age squared
                  * with `RidgeConfig.window_detail` (an experiment, off by default, as the profile's:
                    docs/real-data-tried.md), each of the three seasons' own rates shrunk by the
                    same priors, and log opportunities per game played, last season's and the weighted
                    window's (role: starter or reliever, regular or bench)
                  * skill rates (hfm_runtime.skills.TYPE_RATES: zone, zone-swing, chase, whiff and
                    swing rates, launch speed and angle, hard-hit, sweet-spot and barrel shares,
                    ground-ball share, xwOBA; what pitch sequences alone allow: called-strike, foul,
                    first-strike, two-strike and three-ball rates, pitches per PA, line-drive, fly-ball
                    and popup shares; batters also hits on grounders; pitchers also fastball velocity,
                    spin, extension, fastball and breaking-ball spin, breaking-ball movement and how far
                    outside the zone misses land), 5/4/3-weighted and shrunk toward the league by the
                    empirical-Bayes prior of `skills.skill_priors`, and the log of each rate's weighted
                    sample size; with `RidgeConfig.speed_rates` (batters; off by default, on where the
                    run's profile has it, as real leagues' fits do) also skills.SPEED_RATES: infield
                    hits per fielded ground ball and double plays per chance; with
                    `RidgeConfig.putaway_rate` (batters; likewise the profile's) also
                    skills.PUTAWAY_RATES: strikeouts per plate appearance reaching two strikes;
                    with `RidgeConfig.platoon` (batters; likewise the profile's, on in fits of real
                    leagues) also skills.PLATOON_RATES: plate appearances with the platoon advantage
                    per plate appearance
                  * with `RidgeConfig.old_seasons` (batters; likewise the profile's), the three seasons
                    before the window (t-4..t-6) together: each stat's rate shrunk by its prior and
                    log opportunities (full-season equivalents)
                  * with `RidgeConfig.positions` (batters; on where the run's profile sets it), the window's
                    5/4/3-weighted share of games at C, 1B, 2B, 3B, SS, LF/RF, CF, DH and pinch
                    hitter only (skills.POSITION_GAMES; the training rows' mean shares where the window
                    holds no position)
  stat_ridge      the same regression on the outcome rates, opportunities, AAA share and age only
  statcast_ridge_denoised   statcast_ridge fitted on targets denoised by each season's own pitches
                  (hfm_train.denoise, cross-fitted by player): the same trick the model trains with,
                  so a gain from it alone shows on both sides
Training rows: every player of the type (`examples.typed_players`: no pitchers' own plate appearances
among the batters) with at least `min_opportunities` MLB opportunities in a training season that has
a season before it, weighted by those opportunities. A player with no history gets the league
rates as features (and zero sample sizes), so rookies are scored too.

`previous_true_talent`: each player's true talent in the season before (where the league knows it;
the league's mean true talent otherwise) - what a perfect reading of the past would give, the
practical ceiling for anything that sees only the past.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from sklearn.linear_model import RidgeCV
from sklearn.preprocessing import StandardScaler

from hfm_runtime.errors import HFMInputError
from hfm_runtime.profiles import ProfileConfig, prior_opportunities
from hfm_runtime.ridge import RidgeConfig, RidgeModel, RidgeState, ridge_features, season_sums
from hfm_runtime.scoring import league_days, league_to_date
from hfm_runtime.seasons import season_age, season_lines
from hfm_runtime.skills import POSITION_GAMES, SKILL_COUNTS, TYPE_RATES, skill_priors
from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS, PlayerType

from .denoise import denoise_rates
from .examples import typed_players
from .playing_time import marcel_of

__all__ = ["AggregateRidge", "BASELINES", "RidgeConfig", "previous_true_talent", "ridge_baselines", "season_sums",
           "sequence_ridge_config"]

BASELINES: tuple[str, ...] = ("statcast_ridge", "stat_ridge", "statcast_ridge_denoised")


@dataclass
class AggregateRidge:
    """One ridge per target stat on aggregates of the three prior seasons (module docstring)."""

    player_type: PlayerType
    config: RidgeConfig = field(default_factory=RidgeConfig)

    def fit(self, sums: pd.DataFrame, players: pd.DataFrame, seasons: list[int]) -> AggregateRidge:
        """Fit on the MLB rates of `seasons` (each from the seasons before it in `sums`)."""
        pt, stats, opp = self.player_type, list(TARGET_STATS[self.player_type]), OPPORTUNITY[self.player_type]
        history = sums[sums["season"] < max(seasons)]
        mlb = history[history["level"] == "MLB"]
        if mlb.empty:
            raise HFMInputError(f"{pt} ridge baseline: no MLB seasons before {max(seasons)}")
        totals = mlb[[opp, *stats]].sum()
        self.league_ = {s: float(totals[s] / totals[opp]) for s in stats}
        self.skill_league_, self.skill_prior_ = skill_priors(mlb, self._rates()) if self.config.skills else ({}, {})
        self.median_age_ = 27.0
        rows = self._rows(sums, seasons)
        rows = rows[rows["player_id"].isin(typed_players(players, pt))].reset_index(drop=True)
        if len(rows) < 20:
            raise HFMInputError(f"{pt} ridge baseline: only {len(rows)} training player-seasons in {seasons}")
        self.prior_k_ = prior_opportunities(mlb, pt)
        self.position_league_ = {}
        X = self._features(sums, players, rows)
        if self.config.positions and pt == "batter":  # the shares over the rows' windows, for an unknown window
            shares = X[list(POSITION_GAMES)].to_numpy()
            known = shares.sum(axis=1) > 0  # windows that hold a position (the rest read 0 so far)
            league = shares[known].mean(axis=0) if known.any() else np.zeros(len(POSITION_GAMES))
            self.position_league_ = dict(zip(POSITION_GAMES, map(float, league)))
            X.loc[~known, list(POSITION_GAMES)] = league  # as ridge_features fills them from the state
        self.median_age_ = float(np.nanmedian(X["age"]))
        X = X.fillna({"age": self.median_age_, "age2": 0.0})
        y, w = rows[stats].to_numpy(np.float64) / rows[[opp]].to_numpy(np.float64), rows[opp].to_numpy(np.float64)
        if self.config.denoise:
            league, prior = (self.skill_league_, self.skill_prior_) if self.config.skills else \
                skill_priors(mlb, TYPE_RATES[pt])
            y, self.denoise_report_ = denoise_rates(y, w, rows[list(SKILL_COUNTS)].to_numpy(np.float64),
                                                    rows["player_id"].to_numpy(), pt, league, prior)
        self.columns_ = list(X.columns)
        self.scaler_ = StandardScaler().fit(X.to_numpy())
        Z = self.scaler_.transform(X.to_numpy())
        w = w / w.mean()  # the penalty's scale is per row: raw opportunity weights would all but switch it off
        self.models_ = [RidgeCV(alphas=self.config.alphas).fit(Z, y[:, j], sample_weight=w) for j in range(len(stats))]
        return self

    def predict(self, sums: pd.DataFrame, players: pd.DataFrame, player_ids: np.ndarray, season: int) -> np.ndarray:
        """float64 [N, len(TARGET_STATS)]: projected rates of `player_ids` for `season`."""
        rows = pd.DataFrame({"player_id": np.asarray(player_ids, dtype=np.int64), "season": int(season)})
        X = self._features(sums, players, rows).fillna({"age": self.median_age_, "age2": 0.0})
        Z = self.scaler_.transform(X[self.columns_].to_numpy())
        return np.column_stack([m.predict(Z) for m in self.models_])

    # ---------------------------------------------------------------------------------------------
    def _rates(self) -> tuple[str, ...]:
        return self.config.rates(self.player_type)

    def _rows(self, sums: pd.DataFrame, seasons: list[int]) -> pd.DataFrame:
        opp = OPPORTUNITY[self.player_type]
        first = int(sums["season"].min())
        mlb = sums[(sums["level"] == "MLB") & sums["season"].isin([s for s in seasons if s > first])]
        return mlb[mlb[opp] >= self.config.min_opportunities].reset_index(drop=True)

    def _features(self, sums: pd.DataFrame, players: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
        ids, season = rows["player_id"].to_numpy(np.int64), rows["season"].to_numpy(np.int64)
        births = players.drop_duplicates("player_id").set_index("player_id")["birth_date"].reindex(ids)
        age = np.full(len(ids), np.nan)
        known = births.notna().to_numpy()
        if known.any():
            age[known] = np.asarray(season_age(births.to_numpy()[known], season[known]), dtype=np.float64)
        return ridge_features(self.player_type, self.config, self._state(), sums, ids, season, age)

    def _state(self) -> RidgeState:
        return RidgeState(self.league_, self.prior_k_, self.skill_league_, self.skill_prior_, self.median_age_,
                          self.position_league_)

    def to_model(self) -> RidgeModel:
        """The fitted ridge as the runtime scores with it (hfm_runtime.ridge; the same projections)."""
        return RidgeModel(self.player_type, self.config, self._state(), tuple(self.columns_),
                          self.scaler_.mean_.copy(), self.scaler_.scale_.copy(),
                          np.stack([m.coef_ for m in self.models_]), np.array([m.intercept_ for m in self.models_]))


def sequence_ridge_config(profile: ProfileConfig) -> RidgeConfig:
    """The sequence-skill ridge (`statcast_ridge`) of a run: the extra skill rates its `profile` reads
    (RidgeConfig.window_detail, speed_rates, putaway_rate, old_seasons, positions, platoon), so the bar
    and the model see the same."""
    return RidgeConfig(window_detail=profile.window_detail, speed_rates=profile.speed_rates,
                       putaway_rate=profile.putaway_rate,
                       old_seasons=profile.old_seasons, positions=profile.positions, platoon=profile.platoon)


def ridge_baselines(lines: pd.DataFrame, players: pd.DataFrame, player_type: PlayerType,
                    player_ids: np.ndarray, season: int, profile: ProfileConfig = ProfileConfig(),
                    fitted: dict[str, AggregateRidge] | None = None) -> dict[str, np.ndarray]:
    """Every BASELINES ridge's projections of `player_ids` for `season`, each fitted on every season of
    `lines` before `season` (module docstring); the skill ridges read `profile`'s extra rates
    (sequence_ridge_config). `fitted`: filled with the fitted ridges by name."""
    sums = season_sums(lines[lines["season"] <= season], player_type)
    train = sorted(s for s in sums["season"].unique() if s < season)
    out = {}
    sequence = sequence_ridge_config(profile)
    configs = {"statcast_ridge": sequence, "stat_ridge": RidgeConfig(skills=False),
               "statcast_ridge_denoised": replace(sequence, denoise=True)}
    for name in BASELINES:
        model = AggregateRidge(player_type, configs[name]).fit(sums[sums["season"] < season], players, train)
        out[name] = model.predict(sums[sums["season"] < season], players, player_ids, season)
        if fitted is not None:
            fitted[name] = model
    return out


def previous_true_talent(true_talent: pd.DataFrame | None, player_type: PlayerType, player_ids: np.ndarray,
                         season: int) -> tuple[np.ndarray, int]:
    """([N, S] last season's true talent, how many players lacked it and got the league mean)."""
    stats = list(TARGET_STATS[player_type])
    if true_talent is None:
        return np.full((len(player_ids), len(stats)), np.nan), len(player_ids)
    prev = true_talent[(true_talent["season"] == season - 1) & (true_talent["player_type"] == player_type)]
    table = prev.drop_duplicates("player_id").set_index("player_id")[stats]
    out = table.reindex(np.asarray(player_ids, dtype=np.int64)).to_numpy(np.float64, copy=True)
    missing = np.isnan(out).any(axis=1)
    out[missing] = table.mean().to_numpy()
    return out, int(missing.sum())


def marcel_to_date(lines: pd.DataFrame, players: pd.DataFrame, player_type: PlayerType,
                   table: pd.DataFrame) -> np.ndarray:
    """[N, S]: Marcel with the season so far counted for each row of `table` (player_id, season,
    as_of_date): his MLB lines of the season before the as-of date, and the league's rates over the
    same days (module docstring). lines: game lines of the type, any levels."""
    opp, stats = OPPORTUNITY[player_type], list(TARGET_STATS[player_type])
    by_season = season_lines(lines, player_type)  # once, not per as-of date
    days = league_days(lines, player_type)
    mlb = lines[lines["level"] == "MLB"] if "level" in lines.columns else lines
    day = pd.to_datetime(mlb["game_date"]).to_numpy().astype("datetime64[D]")
    out = np.full((len(table), len(stats)), np.nan)
    as_of = pd.to_datetime(table["as_of_date"]).to_numpy().astype("datetime64[D]")
    for (season, date), idx in table.assign(_d=as_of).groupby(["season", "_d"]).indices.items():
        before = mlb[(mlb["season"] == season).to_numpy() & (day < np.datetime64(date, "D"))]
        done = before.groupby("player_id")[[opp, *stats]].sum()
        league_now = league_to_date(days, player_type, int(season), pd.Timestamp(date))
        ids = table["player_id"].to_numpy()[idx]
        proj = marcel_of(by_season, players, player_type, int(season), ids, to_date=done, to_date_league=league_now)
        out[idx] = proj.loc[ids, stats].to_numpy(np.float64)
    return out
