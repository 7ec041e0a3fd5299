"""Statcast pitch-event schema: Baseball Savant's own column names and the kinds of value they hold.

A real Savant CSV export, a pybaseball `statcast()` / `statcast_batter()` / `statcast_pitcher()`
DataFrame (or its CSV, with the unnamed index column pybaseball writes first) and the simulator's
output all go through the one loader in this module.

Columns. Every vintage since 2015 loads:
  REQUIRED_COLUMNS  must be present (a file without one is refused, naming it): the keys, the
                    outcome, the handedness and every field the featurizer reads that all vintages
                    carry. Their values may be missing (NaN) unless listed in REQUIRED_NON_NULL.
  OPTIONAL_COLUMNS  may be absent (then loaded as all-missing): `delta_run_exp` (not in exports
                    before Savant added it, e.g. a 2020 pybaseball frame) and columns some files
                    lack, each read where present: `type`, `inning_topbot`, `home_team` /
                    `away_team` (a game held by both sources is found by its date and home team),
                    `game_type`, `hit_location` (the fielder who first touched a ball in play; the
                    batters' speed rates read it: hfm_runtime.skills), and
                    `responsible_batter` / `responsible_pitcher` / `batter_position` (HFM's, not
                    Savant's: see STATCAST_COLUMNS). Where `batter_position` is missing and the
                    rows have Savant's `fielder_2` .. `fielder_9`, `load_pitches` fills it from them
                    over all its rows (`with_batter_positions`) and drops them; any other column
                    (bat tracking, `des`, the unnamed index, ...) is ignored.
Values: `stand` and `p_throws` must be L or R; `game_pk`, `pitcher` and `batter` positive whole
numbers. Unknown `description`, `events` and `pitch_type` codes load as they are (the featurizer
maps codes it has not seen to <UNK>, hfm_runtime.seasons counts unknown events as a PA "OTHER", of
which a History, a store's append and the import warn, by name: seasons.unknown_events).

Rows. `game_type` selects the games: regular season ("R") only by default; `game_types` keeps others
(Savant: S spring, E exhibition, A all-star, F wild card, D division series, L league championship,
W World Series). A row with no game_type (or a source without the column) counts as regular season.
Rows repeating a (game_pk, at_bat_number, pitch_number) key, as overlapping downloads give, are
counted in a `StatcastWarning` and dropped (the first kept) by `hfm-train import`, `hfm-score`,
`load_league` and `load_pitches(..., duplicates="drop")`. Rows whose count before the pitch is outside
0-3 balls or 0-2 strikes (IMPOSSIBLE_COUNT: a few of Savant's rows are) are dropped wherever rows load,
counted (LoadCounts) and named in a `StatcastWarning` and `hfm-train import`'s report; so is a game
whose rows carry more than one date, which takes its first (`one_date_per_game`).
"""

from __future__ import annotations

import importlib
import os
import warnings
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError

# column -> kind. "int"/"float" may be missing (NaN) unless listed in REQUIRED_NON_NULL.
STATCAST_COLUMNS: dict[str, str] = {
    "game_pk": "int",
    "game_date": "date",
    "pitcher": "int",
    "batter": "int",
    "pitch_type": "str",
    "release_speed": "float",
    "release_spin_rate": "float",
    "release_extension": "float",
    "pfx_x": "float",
    "pfx_z": "float",
    "plate_x": "float",
    "plate_z": "float",
    "balls": "int",
    "strikes": "int",
    "outs_when_up": "int",
    "inning": "int",
    "inning_topbot": "str",
    "on_1b": "float",  # runner's player id, NaN when the base is empty
    "on_2b": "float",
    "on_3b": "float",
    "stand": "str",
    "p_throws": "str",
    "description": "str",
    "type": "str",
    "events": "str",  # set only on the pitch that ends the plate appearance
    "bb_type": "str",
    "hit_location": "float",  # the fielder (1-9) who first touched a ball in play
    "launch_speed": "float",
    "launch_angle": "float",
    "hit_distance_sc": "float",
    "estimated_woba_using_speedangle": "float",
    "delta_run_exp": "float",
    "at_bat_number": "int",
    "pitch_number": "int",
    "bat_score": "int",
    "fld_score": "int",
    "home_team": "str",
    "away_team": "str",
    "game_type": "str",
    # Not Savant's: who is charged with a plate appearance (on its last pitch) where the official
    # scoring rules charge someone else than who batted or pitched (hfm_train.retrosheet writes
    # them; a Statcast file has neither, and every row counts for its own batter and pitcher).
    "responsible_batter": "float",
    "responsible_pitcher": "float",
    # Not Savant's: the batter's fielding position when he batted, numbered as below.
    # hfm_train.retrosheet writes it from the lineups; rows without it get it from their fielder_2
    # .. fielder_9 columns (`with_batter_positions`); NaN where neither says.
    "batter_position": "float",
}
# batter_position: 1 pitcher .. 9 right field (Retrosheet's and Savant's numbering),
# DESIGNATED_HITTER, PINCH_HITTER
DESIGNATED_HITTER, PINCH_HITTER = 10, 11
# Savant's fielding team at the pitch, catcher .. right fielder (MLBAM ids): read only to derive
# batter_position, never kept
FIELDER_COLUMNS: tuple[str, ...] = tuple(f"fielder_{k}" for k in range(2, 10))

# Absent in some vintages (delta_run_exp) or in some files (OPTIONAL_COLUMNS in the module docstring): loaded as
# missing when absent.
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "delta_run_exp", "type", "inning_topbot", "home_team", "away_team", "game_type",
    "responsible_batter", "responsible_pitcher", "hit_location", "batter_position",
)
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c for c in STATCAST_COLUMNS if c not in OPTIONAL_COLUMNS)

REQUIRED_NON_NULL: tuple[str, ...] = (
    "game_pk", "game_date", "pitcher", "batter", "balls", "strikes", "outs_when_up", "inning",
    "at_bat_number", "pitch_number", "stand", "p_throws", "description",
)
ID_COLUMNS: tuple[str, ...] = ("game_pk", "pitcher", "batter")  # positive whole numbers
HANDS: tuple[str, ...] = ("L", "R")  # the values of `stand` and `p_throws`
MAX_ID = 2**53  # ids travel through float64 in places: keep them exact

# The count before a pitch is 0-3 balls and 0-2 strikes. Savant's exports hold a few rows past that
# (pybaseball issue #419: rows of one 2015 game with four balls and more, no pitch that was thrown):
# they are dropped and counted (LoadCounts), never read as a count.
MAX_BALLS, MAX_STRIKES = 3, 2
IMPOSSIBLE_COUNT = f"balls outside 0-{MAX_BALLS} or strikes outside 0-{MAX_STRIKES} before the pitch"

REGULAR_SEASON: tuple[str, ...] = ("R",)
GAME_TYPES: dict[str, str] = {
    "R": "regular season", "S": "spring training", "E": "exhibition", "A": "all-star game",
    "F": "wild card", "D": "division series", "L": "league championship series", "W": "World Series",
}

# Not a Statcast column: added by the loader from where the file came from (a real export is "MLB").
LEVEL_COLUMN = "level"
LEVELS: tuple[str, ...] = ("MLB", "AAA")
# Game ids of Retrosheet's games as hfm_train.retrosheet writes them (YYYYMMDD * 10**6 + ...): never an
# MLBAM game_pk (below 10**6), so a row's game_pk says which source it came from. Where the two sources
# hold the same game (same date and home team) under different ids, one copy is kept: Statcast's where
# it is whole (`one_copy_per_game`; a PlayerStore pairs them the same way and keeps the copy it took
# first, hfm_runtime.store).
RETROSHEET_GAME_PK_MIN = 10**12


