"""Score players from a bundle on CPU: Marcel + the model's learned adjustment. No torch.

    scorer = Scorer(load_bundle("artifacts/bundle"))
    history = History.from_league(load_league("artifacts/league"))
    table = scorer.score(history, season=2024)              # one row per player (see SCORE_COLUMNS)

A daily pipeline keeps a `hfm_runtime.store.PlayerStore` instead of a History: per-player state updated
by appending each day's pitches, saved to a folder between runs, and scored by the same call
(`scorer.score(store, ...)`, equal to scoring a History of the same pitches); `score_records` returns
the rows as dicts without building a DataFrame.

For a player projected into `season` as of `as_of` (default: the season's opening day, the first MLB
game date in `history` for that season, or where the history holds none of it the history's usual
opening day moved to that season: `seasons.projection_date`):
  marcel_<S>  Marcel's rate of stat S (hfm_runtime.marcel; seasons before `season` only): the opening
              day's, which rate_<S> builds on in season too
  marcel_to_date_<S>  Marcel with the season so far counted (hfm_runtime.marcel's `to_date`: his MLB
              games of `season` before as_of one more season of the window, the league's rates over
              the same days its league rate; since 2026-12-07): an in-season projection's fair
              baseline; marcel_<S> for a player with no game of the season before as_of (every
              player as of opening day or earlier)
  model_<S>   Graph 2's raw output: the residual on Marcel (target mode "residual") or an absolute rate;
              NaN where the model did not run
  adj_<S>     the adjustment applied: w_S * (m_S - marcel_S), m_S the model's own rate (marcel_S +
              model_S for residual bundles, model_S for absolute ones) pulled into the plausible range
              (below), w_S the bundle's blend weight for that player type and stat; 0 where the model
              did not run. A bundle with an opening-day mix for the type (blend.json "mix": lam_S,
              hfm_runtime.ridge) projects as of the season's opening day or earlier
              (1 - lam_S) * (marcel_S + that) + lam_S * ridge_S, ridge_S its sequence-skill ridge's
              rate from the player's lines of the seasons before, pulled into the plausible range
              the same way; adj_S is then that minus marcel_S
  rate_<S>    marcel_S + adj_S
  proj_<S>    rate_S x `opportunities_mean`: his expected season total; in season (an as_of after
              the season's opening day) what he recorded before as_of plus rate_S x the rest of the
              season's expected opportunities (hfm_runtime.playing_time.SeasonToDate)
  opportunities_to_date  his MLB PA or BF of the season before as_of (0 as of opening day)
  opportunities  Marcel's projected opportunities (PA or BF for the full season, `marcel.playing_time`:
              a short season's opportunities as full-season equivalents)
  opportunities_mean  the expected opportunities: the mean of the playing-time spread's 20 levels
              r_k m (hfm_runtime.playing_time: m its opportunity model's base, or `opportunities`
              for a spread without one) where the bundle has a spread, else `opportunities`
              (in season: opportunities_to_date plus the rest of the season's)
  talent_<q>_<S>, outcome_<q>_<S>, total_<q>_<S>   quantiles q in p10, p25, p75, p90 (80% and 50%
              central intervals around rate_S) of his talent, of his outcome rate at `opportunities`
              (in season too) and of his season total
              (in season: his counts so far plus the rest's), with the playing-time spread where the bundle has one
              (hfm_runtime.ranges; `evidence`: Marcel's weighted record they rest on, in season Marcel
              to date's, the season so far at its weight beside 5/4/3, so they narrow as it goes on; the
              spread's parameters: the bundle's blend.json "ranges", else Marcel's regression variance)
  opportunities_<q>  the same quantiles of his season's opportunities (hfm_runtime.playing_time; all
              equal to `opportunities` for a bundle without a playing-time spread)
The model sees the player's up to `max_games` most recent games (his perspective, any level) strictly
before `as_of`, his identity profile as of `as_of` and its archetype, exactly as in training
(hfm_train.examples). Level-1 outputs are kept in an LRU cache keyed by (game_pk, player_id,
perspective), so re-scoring after a new game encodes only that game. A player type whose rates do not
read the context (the bundle's `reads_context`: its head on Levels 2-3 is zero, as in every real-league
fit) is scored without featurizing its context pitches or running Graph 1 on them, and with an
empty context for Graph 2: the same rates to the bit
(`ScorerOptions.full_context` runs the whole path). Every column is defined in docs/score-table.md.

What produced a row's rates (never an exception for a player):
  flag "model"       Marcel + the model's adjustment (a players-table row and at least one context game
                     before `as_of`), whatever Marcel rests on (`basis`); `fallback` False.
  Otherwise the model did not run, rate_<S> = marcel_<S>, `fallback` True, and `flag` says why:
  "unknown_player"   not in the players table (no age, no handedness): Marcel without age
  "league_rate"      no context game, and Marcel's window holds no MLB line at all: the bundle's
                     league rates
  "no_history"       no context game and no MLB line of his in Marcel's window: Marcel's league rates
  "no_recent_games"  no context game before `as_of`: Marcel of his own lines
`basis` says what Marcel rests on in every row: "player" (his MLB lines of the window,
regressed), "league" (none of his: the league's rates of the window), "bundle" (no MLB line of anyone
in the window: the bundle's league rates, hfm_runtime.identity's `league_rates`).

Plausible range (`plausible_range`): a rate lies in [0, min(1, RANGE_FACTOR x the bundle's league
rate of that stat)]. Where the model's own rate m_S of a stat it adjusts (w_S > 0) falls outside, it
is pulled to the nearest bound before blending, and `warnings` holds "clipped:<S>"; a blended rate
still outside (Marcel itself outside, or w_S > 1), or a mixed one (the opening-day mix with the
ridge), is pulled in the same way and flagged the same. A clipped rate is never shown without its
warning. Inputs: the model's standardised profile features
(the bundle's FeatureScaler) with |z| > INPUT_Z_LIMIT (continuous features only: 0/1 indicators are
in range by construction; and only those the rates read: a type whose rates read no context reads the
wide path's features alone, `profiles.wide_feature_names`, so a last-30-days count that the scaler saw
only as zero flags nothing it does not move) add "input_z:<feature>" to `warnings`, and `max_input_z`
holds the largest |z|. `warnings` is ";"-joined, "" when there is nothing to say.

Ages: `age` is his age in `season` as Marcel and the identity profile use it; `age_source` says where
it comes from ("exact", "birth_year", "imputed": hfm_runtime.people; "none" for a player not in the
players table, who gets no age), and `age_imputed` is True unless it is "exact" (False for "none").
A two-way player (players table `player_type` "two_way") gets a row as a batter and a row as a pitcher.

A Scorer is thread-safe (one scorer may serve many threads, with the same results as one thread), and
`ScorerOptions.workers` > 1 runs its graphs in that many processes, with identical results.
"""

from __future__ import annotations

import datetime
import math
import os
import re
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import onnxruntime as ort
import pandas as pd

from hfm_runtime.bundle import Bundle, load_bundle
from hfm_runtime.context import GameEmbeddings, empty_context, gather_context
from hfm_runtime.errors import HFMInputError
from hfm_runtime.featurize import GameKeys, GameTable, PitchFeaturizer
from hfm_runtime.graphpool import GRAPH1_KEY, GraphPool, open_session  # noqa: F401  (re-exported)
from hfm_runtime.identity import build_identity
from hfm_runtime.marcel import MARCEL_CONFIGS, TO_DATE_WEIGHT, league_rates, marcel_columns, season_so_far
from hfm_runtime.profiles import ProfileConfig, feature_names, layout_config, wide_feature_names
from hfm_runtime.ranges import QUANTILE_NAMES, QUANTILES, RANGE_KINDS, Ranges, projection_ranges
from hfm_runtime.playing_time import (FULL_SEASON_DAYS, NO_DAY, RECENT_DAYS, PlayingTimeInputs, SeasonToDate, first_days,
                                      level_quantiles, season_starts)
from hfm_runtime.ridge import mixed
from hfm_runtime.seasons import (MAX_SEASON_GAP, game_line_columns, group_sum, last_opening_day, opening_day_as_of,
                                 plate_appearances, projection_date, season_age, season_lines, unknown_events, warn_unknown_events)
from hfm_runtime.skills import skill_line_columns, with_skills
from hfm_runtime.statcast import (LEVEL_COLUMN, REGULAR_SEASON, StatcastWarning, check_loaded, check_rows,
                                  in_pitch_order, load_pitches)
from hfm_runtime.targets import OPPORTUNITY, PLAYER_TYPES, TARGET_STATS, PlayerType

ALL_STATS: tuple[str, ...] = tuple(dict.fromkeys(s for pt in PLAYER_TYPES for s in TARGET_STATS[pt]))
FLAGS: tuple[str, ...] = ("model", "no_recent_games", "no_history", "unknown_player", "league_rate")
MARCEL_BASES: tuple[str, ...] = ("player", "league", "bundle")
NO_AGE = "none"  # age_source of a player not in the players table
SEASON_END_SLACK_DAYS = 14  # check_season_end: how far past the longest season a schedule may end (a late start)
SCORE_COLUMNS: tuple[str, ...] = (
    "player_id", "name", "player_type", "season", "as_of_date", "flag", "fallback", "age_imputed", "age_source",
    "age", "basis", "warnings", "archetype", "source", "n_games", "max_input_z", "opportunity", "opportunities",
    *(f"{kind}_{s}" for kind in ("marcel", "marcel_to_date", "model", "adj", "rate", "proj") for s in ALL_STATS),
    "evidence", "opportunities_to_date", "opportunities_mean", *(f"opportunities_{q}" for q in QUANTILE_NAMES),
    *(f"{kind}_{q}_{s}" for kind in RANGE_KINDS for q in QUANTILE_NAMES for s in ALL_STATS),
)
# No projected rate reaches 8x its league rate: the most extreme single MLB seasons relative to their
# league are about 4x (walks and home runs, Bonds 2001-04) and 6-7x (triples, e.g. Granderson 2007),
# and a projection regresses toward the league. Below 0 is impossible. (docs/score-table.md)
RANGE_FACTOR = 8.0
RANGES_MEMO_ROWS = 50_000  # rows of quantiles Scorer._ranges keeps per player type (~60 MB at most)
# A standardised input beyond 6 training standard deviations: by Chebyshev's inequality at most 1/36
# of any training distribution lies that far out, and for the profile's near-normal rates practically
# none, so the model is extrapolating. 0/1 indicator features are left out (their z is large for a
# rare category without anything being out of range).
INPUT_Z_LIMIT = 6.0
INDICATOR_PREFIXES: tuple[str, ...] = ("filled:", "hand:", "source:")


STALE_DAYS = 7  # in season, an as-of date this many days past the data's newest game of the season is said
STALE_DENSITY = 0.8  # ... in a league with games on at least this share of its days so far


class StaleDataWarning(UserWarning):
    """`score` in season as of a date more than STALE_DAYS after the data's newest MLB game of the season,
    before the season's end by the calendar (`FULL_SEASON_DAYS`' longest from its start, or the season_end
    given): the season so far stops at that game and the pace reads the last RECENT_DAYS days, so the
    totals come out short (a walkthrough's store, its appends stopped on July 5, scored as of August
    20: a batter's opp fell from 477 to 283 without a word). Append the games since, or score as of
    the day after the newest."""


class SeasonGapWarning(UserWarning):
    """`score` of a season more than MAX_SEASON_GAP past the data's last MLB season, or before its first:
    Marcel's window holds at most part of it, so the rows rest on league rates and old games (`hfm-score`
    refuses such a --season without --allow-gap; a walkthrough on 2026-12-07 got a 2030 table from the
    Python API, every row a model row, without a word)."""


