"""PlayerStore: per-player scoring state for a daily pipeline, updated by appending pitches.

    scorer = Scorer("artifacts/bundle")
    store = PlayerStore.build(scorer, history.pitches, history.players)   # cold, from raw rows
    store.append(todays_pitches)                  # a day of games: work in proportion to them
    table = scorer.score(store, 2024, as_of="2024-06-02")   # = scorer.score(History of the same pitches)
    store.save("state/")                          # atomic; PlayerStore.load("state/", scorer) next night

What it holds, per player type (every appended pitch is seen from both sides):
- game lines: the rows `identity.player_lines` makes of the appended pitches, exactly, whatever
  columns it has, per player sorted by (game_date, game_pk). Marcel and the identity profile are
  computed from them by the runtime's own functions (`seasons.season_lines` + `marcel.marcel`,
  `identity.build_identity`), so a change to what the lines count or what a profile is reaches the
  store by itself; only `player_lines` is called on new pitches, once.
- derived per player and memoised: Marcel per (player type, season), for everyone with a line in
  its window and everyone asked for (a player asked for later has no line there: he is computed
  alone, from the window's league rates kept with it), dropped when lines of a season in its window
  arrive, and saved with the store (a day's update reads the evening's memo); identity inputs
  (stat features, archetype, source) per (player type, as-of day, player), computed for the players
  a request asks for (one call for all of them), dropped when his lines change, for the last few
  days asked.
- Level 1: the Graph-1 outputs (PA embeddings, PA outcomes) of each player's last `keep_games` games
  per perspective (default: the bundle's max_games), so scoring a player runs Graph 2 only (for a
  type whose rates read no context, the games' keys only: no plate appearances, embeddings of no
  columns, nothing featurized, no Graph 1 run, `Scorer.level1_width`; a store kept with one width
  refuses a scorer that keeps another).
- Graph 2: each player's last Graph-2 result with the inputs it was computed from (his context games,
  identity features, archetype); a request whose inputs are the same to the bit reuses it
  (Scorer._graph2_memo: Graph 2 scores each player on his own rows, so the result is the one a run
  would give). Not saved.
- the players table (missing birth dates imputed as History does), optional per-season league rates
  for Marcel (History's `league`), each season's first MLB date, each player's first season, and the
  game_pks it holds.
- the league's MLB counts per day (`scoring.league_days`, since 2026-12-07 evening): summed from the
  lines appended (a store of some players given no `league` and `league_days`: from every row appended,
  as a History of those rows counts them, and Marcel's league rates read from them too; since
  2026-12-07, night), beside any given at build (History's `league_days`), which are read for the days
  they hold: Marcel to date's league rates (`league_to_date`).
- the league's first MLB game and start of each season, where given at build (History's `openings`
  and `starts`, since 2026-12-07 evening: give them for a store of some players' rows, whose own
  games would move the opening-day switch and the in-season calendar): read for the seasons they hold.

Scoring as of a date needs each player's context games before it: a player with more than
keep_games games can be scored only as of dates after enough of his kept games (an HFMInputError
names him); the daily case, as of the day after the newest games, always works.

`append(pitches)` (from `statcast.load_pitches`, any levels, a game's pitches all in one append): the
games whose game_pk the store does not hold yet; games it holds are skipped and counted, so re-running
a day changes nothing. So a game is taken in once: append finished games only (a game appended half
played stays so; build the store again to mend it). The new rows are checked before anything
changes (since 2026-12-07, a walkthrough's findings): a missing game_pk, game_date, batter or pitcher,
or a date that is not one, is refused naming the column and row, as is a game with no ended plate
appearance (no `events`: not a game's pitches, or not yet); a pitch repeated (game_pk, at_bat_number,
pitch_number) is dropped and counted (`AppendReport.duplicates`), as `load_pitches` does. An MLB game is held too when the store holds it from the other source under
the other's id (a Retrosheet game and Statcast's rows of it: the same date and home team, game_pk at
or above `statcast.RETROSHEET_GAME_PK_MIN` on one side only, paired by the plate appearances they
share, `statcast.pair_copies`): the copy held first stays, and in one append Statcast's rows are
taken over Retrosheet's where they hold the whole game, as `hfm-train import` does (since 2026-12-07,
night). A Retrosheet game whose copy the store holds from Statcast in part only (a statcast_batter()
file appended before) is refused, naming the game: the store cannot take back the part it holds, and
skipping the whole game would leave everyone else in it without a line (before, it was skipped in
silence). So each held MLB game keeps its plate appearances' keys (`statcast.play_keys`). The lines and Level-1
outputs are computed before the state changes: an append
that fails leaves the store as it was (but for the line layout a type's first append records).

`save(folder)` writes store.json (format, schema version, the bundle's fingerprint and path, when it was
saved, the line layout, levels, keep_games, the last date, the number of games, SHA-256 of every other file), lines_<type>.npz, context_<type>.npz, marcel.npz (the Marcel memo;
optional: a store saved without it loads with none), games.npz (the games held, each MLB game's date,
home team and plate appearances' keys, the league's counts per day, the given opening days and
starts) and players.json,
atomically (hfm_runtime.atomic: a saver killed at any point leaves the previous store whole), no
pickles. A load while another process saves the same folder reads the state before or after that
save, whole, never a mix (one folder handle, every file checked against store.json; a read the save
swapped out starts again), or, after repeated swaps, a StoreMismatch saying so.
`load(folder, scorer)` checks them and refuses, with a StoreMismatch (an HFMInputError) naming the
reason, a store built for another bundle (its Level-1 outputs come from that bundle's Graph 1) or of
another schema version, or altered files: build a new one (`PlayerStore.build`; `hfm-score --store`
does it by itself). An append whose player_lines
columns differ from the store's (the runtime changed what lines count) is refused the same way.

Thread-safety: one lock; scoring gathers its inputs under it and runs Graph 2 outside it; append
holds it throughout.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
import time
from collections import ChainMap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hfm_runtime.atomic import atomic_dir, check_replaceable, settled
from hfm_runtime.bundle import bundle_fingerprint  # noqa: F401  (was defined here; importers keep working)
from hfm_runtime.context import GameEmbeddings
from hfm_runtime.errors import HFMInputError, read_json_object
from hfm_runtime.featurize import GameKeys, read_columns
from hfm_runtime.identity import build_identity, player_lines
from hfm_runtime.marcel import MARCEL_CONFIGS
from hfm_runtime.marcel import league_rates as marcel_league_rates
from hfm_runtime.people import age_sources, checked_players, impute_birth_dates
from hfm_runtime.ridge import RIDGE_COLUMNS
from hfm_runtime.playing_time import (NO_DAY, RECENT_DAYS, START_GAMES, SeasonToDate, first_days, games_per_day,
                                     season_starts_of_counts)
from hfm_runtime.scoring import (NO_AGE, IdentityInputs, MarcelRows, Scorer, days_in, last_day_in, league_days,
                                 league_to_date, marcel_rows, merged_days, scored_as)
from hfm_runtime.seasons import (GAME_KEYS, LINE_COLUMNS, charged_rows, season_age, season_lines, unknown_events,
                                 warn_unknown_events)
from hfm_runtime.statcast import (LEVEL_COLUMN, RETROSHEET_GAME_PK_MIN, check_loaded, check_rows,
                                  drop_duplicate_pitches, game_keys, pair_copies, places, play_keys, refuse_missing,
                                  refuse_not_integer)
from hfm_runtime.targets import OPPORTUNITY, PLAYER_TYPES, TARGET_STATS, PlayerType

STORE_FORMAT = "hfm-store"
STORE_SCHEMA_VERSION = 5  # 2 (2026-12-06): batters' lines gained skills.POSITION_GAMES; 3: skills' platoon_pa;
# 4: Marcel's rows keep the window's opportunities (MarcelRows.window, the playing-time model's input);
# 5 (2026-12-07, night): each MLB game's plate-appearance keys (the other source's copies: statcast.pair_copies)
STORE_FILE = "store.json"
_IDENTITY_DAYS = 4  # as-of days whose identity inputs stay memoised, per player type
_LOAD_SLACK = 8  # game lines a loaded player's buffers have room for before they grow


def is_store(folder: Path) -> bool:
    """Whether `folder` holds a saved store (what hfm_runtime.atomic may restore or delete as ours)."""
    return (folder / STORE_FILE).is_file()


def check_store_folder(folder: str | Path) -> None:
    """Refuse a folder `PlayerStore.save` must not replace: a file, a folder holding anything but a
    store (no STORE_FILE), or the current directory or one above it (saving swaps the folder out, so
    the process, and the shell that started it, would be left in a deleted folder)."""
    check_replaceable(folder, is_store, "store")


class StoreMismatch(HFMInputError):
    """A store that cannot serve this scorer or these pitches (another bundle, another line layout,
    another schema version, altered files)."""


@dataclass(frozen=True)
class StoreOptions:
    """keep_games: Level-1 games kept per player and perspective (None: the bundle's max_games of that
    player type; more lets the store score as of earlier dates)."""

    keep_games: int | None = None


@dataclass(frozen=True)
class AppendReport:
    games: int  # new games taken in
    skipped_games: int  # games the store already held (left out)
    pitches: int  # pitches of the new games
    games_encoded: int  # player-games taken into the Level-1 state (via Graph 1 if their type reads context)
    duplicates: int = 0  # rows of the new games dropped for repeating a pitch (game_pk, at_bat_number, pitch_number)


# --- per-player state ------------------------------------------------------------------------------
class _Lines:
    """One player's game lines (all levels), sorted by (day, game_pk), in buffers that grow: days since
    1970, game_pk, level code and the value columns as float64 (int64 columns hold exact integers),
    one row per column ([width, capacity]: `PlayerStore.lines` reads whole columns)."""

    __slots__ = ("day", "game_pk", "level", "values", "n")

    def __init__(self, width: int, capacity: int = 8) -> None:
        self.day = np.empty(capacity, np.int64)
        self.game_pk = np.empty(capacity, np.int64)
        self.level = np.empty(capacity, np.int16)
        self.values = np.empty((width, capacity))
        self.n = 0

    def add(self, day: np.ndarray, game_pk: np.ndarray, level: np.ndarray, values: np.ndarray) -> None:
        """Add games (sorted by (day, game_pk); `values` [games, width]); games older than the newest
        held are merged in order."""
        n, k = self.n, len(day)
        if n + k > len(self.day):
            capacity = max(n + k, n + n // 2, 8)
            self.day, self.game_pk, self.level = (_grown(a, capacity, n) for a in (self.day, self.game_pk, self.level))
            values_held = np.empty((len(self.values), capacity))
            values_held[:, :n] = self.values[:, :n]
            self.values = values_held
        self.day[n:n + k], self.game_pk[n:n + k], self.level[n:n + k] = day, game_pk, level
        self.values[:, n:n + k] = values.T
        self.n = n + k
        if n and (day[0], game_pk[0]) < (self.day[n - 1], self.game_pk[n - 1]):  # rare: a late game
            order = np.lexsort((self.game_pk[: self.n], self.day[: self.n]))
            for a in (self.day, self.game_pk, self.level):
                a[: self.n] = a[: self.n][order]
            self.values[:, : self.n] = self.values[:, : self.n][:, order]

    def rows(self, lo: int | None = None, hi: int | None = None) -> slice:
        """The rows with lo <= day < hi."""
        if lo is None and hi is None:
            return slice(0, self.n)
        day = self.day[: self.n]
        if lo is None:
            return slice(0, int(day.searchsorted(hi)))
        if hi is None:
            return slice(int(day.searchsorted(lo)), self.n)
        start, stop = day.searchsorted((lo, hi)).tolist()
        return slice(start, stop)

    def nbytes(self) -> int:
        return sum(a[: self.n].nbytes for a in (self.day, self.game_pk, self.level)) + self.values[:, : self.n].nbytes


def _grown(array: np.ndarray, capacity: int, used: int) -> np.ndarray:
    out = np.empty((capacity, *array.shape[1:]), array.dtype)
    out[:used] = array[:used]
    return out


@dataclass(frozen=True, eq=False)
class _Context:
    """One player's kept Level-1 games from one perspective, oldest first (ragged PA embeddings)."""

    pa_emb: np.ndarray  # float32 [N_pa, D]
    pa_outcome: np.ndarray  # int64 [N_pa]
    offsets: np.ndarray  # int64 [G + 1]
    game_pk: np.ndarray  # int64 [G]
    day: np.ndarray  # int64 [G], days since 1970
    level: np.ndarray  # str [G]
    evicted: bool  # older games were dropped (more than keep_games)

    def game(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.offsets[g], self.offsets[g + 1]
        return self.pa_emb[lo:hi], self.pa_outcome[lo:hi]

    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.pa_emb, self.pa_outcome, self.offsets, self.game_pk, self.day, self.level))