def game_keys(rows: pd.DataFrame) -> list[tuple[int, int, str]]:
    """(game_pk, day since 1970, home team) of each MLB game of `rows` with a home team, in game_pk
    order (none without the column): what a Retrosheet game and Statcast's copy of it share. A game's
    first row speaks for it (its first row with a home team where that one has none)."""
    if "home_team" not in rows.columns or rows.empty:
        return []
    pk_rows = rows["game_pk"].to_numpy(np.int64)
    pks, first = np.unique(pk_rows, return_index=True)
    # the columns' values at those rows only, by position (a season holds ~2,400 games in ~700,000 rows)
    home = np.asarray(rows["home_team"].array.take(first), dtype=object)
    missing = np.flatnonzero(pd.isna(home))
    if len(missing):  # a game whose first row lacks it: its first row that has it
        named = np.flatnonzero(rows["home_team"].notna().to_numpy())
        named_pks, at = np.unique(pk_rows[named], return_index=True)
        where = dict(zip(named_pks.tolist(), named[at].tolist()))
        for i in missing:
            if int(pks[i]) in where:
                home[i] = rows["home_team"].iloc[where[int(pks[i])]]
    keep = np.array([isinstance(h, str) for h in home], dtype=bool)
    if LEVEL_COLUMN in rows.columns:
        levels = np.asarray(rows[LEVEL_COLUMN].array.take(first), dtype=object)
        keep &= np.array([isinstance(x, str) and x == "MLB" for x in levels], dtype=bool)  # a missing level is not
    dates = rows["game_date"].array.take(first)
    days = pd.to_datetime(np.asarray(dates)).to_numpy().astype("datetime64[D]").astype(np.int64)
    return list(zip(pks[keep].tolist(), days[keep].tolist(), home[keep].astype(str).tolist()))


WHOLE_COPY = 0.9  # a Statcast game holding fewer of the Retrosheet copy's plate appearances is a part of it
SAME_GAME = 0.5  # the share of a Statcast game's own plate appearances that make it a copy or a part of a game
_NO_PLAYS = np.zeros(0, np.uint64)
_MIXERS = tuple(np.uint64(k) for k in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9))


def play_keys(rows: pd.DataFrame, games: Iterable[int] | None = None) -> dict[int, np.ndarray]:
    """game_pk -> its ended plate appearances as sorted unique hashes of (batter, pitcher, inning):
    what two copies of a game share (both sources carry MLBAM ids), for `games` (default: every game of
    `rows`; selected here, column by column: a selection of the frame would copy all its columns).
    Repeated rows count once."""
    ended = rows["events"].notna().to_numpy()
    if games is not None:
        ended = ended & np.isin(rows["game_pk"].to_numpy(np.int64), np.fromiter(games, np.int64))
    if not ended.any():
        return {}
    hashed = np.zeros(int(ended.sum()), np.uint64)
    for column, odd in zip(("batter", "pitcher", "inning"), _MIXERS):  # ids are whole numbers below 2**53
        value = np.nan_to_num(np.asarray(rows[column].to_numpy()[ended], np.float64), nan=-1.0)
        hashed ^= value.astype(np.int64).view(np.uint64) * odd  # wraps around: a multiplicative hash
    pk = rows["game_pk"].to_numpy(np.int64)[ended]
    order = np.lexsort((hashed, pk))
    pk, hashed = pk[order], hashed[order]
    first = np.r_[True, (pk[1:] != pk[:-1]) | (hashed[1:] != hashed[:-1])]
    pk, hashed = pk[first], hashed[first]
    starts = np.flatnonzero(np.r_[True, pk[1:] != pk[:-1]])
    ends = np.r_[starts[1:], len(pk)].tolist()
    return {game: hashed[a:b] for game, a, b in zip(pk[starts].tolist(), starts.tolist(), ends)}


def pair_copies(statcast: Sequence[int], retrosheet: Sequence[int],
                plays: Mapping[int, np.ndarray]) -> list[tuple[int, int, bool]]:
    """The copies among one date and park's games (`game_keys`): (Statcast game_pk, Retrosheet game_pk,
    whole), in `statcast`'s order, for each Statcast game most of whose plate appearances (`play_keys`,
    at least SAME_GAME of them) are in a Retrosheet game: the other game of a doubleheader shares a
    few (a reliever facing the same batter in the 8th of both games: 117 of 628 doubleheaders of
    2000-2021), a file of some players' pitches all of its own. The pairs with the most plate
    appearances in common are taken first, each game once. whole: the Statcast game holds at least
    WHOLE_COPY of the Retrosheet game's plate appearances (else it is a part)."""
    shared = []
    for i, s in enumerate(statcast):
        own = plays.get(s, _NO_PLAYS)
        for r in retrosheet:
            n = len(np.intersect1d(own, plays.get(r, _NO_PLAYS), assume_unique=True))
            if n and n >= SAME_GAME * len(own):
                shared.append((-n, i, s, r))
    pairs, taken = [], set()
    for minus_n, i, s, r in sorted(shared):
        if s not in taken and r not in taken:
            taken.update((s, r))
            pairs.append((i, s, r, -minus_n >= WHOLE_COPY * len(plays.get(r, _NO_PLAYS))))
    return [(s, r, whole) for _, s, r, whole in sorted(pairs)]


def places(keys: Iterable[tuple[int, int, str]]) -> dict[tuple[int, str], tuple[list[int], list[int]]]:
    """(day, home team) -> ([its Statcast game_pks], [its Retrosheet game_pks]), of `game_keys`."""
    out: dict[tuple[int, str], tuple[list[int], list[int]]] = {}
    for pk, day, home in keys:
        out.setdefault((day, home), ([], []))[pk >= RETROSHEET_GAME_PK_MIN].append(pk)
    return out


@dataclass(frozen=True)
class CopiesDropped:
    """What `one_copy_per_game` dropped: Retrosheet games whose whole Statcast copy was kept, Statcast
    games held in part (a statcast_batter() file) whose Retrosheet copy was kept whole, and a season
    where MLB Statcast rows without a home team shared a season with Retrosheet's games (they cannot
    be matched)."""

    replaced: int = 0
    partial: int = 0
    unmatched_season: int | None = None


def one_copy_per_game(pitches: pd.DataFrame) -> tuple[pd.DataFrame, CopiesDropped]:
    """`pitches` with one copy of each MLB game both sources hold (`pair_copies` on each date and
    park's games): Statcast's where it is whole, else Retrosheet's (a file of one batter's or one
    pitcher's pitches would otherwise take the game from everyone else in it)."""
    pks = pitches["game_pk"].to_numpy(np.int64)
    retro = pks >= RETROSHEET_GAME_PK_MIN
    if retro.all() or not retro.any():
        return pitches, CopiesDropped()
    keys = game_keys(pitches)
    named = np.fromiter((pk for pk, _, _ in keys), np.int64, len(keys))
    mlb = (pitches[LEVEL_COLUMN] == "MLB").to_numpy(dtype=bool, na_value=False) if LEVEL_COLUMN in pitches.columns \
        else np.ones(len(pks), bool)
    seasons = pd.DatetimeIndex(pitches["game_date"]).year.to_numpy()
    unnamed = ~retro & mlb & ~np.isin(pks, named)
    shared = sorted(set(seasons[unnamed].tolist()) & set(seasons[retro].tolist())) if unnamed.any() else []
    unmatched = shared[0] if shared else None
    both = [(st, rs) for st, rs in places(keys).values() if st and rs]
    if not both:
        return pitches, CopiesDropped(unmatched_season=unmatched)
    plays = play_keys(pitches, (pk for st, rs in both for pk in st + rs))
    drop, partial = [], 0
    for statcast, retrosheet in both:
        for s, r, whole in pair_copies(statcast, retrosheet, plays):
            drop.append(r if whole else s)
            partial += not whole
    if not drop:
        return pitches, CopiesDropped(unmatched_season=unmatched)
    kept = ~np.isin(pks, np.asarray(drop, dtype=np.int64))
    return (pitches[kept].reset_index(drop=True),
            CopiesDropped(len(drop) - partial, partial, unmatched))