@dataclass(frozen=True)
class ScorerOptions:
    """How the ONNX Runtime sessions run and how work is batched.

    threads: cores a call's graph runs use (1 by default: a scorer usually shares the machine; 0: every
    core). A call with one batch runs it on a session of `threads` intra-op threads; a call with
    several runs them `threads` at a time, on threads of this process, each batch on a session of one
    intra-op thread (intra-op threads are woken for every op, and a batch of small ops spends much of
    its time on that: on a real season's games, 2 x 1 thread took ~10% less CPU time than 2 intra-op
    threads, and 0.6-0.7x the wall time in two of five runs on the shared machine, about the same in
    the others; the outputs are the same to the bit).
    Sessions run sequentially (inter-op threads 1) with all graph optimisations, on the CPU execution
    provider.
    spinning: whether idle intra-op threads busy-wait for the next op. Off by default: the scorer has
    three sessions, each with its own pool, and numpy work between runs; on 2 cores, spinning workers
    of one session starve the next (benchmarks/: "no spinning" ran the cold pitcher ~2x faster).
    workers: processes that run the graphs (hfm_runtime.graphpool) when a call has several batches;
    1 runs them in this process. Batches are cut the same way whatever `workers` is, so the results
    are identical.
    full_context: run Graph 1 and Graph 2's Levels 2-3 on every context game even for a player type
    whose rates do not read them (the bundle's `reads_context` False: its head on Levels 2-3 is zero).
    Off by default: such a type's games are neither featurized nor encoded (their PA embeddings have
    no columns, `Scorer.level1_width`) and Graph 2 gets an empty context, which gives the same rates to the bit (hfm-export checks it; so do the
    tests) at a fraction of the work. On, for checks and benchmarks of the whole path.
    """

    threads: int = 1
    spinning: bool = False
    cache_games: int = 100_000  # Level-1 outputs kept (one entry per player-game)
    graph1_batch_games: int = 48  # games per Graph-1 run (sorted by length to limit padding; on a real season's
    # games 32-64 ran in 0.7-0.8x the time of 128, and the outputs do not depend on the batch)
    graph2_batch_players: int = 32  # players per Graph-2 run (grouped by padding; bigger batches ran slower)
    workers: int = 1
    full_context: bool = False

    def __post_init__(self) -> None:
        for name in ("threads", "cache_games", "graph1_batch_games", "graph2_batch_players", "workers"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < (0 if name == "threads" else 1):
                raise HFMInputError(f"ScorerOptions: {name} must be an integer >= {0 if name == 'threads' else 1}, "
                                    f"got {value!r}")

    def session_options(self) -> ort.SessionOptions:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3  # errors only
        opts.add_session_config_entry("session.intra_op.allow_spinning", "1" if self.spinning else "0")
        opts.add_session_config_entry("session.inter_op.allow_spinning", "1" if self.spinning else "0")
        return opts


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    graph1_runs: int = 0  # Graph-1 session calls
    games_encoded: int = 0  # games that went through Graph 1
    mixed_rows: int = 0  # rows whose rates include the opening-day mix with the bundle's ridge


@dataclass(frozen=True)
class _Encoded:
    """One cached Level-1 output: a game's PA embeddings and how its PAs ended."""

    pa_emb: np.ndarray  # float32 [A, D]
    pa_outcome: np.ndarray  # int64 [A]
    game_date: np.datetime64
    season: int
    level: str


class Level1Cache:
    """LRU of Level-1 outputs keyed by (game_pk, player_id, perspective). Not locked itself: the Scorer
    holds its lock around every use."""

    def __init__(self, max_games: int) -> None:
        self.max_games = max_games
        self._items: OrderedDict[tuple[int, int, str], _Encoded] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: tuple[int, int, str]) -> bool:
        return key in self._items

    def get(self, key: tuple[int, int, str]) -> _Encoded | None:
        item = self._items.get(key)
        if item is not None:
            self._items.move_to_end(key)
        return item

    def put(self, key: tuple[int, int, str], item: _Encoded) -> None:
        self._items[key] = item
        self._items.move_to_end(key)
        while len(self._items) > self.max_games:
            self._items.popitem(last=False)

    def clear(self) -> None:
        self._items.clear()


@dataclass(frozen=True, eq=False)
class History:
    """What a player is scored from: Statcast pitches (with a `level` column) and the players table.

    players: players.csv rows (hfm_runtime.league.read_players); None derives them from `pitches`
    (hfm_runtime.people.players_from_pitches: role and handedness from the pitches, no names, ages
    imputed). Missing birth dates are imputed (hfm_runtime.people.impute_birth_dates, from `pitches`)
    and flagged (`age_source` "imputed", `age_imputed` True), so Marcel and the identity profile always
    have an age; a table without `age_source` has it read off `age_imputed` and the birth date
    (hfm_runtime.people.age_sources).
    season_lines: optional per player type season lines for Marcel (e.g. Lahman's); by default they
    are counted from `pitches` (hfm_runtime.seasons), as in training.
    league: optional per player type league rates by season (`hfm_runtime.marcel.league_rates` of the
    whole league's lines) for Marcel to regress toward; by default counted from this history's lines,
    so pass them when `pitches` hold only the players being scored.
    openings: optional season -> opening day of the whole league (`opening_days`), for the same reason:
    what the default date and the opening-day mix read; by default this history's first MLB games.
    starts: optional season -> its start for the whole league (`season_starts`), likewise: an in-season
    table's calendar; by default from this history's MLB games.
    league_days: optional per player type the whole league's MLB counts per day (`league_days`), likewise:
    what Marcel to date's league rates over the season so far read, for the days they hold; this
    history's own game lines for the rest.
    """

    pitches: pd.DataFrame
    players: pd.DataFrame | None = None
    season_lines: Mapping[str, pd.DataFrame] | None = None
    league: Mapping[str, pd.DataFrame] | None = None
    openings: Mapping[int, pd.Timestamp] | None = None
    starts: Mapping[int, pd.Timestamp] | None = None
    league_days: Mapping[str, pd.DataFrame] | None = None
    _derived: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_league(cls, league: Any) -> History:
        """From `hfm_runtime.league.load_league(...)` (a simulated or an imported league folder)."""
        return cls(league.pitches, league.players)

    @classmethod
    def from_files(
        cls,
        sources: Any,
        level: str = "MLB",
        people: Any = None,
        register: Any = None,
        game_types: Sequence[str] | None = REGULAR_SEASON,
    ) -> History:
        """Straight from Statcast files or frames (`statcast.load_pitches`, duplicate pitches dropped;
        `sources` may be {level: files} for several levels). The players table is `people` (a
        players.csv path or DataFrame) or, without it, derived from the pitches with names and birth
        dates from `register` (a Chadwick register file or frame, hfm_runtime.register)."""
        from hfm_runtime.league import read_players
        from hfm_runtime.people import players_from_pitches
        from hfm_runtime.register import read_register

        pitches = load_pitches(sources, level=level, game_types=game_types, duplicates="drop")
        if people is not None:
            players = people if isinstance(people, pd.DataFrame) else read_players(people)
        else:
            players = players_from_pitches(pitches, None if register is None else read_register(register))
        return cls(pitches, players)

    def __post_init__(self) -> None:
        if LEVEL_COLUMN not in self.pitches.columns:
            raise HFMInputError(f"pitches: missing column {LEVEL_COLUMN!r} (load them with statcast.load_pitches)")
        check_loaded(self.pitches)
        check_rows(self.pitches, "of the History's pitches", "statcast.load_pitches refuses any other")
        ids = {c: self.pitches[c] for c in ("batter", "pitcher") if self.pitches[c].dtype.kind not in "iu"}
        pitches = self.pitches.assign(**{c: v.to_numpy(np.int64) if v.dtype.kind == "f" else  # whole: checked
                                         v.astype(object).map(int).astype(np.int64) for c, v in ids.items()}
                                      ) if ids else self.pitches  # no copy of a league's rows
        kept, dropped = in_pitch_order(pitches)
        if dropped:  # a day given twice (yesterday's file again) would count its games twice
            warnings.warn(f"History: {dropped} pitch rows repeat an earlier row's (game_pk, at_bat_number, pitch_number) "
                          "and were dropped", StatcastWarning, stacklevel=3)
        if kept is not self.pitches:
            object.__setattr__(self, "pitches", kept)
        if self.players is None:
            from hfm_runtime.people import players_from_pitches

            object.__setattr__(self, "players", players_from_pitches(self.pitches))
        from hfm_runtime.people import checked_players

        object.__setattr__(self, "players", checked_players(self.players))  # ids as text would match no pitch
        if "events" in self.pitches.columns:
            warn_unknown_events(unknown_events(self.pitches["events"]))
        if self.players["birth_date"].isna().any():
            from hfm_runtime.people import first_seasons, impute_birth_dates

            object.__setattr__(self, "players", impute_birth_dates(self.players, first_seasons(self.pitches)))

    @cached_property
    def plate_appearances(self) -> pd.DataFrame:
        return plate_appearances(self.pitches)

    def game_lines(self, player_type: PlayerType) -> pd.DataFrame:
        """Outcome and skill counts per player and game (hfm_runtime.identity.player_lines)."""
        if ("games", player_type) not in self._derived:
            self._derived[("games", player_type)] = with_skills(  # framed once, as player_lines does
                game_line_columns(self.plate_appearances, player_type), skill_line_columns(self.pitches, player_type))
        return self._derived[("games", player_type)]

    def lines(self, player_type: PlayerType) -> pd.DataFrame:
        """Season lines for Marcel."""
        if self.season_lines is not None and player_type in self.season_lines:
            return self.season_lines[player_type]
        if ("seasons", player_type) not in self._derived:
            self._derived[("seasons", player_type)] = season_lines(self.game_lines(player_type), player_type)
        return self._derived[("seasons", player_type)]

    def rows_of(self, table: str, player_type: PlayerType, ids: np.ndarray) -> pd.DataFrame:
        """The rows of `ids` in `game_lines` (table "games") or `lines` ("seasons") of a type, in their
        order there, through an index by player built once per table: scoring a few players from a
        whole league's History then reads their lines, not the league's (the profile's running sums,
        Marcel). The profile then sums each player's own lines only, as a store does, so a column that
        is not a whole number (launch-speed sums, 2020's season length, AAA translations) no longer
        moves in its last bits with the other players the History holds."""
        frame = self.game_lines(player_type) if table == "games" else self.lines(player_type)
        key = ("index", table, player_type)
        if key not in self._derived or self._derived[key][0] is not frame:  # built for this very table
            pid = frame["player_id"].to_numpy(np.int64)
            order = np.argsort(pid, kind="stable")
            self._derived[key] = (frame, pid[order], order)
        _, sorted_ids, order = self._derived[key]
        ids = np.unique(np.asarray(ids, dtype=np.int64))
        lo, hi = np.searchsorted(sorted_ids, ids, "left"), np.searchsorted(sorted_ids, ids, "right")
        take = np.sort(np.concatenate([order[a:b] for a, b in zip(lo.tolist(), hi.tolist())] + [order[:0]]))
        return frame.iloc[take]

    def league_rates(self, player_type: PlayerType) -> pd.DataFrame:
        """Marcel's per-season league rates: the `league` given, else counted once from this history's
        season lines (marcel.league_rates)."""
        if self.league is not None and self.league.get(player_type) is not None:
            return self.league[player_type]
        lines, key = self.lines(player_type), ("league", player_type)
        if key not in self._derived or self._derived[key][0] is not lines:
            self._derived[key] = (lines, league_rates(lines, player_type))
        return self._derived[key][1]

    def league_to_date(self, player_type: PlayerType, season: int, as_of: pd.Timestamp) -> pd.Series:
        """The league's MLB rates of `season` before `as_of` (`league_to_date`): the `league_days` given
        for the days they hold, this history's own game lines (counted once) for the rest."""
        lines, key = self.game_lines(player_type), ("league_days", player_type)
        if key not in self._derived or self._derived[key][0] is not lines:
            given = None if self.league_days is None else self.league_days.get(player_type)
            self._derived[key] = (lines, merged_days(given, league_days(lines, player_type)))
        return league_to_date(self._derived[key][1], player_type, season, as_of)

    @cached_property
    def _players_by_id(self) -> pd.DataFrame:
        """The players table indexed by player_id, one row per player (his first)."""
        return self.players.drop_duplicates("player_id").set_index("player_id")

    def player_type_of(self, player_ids: Iterable[int]) -> dict[int, tuple[PlayerType, ...]]:
        """player_id -> the types he is scored as: ("batter",), ("pitcher",), or both for a two-way
        player (players table `player_type` "two_way"); from the players table's `player_type` or,
        failing that, the pitches (a player who pitched is a pitcher, else a batter)."""
        ids = [int(i) for i in player_ids]
        known = self._players_by_id["player_type"] if "player_type" in self.players.columns else {}
        kinds = {i: known.get(i) for i in ids}
        pitched: set[int] = set()
        if any(k != "two_way" and k not in PLAYER_TYPES for k in kinds.values()):  # only then read the pitches
            pitched = set(self.pitches["pitcher"].unique().tolist())
        return {i: scored_as(kinds[i], i in pitched) for i in ids}

    def age_imputed(self, player_ids: Iterable[int]) -> np.ndarray:
        """bool per id: is his age not from a full birth date (`age_source` "birth_year" or "imputed")?
        False for players not in the table."""
        return np.isin(self.age_source(player_ids), ("birth_year", "imputed"))

    def age_source(self, player_ids: Iterable[int]) -> np.ndarray:
        """Where each id's age comes from: "exact", "birth_year" or "imputed" (hfm_runtime.people
        .age_sources), "none" for a player not in the table."""
        from hfm_runtime.people import age_sources

        ids = np.asarray(list(player_ids), dtype=np.int64)
        if "age_source" not in self._derived:
            table = self._players_by_id
            known = table.index.to_numpy(np.int64)
            order = np.argsort(known)
            self._derived["age_source"] = (known[order], age_sources(table)[order])
        known, source = self._derived["age_source"]
        if not len(known):
            return np.full(len(ids), NO_AGE, dtype=object)
        at = np.minimum(np.searchsorted(known, ids), len(known) - 1)
        return np.where(known[at] == ids, source[at], NO_AGE).astype(object)

    def ages(self, player_ids: Iterable[int], season: int) -> np.ndarray:
        """Each id's age in `season` (seasons.season_age of his birth date, imputed where missing), as
        Marcel and the identity profile use it; NaN for a player not in the table."""
        ids = np.asarray(list(player_ids), dtype=np.int64)
        births = self._players_by_id["birth_date"].reindex(ids).to_numpy()
        has_age = pd.notna(births)
        ages = np.full(len(ids), np.nan)
        if has_age.any():
            ages[has_age] = np.asarray(season_age(births[has_age], season), dtype=np.float64)
        return ages

    def last_day_before(self, season: int) -> pd.Timestamp | None:
        """The newest game date before `season` (any level), None without one: the pitches' game days,
        found once per pitches table."""
        key = "days"
        if key not in self._derived or self._derived[key][0] is not self.pitches:  # ~2,400 a season, not every pitch
            self._derived[key] = (self.pitches, np.unique(self.pitches["game_date"].to_numpy().astype("datetime64[D]")))
        return last_day_before(self._derived[key][1], season)

    def opening_days(self) -> dict[int, pd.Timestamp]:
        """Season -> its first MLB game date in the pitches (or `openings`, where given)."""
        if self.openings is not None:
            return {int(season): pd.Timestamp(day) for season, day in self.openings.items()}
        if "openings" not in self._derived:
            days = self._mlb_days()  # ascending: each season's first is its opening day
            years = days.astype("datetime64[Y]").astype(np.int64) + 1970
            seasons, first = np.unique(years, return_index=True)
            self._derived["openings"] = {int(s): pd.Timestamp(days[i]) for s, i in zip(seasons, first)}
        return dict(self._derived["openings"])

    def _mlb_days(self) -> np.ndarray:
        """The days with an MLB game in the pitches, ascending (datetime64[D]): a scan of every pitch (tens
        of ms on a season), once."""
        if "mlb_days" not in self._derived:
            mlb = self.pitches[LEVEL_COLUMN].to_numpy() == "MLB"
            self._derived["mlb_days"] = np.unique(self.pitches["game_date"].to_numpy()[mlb].astype("datetime64[D]"))
        return self._derived["mlb_days"]

    def last_mlb_day(self, season: int, before: pd.Timestamp) -> pd.Timestamp | None:
        """The newest day of `season` with an MLB game in the pitches before `before`, None without one."""
        return last_day_in(self._mlb_days(), season, before)

    def season_starts(self) -> dict[int, pd.Timestamp]:
        """Season -> its start (hfm_runtime.playing_time.season_starts of the MLB games; or `starts`,
        where given): where an in-season table's calendar counts from."""
        if self.starts is not None:
            return {int(season): pd.Timestamp(day) for season, day in self.starts.items()}
        if self.openings is not None:  # the league's first games given, not its starts: not this history's
            return self.opening_days()  # own (some players' games would move the opening-day switch)
        if "starts" not in self._derived:
            mlb = self.pitches[LEVEL_COLUMN].to_numpy() == "MLB"
            self._derived["starts"] = season_starts(self.pitches["game_date"].to_numpy()[mlb],
                                                    self.pitches["game_pk"].to_numpy()[mlb])
        return dict(self._derived["starts"])