def _context(parts: list[tuple[np.ndarray, np.ndarray]], game_pk: list, day: list, level: list, evicted: bool,
             d_pa: int) -> _Context:
    n_pa = np.array([len(e) for e, _ in parts], dtype=np.int64)
    return _Context(
        pa_emb=np.concatenate([e for e, _ in parts]) if parts else np.zeros((0, d_pa), np.float32),
        pa_outcome=np.concatenate([o for _, o in parts]) if parts else np.zeros(0, np.int64),
        offsets=np.concatenate([[0], np.cumsum(n_pa)]).astype(np.int64),
        game_pk=np.asarray(game_pk, np.int64), day=np.asarray(day, np.int64), level=np.asarray(level, dtype=str),
        evicted=bool(evicted),
    )


def _appended(old: _Context | None, first: int | None, parts: list[tuple[np.ndarray, np.ndarray]], keys: list,
              evicted: bool, d_pa: int) -> _Context:
    """`old`'s games from index `first` on (none if None), then the new games `parts` (keys: (game_pk,
    day, level) each): what `_context` makes of the same games one by one."""
    if first is None:
        return _context(parts, [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys], evicted, d_pa)
    lo = int(old.offsets[first])
    n_pa = np.concatenate([np.diff(old.offsets[first:]), np.array([len(e) for e, _ in parts], dtype=np.int64)])
    return _Context(
        pa_emb=np.concatenate([old.pa_emb[lo:], *(e for e, _ in parts)]),
        pa_outcome=np.concatenate([old.pa_outcome[lo:], *(o for _, o in parts)]),
        offsets=np.concatenate([[0], np.cumsum(n_pa)]).astype(np.int64),
        game_pk=np.concatenate([old.game_pk[first:], np.array([k[0] for k in keys], dtype=np.int64)]),
        day=np.concatenate([old.day[first:], np.array([k[1] for k in keys], dtype=np.int64)]),
        level=np.concatenate([old.level[first:], np.array([k[2] for k in keys], dtype=str)]).astype(str),
        evicted=bool(evicted),
    )