# --- loader ---------------------------------------------------------------------------------------
# pandas' own text dtype (NaN = missing) where this pandas has it (2.3+), else plain objects.
try:
    TEXT_DTYPE: object = pd.StringDtype(na_value=np.nan)
except TypeError:  # pandas < 2.3
    TEXT_DTYPE = object
SORT_KEYS: tuple[str, ...] = ("game_pk", "at_bat_number", "pitch_number")
CSV_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zip")
PARQUET_SUFFIXES: tuple[str, ...] = (".parquet", ".pq")

# what an error on a Retrosheet file or folder given as Statcast adds
RETROSHEET_HINT = (" (a Retrosheet season is imported first: hfm-train import FILE --register ... --out DIR, then "
                   "--league DIR)")

PathLike = str | os.PathLike
PitchSource = PathLike | pd.DataFrame | Sequence[PathLike] | Mapping[str, object]
GameTypes = Sequence[str] | None
Duplicates = Literal["drop", "warn", "keep"]


class StatcastWarning(UserWarning):
    """Something the loader fixed on its own (duplicate rows dropped); the message says what."""


@dataclass
class LoadCounts:
    """What happened to the rows read: how many, and how many were left out and why."""

    rows: int = 0  # data rows read
    other_game_types: Counter = field(default_factory=Counter)  # game_type -> rows left out
    duplicates: int = 0  # rows dropped for repeating a (game_pk, at_bat_number, pitch_number)
    # rows dropped for a count no pitch is thrown in (IMPOSSIBLE_COUNT), how many of them carried the
    # plate appearance's `events`, and where the first was (file and row)
    impossible_counts: int = 0
    impossible_events: int = 0
    impossible_example: str = ""
    # games whose rows carried more than one date, moved to their first (`one_date_per_game`), and the first
    split_games: int = 0
    split_example: str = ""
    # games both sources hold (`one_copy_per_game`): Retrosheet's dropped for Statcast's whole copy, and
    # Statcast's dropped for being a part of the game; a season where Statcast rows had no home team
    copies_replaced: int = 0
    copies_partial: int = 0
    unmatched_season: int | None = None

    def add(self, other: LoadCounts) -> None:
        self.rows += other.rows
        self.other_game_types.update(other.other_game_types)
        self.duplicates += other.duplicates
        self.impossible_counts += other.impossible_counts
        self.impossible_events += other.impossible_events
        self.impossible_example = self.impossible_example or other.impossible_example
        self.split_games += other.split_games
        self.split_example = self.split_example or other.split_example
        self.copies_replaced += other.copies_replaced
        self.copies_partial += other.copies_partial
        self.unmatched_season = self.unmatched_season or other.unmatched_season

    def describe_left_out(self) -> str:
        return ", ".join(f"{n} of game_type {t}" for t, n in sorted(self.other_game_types.items()))

    def describe_none_kept(self, game_types: GameTypes, hint: str = "pass game_types to keep them") -> str:
        """Why no row was kept: the game types left out (`hint` says how to keep them), the impossible
        counts dropped."""
        kept = f" of game_type {', '.join(game_types)}" if game_types else ""
        why = [f"left out {self.describe_left_out()}; {hint}"] if self.other_game_types else []
        why += [self.describe_impossible()] if self.impossible_counts else []
        return f"no rows{kept}" + (f" ({'; '.join(why)})" if why else "")

    def describe_impossible(self) -> str:
        """One line on the rows dropped for an impossible count ("" when none)."""
        if not self.impossible_counts:
            return ""
        n, k = self.impossible_counts, self.impossible_events
        return (f"{n:,} pitch row{'' if n == 1 else 's'} with a count no pitch is thrown in ({IMPOSSIBLE_COUNT}) "
                f"dropped, {k:,} of them ending a plate appearance (its outcome is then not counted); "
                f"first: {self.impossible_example}")

    def describe_copies(self) -> str:
        """One line on the games both sources held ("" when none)."""
        said = []
        if self.copies_replaced or self.copies_partial:
            said.append(f"games held by both Retrosheet's and Statcast's rows (same date and home team): "
                        f"{self.copies_replaced:,} kept as Statcast's, {self.copies_partial:,} as Retrosheet's "
                        "(Statcast's rows held only part of the game: a batter's or a pitcher's own pitches)")
        if self.unmatched_season is not None:
            said.append(f"Statcast rows without home_team in {self.unmatched_season}, a season Retrosheet's games "
                        "are in too: a game both hold cannot be found and counts twice (Savant's files have "
                        "home_team)")
        return "; ".join(said)

    def describe_split(self) -> str:
        """One line on the games moved to one date ("" when none)."""
        if not self.split_games:
            return ""
        n = self.split_games
        return (f"{n:,} game{'' if n == 1 else 's'} (one game_pk) with rows on more than one date: each dated by its "
                f"first, as Savant dates a resumed game; first: {self.split_example}")


def load_pitches(
    source: PitchSource,
    level: str | None = "MLB",
    game_types: GameTypes = REGULAR_SEASON,
    duplicates: Duplicates = "drop",
    counts: LoadCounts | None = None,
) -> pd.DataFrame:
    """Load and validate Statcast pitch events.

    `source` is a file (CSV, compressed CSV or Parquet), a folder of such files, a list of files, a
    DataFrame with Baseball Savant / pybaseball column names, or a mapping {level: any of those}
    (several levels in one frame; `level` is then ignored). Every problem is one `HFMInputError`
    naming the file, the column and the first bad row (1-based data row; CSV line number as well).
    `game_types`: the game_type codes kept (default regular season; None keeps every row).
    `duplicates`: rows repeating a (game_pk, at_bat_number, pitch_number) key (overlapping downloads)
    are "drop"ped (the default; the first is kept) with a `StatcastWarning` counting them, or kept
    with that warning ("warn"), or kept silently ("keep"). Rows with an impossible count
    (IMPOSSIBLE_COUNT) are always dropped, and a game whose rows carry several dates is dated by its
    first (`one_date_per_game`), each with a `StatcastWarning` counting them and naming the first.
    `counts` (if given) adds up what the load met.

    Returns exactly STATCAST_COLUMNS plus `level`, with normalised dtypes: "int" columns in
    REQUIRED_NON_NULL as int64, other "int" and all "float" columns as float64 (NaN = missing),
    `game_date` as datetime64[ns] at midnight, "str" columns as TEXT_DTYPE (pandas' `str` dtype:
    Arrow-backed where pyarrow is installed, NaN for missing, "" counts as missing; several times
    faster and smaller than Python objects; test for missing text with isna()). Absent optional
    columns are all-missing; extra columns are dropped. Rows are sorted by game_pk, at_bat_number,
    pitch_number (stable). `level` tags every row; with level=None a DataFrame source must carry
    its own.
    """
    if duplicates not in ("drop", "warn", "keep"):
        raise HFMInputError(f"duplicates must be 'drop', 'warn' or 'keep', got {duplicates!r}")
    given, counts = counts, LoadCounts()
    if isinstance(source, Mapping):  # {level: source}: several levels, sorted once
        parts = [_load_unsorted(part, lvl, game_types, counts) for lvl, part in source.items()]
        if not parts:
            raise HFMInputError("no Statcast files given")
        pitches = _concat(parts)
        name = "pitches"
    else:
        pitches = _load_unsorted(source, level, game_types, counts)
        name = _describe(source)
    if pitches.empty:
        raise HFMInputError(f"{name}: {counts.describe_none_kept(game_types)}")
    pitches = _sorted(pitches)
    repeat = _repeats(pitches)
    # positions from each pitch once: a repeated part of a game would outvote the rest (a walkthrough
    # saw a second baseman become a shortstop from 50 repeated rows, dropped as duplicates after)
    pitches, counts.split_games, counts.split_example = one_date_per_game(with_batter_positions(pitches, ~repeat))
    counts.duplicates = int(repeat.sum())
    if duplicates == "drop" and counts.duplicates:
        pitches = pitches[~repeat].reset_index(drop=True)
    if counts.duplicates and duplicates != "keep":
        warnings.warn(duplicates_message(name, counts.duplicates, dropped=duplicates == "drop"),
                      StatcastWarning, stacklevel=2)
    pitches, copies = one_copy_per_game(pitches)  # Retrosheet's and Statcast's rows of one game: one copy
    counts.copies_replaced, counts.copies_partial = copies.replaced, copies.partial
    counts.unmatched_season = copies.unmatched_season
    for line in (counts.describe_impossible(), counts.describe_split(), counts.describe_copies()):
        if line:
            warnings.warn(f"{name}: {line}", StatcastWarning, stacklevel=2)
    if given is not None:
        given.add(counts)
    return pitches