def scored_as(kind: Any, pitched: bool) -> tuple[PlayerType, ...]:
    """The types a player is scored as: both for a players-table `player_type` "two_way", that type
    for "batter" / "pitcher", else a pitcher if he pitched and a batter if not."""
    if kind == "two_way":
        return PLAYER_TYPES
    if kind in PLAYER_TYPES:
        return (kind,)
    return ("pitcher",) if pitched else ("batter",)


def marcel_window_players(season_lines: Mapping[str, pd.DataFrame], season: int) -> list[int]:
    """Everyone with an MLB line (`season_lines`: per player type) in the seasons Marcel reads for
    `season` (season-3..season-1): whom `Scorer.score` scores by default."""
    ids: set[int] = set()
    for pt, lines in season_lines.items():
        window = lines["season"].between(season - len(MARCEL_CONFIGS[pt].weights), season - 1)
        if LEVEL_COLUMN in lines.columns:
            window &= lines[LEVEL_COLUMN] == "MLB"
        ids.update(int(i) for i in lines.loc[window, "player_id"].unique())
    return sorted(ids)


def season_so_far_players(game_lines: Mapping[str, pd.DataFrame], season: int, as_of: pd.Timestamp | None) -> set[int]:
    """Everyone with an MLB game line (`game_lines`: per player type, with game_date) of `season` before
    `as_of` (none without one): in season, the rookies and returning players whom Marcel's window
    does not hold are scored by default too."""
    ids: set[int] = set()
    if as_of is None:
        return ids
    end = np.datetime64(as_of.date(), "D")
    for lines in game_lines.values():
        days = lines["game_date"].to_numpy().astype("datetime64[D]")
        keep = (days >= np.datetime64(f"{int(season)}-01-01", "D")) & (days < end)
        if LEVEL_COLUMN in lines.columns:
            keep &= lines[LEVEL_COLUMN].to_numpy() == "MLB"
        ids.update(int(i) for i in np.unique(lines["player_id"].to_numpy()[keep]))
    return ids


@dataclass(frozen=True)
class IdentityInputs:
    """What the score needs of `identity.build_identity`'s result, per player in request order."""

    stat_features: np.ndarray  # float32 [N, F], standardised: Graph 2's input
    archetype: np.ndarray  # int64 [N]
    source: np.ndarray  # [N] "mlb" / "mle" / "blended"


@dataclass(frozen=True)
class MarcelRows:
    """Marcel for N players of one type, in request order (what the score table reads of it)."""

    rates: np.ndarray  # float64 [N, len(TARGET_STATS[pt])]
    opportunities: np.ndarray  # float64 [N]: projected PA or BF
    no_history: np.ndarray  # bool [N]: no MLB line in Marcel's window (league rates)
    league_rate: np.ndarray  # bool [N]: no MLB lines at all in the window: the bundle's league rates
    ages: np.ndarray  # float64 [N]: the age in the season Marcel adjusted by (NaN: none)
    evidence: np.ndarray  # float64 [N]: Marcel's weighted record in opportunities (0: none; hfm_runtime.ranges)
    window: np.ndarray  # float64 [N, 3]: MLB opportunities of the three seasons before, full-season equivalents
    # the window's sums the rates come from (marcel.season_so_far: Marcel to date without the lines)
    weighted_opp: np.ndarray  # float64 [N]: sum w_i o_i
    weighted: np.ndarray  # float64 [N, S]: sum w_i x_i
    prior: np.ndarray  # float64 [N, S]: the league rate he regresses toward

    def take(self, at: np.ndarray) -> MarcelRows:
        """These rows at positions `at`."""
        return MarcelRows(self.rates[at], self.opportunities[at], self.no_history[at], self.league_rate[at],
                          self.ages[at], self.evidence[at], self.window[at], self.weighted_opp[at], self.weighted[at],
                          self.prior[at])

    @property
    def playing_time_inputs(self) -> PlayingTimeInputs:
        """What the playing-time spread's opportunity model reads (hfm_runtime.playing_time)."""
        return PlayingTimeInputs(self.window, self.ages, self.rates)

    @property
    def basis(self) -> np.ndarray:
        """MARCEL_BASES value per row: what Marcel's rates rest on."""
        return np.where(self.league_rate, "bundle", np.where(self.no_history, "league", "player")).astype(object)


def marcel_rows(
    bundle: Bundle, pt: PlayerType, ids: np.ndarray, season: int, lines: pd.DataFrame,
    ages: np.ndarray, league: pd.DataFrame | None = None,
) -> MarcelRows:
    """`marcel.marcel` of `ids` from season `lines` (ages in `season`, NaN where unknown; `league`:
    per-season league rates, default counted from `lines`), or the bundle's league rates when the
    window holds no MLB line at all."""
    stats = list(TARGET_STATS[pt])
    n = len(ids)
    try:
        _, base = marcel_columns(lines, pd.Series(ages, index=ids), season, pt, player_ids=ids, league=league)
    except HFMInputError:  # no MLB lines at all in the window: the bundle's league rates
        rates = np.tile(np.array([bundle.identity[pt].league_rates[s] for s in stats], dtype=np.float64), (n, 1))
        return MarcelRows(
            rates=rates, opportunities=np.full(n, MARCEL_CONFIGS[pt].playing_time_base, dtype=np.float64),
            no_history=np.ones(n, bool), league_rate=np.ones(n, bool), ages=np.asarray(ages, np.float64),
            evidence=np.zeros(n), window=np.zeros((n, 3)), weighted_opp=np.zeros(n), weighted=np.zeros_like(rates),
            prior=rates.copy(),
        )
    def stack(names: list[str]) -> np.ndarray:
        return np.column_stack([np.asarray(base[c], dtype=np.float64) for c in names]).reshape(n, len(names))

    return MarcelRows(
        rates=stack(stats), opportunities=np.asarray(base[OPPORTUNITY[pt]], dtype=np.float64),
        no_history=np.asarray(base["no_history"], dtype=bool), league_rate=np.zeros(n, bool),
        ages=np.asarray(ages, np.float64), evidence=np.asarray(base["evidence"], dtype=np.float64),
        window=stack(["opp_1", "opp_2", "opp_3"]),
        weighted_opp=np.asarray(base["weighted_opportunities"], dtype=np.float64),
        weighted=stack([f"weighted_{s}" for s in stats]), prior=stack([f"prior_{s}" for s in stats]),
    )


def season_to_date(lines: pd.DataFrame, pt: PlayerType, ids: np.ndarray, season: int, as_of: pd.Timestamp,
                   start: pd.Timestamp, season_end: pd.Timestamp | None = None) -> SeasonToDate:
    """What `ids` recorded in MLB games of `season` before `as_of` (hfm_runtime.playing_time.SeasonToDate),
    the day of each one's first such game and his opportunities before the season's `start`, summed
    from game `lines` (player_lines' layout: player_id, game_date, season, level, the type's
    opportunities and counts; other players' and seasons' rows are left out here); `season_end`: the
    season's last scheduled day, where known (Scorer.score)."""
    opp, stats = OPPORTUNITY[pt], list(TARGET_STATS[pt])
    days = lines["game_date"].to_numpy().astype("datetime64[D]")
    end = np.datetime64(as_of.date(), "D")
    keep = ((lines["season"].to_numpy() == season) & (days < end) & np.isin(lines["player_id"].to_numpy(), ids))
    if LEVEL_COLUMN in lines.columns:
        keep &= lines[LEVEL_COLUMN].to_numpy() == "MLB"
    at = np.searchsorted(ids, lines["player_id"].to_numpy()[keep])  # ids sorted, every kept row's id among them
    before = days[keep] < np.datetime64(start.date(), "D")  # a series abroad before the season's start
    recent = (days[keep] >= end - np.timedelta64(RECENT_DAYS, "D")) & ~before
    values = lines[[opp, *stats]].to_numpy(np.float64)[keep]
    sums = np.zeros((len(ids), 1 + len(stats)))
    np.add.at(sums, at, values)
    lately, early = np.zeros(len(ids)), np.zeros(len(ids))
    np.add.at(lately, at[recent], values[recent, 0])
    np.add.at(early, at[before], values[before, 0])
    first = np.full(len(ids), NO_DAY)
    np.minimum.at(first, at, days[keep].astype(np.int64))
    return SeasonToDate.at(sums[:, 0], lately, sums[:, 1:], season, start, as_of, first_days(first), season_end,
                           early)