# --- the store -------------------------------------------------------------------------------------
class PlayerStore:
    """Per-player scoring state (see the module docstring). Scored by `Scorer.score(store, ...)`.

    players: the players table (players.csv rows, as History takes them).
    league: optional per player type Marcel league rates by season (`marcel.league_rates` of the whole
    league's season lines), as History's `league`: pass them when the store holds only some players.
    league_days: optional per player type the whole league's MLB counts per day (`scoring.league_days`),
    as History's, likewise: Marcel to date's league rates read them for the days they hold, and the
    store's own sums (`append`) for the days after.
    openings, starts: optional season -> the whole league's first MLB game and its start
    (`History.opening_days`, `History.season_starts`), as History's, likewise: for the seasons they
    hold they stand in for the store's own (a store of one player's rows would otherwise open his
    season at his first game: a review of 2026-12-07 found a batter whose first game came on April 22,
    2019 given 161 expected PA as of July 1 where the league's calendar gives 126); given `openings`
    without `starts`, the league's first games stand in for its starts too; a season of the given
    `openings` that the given `starts` leave out has not started (its home openers were still to come)
    until the store holds a full day of it (`season_starts`).
    """

    def __init__(self, scorer: Scorer, players: pd.DataFrame, options: StoreOptions = StoreOptions(),
                 league: Mapping[str, pd.DataFrame] | None = None,
                 league_days: Mapping[str, pd.DataFrame] | None = None,
                 openings: Mapping[int, Any] | None = None, starts: Mapping[int, Any] | None = None) -> None:
        self.scorer = scorer
        self.bundle = scorer.bundle
        self.fingerprint = bundle_fingerprint(scorer.bundle)
        self.keep = {pt: int(options.keep_games or self.bundle.context[pt]["max_games"]) for pt in PLAYER_TYPES}
        # "simulated" or "real" where the caller says (hfm-score --store refuses to mix them), saved with it
        self.data_kind: str | None = None
        for pt, keep in self.keep.items():
            if keep < int(self.bundle.context[pt]["max_games"]):
                raise HFMInputError(f"StoreOptions: keep_games {keep} is less than the {pt} model's "
                                    f"{self.bundle.context[pt]['max_games']} context games")
        self.league = None if league is None else {pt: pd.DataFrame(v) for pt, v in league.items()}
        self._lock = threading.RLock()
        self._layout: dict[str, list[tuple[str, str]]] = {}  # player_lines' value columns and dtypes, per type
        self._levels: list[str] = []  # level code -> name
        self._lines: dict[str, dict[int, _Lines]] = {pt: {} for pt in PLAYER_TYPES}
        self._context: dict[str, dict[int, _Context]] = {pt: {} for pt in PLAYER_TYPES}
        self._game_pks = np.zeros(0, np.int64)  # sorted
        # (day, home team) -> the MLB games held there (hfm_runtime.statcast.RETROSHEET_GAME_PK_MIN tells
        # the sources apart), each one's plate appearances (statcast.play_keys), and the sources held
        # anywhere (True: Retrosheet)
        self._game_keys: dict[tuple[int, str], list[int]] = {}
        self._plays: dict[int, np.ndarray] = {}
        self._sources_held: set[bool] = set()
        self._opening: dict[int, int] = {}  # season -> first MLB day
        self._mlb_games: dict[int, int] = {}  # day -> MLB games held (playing_time.season_starts)
        self._starts: dict[int, pd.Timestamp] | None = None  # season_starts of them, until a game is added
        self._first_season: dict[int, int] = {}  # player -> first season (either side, any level)
        # the players a store of some players' rows holds (append's `players`); None: every player's
        self._only: set[int] | None = None
        self._pitched: set[int] = set()
        self._last_day: int | None = None
        self._no_rows: pd.DataFrame | None = None
        # (type, season) -> (player ids, sorted; their Marcel rows; the window's league rates by season)
        self._marcel: dict[tuple[str, int], tuple[np.ndarray, MarcelRows, pd.DataFrame]] = {}
        # per type, the league's MLB counts per (season, day) (scoring.league_days): given, and summed from
        # every game appended (`league_to_date` reads the given ones for the days they hold)
        self._given_days = {pt: _days_frame(None if league_days is None else league_days.get(pt), pt)
                            for pt in PLAYER_TYPES}
        self._own_days = {pt: _days_frame(None, pt) for pt in PLAYER_TYPES}
        self._league_now: dict[tuple[str, int, int], pd.Series] = {}  # league_to_date's, until an append
        # season -> day (since 1970) of the league's first game and start, where given (opening_days)
        self._given_openings = _season_days(openings, "openings")
        self._given_starts = _season_days(starts, "starts")
        self._starts_given = starts is not None
        self._identity: dict[tuple[str, int], dict[int, tuple[np.ndarray, int, Any]]] = {}
        self._graph2: dict[str, dict[int, tuple[tuple, np.ndarray]]] = {pt: {} for pt in PLAYER_TYPES}
        self.set_players(players)

    @classmethod
    def build(cls, scorer: Scorer, pitches: pd.DataFrame, players: pd.DataFrame,
              options: StoreOptions = StoreOptions(), league: Mapping[str, pd.DataFrame] | None = None,
              only: Iterable[int] | None = None, league_days: Mapping[str, pd.DataFrame] | None = None,
              openings: Mapping[int, Any] | None = None, starts: Mapping[int, Any] | None = None) -> PlayerStore:
        """A store of `pitches` (every level, `statcast.load_pitches`) and the players table, cold from
        raw rows; `only`: as `append`'s players."""
        store = cls(scorer, players, options, league, league_days, openings, starts)
        store.append(pitches, only)
        return store

    def set_players(self, players: pd.DataFrame) -> None:
        """Replace the players table (players.csv rows; missing birth dates are imputed as History does)."""
        players = checked_players(players)
        with self._lock:
            self._raw_players = players.copy()
            self._impute(force=True)

    # --- appending ---------------------------------------------------------------------------------
    def append(self, pitches: pd.DataFrame, players: Iterable[int] | None = None) -> AppendReport:
        """Take in the games of `pitches` the store does not hold yet (see the module docstring).

        players: take only these players' lines and games (a store of some players, e.g. one
        player's own rows with the league's Marcel rates); the games count as held all the same, and
        the store then scores these players only (anyone else would read as having no history: a
        walkthrough's Mookie Betts got the league's rates, flagged no_history; refused, naming him).
        Marcel's league rates and the league's counts per day are then the given ones (`league`,
        `league_days`), or, where not both are given, summed from every row of `pitches` (all the
        lines are derived, theirs kept): given the whole league's rows, they score as the league's
        History does (before 2026-12-07, night, Marcel regressed them toward their own rates).
        """
        if LEVEL_COLUMN not in pitches.columns:
            raise HFMInputError(f"pitches: missing column {LEVEL_COLUMN!r} (load them with statcast.load_pitches)")
        check_loaded(pitches)
        missing = [c for c in APPEND_KEYS if c not in pitches.columns]
        if missing:
            raise HFMInputError(f"pitches: missing column(s) {', '.join(missing)} (load them with statcast.load_pitches)")
        # before it is read as int64 (a nullable column's NA would not be); every row given, held games too
        refuse_missing(pitches, "game_pk", "of the frame given")
        refuse_not_integer(pitches, "game_pk", "of the frame given")
        pks = pitches["game_pk"].to_numpy(np.int64)
        with self._lock:
            held = np.isin(pks, self._game_pks)
            held |= self._held_elsewhere(pitches, pks, ~held)
            skipped = len(np.unique(pks[held]))
            rows = pitches[~held] if held.any() else pitches
            if rows.empty:
                return AppendReport(0, skipped, 0, 0)
            rows, duplicates = _checked_new_rows(rows)
            self._no_rows = rows.iloc[:0]  # for the line layout of a type no append has brought yet
            every = None  # a store of some players given no league counts: every row's lines, for them
            if players is None:
                shared: dict = {}  # both sides read the same plate appearances and pitch skill counts
                lines = {pt: player_lines(rows, pt, shared) for pt in PLAYER_TYPES}
            else:  # the rows their lines need: their own, and the plate appearances charged to them
                only = np.asarray(list(players), dtype=np.int64)
                if self.league is None or self._given_days_empty():
                    shared = {}
                    every = {pt: player_lines(rows, pt, shared) for pt in PLAYER_TYPES}
                    lines = dict(every)
                else:
                    sides = {pt: rows[charged_rows(rows, pt, only)] for pt in PLAYER_TYPES}
                    lines = {pt: player_lines(side, pt) for pt, side in sides.items() if len(side)}
                # a plate appearance charged to one of them brings the other player's row: not his line
                lines = {pt: table[np.isin(table["player_id"].to_numpy(np.int64), only)].reset_index(drop=True)
                         for pt, table in lines.items()}
            for pt, table in lines.items():
                self._check_layout(pt, table)
            read: dict = {}  # both sides featurize rows of the same pitches: the frame is read once
            plans = {pt: self._plan_context(pt, table, rows, read) for pt, table in lines.items()}  # Graph 1
            # the lines taken in, summed per day; a store of some players given no league counts sums every
            # row's (a walkthrough built one of three players from the whole league's rows, and Marcel
            # regressed them toward their own rates: Betts's SO .1264 against the league's .1342)
            new_days = {pt: _days_frame(league_days(table, pt), pt) for pt, table in (every or lines).items()}
            # nothing above changed the state (but a first line layout): a failed append leaves it as it was
            encoded = 0
            for pt, table in lines.items():
                self._add_lines(pt, table)
                encoded += self._commit_context(pt, plans[pt])
            self._add_games(rows)
            if players is not None:
                self._only = (self._only or set()) | set(only.tolist())
            first_day = int(_day(rows["game_date"]).min())
            # the seasons whose counts changed: every row's where the league's are summed from them (a game
            # none of its players played still moves the league's rates: a review of 2026-12-07)
            seasons = {int(s) for table in (every or lines).values() for s in np.unique(table["season"].to_numpy(np.int64))}
            self._marcel = {k: v for k, v in self._marcel.items() if not any(k[1] - 3 <= s < k[1] for s in seasons)}
            for pt, frame in new_days.items():
                before = self._own_days[pt]
                self._own_days[pt] = frame if before.empty else pd.concat([before, frame], ignore_index=True)
            self._league_now = {}
            for (pt, day), memo in self._identity.items():  # profiles as of later days read the new games
                if day > first_day and pt in lines:
                    for pid in np.unique(lines[pt]["player_id"].to_numpy(np.int64)).tolist():
                        memo.pop(pid, None)
            self._impute()
            return AppendReport(len(np.unique(pks[~held])), skipped, len(rows), encoded, duplicates)

    def _given_days_empty(self) -> bool:
        return all(days.empty for days in self._given_days.values())

    def _check_layout(self, pt: PlayerType, lines: pd.DataFrame) -> None:
        layout = [(c, "int" if t == np.int64 else "float") for c, t in lines.dtypes.items() if c not in GAME_KEYS]
        if pt not in self._layout:
            self._layout[pt] = layout
        elif layout != self._layout[pt]:
            raise StoreMismatch(f"store: its {pt} game lines have columns {[c for c, _ in self._layout[pt]]}, this "
                                f"runtime's player_lines gives {[c for c, _ in layout]}: build a new store")

    def _add_lines(self, pt: PlayerType, lines: pd.DataFrame) -> None:
        if lines.empty:
            return
        columns = [c for c, _ in self._layout[pt]]
        ids = lines["player_id"].to_numpy(np.int64)
        day = _day(lines["game_date"])
        pk = lines["game_pk"].to_numpy(np.int64)
        level = self._level_codes(lines[LEVEL_COLUMN].to_numpy(dtype=object))
        values = lines[columns].to_numpy(np.float64)
        order = np.lexsort((pk, day, ids))
        ids, day, pk, level, values = ids[order], day[order], pk[order], level[order], values[order]
        start = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        for a, b in zip(start.tolist(), np.r_[start[1:], len(ids)].tolist()):
            pid = int(ids[a])
            held = self._lines[pt].get(pid)
            if held is None:
                held = self._lines[pt][pid] = _Lines(len(columns), capacity=b - a)
            held.add(day[a:b], pk[a:b], level[a:b], values[a:b])
            season = int(np.datetime64(int(day[a]), "D").astype("datetime64[Y]").astype(np.int64)) + 1970
            self._first_season[pid] = min(season, self._first_season.get(pid, season))
        if pt == "pitcher":
            self._pitched.update(np.unique(ids).tolist())

    def _level_codes(self, names: np.ndarray) -> np.ndarray:
        codes, uniques = pd.factorize(names)
        for name in uniques:
            if str(name) not in self._levels:
                self._levels.append(str(name))
        return np.array([self._levels.index(str(u)) for u in uniques], dtype=np.int16)[codes]

    def _plan_context(self, pt: PlayerType, lines: pd.DataFrame, rows: pd.DataFrame, read: dict) -> list:
        """Which games each player of `lines` keeps, with the new kept ones encoded (Graph 1); changes
        nothing but `read` (see `_encode`)."""
        if lines.empty:
            return []
        keep = self.keep[pt]
        ids = lines["player_id"].to_numpy(np.int64)
        pk = lines["game_pk"].to_numpy(np.int64)
        day = _day(lines["game_date"])
        level = lines[LEVEL_COLUMN].to_numpy(dtype=str)
        order = np.lexsort((pk, day, ids))
        ids, pk, day, level = ids[order], pk[order], day[order], level[order]
        start = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        plans = []  # per player: his held context, and his kept games as (held index) or (new game's keys)
        wanted: list[tuple[int, int]] = []
        for a, b in zip(start.tolist(), np.r_[start[1:], len(ids)].tolist()):
            pid = int(ids[a])
            old = self._context[pt].get(pid)
            n_old = 0 if old is None else len(old.game_pk)
            all_day = np.concatenate([np.zeros(0, np.int64) if old is None else old.day, day[a:b]])
            all_pk = np.concatenate([np.zeros(0, np.int64) if old is None else old.game_pk, pk[a:b]])
            by_time = np.lexsort((all_pk, all_day))
            kept = [i if i < n_old else (int(pk[a + i - n_old]), int(day[a + i - n_old]), str(level[a + i - n_old]))
                    for i in by_time[-keep:].tolist()]
            plans.append((pid, old, kept, (old is not None and old.evicted) or len(by_time) > keep))
            wanted.extend((pid, k[0]) for k in kept if isinstance(k, tuple))
        encoded = self._encode(pt, wanted, rows, read) if wanted else {}
        return [(pid, old, kept, evicted, encoded) for pid, old, kept, evicted in plans]

    def _commit_context(self, pt: PlayerType, plans: list) -> int:
        d_pa = self.scorer.level1_width(pt)
        n = 0
        for pid, old, kept, evicted, encoded in plans:
            n_held = sum(1 for k in kept if not isinstance(k, tuple))
            head, tail = kept[:n_held], kept[n_held:]
            if all(isinstance(k, tuple) for k in tail) and (
                    not head or head == list(range(head[0], len(old.game_pk)))):
                # the usual day: his newest held games, then the new ones; whole slices, no per-game copies
                self._context[pt][pid] = _appended(old, head[0] if head else None,
                                                   [encoded[(pid, k[0])] for k in tail], tail, evicted, d_pa)
                n += len(tail)
                continue
            parts, game_pks, days, levels = [], [], [], []
            for k in kept:
                if isinstance(k, tuple):
                    parts.append(encoded[(pid, k[0])])
                    game_pks.append(k[0]), days.append(k[1]), levels.append(k[2])
                    n += 1
                else:
                    parts.append(old.game(k))
                    game_pks.append(old.game_pk[k]), days.append(old.day[k]), levels.append(old.level[k])
            self._context[pt][pid] = _context(parts, game_pks, days, levels, evicted, d_pa)
        return n

    def _encode(self, pt: PlayerType, wanted: list[tuple[int, int]], rows: pd.DataFrame, read: dict) -> dict:
        """Graph 1 on the (player, game_pk) games `wanted`, seen from `pt`'s side:
        {(player, game_pk): (pa_emb, pa_outcome)}. `read`: {} or the featurizer's columns of `rows`
        (`featurize.read_columns`), which the first call of an append reads and the other reuses.
        A type whose rates read no context (`Scorer.reads_context`) keeps only its games' keys: nothing
        is featurized, and each game holds no plate appearances."""
        if not self.scorer.reads_context[pt]:
            empty = (np.zeros((0, 0), np.float32), np.zeros(0, np.int64))
            return {key: empty for key in wanted}
        players = np.unique(np.array([p for p, _ in wanted], dtype=np.int64))
        width = len(players) + 1
        want = np.array([g for _, g in wanted], dtype=np.int64) * width + np.searchsorted(
            players, np.array([p for p, _ in wanted], dtype=np.int64))
        row_player = rows[pt].to_numpy(np.int64)
        row_code = np.searchsorted(players, row_player)
        found = players[np.minimum(row_code, len(players) - 1)] == row_player
        row_pk = rows["game_pk"].to_numpy(np.int64)
        if row_pk.max(initial=0) >= (1 << 62) // width:
            raise HFMInputError(f"pitches: game_pk {row_pk.max()} out of range")
        take = np.flatnonzero(found & np.isin(row_pk * width + row_code, want))
        if not read:
            read.update(read_columns(rows))  # a missing column: named here
        part = read if len(take) == len(rows) else {c: v[take] for c, v in read.items()}
        table = self.scorer.featurizer.transform_columns(part, perspectives=(pt,), players=players,
                                                        features=self.scorer.reads_context[pt])
        games = self.scorer.encode(table)
        k, off = games.keys, games.pa_offsets
        return {(int(k.player_id[g]), int(k.game_pk[g])): (games.pa_emb[off[g]:off[g + 1]], games.pa_outcome[off[g]:off[g + 1]])
                for g in range(len(games))}

    def _held_elsewhere(self, pitches: pd.DataFrame, pks: np.ndarray, new: np.ndarray) -> np.ndarray:
        """bool per row: its game is one the store holds from the other source, or the other copy of a
        game whose two sources' rows come in the same append (module docstring; statcast.pair_copies
        on each date and park's MLB games with a home team: Retrosheet has no other level)."""
        out = np.zeros(len(pks), dtype=bool)
        if "home_team" not in pitches.columns or not new.any():
            return out
        retro = pks >= RETROSHEET_GAME_PK_MIN
        new_retro, new_statcast = bool((new & retro).any()), bool((new & ~retro).any())
        held = self._sources_held
        if not ((new_retro and (False in held or new_statcast)) or (new_statcast and True in held)):
            return out  # one source on both sides: nothing to match (the daily case)
        arriving = pitches.iloc[np.flatnonzero(new)]
        shared = {}
        for place, (statcast, retrosheet) in places(game_keys(arriving)).items():
            held_here = self._game_keys.get(place, [])
            statcast = [pk for pk in held_here if pk < RETROSHEET_GAME_PK_MIN] + statcast
            retrosheet = [pk for pk in held_here if pk >= RETROSHEET_GAME_PK_MIN] + retrosheet
            if statcast and retrosheet:
                shared[place] = (statcast, retrosheet)
        if not shared:
            return out
        arriving_pks = {pk for st, rs in shared.values() for pk in st + rs if pk not in self._plays}
        plays = ChainMap(play_keys(arriving, arriving_pks), self._plays)  # the held games' keys read, not copied
        drop, parts = [], []
        for (day, home), (statcast, retrosheet) in shared.items():
            for s, r, whole in pair_copies(statcast, retrosheet, plays):
                if s in self._plays and r in self._plays:
                    continue  # both held: settled when the second came
                if s not in self._plays and r not in self._plays:
                    drop.append(r if whole else s)  # both arriving: as the import
                elif r not in self._plays and whole:
                    drop.append(r)  # the copy held first stays
                elif r not in self._plays:
                    parts.append(f"game {r} ({_date(day)} at {home}): the store holds {len(plays[s])} of its "
                                 f"{len(plays[r])} plate appearances, from Statcast's game {s}")
                else:
                    drop.append(s)
        if parts:
            raise HFMInputError("pitches: Retrosheet's copy of a game the store holds in part from Statcast "
                                "(a file of some players' pitches, appended before) cannot replace it: "
                                + "; ".join(parts[:3]) + (f"; and {len(parts) - 3} more" if len(parts) > 3 else "")
                                + ". Leave these games out, or build the store again from whole games' rows")
        if drop:
            out[new] = np.isin(pks[new], np.asarray(drop, dtype=np.int64))
        return out

    def _add_games(self, rows: pd.DataFrame) -> None:
        self._game_pks = np.union1d(self._game_pks, rows["game_pk"].to_numpy(np.int64))
        keys = game_keys(rows)
        for pk, day, home in keys:
            self._game_keys.setdefault((day, home), []).append(pk)
            self._sources_held.add(pk >= RETROSHEET_GAME_PK_MIN)
        if keys:
            self._plays.update(play_keys(rows, (pk for pk, _, _ in keys)))
        day = _day(rows["game_date"])
        self._last_day = int(day.max()) if self._last_day is None else max(self._last_day, int(day.max()))
        mlb = rows[LEVEL_COLUMN].to_numpy(dtype=object) == "MLB"
        if mlb.any():
            days = np.sort(day[mlb])
            seasons = days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
            first = np.flatnonzero(np.r_[True, seasons[1:] != seasons[:-1]])  # each season's first MLB day
            for season, d in zip(seasons[first].tolist(), days[first].tolist()):
                self._opening[season] = min(d, self._opening.get(season, d))
            for d, n in zip(*games_per_day(day[mlb], rows["game_pk"].to_numpy(np.int64)[mlb])):
                self._mlb_games[int(d)] = self._mlb_games.get(int(d), 0) + int(n)
            self._starts = None

    def _impute(self, force: bool = False) -> None:
        """The players table as History holds it: birth dates imputed from each player's first season
        (re-done after an append only when some are missing: new first seasons may move them)."""
        players = self._raw_players
        missing = bool(players["birth_date"].isna().any())
        if not (force or missing):
            return
        if missing:
            players = impute_birth_dates(players, pd.Series(self._first_season, dtype=np.int64).sort_index())
        by_id = players.drop_duplicates("player_id").set_index("player_id")
        by_id = by_id.iloc[np.argsort(by_id.index.to_numpy(np.int64), kind="stable")]
        self.players = players
        self._by_id = by_id
        self._ids = by_id.index.to_numpy(np.int64)
        # first and last names, joined only for the players a request names (players_info)
        named = {"name_first", "name_last"} <= set(by_id.columns)
        self._name_parts = tuple(by_id[c].to_numpy(dtype=object) if named else np.full(len(by_id), "", object)
                                 for c in ("name_first", "name_last"))
        self._types = by_id["player_type"].to_numpy(dtype=object) if "player_type" in by_id.columns else None
        self._age_source = age_sources(by_id)
        self._births = by_id["birth_date"].to_numpy()
        self._marcel.clear()  # ages may have moved
        self._identity.clear()

    # --- reading -----------------------------------------------------------------------------------
    @property
    def last_date(self) -> pd.Timestamp | None:
        """The newest game date held."""
        return None if self._last_day is None else pd.Timestamp(np.datetime64(self._last_day, "D"))

    @property
    def n_games(self) -> int:
        return len(self._game_pks)

    def opening_days(self) -> dict[int, pd.Timestamp]:
        """Season -> its first MLB game date among the store's games (as `History.opening_days`), the
        league's where given (`openings`)."""
        days = {**self._opening, **self._given_openings}
        return {season: pd.Timestamp(np.datetime64(day, "D")) for season, day in days.items()}

    def season_starts(self) -> dict[int, pd.Timestamp]:
        """Season -> its start among the store's MLB games (as `History.season_starts`).
        The league's where given: `starts`, and a season of the given `openings` that they leave out
        has not started (seasons.last_opening_day) unless the store's own games since hold a full day
        of it; given `openings` without `starts`, their first games stand in for the starts (as a
        History's)."""
        if not self._mlb_games:
            own = self.opening_days()
        else:
            if self._starts is None:  # counted once per state: a warm call reads it (about a millisecond)
                days = sorted(self._mlb_games)
                self._starts = season_starts_of_counts(np.array(days), np.array([self._mlb_games[d] for d in days]))
            own = dict(self._starts)

        def stamps(days: dict[int, int]) -> dict[int, pd.Timestamp]:
            return {season: pd.Timestamp(np.datetime64(day, "D")) for season, day in days.items()}

        if not self._starts_given:
            return {**own, **stamps(self._given_openings)}
        out = {**own, **stamps(self._given_starts)}
        unstarted = set(self._given_openings) - set(self._given_starts)
        if unstarted:  # not started by the league's calendar given, nor by a full day held since
            full = {int(np.datetime64(d, "D").astype("datetime64[Y]").astype(np.int64)) + 1970
                    for d, n in self._mlb_games.items() if n >= START_GAMES}
            for season in unstarted - full:
                out.pop(season, None)
        return out

    def last_day_before(self, season: int) -> pd.Timestamp | None:
        """The newest game date held before `season` (any level), None without one."""
        cut = _jan1(season)
        if self._last_day is None or self._last_day < cut:  # the serving case: every game held is before it
            return self.last_date
        with self._lock:
            days = [d[d < cut] for d in (seg.day[: seg.n] for h in self._lines.values() for seg in h.values())]
        days = [d for d in days if len(d)]
        return pd.Timestamp(np.datetime64(int(max(d.max() for d in days)), "D")) if days else None

    def seasons(self) -> list[int]:
        """Seasons with games held (any level)."""
        days = [seg.day[: seg.n] for d in self._lines.values() for seg in d.values()]
        if not days:
            return []
        return np.unique(np.concatenate(days).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970).tolist()

    def nbytes(self) -> dict[str, int]:
        """Bytes of numpy data held: game lines, Level-1 outputs, the game index (with each MLB game's
        plate-appearance keys, about 30 MiB for 22 seasons)."""
        return {
            "lines": sum(seg.nbytes() for d in self._lines.values() for seg in d.values()),
            "level1": sum(c.nbytes() for d in self._context.values() for c in d.values()),
            "index": self._game_pks.nbytes + sum(keys.nbytes for keys in self._plays.values()),
        }

    def lines(self, pt: PlayerType, ids: Iterable[int] | None = None, lo_day: int | None = None,
              hi_day: int | None = None, columns: Iterable[str] | None = None) -> pd.DataFrame:
        """Game lines of `ids` (default everyone) with lo_day <= day < hi_day, in player_lines' layout
        (the keys and, by default, every count column)."""
        with self._lock:
            if pt not in self._layout:  # no line of this type yet (a store of one batter's rows, say)
                if self._no_rows is None:
                    raise HFMInputError(f"store: it holds no {pt} game lines (append pitches with {pt}s' games)")
                self._check_layout(pt, player_lines(self._no_rows, pt))
            held = self._lines[pt]
            ids = sorted(held) if ids is None else [int(i) for i in ids if int(i) in held]
            parts = [(pid, held[pid], held[pid].rows(lo_day, hi_day)) for pid in ids]
            layout = self._layout.get(pt, [])
            if columns is not None:
                wanted = set(columns)
                layout = [(j, c, kind) for j, (c, kind) in enumerate(layout) if c in wanted]
            else:
                layout = [(j, c, kind) for j, (c, kind) in enumerate(layout)]
            n = np.array([r.stop - r.start for _, _, r in parts], dtype=np.int64)
            day = _cat([seg.day[r] for _, seg, r in parts], np.int64)
            # [columns, rows]: every player's rows in one copy; a run of columns (Marcel's counts) as
            # views of it, other picks after the copy
            pick = np.array([j for j, _, _ in layout], dtype=np.int64)
            run = slice(int(pick[0]), int(pick[-1]) + 1) if len(pick) and (np.diff(pick) == 1).all() else slice(None)
            values = (np.concatenate([seg.values[run, r] for _, seg, r in parts], axis=1) if parts
                      else np.zeros((len(self._layout.get(pt, [])), 0))[run])
            if len(values) != len(pick):
                values = values[pick]
            frame = {
                "player_id": np.repeat(np.array([p for p, _, _ in parts], dtype=np.int64), n),
                "game_pk": _cat([seg.game_pk[r] for _, seg, r in parts], np.int64),
                "game_date": day.astype("datetime64[D]").astype("datetime64[ns]"),
                "season": day.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970,
                LEVEL_COLUMN: np.array(self._levels + [""], dtype=object)[_cat([seg.level[r] for _, seg, r in parts], np.int64)],
            }
        for j, (_, c, kind) in enumerate(layout):
            frame[c] = values[j].astype(np.int64) if kind == "int" else values[j]
        return pd.DataFrame(frame)

    def season_sums(self, pt: PlayerType, ids: Iterable[int], season: int, as_of: pd.Timestamp,
                    start: pd.Timestamp | None = None) -> tuple[np.ndarray, ...]:
        """(opportunities, those in the RECENT_DAYS days before `as_of` and from `start` on, the
        TARGET_STATS counts [N, S], the day of the first such game, datetime64[D] or NaT, the opportunities
        before `start`: a series abroad) of `ids`' MLB games of `season` before `as_of`
        (hfm_runtime.playing_time.SeasonToDate's sums; `start` None: the season's first day)."""
        ids = [int(i) for i in ids]
        names = [OPPORTUNITY[pt], *TARGET_STATS[pt]]
        sums, recent, first = np.zeros((len(ids), len(names))), np.zeros(len(ids)), np.full(len(ids), NO_DAY)
        early = np.zeros(len(ids))
        lo, hi = _jan1(season), int(np.datetime64(as_of.date(), "D").astype(np.int64))
        begin = lo if start is None else int(np.datetime64(start.date(), "D").astype(np.int64))
        with self._lock:
            layout = [c for c, _ in self._layout.get(pt, [])]
            if not layout:
                return sums[:, 0], recent, sums[:, 1:], first_days(first), early
            columns = [layout.index(c) for c in names]
            mlb = self._levels.index("MLB") if "MLB" in self._levels else -1
            held = self._lines[pt]
            for i, pid in enumerate(ids):
                seg = held.get(pid)
                if seg is None:
                    continue
                r = seg.rows(lo, hi)
                keep = seg.level[r] == mlb
                if not keep.any():
                    continue
                values, days = seg.values[columns, r][:, keep], seg.day[r][keep]
                sums[i] = values.sum(axis=1)
                recent[i] = values[0, (days >= hi - RECENT_DAYS) & (days >= begin)].sum()
                early[i] = values[0, days < begin].sum()
                first[i] = days.min()
        return sums[:, 0], recent, sums[:, 1:], first_days(first), early

    def league_to_date(self, pt: PlayerType, season: int, as_of: pd.Timestamp) -> pd.Series:
        """The league's MLB rates of `season` before `as_of` (scoring.league_to_date, what Marcel to date
        regresses toward): the given league days for the days they hold, the store's own for the rest."""
        key = (pt, int(season), int(np.datetime64(as_of.date(), "D").astype(np.int64)))
        with self._lock:
            if key not in self._league_now:  # a warm score reads it, not the days
                days = merged_days(self._given_days[pt], self._own_days[pt])
                self._league_now[key] = league_to_date(days, pt, int(season), as_of)
            return self._league_now[key]

    def scoring_inputs(self, scorer: Scorer) -> _StoreInputs:
        if scorer.bundle is not self.bundle and bundle_fingerprint(scorer.bundle) != self.fingerprint:
            raise StoreMismatch(f"store: built for bundle {self.fingerprint[:12]}, the scorer's bundle "
                                f"{scorer.bundle.path} is {bundle_fingerprint(scorer.bundle)[:12]}: build a new store")
        for pt in PLAYER_TYPES:
            _check_width(pt, self.scorer.level1_width(pt), scorer, "store")
        return _StoreInputs(self, scorer)

    def default_players(self, season: int, as_of: pd.Timestamp | None = None) -> list[int]:
        """Everyone with an MLB line in the seasons Marcel reads for `season` and, given `as_of`, in
        `season` before it (as Scorer.default_players)."""
        ids: set[int] = set()
        with self._lock:
            mlb = self._levels.index("MLB") if "MLB" in self._levels else -1
            for pt in PLAYER_TYPES:
                spans = [(_jan1(season - len(MARCEL_CONFIGS[pt].weights)), _jan1(season))]
                if as_of is not None:
                    spans.append((_jan1(season), int(np.datetime64(as_of.date(), "D").astype(np.int64))))
                for pid, seg in self._lines[pt].items():
                    if any(np.any(seg.level[seg.rows(lo, hi)] == mlb) for lo, hi in spans):
                        ids.add(pid)
        return sorted(ids)

    # --- persistence -------------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write the store to `folder` atomically (see the module docstring); return the folder. The
        folder must be new, empty or a store (it holds STORE_FILE): saving replaces it whole, so
        anything else in it would be lost."""
        folder = Path(folder).resolve()  # a link's target
        check_store_folder(folder)
        with self._lock, atomic_dir(folder, ours=is_store) as tmp:
            for pt in PLAYER_TYPES:
                held = sorted(self._lines[pt].items())
                np.savez(tmp / f"lines_{pt}.npz",
                         player_id=np.array([p for p, _ in held], dtype=np.int64),
                         n=np.array([s.n for _, s in held], dtype=np.int64),
                         day=_cat([s.day[: s.n] for _, s in held], np.int64),
                         game_pk=_cat([s.game_pk[: s.n] for _, s in held], np.int64),
                         level=_cat([s.level[: s.n] for _, s in held], np.int16),
                         values=np.ascontiguousarray(np.concatenate([s.values[:, : s.n] for _, s in held], axis=1).T) if held
                         else np.zeros((0, len(self._layout.get(pt, [])))))
                contexts = sorted(self._context[pt].items())
                np.savez(tmp / f"context_{pt}.npz",
                         player_id=np.array([p for p, _ in contexts], dtype=np.int64),
                         evicted=np.array([c.evicted for _, c in contexts], dtype=bool),
                         n_games=np.array([len(c.game_pk) for _, c in contexts], dtype=np.int64),
                         n_pas=_cat([np.diff(c.offsets) for _, c in contexts], np.int64),
                         pa_emb=np.concatenate([c.pa_emb for _, c in contexts]) if contexts
                         else np.zeros((0, self.scorer.level1_width(pt)), np.float32),
                         pa_outcome=_cat([c.pa_outcome for _, c in contexts], np.int64),
                         game_pk=_cat([c.game_pk for _, c in contexts], np.int64),
                         day=_cat([c.day for _, c in contexts], np.int64),
                         level=np.concatenate([c.level for _, c in contexts]).astype(str) if contexts else np.zeros(0, str))
            np.savez(tmp / "marcel.npz", **self._marcel_arrays())
            keys = [(pk, day, home) for (day, home), pks in sorted(self._game_keys.items()) for pk in pks]
            plays = [self._plays.get(pk, np.zeros(0, np.uint64)) for pk, _, _ in keys]
            np.savez(tmp / "games.npz", game_pk=self._game_pks,
                     key_pk=np.array([k[0] for k in keys], dtype=np.int64),
                     key_day=np.array([k[1] for k in keys], dtype=np.int64),
                     key_home=np.array([k[2] for k in keys], dtype=str),
                     key_plays=np.array([len(x) for x in plays], dtype=np.int64),
                     plays=_cat(plays, np.uint64),
                     opening=np.array(sorted(self._opening.items()), dtype=np.int64).reshape(-1, 2),
                     given_openings=np.array(sorted(self._given_openings.items()), dtype=np.int64).reshape(-1, 2),
                     given_starts=np.array(sorted(self._given_starts.items()), dtype=np.int64).reshape(-1, 2),
                     starts_given=np.array(self._starts_given),
                     mlb_games=np.array(sorted(self._mlb_games.items()), dtype=np.int64).reshape(-1, 2),
                     first_season=np.array(sorted(self._first_season.items()), dtype=np.int64).reshape(-1, 2),
                     pitched=np.array(sorted(self._pitched), dtype=np.int64),
                     has_only=np.array(self._only is not None),
                     only=np.array(sorted(self._only or ()), dtype=np.int64),
                     **{f"{kind}_days_{pt}": _days_array(frames[pt], pt) for kind, frames in
                        (("given", self._given_days), ("own", self._own_days)) for pt in PLAYER_TYPES})
            (tmp / "players.json").write_text(json.dumps({
                "players": _table_to_json(self._raw_players),
                "league": None if self.league is None else {
                    pt: _table_to_json(frame.reset_index()) for pt, frame in self.league.items()},
            }))
            meta = {
                "format": STORE_FORMAT, "schema_version": STORE_SCHEMA_VERSION,
                "bundle_fingerprint": self.fingerprint, "bundle_path": str(self.bundle.path),
                "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "line_layout": self._layout, "levels": self._levels, "keep_games": self.keep,
                "last_date": None if self.last_date is None else str(self.last_date.date()),
                "games": self.n_games, "data_kind": self.data_kind,
                "files": {p.name: _sha256(p) for p in sorted(tmp.iterdir())},
            }
            (tmp / STORE_FILE).write_text(json.dumps(meta, indent=2))
        return folder

    @classmethod
    def load(cls, folder: str | Path, scorer: Scorer, attempts: int = 5) -> PlayerStore:
        """Read a saved store for `scorer`'s bundle (StoreMismatch if it was built for another).

        Every file is read once, through one handle on the folder, and checked against store.json's
        SHA-256 before it is parsed, so the store read is one saved state whole: the one before or
        after a save running in another process, never a mix. A save that swaps the folder out while
        it is being read (its old files deleted) makes the read start again, up to `attempts` times;
        then a StoreMismatch says so."""
        folder = Path(folder)
        for attempt in range(attempts):
            try:
                meta, files = _read_snapshot(folder)
                break
            except _Swapped as exc:
                if attempt == attempts - 1:
                    raise StoreMismatch(f"{folder}: replaced while being read, {attempts} times in a row ({exc}): "
                                        "another process keeps saving it; try again") from None
                time.sleep(0.02 * (attempt + 1))
        if meta["bundle_fingerprint"] != bundle_fingerprint(scorer.bundle):
            raise StoreMismatch(
                f"{folder}: built for bundle {meta['bundle_fingerprint'][:12]} ({meta.get('bundle_path')}), this "
                f"scorer's bundle {scorer.bundle.path} is {bundle_fingerprint(scorer.bundle)[:12]}: build a new store")
        try:
            tables = _json_object(files["players.json"], folder / "players.json")
            league = tables["league"]
            store = cls(scorer, _table_from_json(tables["players"]), StoreOptions(),
                        None if league is None else {pt: _table_from_json(t).set_index("season") for pt, t in league.items()})
            store.keep = {pt: int(meta["keep_games"][pt]) for pt in PLAYER_TYPES}
            store.data_kind = meta.get("data_kind")  # absent before 2026-12-08: not known
            store._layout = {pt: [(str(c), str(k)) for c, k in layout] for pt, layout in meta["line_layout"].items()}
            store._levels = [str(x) for x in meta["levels"]]
            for pt in PLAYER_TYPES:
                with np.load(io.BytesIO(files[f"lines_{pt}.npz"]), allow_pickle=False) as z:
                    store._lines[pt] = _read_lines(z)
                with np.load(io.BytesIO(files[f"context_{pt}.npz"]), allow_pickle=False) as z:
                    _check_width(pt, int(z["pa_emb"].shape[1]), scorer, str(folder))
                    store._context[pt] = _read_contexts(z)
            with np.load(io.BytesIO(files["games.npz"]), allow_pickle=False) as z:
                store._game_pks = z["game_pk"].astype(np.int64)
                plays = np.split(z["plays"], np.cumsum(z["key_plays"])[:-1]) if len(z["key_plays"]) else []
                for pk, day, home, keys in zip(z["key_pk"].tolist(), z["key_day"].tolist(), z["key_home"].tolist(),
                                               plays):
                    store._game_keys.setdefault((int(day), str(home)), []).append(int(pk))
                    store._sources_held.add(pk >= RETROSHEET_GAME_PK_MIN)
                    store._plays[int(pk)] = keys
                store._opening = {int(s): int(d) for s, d in z["opening"]}
                store._given_openings = {int(s): int(d) for s, d in z["given_openings"]}
                store._given_starts = {int(s): int(d) for s, d in z["given_starts"]}
                store._starts_given = bool(z["starts_given"])
                store._mlb_games = {int(d): int(n) for d, n in z["mlb_games"]}
                store._first_season = {int(p): int(s) for p, s in z["first_season"]}
                store._pitched = set(z["pitched"].tolist())
                store._only = set(z["only"].tolist()) if bool(z["has_only"]) else None
                for pt in PLAYER_TYPES:
                    store._given_days[pt] = _days_from_array(z[f"given_days_{pt}"], pt)
                    store._own_days[pt] = _days_from_array(z[f"own_days_{pt}"], pt)
        except StoreMismatch:  # a store of other options: said as it is, not as damage
            raise
        except (KeyError, TypeError, ValueError, OSError) as exc:
            raise StoreMismatch(f"{folder}: unreadable store ({type(exc).__name__}: {exc})") from None
        days = [int(seg.day[seg.n - 1]) for d in store._lines.values() for seg in d.values() if seg.n]
        store._last_day = max(days) if days else None
        store._impute(force=True)
        if "marcel.npz" in files:  # after _impute, which empties the memo; stores saved before it had none
            try:
                with np.load(io.BytesIO(files["marcel.npz"]), allow_pickle=False) as z:
                    store._marcel = _read_marcel(z)
            except (KeyError, TypeError, ValueError, OSError) as exc:
                raise StoreMismatch(f"{folder}: unreadable store ({type(exc).__name__}: {exc})") from None
        return store

    def _marcel_arrays(self) -> dict[str, np.ndarray]:
        """The Marcel memo as npz arrays `<type>_<season>_<what>` (`_read_marcel` reads them back)."""
        out: dict[str, np.ndarray] = {}
        for (pt, season), (ids, rows, league) in sorted(self._marcel.items()):
            key = f"{pt}_{season}_"
            out[key + "ids"] = ids
            out.update({key + f.name: getattr(rows, f.name) for f in fields(MarcelRows)})
            out[key + "league_season"] = league.index.to_numpy(np.int64)
            out[key + "league"] = league[list(TARGET_STATS[pt])].to_numpy(np.float64)
        return out


class _Swapped(Exception):
    """The store folder was replaced (and its old files deleted) while being read."""


def _read_snapshot(folder: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """store.json (checked as `read_store_meta` checks it) and the bytes of every file it lists, each
    checked against its SHA-256, all read through one descriptor of the folder: one saved state, since
    a save never changes a folder in place (hfm_runtime.atomic builds a new one and swaps it in)."""
    if not settled(folder) or not folder.is_dir():
        raise StoreMismatch(f"{folder}: no such store folder")
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except FileNotFoundError:
        raise _Swapped("folder gone") from None
    try:
        def read(name: str) -> bytes | None:
            try:
                f = os.open(name, os.O_RDONLY, dir_fd=fd)
            except FileNotFoundError:
                try:  # still the folder we opened (a file really missing), or a save swapped it out?
                    same = os.stat(folder).st_ino == os.fstat(fd).st_ino
                except FileNotFoundError:
                    same = False
                if not same:
                    raise _Swapped(f"{name} gone") from None
                return None
            with os.fdopen(f, "rb") as stream:
                return stream.read()

        raw = read(STORE_FILE)
        if raw is None:
            raise StoreMismatch(f"{folder / STORE_FILE}: missing")
        meta = _check_meta(folder, _json_object(raw, folder / STORE_FILE))
        files = {}
        for name, digest in meta["files"].items():
            data = read(name)
            if data is None:
                raise StoreMismatch(f"{folder / name}: missing (listed in {STORE_FILE})")
            if hashlib.sha256(data).hexdigest() != digest:
                raise StoreMismatch(f"{folder / name}: SHA-256 differs from {STORE_FILE} (file altered or corrupt)")
            files[name] = data
        return meta, files
    finally:
        os.close(fd)


def _json_object(raw: bytes, path: Path) -> dict[str, Any]:
    try:
        obj = json.loads(raw.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise StoreMismatch(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise StoreMismatch(f"{path}: expected a JSON object")
    return obj


def read_store_meta(folder: str | Path) -> dict[str, Any]:
    """store.json of a saved store, its format and schema version checked."""
    folder = Path(folder)
    if not folder.is_dir():
        raise StoreMismatch(f"{folder}: no such store folder")
    return _check_meta(folder, read_json_object(folder / STORE_FILE, StoreMismatch))


def _check_meta(folder: Path, meta: dict[str, Any]) -> dict[str, Any]:
    if meta.get("format") != STORE_FORMAT:
        raise StoreMismatch(f"{folder / STORE_FILE}: field 'format' is {meta.get('format')!r}, not {STORE_FORMAT!r}")
    if meta.get("schema_version") != STORE_SCHEMA_VERSION:
        raise StoreMismatch(f"{folder / STORE_FILE}: field 'schema_version' is {meta.get('schema_version')!r}, this "
                            f"runtime reads stores of version {STORE_SCHEMA_VERSION}: build a new store")
    for key in ("bundle_fingerprint", "line_layout", "levels", "keep_games", "files"):
        if key not in meta:
            raise StoreMismatch(f"{folder / STORE_FILE}: field {key!r} missing")
    return meta


# --- what the scorer reads -------------------------------------------------------------------------
class _StoreInputs:
    """`Scorer._start_type`'s inputs from a store (a History's are scoring._HistoryInputs)."""

    def __init__(self, store: PlayerStore, scorer: Scorer) -> None:
        self.store, self.scorer = store, scorer

    def opening_days(self) -> dict[int, pd.Timestamp]:
        return self.store.opening_days()

    def season_starts(self) -> dict[int, pd.Timestamp]:
        return self.store.season_starts()

    def last_day_before(self, season: int) -> pd.Timestamp | None:
        return self.store.last_day_before(season)

    def last_mlb_day(self, season: int, before: pd.Timestamp) -> pd.Timestamp | None:
        """The newest day of `season` with an MLB game held before `before`, None without one."""
        return last_day_in(np.array(list(self.store._mlb_games), dtype=np.int64).astype("datetime64[D]"), season, before)

    def default_players(self, season: int, as_of: pd.Timestamp | None = None) -> list[int]:
        return self.store.default_players(season, as_of)

    def whole_league_days(self, season: int, before: pd.Timestamp) -> np.ndarray | None:
        """As History's: None for a store of some players or one given the league's rates or counts."""
        s = self.store
        if s._only is not None or s.league is not None or not s._given_days_empty():
            return None
        return days_in(np.array(list(s._mlb_games), dtype=np.int64).astype("datetime64[D]"), season, before)

    def ridge(self, pt: PlayerType, ids: np.ndarray, season: int, ages: np.ndarray) -> np.ndarray:
        """The bundle's ridge's projections of `ids` (hfm_runtime.ridge) from their game lines."""
        model = self.scorer.bundle.ridges[pt]
        lines = self.store.lines(pt, ids, _jan1(season - model.config.years), _jan1(season),
                                 columns=RIDGE_COLUMNS[pt])  # framing only what season_sums sums
        return model.predict_lines(lines, ids, season, ages)

    def _rows(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row in the players table, found) per id."""
        known_ids = self.store._ids
        if not len(known_ids):
            return np.zeros(len(ids), np.int64), np.zeros(len(ids), bool)
        at = np.minimum(np.searchsorted(known_ids, ids), len(known_ids) - 1)
        return at, known_ids[at] == ids

    def player_type_of(self, player_ids: Iterable[int]) -> dict[int, tuple[PlayerType, ...]]:
        """As History.player_type_of: the players table's player_type, else whether he pitched. A store
        of some players' rows refuses anyone else (his lines are not in it)."""
        ids = np.array([int(i) for i in player_ids], dtype=np.int64)
        only = self.store._only
        if only is not None and not set(ids.tolist()) <= only:
            others = sorted(set(ids.tolist()) - only)
            raise HFMInputError(f"store: it holds the lines of {len(only)} player(s) only (built with only= or appended with players=), "
                                f"not of {others[0]}" + (f" and {len(others) - 1} other(s) asked for" if len(others) > 1
                                                         else "") + ": build a store of their rows, or of every "
                                "player's (append without players=)")
        at, known = self._rows(ids)
        types = self.store._types
        return {pid: scored_as(types[row] if found and types is not None else None, pid in self.store._pitched)
                for pid, row, found in zip(ids.tolist(), at.tolist(), known.tolist())}

    def players_info(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at, known = self._rows(ids)
        first, last = (part[at] if len(self.store._ids) else np.full(len(ids), "", object) for part in self.store._name_parts)
        names = np.array([f"{a if isinstance(a, str) else ''} {b if isinstance(b, str) else ''}".strip()
                          for a, b in zip(first, last)], dtype=object)
        return known, np.where(known, names, "").astype(object)

    def age_source(self, ids: np.ndarray) -> np.ndarray:
        """As History.age_source: exact / birth_year / imputed, "none" for a player not in the table."""
        at, known = self._rows(ids)
        if not len(self.store._ids):
            return np.full(len(ids), NO_AGE, dtype=object)
        return np.where(known, self.store._age_source[at], NO_AGE).astype(object)

    def season_to_date(self, pt: PlayerType, ids: np.ndarray, season: int, as_of: pd.Timestamp,
                       start: pd.Timestamp, end: pd.Timestamp | None = None) -> SeasonToDate:
        """As scoring.season_to_date of the players' lines, summed from the store's buffers in place:
        framing the lines costs a warm call about a millisecond."""
        opportunities, recent, counts, first, early = self.store.season_sums(pt, ids, season, as_of, start)
        return SeasonToDate.at(opportunities, recent, counts, season, start, as_of, first, end, early)

    def marcel(self, pt: PlayerType, ids: np.ndarray, season: int) -> MarcelRows:
        table_ids, rows = self._marcel_table(pt, int(season), ids)
        at = np.searchsorted(table_ids, ids)
        return rows.take(at)

    def league_to_date(self, pt: PlayerType, season: int, as_of: pd.Timestamp) -> pd.Series:
        return self.store.league_to_date(pt, season, as_of)

    def _marcel_table(self, pt: PlayerType, season: int, ids: np.ndarray) -> tuple[np.ndarray, MarcelRows]:
        """Marcel as a History computes it (`seasons.season_lines` of the window's game lines, then
        `marcel.marcel`), memoised per (type, season) for everyone with a line in the window and every
        player asked for so far. A player asked for later has no line in the window (everyone who has
        one is in the memo): his Marcel reads only the window's league rates, kept with the memo, so
        only he is computed."""
        s = self.store
        with s._lock:
            memo = s._marcel.get((pt, season))
            if memo is not None and np.isin(ids, memo[0]).all():
                return memo[0], memo[1]
            if memo is None:
                window = _jan1(season - len(MARCEL_CONFIGS[pt].weights)), _jan1(season)
                lines = season_lines(s.lines(pt, None, *window, columns=LINE_COLUMNS[pt]), pt)
                league = None if s.league is None else s.league.get(pt)
                if league is None and s._only is not None:  # some players': the league's from every row's days
                    days = merged_days(s._given_days[pt], s._own_days[pt])  # MLB counts per day: a line each
                    league = marcel_league_rates(days.assign(player_id=0), pt)
                league = marcel_league_rates(lines, pt) if league is None else league
                wanted = np.union1d(lines["player_id"].to_numpy(np.int64), ids)
                rows = self._marcel_rows(pt, season, wanted, lines, league)
            else:
                held, held_rows, league = memo
                new = np.setdiff1d(ids, held)
                lines = season_lines(s.lines(pt, [], columns=LINE_COLUMNS[pt]), pt)  # none: the layout
                wanted = np.union1d(held, new)
                order = np.argsort(np.concatenate([held, new]), kind="stable")
                rows = _concat_marcel([held_rows, self._marcel_rows(pt, season, new, lines, league)]).take(order)
            s._marcel[(pt, season)] = (wanted, rows, league)
            return wanted, rows

    def _marcel_rows(self, pt: PlayerType, season: int, ids: np.ndarray, lines: pd.DataFrame,
                     league: pd.DataFrame) -> MarcelRows:
        s = self.store
        at, known = self._rows(ids)
        births = s._births[at] if len(s._ids) else np.full(len(ids), np.datetime64("NaT"))
        ages = np.full(len(ids), np.nan)
        has_age = known & pd.notna(births)
        if has_age.any():
            ages[has_age] = np.asarray(season_age(births[has_age], season), dtype=np.float64)
        return marcel_rows(self.scorer.bundle, pt, ids, season, lines, ages, league)

    def identity(self, pt: PlayerType, ids: np.ndarray, as_of: pd.Timestamp) -> IdentityInputs:
        """`identity.build_identity` as of `as_of` on the requested players' game lines (one call for
        all of them), memoised per day and player until his lines change."""
        s = self.store
        day = int(np.datetime64(as_of.to_datetime64(), "D").astype(np.int64))
        with s._lock:
            memo = s._identity.get((pt, day))
            if memo is None:
                for key in sorted(k for k in s._identity if k[0] == pt)[: -(_IDENTITY_DAYS - 1)]:
                    del s._identity[key]
                memo = s._identity[(pt, day)] = {}
            wanted = np.array(sorted({pid for pid in ids.tolist() if pid not in memo}), dtype=np.int64)
            if len(wanted):
                ident = build_identity(s.lines(pt, wanted, None, day), s.players,
                                       pd.DataFrame({"player_id": wanted, "as_of_date": as_of}), pt,
                                       self.scorer.bundle.identity[pt])
                source = ident.source
                for i, pid in enumerate(wanted.tolist()):
                    memo[pid] = (ident.stat_features[i], int(ident.archetype[i]), source[i])
            rows = [memo[pid] for pid in ids.tolist()]
        return IdentityInputs(
            stat_features=np.stack([r[0] for r in rows]),
            archetype=np.array([r[1] for r in rows], dtype=np.int64),
            source=np.array([r[2] for r in rows], dtype=object),
        )

    def graph2_lookup(self, pt: PlayerType, ids: np.ndarray, keys: list[tuple]) -> list[np.ndarray | None]:
        """Each player's last Graph-2 result if it was for these exact inputs (`keys`, Scorer._graph2_memo)."""
        with self.store._lock:
            memo = self.store._graph2[pt]
            held = [memo.get(pid) for pid in ids.tolist()]
        return [None if h is None or h[0] != key else h[1] for h, key in zip(held, keys)]

    def graph2_keep(self, pt: PlayerType, ids: np.ndarray, keys: list[tuple], rates: np.ndarray) -> None:
        """Keep each player's newest Graph-2 result with its inputs' key (one per player and type)."""
        with self.store._lock:
            memo = self.store._graph2[pt]
            for pid, key, row in zip(ids.tolist(), keys, rates):
                memo[pid] = (key, row.copy())

    def context(self, pt: PlayerType, ids: np.ndarray, as_of: pd.Timestamp) -> GameEmbeddings:
        """The kept Level-1 games of `ids` (context_index picks the last max_games before `as_of`)."""
        s = self.store
        max_games = int(self.scorer.bundle.context[pt]["max_games"])
        as_of_day = int(np.datetime64(as_of.to_datetime64(), "D").astype(np.int64))
        with s._lock:
            held = [(pid, s._context[pt].get(pid)) for pid in ids.tolist()]
        held = [(pid, c) for pid, c in held if c is not None]
        for pid, c in held:
            if c.evicted and np.searchsorted(c.day, as_of_day) < max_games:
                raise HFMInputError(
                    f"store: {pt} {pid} as of {as_of.date()} needs games before {np.datetime64(int(c.day[0]), 'D')} "
                    f"that the store no longer holds (it keeps each player's last {s.keep[pt]} games): score as of a "
                    "later date; an earlier season, or a date long before the newest games, is a History's job "
                    "(hfm-score --league or --pitches without --store); or build the store with more games kept "
                    "(PlayerStore(..., StoreOptions(keep_games=N)); hfm-score keeps the bundle's max_games)")
        n = np.array([len(c.game_pk) for _, c in held], dtype=np.int64)
        days = _cat([c.day for _, c in held], np.int64).astype("datetime64[D]")
        n_pas = _cat([np.diff(c.offsets) for _, c in held], np.int64)
        return GameEmbeddings(
            pa_emb=np.concatenate([c.pa_emb for _, c in held]) if held else np.zeros((0, self.scorer.level1_width(pt)), np.float32),
            pa_outcome=_cat([c.pa_outcome for _, c in held], np.int64),
            pa_offsets=np.concatenate([[0], np.cumsum(n_pas)]).astype(np.int64),
            keys=GameKeys(
                game_pk=_cat([c.game_pk for _, c in held], np.int64),
                player_id=np.repeat(np.array([p for p, _ in held], dtype=np.int64), n),
                perspective=np.full(int(n.sum()), pt, dtype="<U7"),
                game_date=days,
                season=days.astype("datetime64[Y]").astype(np.int64) + 1970,
                level=np.concatenate([c.level for _, c in held]).astype(str) if held else np.zeros(0, str),
            ),
        )


# --- helpers ---------------------------------------------------------------------------------------
APPEND_KEYS = ("game_pk", "game_date", "batter", "pitcher", "events", "at_bat_number", "pitch_number")


def _checked_new_rows(rows: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The new games' rows of an append, checked before the state changes (module docstring), without
    repeated pitches; and how many rows were dropped for repeating one. A walkthrough appended rows with
    no batter (held as player -9223372036854775808), a day whose events were all missing (the real day
    was then skipped as held), a day twice in one frame (counted twice) and a hand edited to "S" after
    loading (held for good)."""
    refuse_missing(rows, "game_date")
    check_rows(rows, "of the new games", "a store takes a game in once")
    try:
        _day(rows["game_date"])
    except (ValueError, TypeError) as err:
        raise HFMInputError(f"pitches: column game_date: not dates ({err}); statcast.load_pitches reads them") from None
    ended = rows["events"].notna().groupby(rows["game_pk"].to_numpy(np.int64)).any()
    if not ended.all():
        pk = int(ended.index[~ended.to_numpy()][0])
        raise HFMInputError(f"pitches: game {pk} has no ended plate appearance (its 'events' are all missing): a store "
                            "takes a game in once, so append finished games only")
    deduplicated, dropped = drop_duplicate_pitches(rows)
    warn_unknown_events(unknown_events(deduplicated["events"]))  # as History words it: hfm-score prints one
    return (deduplicated, dropped) if dropped else (rows, 0)  # the rows as given where none repeats


def _day(dates: pd.Series) -> np.ndarray:
    """Days since 1970 of a date column."""
    values = dates.to_numpy()
    if values.dtype.kind != "M":
        values = pd.to_datetime(dates).to_numpy()
    return values.astype("datetime64[D]").astype(np.int64)


def _season_days(days: Mapping[int, Any] | None, name: str) -> dict[int, int]:
    """Season -> day since 1970 of a given `openings` / `starts` mapping (dates in any form), or one
    clear error naming it."""
    out: dict[int, int] = {}
    for season, day in ({} if days is None else days).items():
        try:
            year = int(season)
            stamp = pd.Timestamp(day) if year == season else pd.NaT  # a key 2019.7 is no season
        except (TypeError, ValueError):
            year, stamp = None, pd.NaT
        if pd.isna(stamp) or stamp.year != year:
            raise HFMInputError(f"PlayerStore: {name}[{season!r}] is {day!r}, not a date of that season")
        out[year] = int(np.datetime64(stamp.date(), "D").astype(np.int64))
    return out


def _jan1(season: int) -> int:
    return int(np.datetime64(f"{int(season)}-01-01", "D").astype(np.int64))


def _concat_marcel(parts: list[MarcelRows]) -> MarcelRows:
    return MarcelRows(**{f.name: np.concatenate([getattr(r, f.name) for r in parts]) for f in fields(MarcelRows)})


def _date(day: int) -> str:
    """A day since 1970 as an ISO date."""
    return str(np.datetime64(int(day), "D"))


def _cat(arrays: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(arrays).astype(dtype) if arrays else np.zeros(0, dtype)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_lines(z: Mapping[str, np.ndarray]) -> dict[int, _Lines]:
    ends = np.cumsum(z["n"])
    day, game_pk, level, values = z["day"], z["game_pk"], z["level"], z["values"]
    out = {}
    for pid, end, n in zip(z["player_id"].tolist(), ends.tolist(), z["n"].tolist()):
        lines = _Lines(values.shape[1], capacity=n + _LOAD_SLACK)  # a day's append fits without growing
        lines.add(day[end - n:end], game_pk[end - n:end], level[end - n:end], values[end - n:end])
        out[pid] = lines
    return out


def _read_marcel(z: Mapping[str, np.ndarray]) -> dict[tuple[str, int], tuple[np.ndarray, MarcelRows, pd.DataFrame]]:
    memo = {}
    for name in z:
        if name.endswith("_ids"):
            pt, season, _ = name.split("_", 2)
            key = f"{pt}_{season}_"
            rows = MarcelRows(**{f.name: z[key + f.name] for f in fields(MarcelRows)})
            league = pd.DataFrame(z[key + "league"], columns=list(TARGET_STATS[pt]),
                                  index=pd.Index(z[key + "league_season"], name="season"))
            memo[(pt, int(season))] = (z[name], rows, league)
    return memo


def _check_width(pt: PlayerType, width: int, scorer: Scorer, where: str) -> None:
    """A store keeps `scorer.level1_width(pt)` columns of Level-1 output per PA (none for a type whose
    rates read no context); one kept with another width cannot serve this scorer."""
    if width != scorer.level1_width(pt):
        raise StoreMismatch(f"{where}: its {pt} Level-1 outputs have {width} columns, this scorer keeps "
                            f"{scorer.level1_width(pt)} (ScorerOptions.full_context differs): build a new store")


def _read_contexts(z: Mapping[str, np.ndarray]) -> dict[int, _Context]:
    games = np.concatenate([[0], np.cumsum(z["n_games"])])
    pas = np.concatenate([[0], np.cumsum(z["n_pas"])])
    pa_emb, pa_outcome = z["pa_emb"], z["pa_outcome"]
    game_pk, day, level = z["game_pk"], z["day"], z["level"]
    out = {}
    for i, (pid, evicted) in enumerate(zip(z["player_id"].tolist(), z["evicted"].tolist())):
        g0, g1 = games[i], games[i + 1]
        p0, p1 = pas[g0], pas[g1]
        out[pid] = _Context(pa_emb=pa_emb[p0:p1].copy(), pa_outcome=pa_outcome[p0:p1].copy(),
                            offsets=(pas[g0:g1 + 1] - p0).astype(np.int64), game_pk=game_pk[g0:g1].copy(),
                            day=day[g0:g1].copy(), level=level[g0:g1].astype(str), evicted=bool(evicted))
    return out


def _table_to_json(table: pd.DataFrame) -> dict[str, Any]:
    """A table as JSON columns, each with its kind (date as YYYY-MM-DD, bool, int, float, text; null = missing)."""
    columns = {}
    for name in table.columns:
        values = table[name]
        if pd.api.types.is_datetime64_any_dtype(values):
            kind, data = "date", [None if pd.isna(v) else str(pd.Timestamp(v).date()) for v in values]
        elif pd.api.types.is_bool_dtype(values):
            kind, data = "bool", [bool(v) for v in values]
        elif pd.api.types.is_integer_dtype(values):
            kind, data = "int", [int(v) for v in values]
        elif pd.api.types.is_float_dtype(values):
            kind, data = "float", [None if pd.isna(v) else float(v) for v in values]
        else:
            kind, data = "text", [None if pd.isna(v) else str(v) for v in values]
        columns[str(name)] = {"kind": kind, "values": data}
    return {"columns": columns}


def _table_from_json(obj: Mapping[str, Any]) -> pd.DataFrame:
    out: dict[str, Any] = {}
    for name, col in obj["columns"].items():
        kind, values = col["kind"], col["values"]
        if kind == "date":
            out[name] = pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[ns]")
        elif kind == "bool":
            out[name] = np.array(values, dtype=bool)
        elif kind == "int":
            out[name] = np.array(values, dtype=np.int64)
        elif kind == "float":
            out[name] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        else:
            out[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(out)


def _days_frame(days: pd.DataFrame | Mapping[str, Any] | None, pt: PlayerType) -> pd.DataFrame:
    """League counts per (season, day) in scoring.league_days' columns, one dtype each (float64 counts);
    a day may hold several rows (appended twice: league_to_date sums them all)."""
    columns = [OPPORTUNITY[pt], *TARGET_STATS[pt]]
    days = days if days is not None else {"season": [], "day": [], **{c: [] for c in columns}}
    return pd.DataFrame({"season": np.asarray(days["season"]).astype(np.int64),
                         "day": np.asarray(days["day"]).astype("datetime64[D]").astype("datetime64[s]"),
                         **{c: np.asarray(days[c], dtype=np.float64) for c in columns}})


def _days_array(days: pd.DataFrame, pt: PlayerType) -> np.ndarray:
    """[rows, 2 + counts] float64: season, day (days since 1970), the counts (`_days_from_array`)."""
    day = days["day"].to_numpy().astype("datetime64[D]").astype(np.int64)
    return np.column_stack([days["season"].to_numpy(np.float64), day.astype(np.float64),
                            days[[OPPORTUNITY[pt], *TARGET_STATS[pt]]].to_numpy(np.float64)])


def _days_from_array(values: np.ndarray, pt: PlayerType) -> pd.DataFrame:
    values = np.asarray(values, np.float64).reshape(-1, 3 + len(TARGET_STATS[pt]))
    columns = [OPPORTUNITY[pt], *TARGET_STATS[pt]]
    return _days_frame({"season": values[:, 0], "day": values[:, 1].astype(np.int64).astype("datetime64[D]"),
                        **{c: values[:, 2 + j] for j, c in enumerate(columns)}}, pt)