def duplicates_message(name: str, n: int, dropped: bool = True) -> str:
    what = "dropped" if dropped else "kept (pass duplicates='drop' to drop them)"
    return (f"{name}: {n} duplicate pitch row(s) (same game_pk, at_bat_number, pitch_number) {what}")


def _describe(source: object) -> str:
    """How errors and warnings name a source: the DataFrame, the file(s), or "pitches"."""
    if isinstance(source, pd.DataFrame):
        return "<DataFrame>"
    if isinstance(source, (str, os.PathLike)):
        return str(source)
    if isinstance(source, Sequence) and source and all(isinstance(s, (str, os.PathLike)) for s in source):
        names = [str(s) for s in source]
        return ", ".join(names[:3]) + (f" (and {len(names) - 3} more)" if len(names) > 3 else "")
    return "pitches"


def check_loaded(pitches: pd.DataFrame) -> None:
    """Refuse rows that did not come through `load_pitches` (a raw pybaseball frame given a `level`
    column by hand): its dates would be text (scoring then failed on a comparison) and Savant's
    fielder_2 .. fielder_9 would never become `batter_position` (the batters' ridge then read no
    position, and moved their rates without a word)."""
    fix = "load the rows with hfm_runtime.statcast.load_pitches"
    dates = pitches["game_date"] if "game_date" in pitches.columns else None
    if dates is not None and dates.dtype.kind != "M" and not (  # Timestamps in an object column (a concat's) read as dates
            dates.dtype == object and len(dates) and isinstance(dates.iloc[0], pd.Timestamp)):
        raise HFMInputError(f"pitches: column game_date holds {dates.dtype}, not dates: {fix}")
    raw = [c for c in FIELDER_COLUMNS if c in pitches.columns]
    if raw or "batter_position" not in pitches.columns:
        raise HFMInputError(f"pitches: {'Savant columns ' + ', '.join(raw) + ' present' if raw else 'no batter_position'}"
                            f" (where each batter fielded, read from fielder_2 .. fielder_9): {fix}")


def check_level(level: object) -> None:
    """A level name as the league and Marcel read it: 'MLB' exactly for major-league games ('mlb' or
    'MLB ' would count no game as MLB, and Marcel would read none of the data), other levels (AAA, ...)
    named without spaces around (a league folder imported with another level's lower-case name still
    loads: its games are not major-league ones either way)."""
    if not isinstance(level, str) or not level or level != level.strip():
        raise HFMInputError(f"level must be a non-empty name such as 'MLB' or 'AAA', got {level!r}")
    if level.upper() == LEVELS[0] and level != LEVELS[0]:
        raise HFMInputError(f"level {level!r}: major-league games are level {LEVELS[0]!r} exactly (Marcel and the "
                            "profiles read no other level as major-league)")


def _load_unsorted(source: PitchSource, level: str | None, game_types: GameTypes,
                   counts: LoadCounts) -> pd.DataFrame:
    if level is not None:
        check_level(level)
    if isinstance(source, pd.DataFrame):
        frames = [normalise_pitches(source, "<DataFrame>", keep_level=level is None,
                                    game_types=game_types, counts=counts)]
    else:
        if level is None:
            raise HFMInputError("level=None needs a DataFrame source with a 'level' column")
        frames = [_read_file(path, game_types, counts) for path in expand_sources(source)]
    pitches = _concat(frames)
    if level is not None:
        pitches[LEVEL_COLUMN] = pd.Series(level, index=pitches.index, dtype=TEXT_DTYPE)
    return pitches


def expand_sources(source: PathLike | Sequence[PathLike]) -> list[Path]:
    """Files named by `source` (a file, a folder, or a list of them); a folder gives its own
    .csv(.gz)/.parquet files, sorted by name (not its subfolders)."""
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    if not items:
        raise HFMInputError("no Statcast files given")
    paths: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and _kind(p) is not None)
            if not found:
                events = any(p.suffix.lower() in (".evn", ".eva") for p in path.iterdir())
                raise HFMInputError(f"{path}: folder holds no .csv, .csv.gz or .parquet files"
                                    + (RETROSHEET_HINT if events else ""))
            paths.extend(found)
        else:
            paths.append(path)
    return paths


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    return None