def league_days(lines: pd.DataFrame, pt: PlayerType) -> pd.DataFrame:
    """The MLB opportunities and TARGET_STATS counts of game `lines` (player_lines' layout, any players
    and levels) summed per season and day: what `league_to_date` reads (columns season, day, and the
    counts; one row per day with an MLB game)."""
    opp, stats = OPPORTUNITY[pt], list(TARGET_STATS[pt])
    mlb = lines if LEVEL_COLUMN not in lines.columns else lines[lines[LEVEL_COLUMN].to_numpy() == "MLB"]
    columns = {"season": mlb["season"].to_numpy(np.int64), "day": mlb["game_date"].to_numpy().astype("datetime64[D]"),
               **{c: mlb[c] for c in (opp, *stats)}}
    return pd.DataFrame(group_sum(columns, ["season", "day"]))


def merged_days(given: pd.DataFrame | None, own: pd.DataFrame) -> pd.DataFrame:
    """League counts per day (`league_days`): the `given` ones (the whole league's) for the days they
    hold, `own` (the rows at hand: a History's or a store's) for the days they do not."""
    if given is None or not len(given):
        return own
    def keys(days: pd.DataFrame) -> np.ndarray:  # (season, day) as one integer: days since 1970 < 1e6
        day = days["day"].to_numpy().astype("datetime64[D]").astype(np.int64)
        return days["season"].to_numpy(np.int64) * 1_000_000 + day

    return pd.concat([given, own[~np.isin(keys(own), keys(given))]], ignore_index=True)


def league_to_date(days: pd.DataFrame, pt: PlayerType, season: int, as_of: pd.Timestamp) -> pd.Series:
    """The league's rates of TARGET_STATS[pt] over `season`'s MLB games before `as_of`, from the per-day
    sums `days` (`league_days`): Marcel to date's league rate (hfm_runtime.marcel's `to_date_league`);
    NaN where the season has no game before `as_of`."""
    opp, stats = OPPORTUNITY[pt], list(TARGET_STATS[pt])
    day = days["day"].to_numpy().astype("datetime64[D]")
    keep = (days["season"].to_numpy() == season) & (day < np.datetime64(as_of.date(), "D"))
    totals = days[[opp, *stats]].to_numpy(np.float64)[keep].sum(axis=0)
    return pd.Series(totals[1:] / totals[0] if totals[0] > 0 else np.nan, index=stats)


def marcel_to_date_rates(pt: PlayerType, base: MarcelRows, to_date: SeasonToDate, league_now: pd.Series) -> np.ndarray:
    """[N, S] Marcel with the season so far counted (hfm_runtime.marcel's `to_date`) from the opening
    day's Marcel `base` (its window's sums, marcel.season_so_far), what each recorded so far (`to_date`)
    and the league's rates over the same days (`league_now`, `league_to_date`): the same numbers as
    `marcel.marcel(..., to_date=...)`, to the bit, with no line read. Where the window holds no MLB
    line of anyone (`base` is the bundle's league rates, not age-adjusted), a player who has played
    is his season so far regressed toward the league's rates so far, with no age adjustment, as
    Marcel of a player with no record; one who has not keeps the bundle's rates."""
    stats = list(TARGET_STATS[pt])
    lg0 = (league_now if list(league_now.index) == stats else league_now.reindex(stats)).to_numpy(np.float64)
    now = season_so_far(pt, base.weighted_opp, base.weighted, base.prior, base.ages, to_date.opportunities,
                        to_date.counts, lg0, age_adjusted=~base.league_rate)
    # no game so far: the opening day's rates themselves (R r / R can miss r by a bit for the bundle's)
    return np.where((np.asarray(to_date.opportunities) > 0)[:, None], now, base.rates)


