"""Training examples and targets: (player, as-of date) -> context, identity, Marcel and next-period rates.

Per player type and target season s, for every player with MLB games in s whom the players table
types as that player type (or two-way: `typed_players`; `ExampleConfig.typed_players=False`, an
ablation, takes every player):
  as-of dates   opening day of s (kind "start": the preseason projection) and then the date of every
                `every_games`-th of his MLB games (kind "in_season"), so the model also learns to update
                during the season (`ExampleConfig.train_kinds` says which kinds train; the test season
                is always evaluated on "start");
  context       his up to `max_games` most recent games (this perspective, any level, any earlier
                season) strictly before the as-of date: `GameEmbeddings.context_index`;
  identity      his stat profile as of that date (hfm_runtime.identity.build_identity);
  Marcel        Marcel's projection of season s (prior seasons only, so never a peek at s);
  target        his MLB rates of TARGET_STATS over the window that starts at the as-of date:
                "rest_of_season" | "next_games" (his next `next_games` MLB games), weighted by the
                window's opportunities (PA / BF);
                absolute, or the residual on Marcel (`Examples.targets(mode)`).
Targets are MLB rates only: Marcel and the true talent are MLB-equivalent, so are the projections.
The window's Statcast skill counts are kept beside its rates (`window_skills`): hfm_train.denoise
reads them to take binomial noise out of the training targets.
Examples whose window has fewer than `min_opportunities` opportunities are dropped.
Also kept for the baselines: the context games' counts (context-mean baseline) and, when the league
has it, the player's true talent in s (the oracle).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

import numpy as np
import pandas as pd

from hfm_runtime.context import GameEmbeddings
from hfm_runtime.errors import HFMInputError
from hfm_runtime.identity import IdentityModel, build_identity
from hfm_runtime.marcel import marcel
from hfm_runtime.profiles import ProfileConfig
from hfm_runtime.seasons import opening_day_as_of, season_age, season_lines
from hfm_runtime.skills import SKILL_COUNTS
from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS, PlayerType

from .model.hfm import TargetMode

Window = Literal["rest_of_season", "next_games"]
MAX_CONTEXT_GAMES = 50


@dataclass(frozen=True)
class ExampleConfig:
    window: Window = "rest_of_season"
    next_games: int = 20  # window length for "next_games"
    every_games: int = 10  # an in-season as-of date every this many of the player's MLB games
    max_games: int = 30  # context length T (at most MAX_CONTEXT_GAMES)
    min_opportunities: int = 10  # drop examples whose target window is thinner than this
    train_kinds: tuple[str, ...] = ("start", "in_season")  # which as-of dates train (the test is "start")
    # Only the players the players table types as this type (`typed_players`); False (an ablation):
    # every player with opportunities, so before 2022 pitchers' own plate appearances are batter rows.
    typed_players: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.max_games <= MAX_CONTEXT_GAMES:
            raise HFMInputError(f"ExampleConfig.max_games (--context-games) must be in 1..{MAX_CONTEXT_GAMES}, got "
                                f"{self.max_games}")
        if self.window not in ("rest_of_season", "next_games"):
            raise HFMInputError(f"ExampleConfig.window: unknown window {self.window!r}")


@dataclass(frozen=True, eq=False)
class Examples:
    """N examples of one player type. `table` has player_id, season, as_of_date, kind, opp."""

    player_type: PlayerType
    table: pd.DataFrame
    game_index: np.ndarray  # int64 [N, T] rows of the GameEmbeddings, -1 = padding
    stat_features: np.ndarray  # float32 [N, F]
    archetype: np.ndarray  # int64 [N]
    rates: np.ndarray  # float64 [N, S] actual rates over the target window
    weight: np.ndarray  # float64 [N] opportunities in the target window
    marcel: np.ndarray  # float64 [N, S]
    context_counts: np.ndarray  # float64 [N, 1 + S]: opportunities and stat counts over the context games
    true_talent: np.ndarray  # float64 [N, S], NaN where unknown
    # float64 [N, len(SKILL_COUNTS)]: the target window's Statcast skill counts (hfm_train.denoise)
    window_skills: np.ndarray | None = None
    # the identity's profile config: the layout of stat_features (profiles.feature_names); None: found
    # by width (profiles.layout_config), for examples made by hand
    layout: ProfileConfig | None = None

    def __len__(self) -> int:
        return len(self.table)

    @property
    def stats(self) -> tuple[str, ...]:
        return TARGET_STATS[self.player_type]

    def targets(self, mode: TargetMode) -> np.ndarray:
        return self.rates - self.marcel if mode == "residual" else self.rates

    @classmethod
    def concat(cls, parts: list[Examples]) -> Examples:
        """The examples of `parts` (one player type) one after another."""
        out = {}
        for f in fields(cls):
            values = [getattr(e, f.name) for e in parts]
            if f.name in ("player_type", "layout"):
                out[f.name] = values[0]
            elif any(v is None for v in values):
                out[f.name] = None
            elif f.name == "table":
                out[f.name] = pd.concat(values, ignore_index=True)
            else:
                out[f.name] = np.concatenate(values)
        return cls(**out)

    def take(self, mask: np.ndarray) -> Examples:
        idx = np.flatnonzero(mask) if np.asarray(mask).dtype == bool else np.asarray(mask)
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        for k, v in out.items():
            if isinstance(v, np.ndarray):
                out[k] = v[idx]
        out["table"] = self.table.iloc[idx].reset_index(drop=True)
        return Examples(**out)


def as_of_rows(mlb_lines: pd.DataFrame, seasons: list[int], config: ExampleConfig) -> pd.DataFrame:
    """(player_id, season, as_of_date, kind) for every MLB player-season in `seasons`: "start" as of the
    season's first game (`seasons.opening_day_as_of`: a late-opening season's as of the usual day, as
    scoring makes it), "in_season" as of every `every_games`-th game after it."""
    rows = []
    openings = {int(s): pd.Timestamp(d) for s, d in mlb_lines.groupby("season")["game_date"].min().items()}
    for season in seasons:
        lines = mlb_lines[mlb_lines["season"] == season]
        if lines.empty:
            continue
        opening = opening_day_as_of(openings, season, openings[int(season)])
        for pid, dates in lines.groupby("player_id", sort=True)["game_date"]:
            dates = np.sort(dates.to_numpy())
            rows.append((pid, season, opening, "start"))
            for k in range(config.every_games, len(dates), config.every_games):
                if dates[k] > opening:
                    rows.append((pid, season, dates[k], "in_season"))
    table = pd.DataFrame(rows, columns=["player_id", "season", "as_of_date", "kind"])
    table["as_of_date"] = pd.to_datetime(table["as_of_date"])
    return table.drop_duplicates(["player_id", "as_of_date"]).reset_index(drop=True)


def typed_players(players: pd.DataFrame, player_type: PlayerType) -> np.ndarray:
    """The player_ids the players table types as `player_type` (or two-way): a pitcher's own plate
    appearances (before 2022, pitchers bat) are not batter examples, nor a position player's inning on
    the mound pitcher ones. A players table without the column types nobody: everyone qualifies."""
    if "player_type" not in players.columns:
        return players["player_id"].to_numpy(np.int64)
    kind = players["player_type"].astype(object)
    return players.loc[kind.isin([player_type, "two_way"]).to_numpy(), "player_id"].to_numpy(np.int64)


def window_counts(mlb_lines: pd.DataFrame, table: pd.DataFrame, player_type: PlayerType,
                  config: ExampleConfig) -> np.ndarray:
    """float64 [N, 1 + S + len(SKILL_COUNTS)]: opportunities, stat counts and skill counts of each
    example's target window."""
    cols = [OPPORTUNITY[player_type], *TARGET_STATS[player_type], *SKILL_COUNTS]
    out = np.zeros((len(table), len(cols)))
    by_player = {pid: g.sort_values("game_date") for pid, g in mlb_lines.groupby("player_id")}
    for i, (pid, season, as_of) in enumerate(table[["player_id", "season", "as_of_date"]].itertuples(index=False)):
        g = by_player.get(pid)
        if g is None:
            continue
        sel = g[(g["season"] == season) & (g["game_date"] >= as_of)]
        if config.window == "next_games":
            sel = sel.iloc[: config.next_games]
        out[i] = sel[cols].to_numpy(np.float64).sum(0)
    return out