def _read_file(path: Path, game_types: GameTypes, counts: LoadCounts) -> pd.DataFrame:
    return _concat(list(read_pitch_chunks(path, game_types=game_types, counts=counts)))


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames of normalised pitches as one (empty ones left out: they would widen int64 columns)."""
    full = [f for f in frames if len(f)] or frames[:1]
    if not full:
        return normalise_pitches(pd.DataFrame({c: [] for c in REQUIRED_COLUMNS}), "", allow_empty=True)
    return full[0] if len(full) == 1 else pd.concat(full, ignore_index=True)


def read_pitch_chunks(
    path: PathLike,
    game_types: GameTypes = REGULAR_SEASON,
    chunk_rows: int | None = None,
    counts: LoadCounts | None = None,
) -> Iterator[pd.DataFrame]:
    """One Statcast file as normalised frames (`normalise_pitches`; no `level`, not sorted, not
    deduplicated, FIELDER_COLUMNS kept where the file has them) of at most `chunk_rows` rows read
    each (default: the whole file at once), so a large file never sits in memory whole. Errors name the row within the file. `counts` (if given)
    adds up the rows read and left out. Chunks left with no rows are skipped; a file with no data
    rows at all is an error."""
    path = Path(path)
    if not path.is_file():
        raise HFMInputError(f"{path}: no such file")
    kind = _kind(path)
    if kind is None:
        hint = RETROSHEET_HINT if path.suffix.lower() in (".zip", ".evn", ".eva") else ""
        raise HFMInputError(f"{path}: unknown file type (expected .csv, .csv.gz or .parquet){hint}")
    if path.stat().st_size == 0:
        raise HFMInputError(f"{path}: file is empty")
    counts = LoadCounts() if counts is None else counts
    raws = _raw_chunks(path, kind, chunk_rows)
    order = DateOrder(str(path), kind == "csv", lambda col: _read_column(path, kind, col))
    read = 0
    while True:
        try:
            raw = next(raws)
        except StopIteration:
            break
        except HFMInputError:
            raise
        except _READ_ERRORS as exc:
            raise _read_error(path, kind, exc) from None
        frame = normalise_pitches(raw, str(path), csv=kind == "csv", game_types=game_types, counts=counts,
                                  allow_empty=True, first_row=read, date_order=order)
        read += len(raw)
        if len(frame):
            yield frame
    if read == 0:
        raise HFMInputError(f"{path}: no rows")


def _raw_chunks(path: Path, kind: str, chunk_rows: int | None) -> Iterator[pd.DataFrame]:
    """The file's STATCAST_COLUMNS and FIELDER_COLUMNS as read (no conversion), `chunk_rows` rows at a time."""
    if kind == "csv":
        header = pd.read_csv(path, nrows=0).columns
        _check_columns(header, str(path))
        wanted = [c for c in (*STATCAST_COLUMNS, *FIELDER_COLUMNS) if c in set(header)]
        if chunk_rows is None:
            yield pd.read_csv(path, usecols=wanted, low_memory=False)
        else:
            yield from pd.read_csv(path, usecols=wanted, chunksize=chunk_rows, low_memory=False)
    else:
        file = parquet_file(path)
        names = file.schema_arrow.names
        _check_columns(names, str(path))
        wanted = [c for c in (*STATCAST_COLUMNS, *FIELDER_COLUMNS) if c in set(names)]
        if chunk_rows is None:
            yield file.read(columns=wanted).to_pandas()
        else:
            for batch in file.iter_batches(batch_size=chunk_rows, columns=wanted):
                yield batch.to_pandas()


# parser, arrow and gzip errors (pandas' ParserError and EmptyDataError are ValueErrors)
_READ_ERRORS = (ValueError, TypeError, OSError, EOFError, UnicodeDecodeError)


def _read_error(path: Path, kind: str, exc: Exception) -> HFMInputError:
    if isinstance(exc, pd.errors.EmptyDataError):
        return HFMInputError(f"{path}: file is empty")
    first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return HFMInputError(f"{path}: cannot read as {kind.upper()}: {first_line}")


def _read_column(path: Path, kind: str, col: str) -> pd.Series:
    """One column of a file as read (the date order's scan of the whole file: DateOrder)."""
    try:
        if kind == "csv":
            return pd.read_csv(path, usecols=[col], dtype=str)[col]
        return parquet_file(path).read(columns=[col]).column(0).to_pandas()
    except _READ_ERRORS as exc:  # a file damaged past the chunks read so far
        raise _read_error(path, kind, exc) from None


def parquet_file(path: str | Path):
    """pyarrow's ParquetFile of `path`, a damaged file one HFMInputError naming it (pyarrow's errors
    name no file)."""
    try:
        return parquet_module().ParquetFile(path)
    except (ValueError, OSError) as exc:  # ArrowInvalid is a ValueError
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HFMInputError(f"{path}: cannot read as PARQUET: {first_line}") from None


def parquet_module():  # lazy: pyarrow is an optional dependency of the runtime
    try:
        return importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise HFMInputError("reading Parquet needs pyarrow: pip install 'hfm-runtime[parquet]'") from None


def _check_columns(columns: Sequence[str], name: str) -> None:
    names = [str(c) for c in columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in set(names)]
    if missing and {"key_mlbam", "name_last"} <= set(names):  # a register among the pitch files (a download folder)
        raise HFMInputError(f"{name}: a Chadwick register (key_mlbam, name_last), not Statcast pitches: give it with "
                            "--register, and the pitch files alone")
    if missing:
        raise HFMInputError(f"{name}: missing column(s) {', '.join(missing)}")
    twice = [c for c in STATCAST_COLUMNS if names.count(c) > 1]
    if twice:
        raise HFMInputError(f"{name}: column {twice[0]} appears more than once")


def normalise_pitches(
    raw: pd.DataFrame,
    name: str,
    *,
    csv: bool = False,
    keep_level: bool = False,
    game_types: GameTypes = REGULAR_SEASON,
    counts: LoadCounts | None = None,
    allow_empty: bool = False,
    first_row: int = 0,
    date_order: DateOrder | None = None,
) -> pd.DataFrame:
    """Validate `raw` and return STATCAST_COLUMNS with normalised dtypes (see `load_pitches`), rows
    of other game types and rows with an impossible count (IMPOSSIBLE_COUNT; counted in `counts`) left
    out, in `raw`'s order; then FIELDER_COLUMNS where `raw` has all of them
    (`load_pitches` turns them into batter_position: `with_batter_positions`). Errors name `name`,
    the column and the row: 1-based, `first_row` + the position in `raw` (a chunk's first row within its file)."""
    _check_columns(raw.columns, name)
    if raw.empty and not allow_empty:
        raise HFMInputError(f"{name}: no rows")
    if keep_level and LEVEL_COLUMN not in raw.columns:
        raise HFMInputError(f"{name}: missing column {LEVEL_COLUMN} (needed with level=None)")
    counts = LoadCounts() if counts is None else counts
    counts.rows += len(raw)
    row_of = np.arange(first_row, first_row + len(raw))  # 0-based row within the file

    def where(col: str, bad: np.ndarray, problem: str) -> HFMInputError:
        i = int(np.flatnonzero(bad)[0])
        n = int(row_of[i])
        row = f"row {n + 1} (CSV line {n + 2})" if csv else f"row {n + 1}"
        value = raw[col].iloc[i]
        value = value.item() if isinstance(value, np.generic) else value
        missing = value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))  # NaN, NA, NaT
        shown = "" if missing else f" {value!r}"
        return HFMInputError(f"{name}: column {col}: {row}:{shown} {problem}")

    if game_types is not None and "game_type" in raw.columns:
        game_type = pd.Series(_text(raw["game_type"]))
        keep = (game_type.isna() | game_type.isin(list(game_types))).to_numpy(dtype=bool)
        if not keep.all():
            counts.other_game_types.update(game_type[~keep].tolist())
            raw, row_of = raw[keep], row_of[keep]

    out: dict[str, object] = {}
    for col, kind in STATCAST_COLUMNS.items():
        if col not in raw.columns:  # an optional column this vintage lacks
            out[col] = (np.full(len(raw), np.nan) if kind in ("int", "float")
                        else pd.array([np.nan] * len(raw), dtype=TEXT_DTYPE))
            continue
        s = raw[col]
        if kind in ("int", "float"):
            values = _numeric(s, col, where)
            if kind == "int":
                finite = np.isfinite(values)
                bad = np.zeros(len(values), bool)
                bad[finite] = values[finite] != np.round(values[finite])
                if bad.any():
                    raise where(col, bad, "is not a whole number")
                if np.isinf(values).any():
                    raise where(col, np.isinf(values), "is not a whole number")
            missing = np.isnan(values)
            if col in REQUIRED_NON_NULL:
                if missing.any():
                    raise where(col, missing, "is missing (required)")
                if col in ID_COLUMNS:
                    bad = (values <= 0) | (values >= MAX_ID)
                    if bad.any():
                        raise where(col, bad, "is not a positive id")
                elif kind == "int" and (np.abs(values) >= MAX_ID).any():
                    raise where(col, np.abs(values) >= MAX_ID, "is out of range")
                if kind == "int":
                    values = values.astype(np.int64)
            out[col] = values
        elif kind == "date":
            dates = _dates(s, col, where, date_order)
            if col in REQUIRED_NON_NULL and dates.isna().any():
                raise where(col, dates.isna().to_numpy(), "is missing (required)")
            out[col] = dates.to_numpy()
        else:
            text = _text(s)
            if col in REQUIRED_NON_NULL:
                missing = pd.isna(text)
                if missing.any():
                    raise where(col, missing, "is missing (required)")
            if col in ("stand", "p_throws"):
                bad = ~pd.Series(text).isin(HANDS).to_numpy(dtype=bool) & ~pd.isna(text)
                if bad.any():
                    raise where(col, bad, f"is not one of {', '.join(HANDS)}")
            out[col] = text
    if all(c in raw.columns for c in FIELDER_COLUMNS):  # kept for load_pitches' batter_position
        for col in FIELDER_COLUMNS:
            out[col] = _numeric(raw[col], col, where)
    frame = pd.DataFrame(out)
    if keep_level:
        frame[LEVEL_COLUMN] = _text(raw[LEVEL_COLUMN])
        if frame[LEVEL_COLUMN].isna().any():
            raise where(LEVEL_COLUMN, frame[LEVEL_COLUMN].isna().to_numpy(), "is missing (required)")
    balls, strikes = frame["balls"].to_numpy(), frame["strikes"].to_numpy()
    impossible = (balls < 0) | (balls > MAX_BALLS) | (strikes < 0) | (strikes > MAX_STRIKES)
    if impossible.any():
        i = int(np.flatnonzero(impossible)[0])
        n = int(row_of[i])
        counts.impossible_counts += int(impossible.sum())
        counts.impossible_events += int(frame["events"][impossible].notna().sum())
        counts.impossible_example = counts.impossible_example or (
            f"{name}: row {n + 1}{f' (CSV line {n + 2})' if csv else ''}: balls {balls[i]}, strikes {strikes[i]}")
        frame = frame[~impossible].reset_index(drop=True)
    return frame