def plausible_range(bundle: Bundle, pt: PlayerType) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) per stat of TARGET_STATS[pt]: [0, min(1, RANGE_FACTOR x the bundle's league rate)]
    (the training seasons' MLB rate, hfm_runtime.identity's `league_rates`; see RANGE_FACTOR)."""
    league = bundle.identity[pt].league_rates
    high = np.array([min(1.0, RANGE_FACTOR * float(league[s])) if s in league else 1.0 for s in TARGET_STATS[pt]])
    return np.zeros(len(high)), high


def blend(
    marcel_rates: np.ndarray, model: np.ndarray, weights: np.ndarray, target_mode: str, low: np.ndarray, high: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(rates, clipped) from Marcel [N, S], Graph 2's raw output [N, S] (NaN: the model did not run)
    and the blend weights [S]: the model's own rate (Marcel + residual, or the absolute rate), pulled
    into [low, high] where it is outside, blended as marcel + w * (own - marcel); a blended rate still
    outside is pulled in too. `clipped` [N, S] marks the stats pulled in; a stat with w = 0 is not
    read, so never clipped. Rows where the model did not run are Marcel's rates, untouched."""
    own = marcel_rates + model if target_mode == "residual" else model
    ran = ~np.isnan(own) & (weights != 0)
    outside = ran & ((own < low) | (own > high))
    pulled = np.clip(own, low, high)
    rates = np.where(ran, marcel_rates + weights * (pulled - marcel_rates), marcel_rates)
    still = ran & ((rates < low) | (rates > high))
    rates = np.where(still, np.clip(rates, low, high), rates)
    return rates, outside | still


def season_year(season: Any, name: str = "season") -> int:
    """`season` as a four-digit year, or one clear error naming `name` (a two-digit year gets "did you
    mean 2025?")."""
    try:
        year = int(season)
    except (TypeError, ValueError):
        raise HFMInputError(f"{name} {season!r}: not a year") from None
    if 1 <= year < 100:
        century = 2000 if 2000 + year <= time.localtime().tm_year + 1 else 1900
        raise HFMInputError(f"{name} {year}: a two-digit season; did you mean {century + year}?")
    if year < 1000:
        raise HFMInputError(f"{name} {year}: not a four-digit year")
    return year


def parse_as_of(as_of: Any, season: int | None, name: str = "as_of") -> pd.Timestamp | None:
    """`as_of` (a "YYYY-MM-DD" string, a date, datetime, numpy datetime64 or Timestamp; None stays
    None) as a day (time and time zone dropped), or one clear error naming `name`: a string in
    another form (04/07/2022 reads as April 7 or July 4 depending on who wrote it), a number, a date
    that does not exist, or (given `season`) one in a later year than `season` (its games would be
    read as history of the season they belong to)."""
    if as_of is None:
        return None
    example = f"e.g. {season if season is not None else time.localtime().tm_year}-04-01"
    if isinstance(as_of, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of.strip()):
            raise HFMInputError(f"{name} {as_of!r}: expected a date as YYYY-MM-DD, {example}")
        try:
            day = pd.Timestamp(as_of.strip())
        except ValueError:
            raise HFMInputError(f"{name} {as_of!r}: no such date") from None
    elif isinstance(as_of, (datetime.date, np.datetime64)):  # datetime and Timestamp are dates too
        day = pd.Timestamp(as_of)
    else:
        raise HFMInputError(f"{name} {as_of!r}: not a date (give YYYY-MM-DD, {example})")
    if pd.isna(day):
        raise HFMInputError(f"{name} {as_of!r}: not a date")
    if day.tzinfo is not None:
        day = day.tz_localize(None)
    if season is not None and day.year > season:
        if name.lstrip("-").replace("-", "_") == "season_end":  # not an as-of date: the season's own last day
            raise HFMInputError(f"{name} {day.date()} is after the {season} season: give the last scheduled day "
                                f"of {season}'s regular season (YYYY-MM-DD, in {season})")
        raise HFMInputError(f"{name} {day.date()} is after the {season} season: a projection of {season} reads "
                            f"games before its date, so give a date in {season} or before")
    return day.normalize()


def last_day_before(days: np.ndarray, season: int) -> pd.Timestamp | None:
    """The newest of game `days` (datetime64, any unit) before `season`, None without one."""
    days = np.asarray(days).astype("datetime64[D]")
    days = days[days < np.datetime64(f"{int(season)}-01-01", "D")]
    return pd.Timestamp(days.max()) if len(days) else None


def last_day_in(days: np.ndarray, season: int, before: pd.Timestamp) -> pd.Timestamp | None:
    """The newest of game `days` (datetime64, any unit) in `season` and before `before`, None without one."""
    days = days_in(days, season, before)
    return pd.Timestamp(days.max()) if len(days) else None


def check_season_end(end: pd.Timestamp | None, season: int, as_of: pd.Timestamp, last: pd.Timestamp | None,
                     start: pd.Timestamp | None = None) -> None:
    """Refuse a season's last scheduled day `end` that comes before a game of the season the data holds
    before the as-of date (`last`: the newest): a mistyped schedule would declare the season over and
    set every player's rest of it to 0. Refuse one more than SEASON_END_SLACK_DAYS past the longest
    season of 2001-2018 (FULL_SEASON_DAYS) from the season's `start`, where the data holds it: a
    walkthrough's 2019-12-31 gave Mike Trout 834 PA."""
    if end is None:
        return
    if last is not None and end < last:
        raise HFMInputError(f"season_end (--season-end) {end.date()} comes before a {season} MLB game the data holds "
                            f"({last.date()}, before the as-of date {as_of.date()}): give the last day of {season}'s "
                            "schedule")
    longest = max(FULL_SEASON_DAYS)
    if start is not None and (end - start).days > longest + SEASON_END_SLACK_DAYS:
        raise HFMInputError(f"season_end (--season-end) {end.date()} is {(end - start).days} days after {season}'s start "
                            f"({start.date()}); the longest season of 2001-2018 lasted {longest}: give the last day of "
                            f"{season}'s schedule")


def check_as_of_after(as_of: pd.Timestamp, season: int, last: pd.Timestamp | None) -> None:
    """Refuse an as-of date before `season` that comes before games the data holds before it (`last`: the
    newest): a projection of `season` reads the seasons before it whole (Marcel's, the profile's), so
    games after that date would be read by one part and not by the other."""
    if last is not None and as_of <= last:
        own = (f", or project {as_of.year} as of {as_of.date()} (--season {as_of.year})"
               if as_of.year == last.year else "")
        raise HFMInputError(
            f"as_of {as_of.date()} comes before games the data holds (through {last.date()}, its last before "
            f"{season}) of seasons a projection of {season} reads whole (Marcel's, the profile's): give a date "
            f"after {last.date()}{own}")


def days_in(days: np.ndarray, season: int, before: pd.Timestamp) -> np.ndarray:
    """The days (datetime64[D]) of `season` before `before` among `days`."""
    days = np.asarray(days).astype("datetime64[D]")
    return days[(days.astype("datetime64[Y]").astype(np.int64) + 1970 == int(season))
                & (days < np.datetime64(pd.Timestamp(before).date(), "D"))]


def stale_data_warning(season: int, as_of: pd.Timestamp, days: np.ndarray | None, start: Any,
                       end: pd.Timestamp | None) -> None:
    """StaleDataWarning where its conditions hold: `days`, the MLB game days of `season` before `as_of`
    in a whole league's data (in season; None: some players' data, whose newest game is not the
    league's: nothing to say), `start` the season's start. Said only of a league that plays nearly every
    day (games on STALE_DENSITY of the days so far: MLB's ~95%; the tiny test leagues' are weeks apart)."""
    days = np.unique(np.asarray(days, dtype="datetime64[D]")) if days is not None else np.array([], "datetime64[D]")
    if not len(days) or start is None or len(days) < STALE_DENSITY * ((days[-1] - days[0]).astype(int) + 1):
        return
    newest = pd.Timestamp(days[-1])
    last_day = end if end is not None else pd.Timestamp(start) + pd.Timedelta(days=max(FULL_SEASON_DAYS))
    gap = (as_of - newest).days
    if gap > STALE_DAYS and newest < last_day - pd.Timedelta(days=STALE_DAYS):
        warnings.warn(f"score: the data's newest {season} MLB game is of {newest.date()}, {gap} days before as_of "
                      f"{as_of.date()}, with the season not over by the calendar: the season so far stops there "
                      f"and the pace reads the last {RECENT_DAYS} days, so the totals come out short; append the "
                      "games since, or score as of the day after the newest", StaleDataWarning, stacklevel=4)


def _warn_if_stale(inputs: Any, season: int, as_of: pd.Timestamp, end: pd.Timestamp | None) -> None:
    if _before_opening_day(inputs, season, as_of):
        return
    stale_data_warning(season, as_of, inputs.whole_league_days(season, as_of),
                       inputs.season_starts().get(int(season), inputs.opening_days().get(int(season))), end)


def _before_opening_day(inputs: Any, season: int, as_of: pd.Timestamp) -> bool:
    """Whether `as_of` is an opening-day projection of `season`: on or before its last opening day
    (`seasons.last_opening_day`: the home opening day, after a series abroad), or the data holds none
    of the season."""
    last = last_opening_day(inputs.opening_days(), inputs.season_starts(), season)
    return last is None or as_of <= last


def input_warnings(pt: PlayerType, stat_features: np.ndarray, layout: ProfileConfig | None = None,
                   wide_only: bool = False) -> tuple[np.ndarray, list[list[str]]]:
    """(max |z| over the continuous features checked, per row; those beyond INPUT_Z_LIMIT, per row,
    largest first) of standardised identity features [N, F] (profiles.feature_names layout of
    `layout`, the identity's config; None: found by width). Checked: every continuous feature, or with
    `wide_only` the wide path's alone (what a bundle whose rates read no context reads; a wide path
    fitted with some of them excluded is still checked on all, the harmless direction)."""
    layout = layout or layout_config(pt, np.shape(stat_features)[1])
    names = np.array(feature_names(pt, layout))
    read = set(wide_feature_names(pt, layout)) if wide_only else set(names)
    continuous = np.array([not n.startswith(INDICATOR_PREFIXES) and n in read for n in names])
    z = np.abs(np.asarray(stat_features, dtype=np.float64)[:, continuous])
    z = np.where(np.isfinite(z), z, np.inf)  # a NaN or infinite input is as far out as it gets
    names = names[continuous]
    worst = z.max(axis=1, initial=0.0)
    beyond = []
    for row in z:
        over = np.flatnonzero(row > INPUT_Z_LIMIT)
        beyond.append([str(names[j]) for j in over[np.argsort(-row[over], kind="stable")]])
    return worst, beyond


class Scorer:
    """Scores players from a verified bundle with ONNX Runtime (see the module docstring).

    Thread-safe: one scorer may serve many threads (ONNX Runtime sessions run concurrently; the
    Level-1 cache and the counters are locked). With `ScorerOptions.workers` > 1 the graph runs go to
    that many worker processes (hfm_runtime.graphpool); call `close()` (or use `with`) to stop them.
    """

    def __init__(self, bundle: Bundle | str, options: ScorerOptions = ScorerOptions()) -> None:
        self.bundle = bundle if isinstance(bundle, Bundle) else load_bundle(bundle)
        self.options = options
        self.featurizer = PitchFeaturizer.from_json(self.bundle.featurizer)
        self.graph1 = open_session(self.bundle.graph1, options)
        self.graph2 = {pt: open_session(self.bundle.graph2(pt), options) for pt in PLAYER_TYPES}
        # the types whose context games are encoded and read (ScorerOptions.full_context)
        self.reads_context = {pt: options.full_context or self.bundle.reads_context(pt) for pt in PLAYER_TYPES}
        # the inputs each graph reads (the exporter drops unread ones), asked once: get_inputs() builds objects
        self._wanted = {GRAPH1_KEY: {i.name for i in self.graph1.get_inputs()},
                        **{pt: {i.name for i in s.get_inputs()} for pt, s in self.graph2.items()}}
        self.cache = Level1Cache(options.cache_games)
        self.stats = CacheStats()
        self._lock = threading.Lock()
        self._pool = None
        self._lanes: tuple[ThreadPoolExecutor, dict[str, ort.InferenceSession]] | None = None  # see _run
        self._ranges_memo: dict[str, dict[bytes, tuple[np.ndarray, ...]]] = {}  # see _ranges

    # --- public API --------------------------------------------------------------------------------
    def score(
        self,
        source: History | Any,
        season: int,
        player_ids: Iterable[int] | None = None,
        as_of: str | pd.Timestamp | None = None,
        season_end: str | pd.Timestamp | None = None,
    ) -> pd.DataFrame:
        """One row per player and type (SCORE_COLUMNS), batters then pitchers, each in player_id
        order; a two-way player has a row of each type.

        source: a `History`, or a `hfm_runtime.store.PlayerStore` built for this scorer's bundle.
        player_ids: who to score (default: every player with an MLB line in Marcel's window, and in
        season everyone with an MLB game of `season` before `as_of`: `default_players`).
        season_end: in season, the season's last scheduled day (the published schedule): the rest of
        the season's playing time reads the season's own length instead of the 2001-2018 average
        (hfm_runtime.playing_time.season_elapsed).
        """
        frames = [pd.DataFrame(columns)
                  for columns in self._score_columns(source, season, player_ids, as_of, season_end)]
        return pd.concat(frames, ignore_index=True)  # each frame has SCORE_COLUMNS, in order

    def score_records(
        self,
        source: History | Any,
        season: int,
        player_ids: Iterable[int] | None = None,
        as_of: str | pd.Timestamp | None = None,
        season_end: str | pd.Timestamp | None = None,
    ) -> list[dict[str, Any]]:
        """`score` as a list of dicts (one per row, keys SCORE_COLUMNS, values as `score`'s cells), without
        building a DataFrame: what a pipeline scoring a few players at a time reads (a one-row frame
        costs about as much as Graph 2)."""
        out = []
        for columns in self._score_columns(source, season, player_ids, as_of, season_end):
            values = [columns[c].tolist() if isinstance(columns[c], np.ndarray) else [columns[c]] * len(columns["flag"])
                      for c in SCORE_COLUMNS]
            out.extend(dict(zip(SCORE_COLUMNS, row)) for row in zip(*values))
        return out

    @staticmethod
    def default_players(source: History | Any, season: int, as_of: Any = None) -> list[int]:
        """Everyone with an MLB line in the seasons Marcel reads for `season` (season-3..season-1) and,
        given an `as_of` in `season`, everyone with an MLB game of `season` before it (a rookie called
        up in May is scored in July)."""
        as_of = parse_as_of(as_of, season)
        if not isinstance(source, History):
            return source.default_players(season, as_of)
        window = marcel_window_players({pt: source.lines(pt) for pt in PLAYER_TYPES}, season)
        so_far = season_so_far_players({pt: source.game_lines(pt) for pt in PLAYER_TYPES}, season, as_of)
        return sorted(set(window) | so_far)

    def encode(self, table: GameTable) -> GameEmbeddings:
        """Level 1 (Graph 1) on every game of `table`, in table order, as ragged PA embeddings.

        Games run in batches of `graph1_batch_games`, sorted by length (stable) to limit padding; the
        batches depend only on `table`, so the result does not depend on `workers`. A table whose
        perspectives all belong to types that do not read their context (`reads_context`) is not run:
        its PA embeddings have no columns (`level1_width`). (Callers pass one perspective at a time.)"""
        if not any(self.reads_context[str(pt)] for pt in np.unique(table.keys.perspective)):
            return GameEmbeddings(pa_emb=np.zeros((int(table.n_pas.sum()), 0), np.float32),
                                  pa_outcome=table.pa_outcome, pa_offsets=table.pa_offsets - table.pa_offsets[0],
                                  keys=table.keys)
        order = np.argsort(table.n_pitches, kind="stable")  # similar lengths share a batch
        step = self.options.graph1_batch_games
        wanted = self._wanted[GRAPH1_KEY]
        names = ("cat", "num", "pitch_mask", "pa_of_pitch", "pa_mask")
        batches = [order[start:start + step] for start in range(0, len(order), step)]
        feeds = []
        for index in batches:
            batch = table.collate(index)
            feeds.append({n: a for n, a in zip(names, batch.inputs()) if n in wanted})
        outputs = self._run(GRAPH1_KEY, "pa_emb", feeds)
        pa_emb = [np.zeros((0, self._d_pa()), np.float32)] * len(table)
        n_pas = table.n_pas.tolist()  # a property: computed once, not per game
        for index, out in zip(batches, outputs):
            for row, g in enumerate(index.tolist()):
                pa_emb[g] = out[row, : n_pas[g]]
        with self._lock:
            self.stats.graph1_runs += len(batches)
            self.stats.games_encoded += len(table)
        return GameEmbeddings(
            pa_emb=np.concatenate(pa_emb) if len(table) else np.zeros((0, self._d_pa()), np.float32),
            pa_outcome=table.pa_outcome, pa_offsets=table.pa_offsets - table.pa_offsets[0], keys=table.keys,
        )

    def close(self) -> None:
        """Stop the worker processes and threads (if any); the scorer still scores afterwards."""
        with self._lock:
            pool, self._pool = self._pool, None
            lanes, self._lanes = self._lanes, None
        if pool is not None:
            pool.close()
        if lanes is not None:
            lanes[0].shutdown(wait=True)

    def __enter__(self) -> Scorer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # --- one call ----------------------------------------------------------------------------------
    def _score_columns(
        self, source: History | Any, season: int, player_ids: Iterable[int] | None, as_of: str | pd.Timestamp | None,
        season_end: str | pd.Timestamp | None = None,
    ) -> list[dict[str, Any]]:
        if isinstance(source, History) and source.pitches.empty:  # an upstream failure: everyone at league rates
            raise HFMInputError("score: the History holds no pitches (it scores players from their pitches; for players "
                                "with none, give the whole league's rows and name them in player_ids)")
        inputs = _HistoryInputs(self, source) if isinstance(source, History) else source.scoring_inputs(self)
        season = season_year(season)
        held = inputs.opening_days()  # the MLB seasons the data holds
        if held and not min(held) <= season <= max(held) + MAX_SEASON_GAP:
            window = len(set(held) & set(range(season - 3, season)))
            warnings.warn(f"score: season {season} lies outside this data's MLB seasons ({min(held)}-{max(held)}): "
                          f"Marcel's window {season - 3}-{season - 1} holds {window} of its 3 seasons, so the rows "
                          "rest on league rates and old games", SeasonGapWarning, stacklevel=3)
        as_of_date = parse_as_of(as_of, season)
        end = parse_as_of(season_end, season, "season_end")
        if end is not None and end.year != season:
            raise HFMInputError(f"season_end {end.date()}: not a day of the projected season {season}")
        if as_of_date is None:
            as_of_date = projection_date(inputs.opening_days(), season)
        elif as_of_date.year < season:
            check_as_of_after(as_of_date, season, inputs.last_day_before(season))
        if _before_opening_day(inputs, season, as_of_date):  # a late opening (2020): as of the usual day
            as_of_date = opening_day_as_of(inputs.opening_days(), season, as_of_date)
        if end is not None:
            check_season_end(end, season, as_of_date, inputs.last_mlb_day(season, as_of_date),
                             last_opening_day(inputs.opening_days(), inputs.season_starts(), season))
        _warn_if_stale(inputs, season, as_of_date, end)
        named = player_ids is not None
        if isinstance(player_ids, (int, np.integer, str)):  # a bare id: "'int' object is not iterable" before
            one = player_ids if isinstance(player_ids, str) else int(player_ids)
            raise HFMInputError(f"score: player_ids is one id ({one!r}); give a list of them, e.g. [{one!r}]")
        if not named:
            player_ids = inputs.default_players(season, as_of_date)
        types = inputs.player_type_of(player_ids)
        started = []  # each type's Graph-2 batches are queued before the next type's inputs are read
        for pt in PLAYER_TYPES:
            ids = np.array(sorted({i for i, t in types.items() if pt in t}), dtype=np.int64)
            if len(ids):
                started.append(self._start_type(inputs, pt, ids, season, as_of_date, end))
        if not started:
            raise HFMInputError("score: no players to score: player_ids is empty" if named else
                                f"score: no players to score: nobody has an MLB line in {season - 3}-{season - 1} "
                                f"(Marcel's window for {season}) in this data; project an earlier season, or name "
                                "player_ids")
        return [finish() for finish in started]

    def _start_type(self, inputs: Any, pt: PlayerType, ids: np.ndarray, season: int, as_of: pd.Timestamp,
                    end: pd.Timestamp | None = None):
        """The score table's columns for `ids` (sorted) of one player type, from any scoring inputs
        (`_HistoryInputs` or a store's: Marcel, identity, context games, Graph 2, blend), in two steps:
        this call reads the graph's inputs (context games, identity) and queues the Graph-2 batches on
        the lanes (ScorerOptions.threads); the function it returns reads the rest (Marcel, the ages),
        waits for Graph 2 and makes the columns. Between the two the caller starts the next type, whose
        inputs are read while these batches run. The order of the reads changes no result (each input
        is computed from the source alone, and each memo is per player type)."""
        stats = list(TARGET_STATS[pt])
        known, names = inputs.players_info(ids)
        model = np.full((len(ids), len(stats)), np.nan)
        archetype = np.full(len(ids), -1, np.int64)  # the model's inputs: only where it ran
        source = np.full(len(ids), None, dtype=object)
        max_z = np.full(len(ids), np.nan)
        notes: list[list[str]] = [[] for _ in ids]
        n_games = np.zeros(len(ids), np.int64)
        pending = None
        if known.any():
            games = inputs.context(pt, ids[known], as_of)
            max_games = int(self.bundle.context[pt]["max_games"])
            index = games.context_index(ids[known], pt, np.full(known.sum(), as_of.to_datetime64()), max_games)
            n_games[known] = (index >= 0).sum(1)
            rows = np.flatnonzero(n_games[known] > 0)  # among the known
            if len(rows):
                at = np.flatnonzero(known)[rows]
                ident = inputs.identity(pt, ids[at], as_of)
                pending = at, self._graph2_memo(inputs, pt, ids[at], games, index[rows], ident.stat_features,
                                                ident.archetype, later=True)
                archetype[at], source[at] = ident.archetype, ident.source
                worst, beyond = input_warnings(pt, ident.stat_features, self.bundle.identity[pt].config,
                                               wide_only=not self.bundle.reads_context(pt))
                max_z[at] = worst
                for i, features in zip(at.tolist(), beyond):
                    notes[i].extend(f"input_z:{f}" for f in features)

        def finish() -> dict[str, Any]:
            base = inputs.marcel(pt, ids, season)
            age_source = inputs.age_source(ids)
            if pending is not None:
                model[pending[0]] = pending[1]()
            opening_day = _before_opening_day(inputs, season, as_of)  # else in season
            ridge = None  # the opening-day mix's ridge (hfm_runtime.ridge), where the model ran
            if pending is not None and pt in self.bundle.ridges and opening_day:
                at = pending[0]
                ridge = np.full((len(ids), len(stats)), np.nan)
                ridge[at] = inputs.ridge(pt, ids[at], season, base.ages[at])
                with self._lock:
                    self.stats.mixed_rows += len(ids[at])
            to_date, now = None, None
            if not opening_day:  # in season: what he has recorded
                opening = inputs.opening_days()[int(season)]
                to_date = inputs.season_to_date(pt, ids, int(season), as_of,
                                                inputs.season_starts().get(int(season), opening), end)
                now = marcel_to_date_rates(pt, base, to_date, inputs.league_to_date(pt, int(season), as_of))
            return self._columns(pt, ids, season, as_of, names, known, base, age_source, model, archetype, source,
                                 max_z, notes, n_games, ridge, to_date, now)
        return finish

    def _columns(self, pt: PlayerType, ids: np.ndarray, season: int, as_of: pd.Timestamp, names: np.ndarray,
                 known: np.ndarray, base: MarcelRows, age_source: np.ndarray, model: np.ndarray, archetype: np.ndarray,
                 source: np.ndarray, max_z: np.ndarray, notes: list[list[str]], n_games: np.ndarray,
                 ridge: np.ndarray | None = None, to_date: SeasonToDate | None = None,
                 now: np.ndarray | None = None) -> dict[str, Any]:
        """The score table's columns of one type from Marcel, the model's raw output and its inputs
        (`ridge`: the opening-day mix's ridge projections, NaN where the model did not run; `to_date`:
        in season, what each player has recorded, and the totals are that plus the rest of the season's;
        `now`: in season, Marcel with the season so far, `marcel_to_date_rates`)."""
        stats = list(TARGET_STATS[pt])
        out: dict[str, Any] = {"player_id": ids, "name": names, "player_type": pt, "season": season,
                               "as_of_date": as_of, "opportunity": OPPORTUNITY[pt], "opportunities": base.opportunities}
        marcel_rates = base.rates
        ran = n_games > 0  # only players in the table get context games

        weights = self.bundle.blend_weights(pt)
        w = np.array([weights[s] for s in stats])
        low, high = plausible_range(self.bundle, pt)
        rates, clipped = blend(marcel_rates, model, w, self.bundle.target_mode, low, high)
        if ridge is not None:  # (1 - lam) * blended + lam * ridge, pulled into range as a blend is
            lam = self.bundle.mix_weights(pt)
            use = ~np.isnan(ridge) & (lam > 0)[None, :]
            rates = np.where(use, mixed(rates, np.nan_to_num(ridge), lam), rates)
            outside = use & ((rates < low) | (rates > high))
            rates, clipped = np.where(outside, np.clip(rates, low, high), rates), clipped | outside
        adj = rates - marcel_rates  # what was applied, after any pull into range
        checks = [[] for _ in ids]  # the rates' warnings first, then the inputs'
        for i, j in zip(*np.nonzero(clipped)):
            checks[int(i)].append(f"clipped:{stats[int(j)]}")
        for i, j in zip(*np.nonzero(ran[:, None] & np.isnan(model))):  # never seen; Marcel's rate stands
            checks[int(i)].append(f"model_nan:{stats[int(j)]}")

        flag = np.where(base.league_rate, "league_rate", np.where(base.no_history, "no_history", "no_recent_games"))
        flag = np.where(known, flag, "unknown_player")
        flag = np.where(ran, "model", flag)  # the model adjusted it, whatever Marcel rests on
        out["flag"] = flag
        out["fallback"] = ~ran
        out["age_imputed"] = np.isin(age_source, ("birth_year", "imputed"))  # the two-valued form of age_source
        out["age_source"] = age_source
        out["age"] = base.ages
        out["basis"] = base.basis
        out["warnings"] = np.array([";".join(c + n) for c, n in zip(checks, notes)], dtype=object)
        out["archetype"] = archetype
        out["source"] = source
        out["n_games"] = n_games
        out["max_input_z"] = max_z
        playing_time = self.bundle.range_params.playing_time
        n0 = np.asarray(base.opportunities, dtype=np.float64)
        if playing_time is None:
            expected, opp_q, levels = n0, np.repeat(n0[:, None], len(QUANTILES), axis=1), None
        else:  # the opportunity model's base once, for the levels, their mean and quantiles
            m = playing_time.base(pt, n0, base.playing_time_inputs)
            levels = playing_time.levels(pt, n0, m=m)
            expected = playing_time.mean_opportunities(pt, n0, m=m)
            opp_q = playing_time.opportunity_quantiles(pt, n0, QUANTILES, m=m)
        done, counts = np.zeros(len(ids)), np.zeros((len(ids), len(stats)))
        if to_date is not None:  # in season: recorded so far + the rest of the season at the rates
            done, counts = to_date.opportunities, to_date.counts
            rest_base = to_date.rest_base(expected, new=base.no_history)  # called up this season: his pace sooner
            rest = to_date.levels(playing_time, pt, rest_base)  # ratios to it (a rest of 0: a count of 0)
            expected = rest_base * rest.mean(axis=1)
            opp_q = level_quantiles(rest, QUANTILES) * rest_base[:, None] if rest.shape[1] > 1 else \
                np.repeat(expected[:, None], len(QUANTILES), axis=1)
            # as ratios to Marcel's n0, which the outcome's rate stays at (a rest that rounds to 0 PA would
            # leave it anywhere in [0, 1]); n0 > 0 (Marcel adds a base)
            levels = rest * (rest_base / np.maximum(n0, 1.0))[:, None]
        for j, s in enumerate(stats):
            out[f"marcel_{s}"] = marcel_rates[:, j]
            out[f"marcel_to_date_{s}"] = marcel_rates[:, j] if now is None else now[:, j]
            out[f"model_{s}"] = model[:, j]
            out[f"adj_{s}"] = adj[:, j]
            out[f"rate_{s}"] = rates[:, j]
            out[f"proj_{s}"] = counts[:, j] + rates[:, j] * expected
        # in season the ranges read Marcel to date's evidence: the season so far at its weight beside
        # 5/4/3, so talent_* narrows as the season goes on (the best of c = 0-4 in E + c d on 2018, and
        # on 2019 and 2021: benchmarks/studies/real_in_season_talent_study.py, docs/ranges.md)
        evidence = base.evidence + TO_DATE_WEIGHT * done / np.mean(MARCEL_CONFIGS[pt].weights)
        out["evidence"] = evidence
        out["opportunities_to_date"] = done
        out["opportunities_mean"] = done + expected
        for k, q in enumerate(QUANTILE_NAMES):
            out[f"opportunities_{q}"] = done + opp_q[:, k]
        spread = self._ranges(pt, rates, evidence, n0, levels)
        for kind in RANGE_KINDS:
            values = getattr(spread, kind)
            for j, s in enumerate(stats):
                for k, q in enumerate(QUANTILE_NAMES):
                    out[f"{kind}_{q}_{s}"] = values[:, j, k] + (counts[:, j] if kind == "total" else 0.0)
        nan = np.full(len(ids), np.nan)
        return {c: out.get(c, nan) for c in SCORE_COLUMNS}  # NaN: the other type's stats

    def _ranges(self, pt: PlayerType, rates: np.ndarray, evidence, opportunities,
                levels: np.ndarray | None) -> Ranges:
        """projection_ranges of the bundle's parameters, memoised per row: a row whose rates, evidence,
        opportunities and playing-time levels are the same to the bit gets the quantiles it got before,
        and re-scoring an unchanged player costs a lookup, not ~8 ms of Beta quantiles. (A row computed
        alone or in another batch can differ by about 1e-9: the count quantiles run per batch of rows.)
        levels: the rows' playing-time levels as ratios to `opportunities` (PlayingTimeSpread.levels; in
        season the rest of the season's, SeasonToDate.levels, a single column without a spread), None
        at opening day without a spread."""
        params = self.bundle.range_params
        evidence, opportunities = (np.asarray(v, dtype=np.float64) for v in (evidence, opportunities))
        if not len(rates):
            return projection_ranges(rates, evidence, opportunities, *params.arrays(pt))
        key_columns = [rates, evidence, opportunities] + ([] if levels is None else [levels])
        keys = [row.tobytes() for row in np.column_stack(key_columns).astype(np.float64)]
        memo = self._ranges_memo.setdefault(pt, {})
        missing = [i for i, key in enumerate(keys) if key not in memo]
        if missing:
            fresh = projection_ranges(rates[missing], evidence[missing], opportunities[missing], *params.arrays(pt),
                                      talent=params.arrays(pt, "talent") if params.has_talent(pt) else None,
                                      playing_time=None if levels is None else levels[missing])
            if len(memo) + len(missing) > RANGES_MEMO_ROWS:
                memo.clear()
            for r, i in enumerate(missing):
                memo[keys[i]] = (fresh.talent[r], fresh.outcome[r], fresh.total[r], fresh.talent_sd[r])
        rows = [memo[key] for key in keys]
        return Ranges(*(np.stack([row[f] for row in rows]) for f in range(4)))

    # --- graphs ------------------------------------------------------------------------------------
    def _run(self, graph: str, output: str, feeds: list[dict[str, np.ndarray]]) -> list[np.ndarray]:
        """`output` of `graph` (GRAPH1_KEY or a player type) on each feed, in order: spread over the
        worker processes when there are several feeds and `workers` > 1; else in this process, several
        feeds `threads` at a time on one-thread sessions (ScorerOptions.threads), one on the
        `threads`-thread session."""
        if self.options.workers > 1 and len(feeds) > 1:
            return self._worker_pool().run(graph, output, feeds)
        if len(feeds) > 1 and self._n_lanes() > 1:
            executor, sessions = self._thread_lanes()
            return list(executor.map(lambda feed: sessions[graph].run([output], feed)[0], feeds))
        session = self.graph1 if graph == GRAPH1_KEY else self.graph2[graph]
        return [session.run([output], feed)[0] for feed in feeds]

    def _run_later(self, graph: str, output: str, feeds: list[dict[str, np.ndarray]]):
        """`_run`, queued: a function that waits for its outputs. Several feeds on the lanes (threads
        of this process, ScorerOptions.threads > 1) start at once and run while the caller goes on;
        otherwise `_run` runs now (the same sessions as `_run`, so the same bits)."""
        if self.options.workers == 1 and len(feeds) > 1 and self._n_lanes() > 1:
            executor, sessions = self._thread_lanes()
            session = sessions[graph]
            futures = [executor.submit(session.run, [output], feed) for feed in feeds]
            return lambda: [future.result()[0] for future in futures]
        outputs = self._run(graph, output, feeds)
        return lambda: outputs

    def _n_lanes(self) -> int:
        return self.options.threads or os.cpu_count() or 1

    def _thread_lanes(self) -> tuple[ThreadPoolExecutor, dict[str, ort.InferenceSession]]:
        """The threads and one-thread sessions that run a call's batches side by side (opened once)."""
        with self._lock:
            if self._lanes is None:
                one = replace(self.options, threads=1)
                sessions = {GRAPH1_KEY: open_session(self.bundle.graph1, one),
                            **{pt: open_session(self.bundle.graph2(pt), one) for pt in PLAYER_TYPES}}
                self._lanes = ThreadPoolExecutor(self._n_lanes(), thread_name_prefix="hfm-graph"), sessions
            return self._lanes

    def _worker_pool(self) -> GraphPool:
        with self._lock:
            if self._pool is None:
                self._pool = GraphPool(self.bundle, self.options)
            return self._pool

    def level1_width(self, pt: PlayerType) -> int:
        """Columns of the Level-1 outputs kept for `pt`'s games: Graph 1's width, or 0 for a type whose
        rates read no context (`reads_context`: nothing is encoded or kept for it)."""
        return self._d_pa() if self.reads_context[pt] else 0

    def _d_pa(self) -> int:
        shape = self.graph1.get_outputs()[0].shape
        return int(shape[-1]) if isinstance(shape[-1], int) else int(self.bundle.manifest["graphs"]["level1"]["d_pa"])

    def _graph2_memo(
        self, inputs: Any, pt: PlayerType, ids: np.ndarray, games: GameEmbeddings, index: np.ndarray,
        stat_features: np.ndarray, archetype: np.ndarray, later: bool = False,
    ):
        """`_graph2`, through the scoring inputs' memo of each player's last Graph-2 result when they
        keep one (a store's: `graph2_lookup` / `graph2_keep`): a player whose inputs are the same to
        the bit (the same context games, whose Level-1 outputs the store holds fixed, the same
        identity features and archetype) gets his last result, the others run. Graph 2 scores each
        player on his own rows (padding masked), so a result does not depend on who shared his batch
        (tests/test_store.py checks the store against a History scored without a memo).
        later: return a function that waits for the rates (and keeps them in the memo) instead of
        the rates; the Graph-2 batches run on the lanes meanwhile (`_run_later`)."""
        lookup = getattr(inputs, "graph2_lookup", None)
        if lookup is None:
            rates = self._graph2(pt, games, index, stat_features, archetype)
            return (lambda: rates) if later else rates
        pks = np.where(index >= 0, games.keys.game_pk[np.maximum(index, 0)], -1)
        features = np.ascontiguousarray(stat_features)
        keys = [(pks[i].tobytes(), features[i].tobytes(), int(archetype[i])) for i in range(len(ids))]
        out = np.empty((len(ids), len(TARGET_STATS[pt])))
        found = lookup(pt, ids, keys)
        miss = [i for i, r in enumerate(found) if r is None]
        for i, r in enumerate(found):
            if r is not None:
                out[i] = r
        if not miss:
            return (lambda: out) if later else out
        pending = self._graph2(pt, games, index[miss], stat_features[miss], archetype[miss], True)

        def rates() -> np.ndarray:
            out[miss] = pending()
            inputs.graph2_keep(pt, ids[miss], [keys[i] for i in miss], out[miss])
            return out
        return rates if later else rates()

    def _graph2(
        self, pt: PlayerType, games: GameEmbeddings, index: np.ndarray, stat_features: np.ndarray, archetype: np.ndarray,
        later: bool = False,
    ):
        """Graph 2's rates for the players whose context games are the rows of `index` (`context_index`);
        later: a function that waits for them instead (the batches queued on the lanes, `_run_later`).

        Players run in batches of `graph2_batch_players`, grouped by their longest context game (fewest
        padded PA slots; stable, so ties keep request order): the batches depend only on the request,
        so a player's result does not depend on `workers`. A type that does not read its context
        (`reads_context`) gets the empty one (`empty_context`): the same rates to the bit."""
        wanted, step, reads = self._wanted[pt], self.options.graph2_batch_players, self.reads_context[pt]
        max_pas = self.bundle.context[pt].get("max_pas")
        if reads:
            longest = np.where(index >= 0, games.n_pas[np.maximum(index, 0)], 0).max(axis=1, initial=0)
            order = np.argsort(longest, kind="stable")
        else:
            order = np.arange(len(index))

        def feed(rows: np.ndarray) -> dict[str, np.ndarray]:
            batch = (gather_context(games, index[rows], stat_features[rows], archetype[rows], max_pas) if reads
                     else empty_context(stat_features[rows], archetype[rows], self._d_pa()))
            return {k: v for k, v in batch.inputs().items() if k in wanted}

        batches = [order[start:start + step] for start in range(0, len(order), step)]
        pending = self._run_later(pt, "rates", [feed(rows) for rows in batches])

        def rates() -> np.ndarray:
            out = np.empty((len(order), len(TARGET_STATS[pt])))
            for rows, result in zip(batches, pending()):
                out[rows] = result
            return out
        return rates if later else rates()


class _HistoryInputs:
    """What `Scorer._start_type` reads, derived from a `History` at every call: the requested players'
    game and season lines (sliced through `History.rows_of`; the tables themselves and the league's
    Marcel rates are derived once per History), Level-1 outputs through the scorer's LRU cache."""

    def __init__(self, scorer: Scorer, history: History) -> None:
        self.scorer, self.history = scorer, history

    def opening_days(self) -> dict[int, pd.Timestamp]:
        return self.history.opening_days()

    def last_day_before(self, season: int) -> pd.Timestamp | None:
        return self.history.last_day_before(season)

    def last_mlb_day(self, season: int, before: pd.Timestamp) -> pd.Timestamp | None:
        return self.history.last_mlb_day(season, before)

    def ridge(self, pt: PlayerType, ids: np.ndarray, season: int, ages: np.ndarray) -> np.ndarray:
        """The bundle's ridge's projections of `ids` (hfm_runtime.ridge) from their game lines."""
        model = self.scorer.bundle.ridges[pt]
        lines = self.history.game_lines(pt)
        years = lines["season"].to_numpy()
        keep = (years < season) & (years >= season - model.config.years) & np.isin(lines["player_id"].to_numpy(), ids)
        return model.predict_lines(lines[keep], ids, season, ages)

    def default_players(self, season: int, as_of: pd.Timestamp | None = None) -> list[int]:
        return Scorer.default_players(self.history, season, as_of)

    def whole_league_days(self, season: int, before: pd.Timestamp) -> np.ndarray | None:
        """The MLB game days of `season` before `before`, where the pitches are a whole league's (given
        no league rates or counts: some players' rows have their own newest game); else None."""
        h = self.history
        if h.league is not None or h.league_days is not None:
            return None
        return days_in(h._mlb_days(), season, before)

    def player_type_of(self, ids: Iterable[int]) -> dict[int, tuple[PlayerType, ...]]:
        return self.history.player_type_of(ids)

    def age_source(self, ids: np.ndarray) -> np.ndarray:
        return self.history.age_source(ids)

    def players_info(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(in the players table, name) per id."""
        players = self.history._players_by_id
        known = np.isin(ids, players.index.to_numpy())
        if {"name_first", "name_last"} <= set(players.columns):
            rows = players.reindex(ids)
            names = (rows["name_first"].fillna("") + " " + rows["name_last"].fillna("")).str.strip().to_numpy()
        else:
            names = np.full(len(ids), "", dtype=object)
        return known, names

    def season_starts(self) -> dict[int, pd.Timestamp]:
        return self.history.season_starts()

    def season_to_date(self, pt: PlayerType, ids: np.ndarray, season: int, as_of: pd.Timestamp,
                       start: pd.Timestamp, end: pd.Timestamp | None = None) -> SeasonToDate:
        return season_to_date(self.history.rows_of("games", pt, ids), pt, ids, season, as_of, start, end)

    def marcel(self, pt: PlayerType, ids: np.ndarray, season: int) -> MarcelRows:
        ages = self.history.ages(ids, season)
        return marcel_rows(self.scorer.bundle, pt, ids, season, self.history.rows_of("seasons", pt, ids), ages,
                           self.history.league_rates(pt))

    def league_to_date(self, pt: PlayerType, season: int, as_of: pd.Timestamp) -> pd.Series:
        return self.history.league_to_date(pt, season, as_of)

    def identity(self, pt: PlayerType, ids: np.ndarray, as_of: pd.Timestamp):
        ident = build_identity(self.history.rows_of("games", pt, ids), self.history.players,
                               pd.DataFrame({"player_id": ids, "as_of_date": as_of}), pt, self.scorer.bundle.identity[pt])
        return IdentityInputs(ident.stat_features, ident.archetype, ident.source)

    def context(self, pt: PlayerType, ids: np.ndarray, as_of: pd.Timestamp) -> GameEmbeddings:
        """Encoded context games (the last max_games before `as_of`) of `ids`, via the cache."""
        scorer = self.scorer
        max_games = int(scorer.bundle.context[pt]["max_games"])
        p = self.history.pitches
        # numpy on the key columns: pandas filtering, drop_duplicates and groupby.tail cost milliseconds
        # even on one player's pitches
        before = np.flatnonzero((p["game_date"] < as_of).to_numpy(dtype=bool) & np.isin(p[pt].to_numpy(), ids))
        player, game_pk = p[pt].to_numpy()[before], p["game_pk"].to_numpy()[before]
        date = p["game_date"].to_numpy()[before]
        # the (player, game) pairs; a pair's first row (a stable sort keeps it first) gives its date
        order = np.lexsort((game_pk, player))
        sp, sg = player[order], game_pk[order]
        new_game = np.r_[True, (sp[1:] != sp[:-1]) | (sg[1:] != sg[:-1])][: len(order)]
        game_of_row = np.empty(len(before), np.int64)
        game_of_row[order] = np.cumsum(new_game) - 1
        first = order[new_game]
        g_player, g_pk, g_date = player[first], game_pk[first], date[first]
        # each player's last max_games games by (date, game_pk)
        by_date = np.lexsort((g_pk, g_date, g_player))
        sorted_player = g_player[by_date]
        run_end = np.r_[np.flatnonzero(sorted_player[1:] != sorted_player[:-1]), len(by_date) - 1]  # each run's last
        games_after = np.repeat(run_end, np.diff(np.r_[-1, run_end])) - np.arange(len(by_date))
        kept = by_date[games_after < max_games]
        keys = list(zip(g_pk[kept].tolist(), g_player[kept].tolist(), [pt] * len(kept)))
        with scorer._lock:
            is_missing = np.array([k not in scorer.cache for k in keys], dtype=bool)
            scorer.stats.hits += int(len(keys) - is_missing.sum())
            scorer.stats.misses += int(is_missing.sum())
        missing_games = kept[is_missing]
        encoded: dict[tuple[int, int, str], _Encoded] = {}
        if len(missing_games):
            wanted = np.zeros(len(first), bool)
            wanted[missing_games] = True
            take = before[wanted[game_of_row]]
            rows = p if len(take) == len(p) else p.iloc[take]  # all of a one-player history: no copy
            players = ids[np.isin(ids, player[wanted[game_of_row]])]
            table = scorer.featurizer.transform(rows, perspectives=(pt,), players=players,
                                                features=scorer.reads_context[pt])
            encoded = _split(scorer.encode(table))
        with scorer._lock:  # this call's own encodings first: the LRU may have dropped them meanwhile
            for key, item in encoded.items():
                scorer.cache.put(key, item)
            items = [encoded.get(k) or scorer.cache.get(k) for k in keys]
        return _embeddings(keys, items, scorer.level1_width(pt))


def _split(games: GameEmbeddings) -> dict[tuple[int, int, str], _Encoded]:
    """Level1Cache entries of every game of `games`."""
    k = games.keys
    out = {}
    for g in range(len(games)):
        lo, hi = int(games.pa_offsets[g]), int(games.pa_offsets[g + 1])
        out[(int(k.game_pk[g]), int(k.player_id[g]), str(k.perspective[g]))] = _Encoded(
            pa_emb=np.ascontiguousarray(games.pa_emb[lo:hi]), pa_outcome=games.pa_outcome[lo:hi].copy(),
            game_date=k.game_date[g], season=int(k.season[g]), level=str(k.level[g]),
        )
    return out


def _embeddings(keys: Sequence[tuple[int, int, str]], items: Sequence[_Encoded], d_pa: int) -> GameEmbeddings:
    n_pa = np.array([len(it.pa_emb) for it in items], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(n_pa)]).astype(np.int64)
    return GameEmbeddings(
        pa_emb=np.concatenate([it.pa_emb for it in items]) if items else np.zeros((0, d_pa), np.float32),
        pa_outcome=np.concatenate([it.pa_outcome for it in items]) if items else np.zeros(0, np.int64),
        pa_offsets=offsets,
        keys=GameKeys(
            game_pk=np.array([k[0] for k in keys], dtype=np.int64),
            player_id=np.array([k[1] for k in keys], dtype=np.int64),
            perspective=np.array([k[2] for k in keys], dtype="<U7"),
            game_date=np.array([it.game_date for it in items], dtype="datetime64[D]"),
            season=np.array([it.season for it in items], dtype=np.int64),
            level=np.array([it.level for it in items], dtype=str),
        ),
    )


# --- the projection pipeline's adapter -------------------------------------------------------------
class PipelineAdapter:
    """Adds HFM's learned adjustment over Marcel to a projection pipeline's own rates.

        adapter = PipelineAdapter(scorer, history, season=2024)
        adjusted = adapter.adjust_projections(records)

    Each record is a dict with `player_id`, optionally `player_type` ("batter" / "pitcher"), the
    pipeline's per-opportunity rates under the stat names of hfm_runtime.targets.TARGET_STATS (e.g.
    "SO": 0.22; numbers in [0, 1]) and optionally its opportunities under that type's key ("PA" for
    batters, "BF" for pitchers); other keys are returned untouched.

    Semantics (the same for residual and absolute bundles): for each stat S the record has,
        new_S = caller_S + adj_S,   adj_S = w_S * (m_S - marcel_S)
    (for a type the bundle mixes with its ridge, opening day or earlier: adj_S = (1 - lam_S) * w_S *
    (m_S - marcel_S) + lam_S * (ridge_S - marcel_S), the module docstring's adj_<S>)
    adj_S is the score table's `adj_<S>` for that player: what HFM changes Marcel by (the model's own
    rate m_S, pulled into the plausible range, minus Marcel's, times the blend weight). The pipeline's
    rate takes the place of Marcel's as the baseline; the adjustment stays HFM's correction to Marcel,
    so it fits a baseline that errs the way Marcel does. A new rate outside the plausible range
    (`plausible_range`) is pulled to the nearest bound, with "clipped:<S>" in `hfm_warnings`. Worked
    example: docs/score-table.md.

    Returned: a copy of each record, in order, with every stat it had replaced by new_S, plus
      hfm_adjustment  {stat: new_S - caller_S}
      hfm_counts      {stat: new_S x opportunities} when the record has its opportunities
      hfm_flag, hfm_fallback, hfm_basis, hfm_archetype, hfm_source, hfm_games, hfm_warnings
                      the score table's flag, fallback, basis, archetype, source, n_games and
                      warnings (plus this call's own "clipped:<S>")
    A player the model does not adjust (flag other than "model") keeps his rates (adjustment 0).

    Which of the player's rows: the record's `player_type`; without it, the type whose opportunity key
    the record has ("BF": pitcher), else the one type HFM scores him as (a two-way player: batter).
    A player not in the players table (flag "unknown_player") is taken as the record's type, unadjusted.
    HFMInputError naming the record (its index and player_id): `player_id` missing or not an integer;
    `player_type` not "batter" or "pitcher", or a type HFM does not score a known player as (a
    batter-only player given as a pitcher); the other type's opportunity key (a pitcher with "PA" instead of "BF"); a rate
    that is not a number in [0, 1], or opportunities that are not a finite number >= 0 (a bool is no
    number; a `player_id` must be a whole number, 545361.0 but not 545361.7); a record with none of
    its type's rates, or a key that is one of them but for its case ("so"): a misnamed rate would
    otherwise come back untouched, as if HFM had nothing to say; records that are not a list of dicts.
    """

    def __init__(self, scorer: Scorer, history: History | Any, season: int, as_of: str | pd.Timestamp | None = None):
        self.scorer, self.history, self.season, self.as_of = scorer, history, int(season), as_of

    def adjust_projections(self, records: list[dict]) -> list[dict]:
        if isinstance(records, Mapping) or isinstance(records, (str, bytes)):
            raise HFMInputError("adjust_projections: records must be a list of dicts (one per player), "
                                f"got a {type(records).__name__}")
        records = list(records)  # a generator is read once
        ids = []
        for i, r in enumerate(records):
            if not isinstance(r, Mapping):
                raise HFMInputError(f"adjust_projections: record {i}: a {type(r).__name__}, not a dict")
            pid = r.get("player_id")
            # an integer, or a float/string that is exactly one (545361.7 or True would name someone else)
            pid = _player_id(pid)
            if pid is None:
                raise HFMInputError(f"adjust_projections: record {i}: field player_id missing or not an integer "
                                    f"({r.get('player_id')!r})")
            ids.append(pid)
        if not records:
            return []
        table = self.scorer.score_records(self.history, self.season, sorted(set(ids)), self.as_of)
        rows: dict[int, dict[str, dict]] = {}
        for row in table:
            rows.setdefault(int(row["player_id"]), {})[row["player_type"]] = row
        ranges = {pt: plausible_range(self.scorer.bundle, pt) for pt in PLAYER_TYPES}
        out = []
        for i, (r, pid) in enumerate(zip(records, ids)):
            where = f"adjust_projections: record {i} (player_id {pid})"
            pt = _record_type(r, rows[pid], where)
            row = rows[pid].get(pt) or next(iter(rows[pid].values()))  # the latter: an unknown player's
            own_row = row["player_type"] == pt
            opportunities = None
            if r.get(OPPORTUNITY[pt]) is not None:
                opportunities = _number(r, OPPORTUNITY[pt], where, 0.0, math.inf)
            # a misnamed rate would come back untouched, as if HFM had nothing to say: refuse it
            near = [k for k in r if isinstance(k, str) and k.upper() in TARGET_STATS[pt] and k not in TARGET_STATS[pt]]
            if near or all(r.get(s) is None for s in TARGET_STATS[pt]):
                raise HFMInputError(f"{where}: " + (f"field {', '.join(map(repr, near))}: " if near else "no rate to adjust: ")
                                    + f"a {pt} record holds its rates under {', '.join(TARGET_STATS[pt])} "
                                    "(case-sensitive)" + ("" if near else ", and this one has none"))
            low, high = ranges[pt]
            new = dict(r)
            adjustment, counts, clipped = {}, {}, []
            for j, s in enumerate(TARGET_STATS[pt]):
                if r.get(s) is None:
                    continue
                base = _number(r, s, where, 0.0, 1.0)
                rate = base + (float(row[f"adj_{s}"]) if own_row else 0.0)  # 0 where the model did not adjust him
                if rate < low[j] or rate > high[j]:
                    rate = min(max(rate, float(low[j])), float(high[j]))
                    clipped.append(f"clipped:{s}")
                new[s], adjustment[s] = rate, rate - base
                if opportunities is not None:
                    counts[s] = rate * opportunities
            warnings = [w for w in str(row["warnings"] or "").split(";") if w]
            new.update(
                hfm_adjustment=adjustment, hfm_flag=str(row["flag"]), hfm_fallback=bool(row["fallback"]),
                hfm_basis=str(row["basis"]), hfm_archetype=int(row["archetype"]),
                hfm_source=row["source"], hfm_games=int(row["n_games"]),
                hfm_warnings=";".join(dict.fromkeys(clipped + warnings)),
            )
            if counts:
                new["hfm_counts"] = counts
            out.append(new)
        return out

    __call__ = adjust_projections


def _record_type(record: Mapping[str, Any], rows: Mapping[str, Any], where: str) -> PlayerType:
    """The player type a pipeline record is adjusted as (PipelineAdapter's docstring), checked against
    the types HFM scores him as (`rows`: his score rows by type) and the record's opportunity key."""
    scored = [pt for pt in PLAYER_TYPES if pt in rows]
    given = record.get("player_type")
    has = [pt for pt in PLAYER_TYPES if record.get(OPPORTUNITY[pt]) is not None]
    if given is not None:
        if given not in PLAYER_TYPES:
            raise HFMInputError(f"{where}: field player_type is {given!r}, not one of {list(PLAYER_TYPES)}")
        if given not in rows and all(r["flag"] == "unknown_player" for r in rows.values()):
            return given  # HFM only guessed his type (no players-table row): the record's stands, unadjusted
        if given not in rows:
            raise HFMInputError(f"{where}: field player_type is {given!r}, but HFM scores him as a "
                                f"{' and a '.join(scored)} (players table, or who pitched)")
        pt = given
    elif len(has) == 1 and (has[0] in rows or all(r["flag"] == "unknown_player" for r in rows.values())):
        pt = has[0]  # the record's key; for a player HFM does not know, whatever type it only guessed
    else:
        pt = scored[0]  # batter first: a two-way player without a type or a key is adjusted as a batter
    other = [o for o in PLAYER_TYPES if o != pt and OPPORTUNITY[o] in record and record[OPPORTUNITY[o]] is not None]
    if other:
        raise HFMInputError(f"{where}: field {OPPORTUNITY[other[0]]!r} is a {other[0]}'s opportunities, but the "
                            f"record is adjusted as a {pt}, whose opportunities are {OPPORTUNITY[pt]!r}")
    return pt


def _player_id(value: Any) -> int | None:
    """A record's player_id as an int64 id: an integer, or a float or string holding a whole number
    exactly (not a bool: True is no id); None for anything else."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        number = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]+\s*", value):
        number = int(value)
    else:
        try:
            real = float(value)
        except (TypeError, ValueError, OverflowError):
            return None
        if not math.isfinite(real) or real != int(real) or abs(real) > 2**53:  # beyond 2^53 a float is not exact
            return None
        number = int(real)
    return number if -(2**63) <= number < 2**63 else None


def _number(record: Mapping[str, Any], key: str, where: str, low: float, high: float) -> float:
    """record[key] as a finite float in [low, high] (a bool is no number), or HFMInputError naming the
    record and the field."""
    try:
        value = math.nan if isinstance(record[key], (bool, np.bool_)) else float(record[key])
    except (TypeError, ValueError, OverflowError):
        value = math.nan
    if not (low <= value <= high) or not math.isfinite(value):
        raise HFMInputError(f"{where}: field {key!r} is {record[key]!r}, not a number in "
                            f"[{low:g}, {'inf' if math.isinf(high) else f'{high:g}'}]")
    return value


def adjust_projections(
    records: list[dict], scorer: Scorer, history: History | Any, season: int, as_of: str | pd.Timestamp | None = None
) -> list[dict]:
    """One-shot form of `PipelineAdapter(scorer, history, season, as_of).adjust_projections(records)`."""
    return PipelineAdapter(scorer, history, season, as_of).adjust_projections(records)