def build_examples(
    player_type: PlayerType,
    seasons: list[int],
    lines: pd.DataFrame,
    players: pd.DataFrame,
    identity: IdentityModel,
    games: GameEmbeddings,
    config: ExampleConfig = ExampleConfig(),
    true_talent: pd.DataFrame | None = None,
    kinds: tuple[str, ...] = ("start", "in_season"),
) -> Examples:
    """Examples of `player_type` with target season in `seasons` (see the module docstring).

    lines: game lines of this player type at every level (hfm_runtime.identity.player_lines).
    """
    stats = list(TARGET_STATS[player_type])
    mlb = lines[lines["level"] == "MLB"]
    table = as_of_rows(mlb, seasons, config)
    table = table[table["kind"].isin(kinds)]
    if config.typed_players:
        table = table[table["player_id"].isin(typed_players(players, player_type))]
    table = table.reset_index(drop=True)
    counts = window_counts(mlb, table, player_type, config)
    keep = counts[:, 0] >= max(config.min_opportunities, 1)
    table, counts = table[keep].reset_index(drop=True), counts[keep]
    if table.empty:
        raise HFMInputError(f"examples ({player_type}): no player-season in {seasons} has a target window")
    table["opp"] = counts[:, 0]
    counts, skill_counts = counts[:, :1 + len(stats)], counts[:, 1 + len(stats):]

    # Marcel of each target season, from that season's prior lines only
    lines_by_season = season_lines(lines, player_type)
    births = players.drop_duplicates("player_id").set_index("player_id")["birth_date"]
    marcel_rates = np.zeros((len(table), len(stats)))
    for season, idx in table.groupby("season").indices.items():
        ids = table["player_id"].to_numpy()[idx]
        uniq = np.unique(ids)
        ages = pd.Series(np.asarray(season_age(births.reindex(uniq).to_numpy(), season), dtype=float), index=uniq)
        proj = marcel(lines_by_season, ages, int(season), player_type, player_ids=uniq)
        marcel_rates[idx] = proj.loc[ids, stats].to_numpy(np.float64)

    ident = build_identity(lines, players, table[["player_id", "as_of_date"]], player_type, identity)
    game_index = games.context_index(
        table["player_id"].to_numpy(np.int64), player_type,
        table["as_of_date"].to_numpy().astype("datetime64[D]"), config.max_games,
    )
    return Examples(
        player_type=player_type,
        table=table,
        game_index=game_index,
        stat_features=ident.stat_features,
        archetype=ident.archetype,
        rates=counts[:, 1:] / counts[:, :1],
        weight=counts[:, 0],
        marcel=marcel_rates,
        context_counts=_context_counts(lines, games, game_index, player_type),
        true_talent=_true_talent(table, true_talent, stats),
        window_skills=skill_counts,
        layout=identity.config,
    )


def _context_counts(lines: pd.DataFrame, games: GameEmbeddings, game_index: np.ndarray,
                    player_type: PlayerType) -> np.ndarray:
    cols = [OPPORTUNITY[player_type], *TARGET_STATS[player_type]]
    per_game = lines.groupby(["player_id", "game_pk"])[cols].sum()
    keys = pd.MultiIndex.from_arrays([games.keys.player_id, games.keys.game_pk])
    game_counts = per_game.reindex(keys).fillna(0.0).to_numpy(np.float64)  # [G, 1+S]
    game_counts = np.vstack([game_counts, np.zeros((1, len(cols)))])  # row -1 -> zeros
    return game_counts[game_index].sum(1)


def _true_talent(table: pd.DataFrame, talent: pd.DataFrame | None, stats: list[str]) -> np.ndarray:
    if talent is None:
        return np.full((len(table), len(stats)), np.nan)
    tt = talent.drop_duplicates(["player_id", "season"]).set_index(["player_id", "season"])[stats]
    idx = pd.MultiIndex.from_arrays([table["player_id"], table["season"]])
    return tt.reindex(idx).to_numpy(np.float64)