def with_batter_positions(pitches: pd.DataFrame, counted: np.ndarray | None = None) -> pd.DataFrame:
    """`pitches` without FIELDER_COLUMNS, a missing batter_position filled from them first
    (`batter_positions`, over every row at once: a game split between two files or chunks reads
    the same as whole; `counted`: the rows whose fielders count, default all)."""
    if not any(c in pitches.columns for c in FIELDER_COLUMNS):
        return pitches
    if all(c in pitches.columns for c in FIELDER_COLUMNS):
        have = pitches["batter_position"].to_numpy(np.float64)
        if np.isnan(have).any():
            pitches = pitches.assign(batter_position=np.where(np.isnan(have), batter_positions(pitches, counted), have))
    return pitches.drop(columns=[c for c in FIELDER_COLUMNS if c in pitches.columns])


def batter_positions(raw: pd.DataFrame, counted: np.ndarray | None = None) -> np.ndarray:
    """float [N]: each row's batter_position from Savant's `pitcher` (1) and fielder_2 .. fielder_9 of
    the rows `counted` (bool [N], default all; load_pitches leaves out rows repeating a pitch): where
    the batter fielded most in that game's other half-innings (his team in the field). Where those
    rows are here and name him nowhere: DESIGNATED_HITTER if he was one of his team's first nine
    batters of the game (the starting lineup), PINCH_HITTER otherwise. NaN where the rows of his team
    in the field are not in `raw` (a file of his own plate appearances).

    One position per batter and game, his most-played, where Retrosheet's import writes the lineup's
    position at each plate appearance: a batter who moved in the field counts once here, at each
    position he batted from there; a pinch hitter who stays in to field without batting again counts
    at his new position here and as a pinch hitter there; a pinch hitter for the DH is a pinch
    hitter here and a DH there (chadwickpy moves him into the DH's place)."""
    n = len(raw)
    out = np.full(n, np.nan)
    if n == 0:
        return out
    game = pd.to_numeric(raw["game_pk"], errors="coerce").to_numpy(np.float64)
    batter = pd.to_numeric(raw["batter"], errors="coerce").to_numpy(np.float64)
    half = pd.Series(_text(raw["inning_topbot"]) if "inning_topbot" in raw.columns else [None] * n)
    top = half.str.lower().eq("top").to_numpy(bool)  # the away team bats
    known = half.notna().to_numpy(bool) & np.isfinite(game) & np.isfinite(batter)
    # the fielding team's pitcher (position 1: Savant's `pitcher`) and fielder_2 .. fielder_9
    fielders = np.column_stack([pd.to_numeric(raw[c], errors="coerce").to_numpy(np.float64)
                                for c in ("pitcher", *FIELDER_COLUMNS)])
    # (game, fielding side, fielder, position) of every fielder named; the home side (1) fields in a top half
    side = np.where(top, 1.0, 0.0)
    g, s, f = np.repeat(game, 9), np.repeat(side, 9), fielders.ravel()
    pos = np.tile(np.arange(1, 10, dtype=np.float64), n)
    ok = np.repeat(known if counted is None else known & counted, 9) & np.isfinite(f)
    named = pd.DataFrame({"game": g[ok], "side": s[ok], "player": f[ok], "pos": pos[ok]})
    most = (named.groupby(["game", "side", "player", "pos"]).size().rename("n").reset_index()
            .sort_values(["n", "pos"], ascending=[False, True]).drop_duplicates(["game", "side", "player"]))
    # a batter's side: the one that fields while the other bats
    bat_side = np.where(top, 0.0, 1.0)
    rows = pd.DataFrame({"game": game, "side": bat_side, "player": batter})
    found = rows.merge(most, on=["game", "side", "player"], how="left")["pos"].to_numpy(np.float64)
    # a side's fielding is known where a fielder column names someone (the pitcher alone says
    # nothing: a file whose fielder columns are empty knows no positions)
    sides = named.loc[named["pos"] >= 2, ["game", "side"]].drop_duplicates().assign(seen=True)
    seen = rows.merge(sides, on=["game", "side"], how="left")["seen"].eq(True).to_numpy(bool) & known
    # the starting lineup: a side's first nine batters by their first plate appearance
    at_bat = pd.to_numeric(raw["at_bat_number"], errors="coerce").to_numpy(np.float64)
    first = rows.assign(ab=at_bat).groupby(["game", "side", "player"])["ab"].min().rename("first").reset_index()
    first["order"] = first.groupby(["game", "side"])["first"].rank(method="first")
    order = rows.merge(first, on=["game", "side", "player"], how="left")["order"].to_numpy(np.float64)
    bench = np.where(order <= 9, float(DESIGNATED_HITTER), float(PINCH_HITTER))
    out[seen] = np.where(np.isfinite(found[seen]), found[seen], bench[seen])
    return out


def _numeric(s: pd.Series, col: str, where) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s):
        raise where(col, np.ones(len(s), bool), "is true/false, expected a number")
    if pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    values = pd.to_numeric(s, errors="coerce")
    if pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
        bad = np.ones(len(s), bool)  # e.g. a column of True/False strings
        raise where(col, bad, "is not a number")
    bad = (s.notna() & values.isna()).to_numpy()
    if bad.any():
        raise where(col, bad, "is not a number")
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _dates(s: pd.Series, col: str, where, order: DateOrder | None = None) -> pd.Series:
    """A date column as datetime64[ns] days (docs/statcast-import.md, "Columns"): dates, ISO 8601
    text, day-and-month numbers (`_numeric_dates`; `order` decides their order for a file read in
    chunks), or other text pandas reads ("April 22, 2024"). A value that is no date, or one outside
    years MIN_YEAR-MAX_YEAR, is an error naming its row."""
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(s):
        out = s.to_numpy().astype("datetime64[s]")
    elif pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        if s.notna().any():
            raise where(col, s.notna().to_numpy(), "is not a date")
        out = np.full(len(s), np.datetime64("NaT"), "datetime64[s]")  # a chunk of blank dates read as floats
    else:
        if s.dtype == object:  # datetime.date objects (a pybaseball frame's dates, say) or mixed values
            s = s.map(lambda v: None if v is pd.NaT else v.isoformat() if hasattr(v, "isoformat") else v)
        out = _seconds(_to_datetime(s, "ISO8601"))
        retry = s.notna().to_numpy() & np.isnat(out)
        if retry.any():  # e.g. 4/22/2024 from a spreadsheet; slower, so only for what ISO 8601 missed
            numeric = np.zeros(len(s), bool)
            numeric[retry] = _numeric_dates(s[retry], col, where, retry, out, order)
            rest = retry & ~numeric  # "April 22, 2024", "2024/04/22": no day and month to confuse
            if rest.any():
                out[rest] = _seconds(_to_datetime(s[rest], "mixed"))
    # seconds, not nanoseconds, until the years are checked: a year past 2262 would wrap around silently
    year = np.where(np.isnat(out), MIN_YEAR, out.astype("datetime64[Y]").astype(np.int64) + 1970)
    bad = s.notna().to_numpy() & (np.isnat(out) | (year < MIN_YEAR) | (year > MAX_YEAR))
    if bad.any():
        raise where(col, bad, "is not a date")
    return pd.Series(out.astype("datetime64[D]").astype("datetime64[ns]"), index=s.index)


MIN_YEAR, MAX_YEAR = 1871, 2200  # the first professional league's season; far enough ahead


_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})"  # a UTC offset after a time of day


def _to_datetime(s: pd.Series, format: str) -> pd.Series:
    """pd.to_datetime, missing where it reads no date; text with several UTC offsets (which pandas
    refuses) read at each value's own wall-clock time, the offsets dropped."""
    try:
        return pd.to_datetime(s, errors="coerce", format=format)
    except ValueError:  # "Mixed timezones detected"
        local = s.astype(str).str.replace(rf"(\d){_OFFSET}\s*$", r"\1", regex=True)
        return pd.to_datetime(local, errors="coerce", format=format)


def _seconds(parsed: pd.Series) -> np.ndarray:
    """pd.to_datetime's result as datetime64[s] (naive; NaT where it read none)."""
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    if not pd.api.types.is_datetime64_any_dtype(parsed):  # mixed time zones leave objects: none read
        return np.full(len(parsed), np.datetime64("NaT"), "datetime64[s]")
    return parsed.to_numpy().astype("datetime64[s]")


# day and month numbers, then the year (2 or 4 digits), and a time of day the date is read without
_NUMERIC_DATE = (r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})"
                 rf"(?:[ T]+\d{{1,2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?\s*{_OFFSET}?)?\s*$")
_AMBIGUOUS = "could be read day-first or month-first, and no date in the {} tells which: write dates as YYYY-MM-DD"


def _date_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Of the distinct `values` (no missing ones), in order of first appearance: (each value's index among
    them; which are day-and-month dates; their first number, second number and year; the position of
    each one's first appearance). A season holds a few hundred distinct dates in 700,000 rows."""
    codes, uniques = pd.factorize(values.astype(str))
    parts = pd.Series(uniques, dtype=object).str.extract(_NUMERIC_DATE)
    numeric = parts[0].notna().to_numpy()
    first, second, year = (parts[i][numeric].astype(np.int64).to_numpy() for i in range(3))
    year = np.where(year < 100, np.where(year < 69, 2000, 1900) + year, year)  # strptime's %y: 69-99 -> 19xx
    seen = np.unique(codes, return_index=True)[1]  # codes count up in order of appearance
    return codes, numeric, np.stack([first, second, year]), seen


def _day_first(first: np.ndarray, second: np.ndarray, fail, where: str) -> bool:
    """Whether day-and-month dates with these numbers are day-first: one above 12 in the first place
    says so, in the second month-first; `fail(i, problem)` is the error for the i-th where both orders
    appear, or neither shows and the two readings differ (03/09/2020: March 9 or September 3?). A row
    with both above 12 is no date either way (left to "is not a date")."""
    possible = ~((first > 12) & (second > 12))
    day, month = (first > 12) & possible, (second > 12) & possible
    if day.any() and month.any():
        at = max(int(np.argmax(day)), int(np.argmax(month)))  # the first of the order seen second
        seen = "month-first where other rows are day-first" if month[at] else "day-first where other rows are month-first"
        raise fail(at, f"is {seen}: write dates as YYYY-MM-DD")
    if not (day.any() or month.any()) and (first != second).any():
        raise fail(int(np.argmax(first != second)), _AMBIGUOUS.format(where))
    return bool(day.any())


class DateOrder:
    """Which order one file's day-and-month dates are in, decided once from its whole date column
    (read on first need, `read_column`): a file read in chunks would otherwise be read in one order
    in one chunk and in the other, or refused as ambiguous, in a chunk of days 1-12. Every row counts,
    of any game type (one file has one date format), where a DataFrame's order is read from the rows
    its game types keep."""

    def __init__(self, name: str, csv: bool, read_column) -> None:
        self.name, self.csv, self._read = name, csv, read_column
        self._day_first: bool | None = None

    def day_first(self, col: str) -> bool:
        if self._day_first is None:
            values = self._read(col).reset_index(drop=True)
            _, numeric, (first, second, _), seen = _date_numbers(values.dropna())
            rows = np.flatnonzero(values.notna().to_numpy())[seen[numeric]]  # each one's first row in the file

            def fail(i: int, problem: str) -> HFMInputError:
                n = int(rows[i])
                row = f"row {n + 1} (CSV line {n + 2})" if self.csv else f"row {n + 1}"
                return HFMInputError(f"{self.name}: column {col}: {row}: {values.iloc[n]!r} {problem}")

            self._day_first = _day_first(first, second, fail, "file")
        return self._day_first


def _numeric_dates(text: pd.Series, col: str, where, rows: np.ndarray, out: np.ndarray,
                   order: DateOrder | None = None) -> np.ndarray:
    """Dates written as day and month numbers (4/22/2024, 22.04.2024, "22/04/2024 0:00"), read into
    `out` at `rows`; which number is the month is read from the column (`_day_first`), or from the
    whole file (`order`). Returns which of `text` were such dates."""
    codes, numeric, (first, second, year), seen = _date_numbers(text)
    if not numeric.any():
        return numeric[codes]
    positions = np.flatnonzero(rows)  # text's positions in the column

    def fail(i: int, problem: str) -> HFMInputError:  # the i-th distinct date, at its first row
        mask = np.zeros(len(rows), bool)
        mask[positions[seen[numeric][i]]] = True
        return where(col, mask, problem)

    day_first = order.day_first(col) if order is not None else _day_first(first, second, fail, "column")
    month, day = (second, first) if day_first else (first, second)
    dates = np.full(len(numeric), np.datetime64("NaT"), "datetime64[s]")  # per distinct value
    iso = pd.Series([f"{y:04d}-{m:02d}-{d:02d}" for y, m, d in zip(year, month, day)])
    dates[numeric] = _seconds(pd.to_datetime(iso, errors="coerce", format="%Y-%m-%d"))
    rows_numeric = numeric[codes]
    out[positions[rows_numeric]] = dates[codes[rows_numeric]]
    return rows_numeric


def _text(s: pd.Series) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """Text values as TEXT_DTYPE, positionally (no index); NaN, None and "" are missing."""
    if not (pd.api.types.is_string_dtype(s) and not pd.api.types.is_object_dtype(s)):
        values = s.to_numpy(dtype=object, na_value=None, copy=True)
        present = ~pd.isna(values)
        if pd.api.types.infer_dtype(values[present], skipna=True) not in ("string", "empty"):
            values[present] = [str(v) for v in values[present]]  # codes read as numbers, say
        s = pd.Series(values, dtype=TEXT_DTYPE)
    s = s.astype(TEXT_DTYPE).reset_index(drop=True)
    empty = (s == "").to_numpy(dtype=bool, na_value=False)
    if empty.any():
        s = s.mask(empty)
    return s.array


def refuse_missing(rows: pd.DataFrame, col: str, where: str = "of the new games") -> None:
    missing = rows[col].isna().to_numpy()
    if missing.any():
        raise HFMInputError(f"pitches: column {col}: row {int(np.flatnonzero(missing)[0]) + 1} {where} is "
                            "missing (required; statcast.load_pitches checks every column)")


def refuse_not_integer(rows: pd.DataFrame, col: str, where: str = "of the new games") -> None:
    """An id column (batter, pitcher, game_pk) whose values are not whole numbers: one error naming the
    column and row (a walkthrough's text ids got numpy's bare "invalid literal for int()"). Integer
    columns pass at once; floats must be whole; text must read as an integer ("600152", not
    "600152.0", which the int64 read later refuses); booleans are refused."""
    values = rows[col]
    kind = getattr(values.dtype, "kind", "O")
    if kind in "iu":
        return
    present = values.notna().to_numpy()  # a missing id is refuse_missing's to name
    if kind == "b":
        bad = present
    elif kind == "f":
        numbers = values.to_numpy(np.float64, na_value=np.nan)
        bad = present & (~np.isfinite(numbers) | (numbers != np.round(numbers)))
    else:
        def whole(v: Any) -> bool:
            if isinstance(v, (bool, np.bool_)):
                return False
            if isinstance(v, (int, np.integer)):
                return True
            if isinstance(v, (float, np.floating)):
                return bool(np.isfinite(v) and v == round(v))
            return isinstance(v, str) and v.strip().lstrip("+-").isdecimal()

        bad = present & ~np.fromiter((whole(v) for v in values.astype(object)), bool, len(values))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        shown = values.iloc[row]
        shown = shown.item() if isinstance(shown, np.generic) else shown
        raise HFMInputError(f"pitches: column {col}: row {row + 1} {where} is {shown!r}, not a whole-number "
                            "id (MLBAM ids and game_pk are integers; statcast.load_pitches checks every column)")


def check_rows(pitches: pd.DataFrame, where: str, why: str) -> None:
    """Refuse loaded pitch rows edited after `load_pitches` (which checks every column) in a way that
    would score silently wrong: a missing or non-integer id (`batter`, `pitcher`; text ids matched no
    player and a History turned every player of that type into a fallback), a hand other than L or R
    (a lower-case "r" moved a batter's rates). `where` names the rows, `why` what is at stake."""
    for col in ("batter", "pitcher"):
        refuse_missing(pitches, col, where)
        refuse_not_integer(pitches, col, where)
    for col in ("stand", "p_throws"):
        if col in pitches.columns:
            bad = (~pitches[col].isin(HANDS) & pitches[col].notna()).to_numpy(dtype=bool)
            if bad.any():
                raise HFMInputError(f"pitches: column {col}: {pitches[col].iloc[int(np.flatnonzero(bad)[0])]!r} is not "
                                    f"one of {', '.join(HANDS)} ({int(bad.sum())} rows {where}): {why}")


def drop_duplicate_pitches(pitches: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """`pitches` sorted by SORT_KEYS (stable: rows of one key keep their order) with each key's first
    row only, and how many rows were dropped (`in_pitch_order`, on a new 0..n-1 index)."""
    kept, dropped = in_pitch_order(pitches)
    return kept.reset_index(drop=True), dropped


def in_pitch_order(pitches: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """`pitches` sorted by SORT_KEYS (stable) without the rows that repeat a key, and how many were
    dropped; the frame itself where it is sorted and repeats nothing (a league folder's rows: no copy of
    15M rows). A History reads its rows in this order (a review found a shuffled league's strikeout
    rates up to .05 off); `drop_duplicate_pitches` also renumbers the index."""
    if not _ordered(pitches):
        pitches = pitches.sort_values(list(SORT_KEYS), kind="stable")
    repeat = _repeats(pitches)
    if not repeat.any():
        return pitches, 0
    return pitches[~repeat], int(repeat.sum())


def one_date_per_game(pitches: pd.DataFrame) -> tuple[pd.DataFrame, int, str]:
    """Pitches sorted by game_pk with every game's rows on the game's first date, how many games that
    moved, and the first of them. Savant dates a suspended game's resumption by the day it began
    (pybaseball issue #361); rows of one game on two dates would make it two games of each player's
    game lines, and an as-of date would cut it in two."""
    if pitches.empty:
        return pitches, 0, ""
    pk = pitches["game_pk"].to_numpy(np.int64)
    day = pitches["game_date"].to_numpy().astype("datetime64[D]").astype(np.int64)
    starts = np.flatnonzero(np.r_[True, pk[1:] != pk[:-1]])
    first, last = np.minimum.reduceat(day, starts), np.maximum.reduceat(day, starts)
    split = np.flatnonzero(first != last)
    if not len(split):
        return pitches, 0, ""
    sizes = np.diff(np.r_[starts, len(pk)])
    pitches = pitches.assign(game_date=np.repeat(first, sizes).astype("datetime64[D]").astype("datetime64[ns]"))
    i = split[0]
    dates = np.array([first[i], last[i]]).astype("datetime64[D]")
    return pitches, len(split), f"game_pk {pk[starts[i]]}, {dates[0]} to {dates[1]}"


def _repeats(pitches: pd.DataFrame) -> np.ndarray:
    """Per row of sorted pitches: does it repeat the previous row's (game_pk, at_bat_number,
    pitch_number)?"""
    same = np.ones(max(len(pitches) - 1, 0), bool)
    for k in SORT_KEYS:
        values = pitches[k].to_numpy()
        same &= values[1:] == values[:-1]
    return np.r_[False, same] if len(pitches) else np.zeros(0, bool)


def _ordered(pitches: pd.DataFrame) -> bool:
    """Are the rows sorted by SORT_KEYS already (the simulator's files and league folders are)?"""
    if len(pitches) < 2:
        return True
    d0, d1, d2 = (np.diff(pitches[k].to_numpy()) for k in SORT_KEYS)
    return bool(np.all((d0 > 0) | ((d0 == 0) & (d1 > 0)) | ((d0 == 0) & (d1 == 0) & (d2 >= 0))))


def _sorted(pitches: pd.DataFrame) -> pd.DataFrame:
    if not _ordered(pitches):  # skip the sort where it would change nothing
        pitches = pitches.sort_values(list(SORT_KEYS), kind="stable")
    return pitches.reset_index(drop=True)
