"""Plate appearances, game lines and season lines, all counted from the same Statcast events.

Marcel, the stat profiles and the model's targets read these, so they all see one truth.

A plate appearance ends on the pitch whose `events` is set. Events that end an at-bat without a
plate appearance (caught stealing, pickoffs, `truncated_pa`, ...) keep a row with PA = 0 so that the
outs they record still count for the pitcher; an event this module does not know counts as a PA with
outcome OTHER (and nothing else), so new Statcast codes never crash a season; `unknown_events` names
them for the warnings of a History, a store's append and the import.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.statcast import LEVEL_COLUMN, TEXT_DTYPE, StatcastWarning
from hfm_runtime.targets import OPPORTUNITY, PA_OUTCOMES, TARGET_STATS, PlayerType

# Counts kept per plate appearance; `outs` are outs recorded on the play (the pitcher's).
PA_COUNTS: tuple[str, ...] = (
    "PA", "AB", "H", "1B", "2B", "3B", "HR", "BB", "IBB", "HBP", "SO", "SF", "outs",
)
BATTING_COLUMNS: tuple[str, ...] = ("PA", "AB", "H", "1B", "2B", "3B", "HR", "BB", "IBB", "HBP", "SO", "SF")
PITCHING_COLUMNS: tuple[str, ...] = ("BF", "outs", "H", "2B", "3B", "HR", "BB", "IBB", "HBP", "SO")
LINE_COLUMNS: dict[str, tuple[str, ...]] = {"batter": BATTING_COLUMNS, "pitcher": PITCHING_COLUMNS}
PA_KEYS: tuple[str, ...] = (
    "game_pk", "game_date", "season", LEVEL_COLUMN, "batter", "pitcher", "at_bat_number", "stand",
    "p_throws",
)
GAME_KEYS: tuple[str, ...] = ("player_id", "game_pk", "game_date", "season", LEVEL_COLUMN)
SEASON_KEYS: tuple[str, ...] = ("player_id", "season", LEVEL_COLUMN)

for _t in ("batter", "pitcher"):  # the targets' names must be columns of the season lines
    assert OPPORTUNITY[_t] in LINE_COLUMNS[_t] and set(TARGET_STATS[_t]) <= set(LINE_COLUMNS[_t])


def _hit(base: str) -> dict[str, int]:
    return {"PA": 1, "AB": 1, "H": 1, base: 1}


def _out(outs: int, **extra: int) -> dict[str, int]:
    return {"PA": 1, "AB": 1, "outs": outs, **extra}


# Statcast `events` -> (PA outcome, counts). Sacrifices and catcher's interference are PAs but not ABs.
PA_EVENTS: dict[str, tuple[str, dict[str, int]]] = {
    "single": ("1B", _hit("1B")),
    "double": ("2B", _hit("2B")),
    "triple": ("3B", _hit("3B")),
    "home_run": ("HR", _hit("HR")),
    "walk": ("BB", {"PA": 1, "BB": 1}),
    "intent_walk": ("BB", {"PA": 1, "BB": 1, "IBB": 1}),
    "hit_by_pitch": ("HBP", {"PA": 1, "HBP": 1}),
    "strikeout": ("SO", _out(1, SO=1)),
    "strikeout_double_play": ("SO", _out(2, SO=1)),
    "field_out": ("OUT", _out(1)),
    "force_out": ("OUT", _out(1)),
    "other_out": ("OUT", _out(1)),
    "batter_interference": ("OUT", _out(1)),
    "fielders_choice_out": ("OUT", _out(1)),
    "fielders_choice": ("OUT", _out(0)),
    "field_error": ("OUT", _out(0)),
    "grounded_into_double_play": ("OUT", _out(2)),
    "double_play": ("OUT", _out(2)),
    "triple_play": ("OUT", _out(3)),
    "sac_fly": ("OUT", {"PA": 1, "SF": 1, "outs": 1}),
    "sac_fly_double_play": ("OUT", {"PA": 1, "SF": 1, "outs": 2}),
    "sac_bunt": ("OUT", {"PA": 1, "outs": 1}),
    "sac_bunt_double_play": ("OUT", {"PA": 1, "outs": 2}),
    "catcher_interf": ("OTHER", {"PA": 1}),
}
# Events that end an at-bat with no plate appearance (the batter comes back); value = outs recorded.
NON_PA_EVENTS: dict[str, int] = {
    **{f"caught_stealing_{b}": 1 for b in ("2b", "3b", "home")},
    **{f"pickoff_caught_stealing_{b}": 1 for b in ("2b", "3b", "home")},
    **{f"pickoff_{b}": 1 for b in ("1b", "2b", "3b")},
    **{f"stolen_base_{b}": 0 for b in ("2b", "3b", "home")},
    "runner_double_play": 2,
    "pickoff_error_1b": 0, "pickoff_error_2b": 0, "pickoff_error_3b": 0,
    "wild_pitch": 0, "passed_ball": 0, "balk": 0, "other_advance": 0, "game_advisory": 0,
    "truncated_pa": 0, "ejection": 0,
}
UNKNOWN_EVENT: tuple[str, dict[str, int]] = ("OTHER", {"PA": 1})

assert all(outcome in PA_OUTCOMES for outcome, _ in PA_EVENTS.values())


def _event_table() -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Known events, their outcome codes and counts; the last row is the unknown event."""
    rows = {**PA_EVENTS, **{e: ("OTHER", {"outs": n}) for e, n in NON_PA_EVENTS.items()}}
    entries = [*rows.values(), UNKNOWN_EVENT]
    counts = np.array([[c.get(k, 0) for k in PA_COUNTS] for _, c in entries], dtype=np.int64)
    outcomes = np.array([o for o, _ in entries], dtype=object)
    return pd.Index(list(rows)), outcomes, counts


_EVENTS, _OUTCOMES, _COUNTS = _event_table()
_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep  # warn_unknown_events' frames to skip
_OUTCOME_ARRAY = pd.array(_OUTCOMES, dtype=TEXT_DTYPE)  # taken per PA: cheaper than converting strings


def unknown_events(events: pd.Series) -> dict[str, int]:
    """Rows per `events` name this module does not know (each counts as a plate appearance with
    outcome OTHER), most first: what a warning names, since a file whose names are all unknown (say
    'Strikeout' for 'strikeout') would otherwise project every player toward a league of no outcomes."""
    codes, names = pd.factorize(_array(events))
    names = np.asarray(names, dtype=object)
    unknown = np.flatnonzero((_EVENTS.get_indexer(names) < 0) & (names != ""))
    if not len(unknown):
        return {}
    rows = np.bincount(codes[codes >= 0], minlength=len(names))[unknown]
    order = np.argsort(-rows, kind="stable")
    return {str(names[unknown[i]]): int(rows[i]) for i in order}


def unknown_events_note(unknown: Mapping[str, int]) -> str:
    """One line on `unknown_events`' result ("" when none)."""
    if not unknown:
        return ""
    n = sum(unknown.values())
    shown = ", ".join(f"{name!r} ({rows:,})" for name, rows in list(unknown.items())[:5])
    return (f"{n:,} plate appearance{'' if n == 1 else 's'} end{'s' if n == 1 else ''} in an `events` name HFM "
            f"does not know ({shown}{', ...' if len(unknown) > 5 else ''}): each counts as a plate appearance "
            "with no outcome (Statcast's names are lower case: strikeout, walk, single, field_out, ...)")


def _inside(frame) -> bool:
    """Is `frame` this package's code: a module of it, or the __init__ a dataclass of it generated?"""
    name = frame.f_code.co_filename
    return name.startswith(_PACKAGE) or (name.startswith("<") and frame.f_code.co_name == "__init__" and
                                         type(frame.f_locals.get("self")).__module__.startswith("hfm_runtime"))


class UnknownEventsWarning(StatcastWarning):
    """Plate appearances ending in an `events` name HFM does not know (`unknown_events_note` says
    which); `hfm-score` prints the first only, the whole data's."""


def warn_unknown_events(unknown: Mapping[str, int], where: str = "pitches") -> None:
    """Warn of `unknown_events`' result (nothing when empty), at the first caller outside this
    package: History.from_league, a store's build and the chunked league scoring call it from inside."""
    if not unknown:
        return
    frame, level = sys._getframe(1), 2
    while frame is not None and _inside(frame):
        frame, level = frame.f_back, level + 1
    warnings.warn(f"{where}: {unknown_events_note(unknown)}", UnknownEventsWarning, stacklevel=level)


def plate_appearances(pitches: pd.DataFrame) -> pd.DataFrame:
    """One row per plate appearance (the pitches whose `events` is set), in pitch order.

    `batter` and `pitcher` are who the plate appearance is charged to: the last pitch's
    `responsible_batter` / `responsible_pitcher` where given (a Retrosheet import), else its batter
    and pitcher.

    Columns: game_pk, game_date, season, level, batter, pitcher, at_bat_number, stand, p_throws,
    `outcome` (a PA_OUTCOMES name) and the PA_COUNTS columns (int64).
    """
    missing = [c for c in ("events", *PA_KEYS) if c not in pitches.columns and c != "season"]
    if missing:
        raise HFMInputError(
            f"pitches: missing column(s) {', '.join(missing)} (load them with statcast.load_pitches)"
        )
    # Events factorized first (pd.factorize: missing -> -1), so only the few distinct names are looked
    # up; per row that costs more than all the rest on any input size.
    codes, names = pd.factorize(_array(pitches["events"]))
    names = np.asarray(names, dtype=object)
    event_code = np.append(_EVENTS.get_indexer(names), -1)  # the last entry: a missing event
    event_code[event_code < 0] = len(_EVENTS)  # unknown event
    ended = np.flatnonzero(np.append(names != "", False)[codes])
    code = event_code[codes[ended]]
    # Column by column: taking the ended rows of the whole pitch frame (~40 columns) would cost more.
    game_date = pitches["game_date"]
    dates = game_date.to_numpy()[ended]
    if dates.dtype.kind == "M":  # naive numpy dates: the year without a DatetimeIndex
        season = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    else:
        season = pd.DatetimeIndex(game_date.iloc[ended]).year.to_numpy().astype(np.int64)
    columns = {k: _take(pitches[k], ended) for k in PA_KEYS[3:]}
    for k in ("batter", "pitcher"):  # who the scoring rules charge, where a source says (Retrosheet)
        charged = f"responsible_{k}"
        if charged in pitches.columns:
            who = pitches[charged].to_numpy(np.float64, na_value=np.nan)[ended]
            given = np.isfinite(who)
            if given.any():
                columns[k] = np.where(given, who, columns[k]).astype(np.int64)
    return pd.DataFrame({
        "game_pk": pitches["game_pk"].to_numpy()[ended],
        "game_date": dates,
        "season": season,
        **columns,
        "outcome": _OUTCOME_ARRAY.take(code),
        **dict(zip(PA_COUNTS, _COUNTS[code].T)),
    })


# Seasons past the data's last MLB season a projection may be of without a word (hfm-score refuses more
# without --allow-gap; Scorer.score warns, hfm_runtime.scoring.SeasonGapWarning)
MAX_SEASON_GAP = 1
OPENING_WINDOW = ((3, 15), (4, 15))  # (month, day): where a usual opening day lies (every season 2000-2021 but 2020)


def projection_date(openings: Mapping[int, pd.Timestamp], season: int) -> pd.Timestamp:
    """The date a projection of `season` is made as of when none is given: the season's opening day
    (its first MLB game) where `openings` (season -> opening day, of the data) holds it; else the
    data's usual opening day moved to `season`: the lower median (month, day) of the held seasons'
    opening days, kept inside OPENING_WINDOW (a data set that starts in August, or holds only the
    60-game 2020, does not move it to summer); else, with no season held, January 1. The model was
    trained as of real opening days (hfm_train.examples.as_of_rows: each season's first game) and reads
    windows counted back from the date: a projection as of January 1 would read its profile's late
    window from early May. (The first games, not the home opening days of `last_opening_day`: MLB
    opens most seasons with one to three games the evening before the full slate, so the home opening
    days would move the usual day by about one, 2022's from 2000-2021 from March 31 to April 2.) A late
    opening day (2020's July 23) is then moved to the usual one by `opening_day_as_of`."""
    season = int(season)
    if season in openings:
        return pd.Timestamp(openings[season])
    if not openings:
        return pd.Timestamp(season, 1, 1)
    days = sorted((pd.Timestamp(day).month, pd.Timestamp(day).day) for day in openings.values())
    month, day = min(max(days[(len(days) - 1) // 2], OPENING_WINDOW[0]), OPENING_WINDOW[1])
    return pd.Timestamp(season, month, day)


def opening_day_as_of(openings: Mapping[int, pd.Timestamp], season: int, as_of: pd.Timestamp) -> pd.Timestamp:
    """The date an opening-day projection of `season` asked as of `as_of` is made as of (the caller
    knows it is one: `last_opening_day`): `as_of`, but where it lies after OPENING_WINDOW's end (a
    season that opened late, as the 60-game 2020 on July 23), the usual opening day of the other
    seasons held in `openings` (`projection_date` without this one; April 15 where none is held).
    The profile counts its windows in calendar days back from the date: from July 23, 2020 its last
    year would hold half of 2019 and its late window none of it, a projection no season was trained
    on; from the usual day they read what they read in every other season (a walkthrough on 2026-12-07 found 2020's strikeout rates 0.01 apart, up to
    0.17, as of March 26 and as of July 23). Training's opening-day examples take the same date
    (hfm_train.examples.as_of_rows)."""
    season, as_of = int(season), pd.Timestamp(as_of)
    if as_of <= pd.Timestamp(season, *OPENING_WINDOW[1]):
        return as_of
    others = {s: day for s, day in openings.items() if int(s) != season}
    return min(as_of, projection_date(others, season) if others else pd.Timestamp(season, *OPENING_WINDOW[1]))


def last_opening_day(openings: Mapping[int, pd.Timestamp], starts: Mapping[int, pd.Timestamp],
                     season: int) -> pd.Timestamp | None:
    """The last day a projection of `season` is an opening-day one (whole-season rates and totals, the
    opening-day mix): its start (`starts`, hfm_runtime.playing_time.season_starts: its first day of
    several MLB games, the home opening day) or its first game (`openings`), the later of the two;
    None where the data holds none of it; December 31 where `starts` leaves it out (games held, none
    of them a full day: not started yet, `playing_time.season_starts`), its first game where `starts`
    is empty. A series abroad a week before the home openers (Tokyo,
    March 20-21, 2019) is then not the season's opening: as of March 28, 2019, everyone is projected as
    of opening day; from the day after, in season (a walkthrough on 2026-12-07 found every batter
    losing the opening-day mix as of March 28 to the two games in Tokyo). Likewise the evening's one to
    three games before most seasons' full slate (2017: April 2, then April 3)."""
    season = int(season)
    if season not in openings:
        return None
    first = pd.Timestamp(openings[season])
    if season not in starts:  # no starts known: the first game; else not started yet, so every day of it
        return first if not starts else max(first, pd.Timestamp(season, 12, 31))
    return max(first, pd.Timestamp(starts[season]))


def charged_rows(pitches: pd.DataFrame, player_type: PlayerType, ids) -> np.ndarray:
    """bool [N]: the rows the lines of the `player_type`s `ids` need, as the whole league's rows give
    them: every pitch of each plate appearance in which one of them threw (or saw) a pitch or that
    the scoring rules charge to him (`responsible_<type>`, `plate_appearances`: a walk charged to the
    pitcher who left). Rows picked by the `pitcher` or `batter` column alone lose those charged plate
    appearances, and a skill count that reads the pitch before (`two_strike`, `three_ball`: counted
    once per plate appearance) would count again a pitcher who came in during a plate appearance.
    The other players of those plate appearances get partial lines: score only `ids` from them."""
    ids = np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids, dtype=np.int64)
    mine = np.isin(pitches[player_type].to_numpy(np.int64), ids)
    charged = f"responsible_{player_type}"
    if charged in pitches.columns:
        mine |= np.isin(pitches[charged].to_numpy(np.float64, na_value=np.nan), ids)  # NaN matches no id
    game, _ = pd.factorize(pitches["game_pk"].to_numpy(np.int64))
    at_bat = pitches["at_bat_number"].to_numpy(np.int64)
    pa = game.astype(np.int64) * (int(at_bat.max(initial=0)) + 1) + at_bat  # one key per plate appearance
    return np.isin(pa, pa[mine])


def _take(column: pd.Series, rows: np.ndarray):
    """The values at `rows` as an array of the column's dtype (an ExtensionArray keeps it)."""
    return _take_array(_array(column), rows)


def _per_player(pas: pd.DataFrame, player_type: PlayerType) -> dict[str, pd.Series]:
    """PA columns seen from one side: `player_id`, the other game keys and that side's line columns."""
    if player_type not in LINE_COLUMNS:
        raise ValueError(f"player_type must be 'batter' or 'pitcher', got {player_type!r}")
    source = {"player_id": player_type, **({"BF": "PA"} if player_type == "pitcher" else {})}
    return {c: pas[source.get(c, c)] for c in (*GAME_KEYS, *LINE_COLUMNS[player_type])}


def game_lines(pas: pd.DataFrame, player_type: PlayerType) -> pd.DataFrame:
    """One row per (player_id, game_pk, game_date, season, level) with the player type's line columns."""
    return pd.DataFrame(game_line_columns(pas, player_type))


def game_line_columns(pas: pd.DataFrame, player_type: PlayerType) -> dict[str, Any]:
    """`game_lines` as a dict of columns (numpy arrays, or pandas arrays for dtypes numpy lacks), for
    callers that join more columns on before framing them once (identity.player_lines)."""
    return group_sum(_per_player(pas, player_type), GAME_KEYS)


def season_lines(frame: pd.DataFrame, player_type: PlayerType) -> pd.DataFrame:
    """One row per (player_id, season, level) from plate appearances or from game lines."""
    if "player_id" not in frame.columns:  # plate appearances
        columns = _per_player(frame, player_type)
    else:
        columns = frame
    names = [*SEASON_KEYS, *LINE_COLUMNS[player_type]]
    missing = [c for c in names if c not in columns]
    if missing:
        raise HFMInputError(f"season_lines: missing column(s) {', '.join(missing)}")
    return pd.DataFrame(group_sum({c: columns[c] for c in names}, SEASON_KEYS))


def group_sum(
    columns: Mapping[str, pd.Series], keys: Sequence[str], rows: np.ndarray | None = None
) -> dict[str, Any]:
    """`pd.DataFrame(columns).groupby(keys, sort=True, as_index=False).sum()` as a dict of columns.

    rows: positions of the rows to aggregate (default: all of them).

    The lines hold int64 counts, whose sums do not depend on the order of addition, so they are summed
    in numpy (one sort by the keys' codes, np.add.at per column): pandas' groupby costs milliseconds
    even on a one-player history, and no less on the whole league. Groups are pandas' own: keys
    factorized with pd.factorize(sort=True), rows with a missing key dropped, keys taken from each
    group's first row. Any other value dtype (floats, which pandas sums with compensation, so in an
    order of its own) goes through pandas.
    """
    keys = list(keys)
    values = [c for c in columns if c not in keys]
    arrays = {c: _array(v) if rows is None else _take_array(_array(v), rows) for c, v in columns.items()}
    n = len(next(iter(arrays.values())))
    if n == 0 or not all(isinstance(arrays[c], np.ndarray) and arrays[c].dtype == np.int64 for c in values):
        frame = pd.DataFrame(arrays)
        out = frame.groupby(keys, sort=True, as_index=False).sum()
        return {c: out[c].array for c in out.columns}
    # one int64 code per row whose order is the keys' lexicographic order (-1: a key is missing)
    code = np.zeros(n, np.int64)
    size = 1
    valid = np.ones(n, bool)
    for k in keys:
        codes, uniques = pd.factorize(arrays[k], sort=True)
        valid &= codes >= 0
        if size * len(uniques) >= 2**62:  # renumber the groups so far before the code overflows
            code = np.unique(code, return_inverse=True)[1].reshape(-1).astype(np.int64)
            size = int(code.max(initial=0)) + 1
        code = code * len(uniques) + codes
        size *= len(uniques)
    order = np.flatnonzero(valid)  # pandas drops rows with a missing key
    order = order[np.argsort(code[order], kind="stable")]  # stable: a group's first row comes first
    new_group = np.r_[True, code[order[1:]] != code[order[:-1]]] if len(order) else np.zeros(0, bool)
    first = order[new_group]
    group = np.full(n, len(first))  # rows with a missing key: one more group, dropped below
    group[order] = np.cumsum(new_group) - 1
    out: dict[str, Any] = {k: _take_array(arrays[k], first) for k in keys}
    for c in values:
        sums = np.zeros(len(first) + 1, np.int64)
        np.add.at(sums, group, arrays[c])
        out[c] = sums[:-1]
    return out


def _array(values):
    """A column's values: an ndarray for numpy dtypes, else the ExtensionArray (keeps the dtype)."""
    if isinstance(values, pd.Series):
        return values.to_numpy() if isinstance(values.dtype, np.dtype) else values.array
    return values


def _take_array(values, rows: np.ndarray):
    return values[rows] if isinstance(values, np.ndarray) else values.take(rows)


def season_age(birth_date, season):
    """Age on June 30 of `season` (whole years), the usual baseball convention.

    Scalars give an int; arrays give an int64 array; a Series keeps its index.
    """
    if isinstance(birth_date, (str, date, pd.Timestamp)):
        born = pd.Timestamp(birth_date)
        return int(season) - born.year - int(born.month >= 7)
    if isinstance(birth_date, np.ndarray) and birth_date.dtype.kind == "M":  # numpy dates: no pandas needed
        missing = np.isnat(birth_date)
        if missing.any():
            raise HFMInputError(f"season_age: birth date missing at position {int(np.argmax(missing))}")
        year = birth_date.astype("datetime64[Y]").astype(np.int64) + 1970
        month = birth_date.astype("datetime64[M]").astype(np.int64) % 12 + 1
    else:
        born = pd.DatetimeIndex(pd.to_datetime(birth_date))
        if born.hasnans:
            raise HFMInputError(f"season_age: birth date missing at position {int(np.argmax(born.isna()))}")
        year, month = born.year.to_numpy(), born.month.to_numpy()
    age = np.asarray(season, dtype=np.int64) - year - (month >= 7)
    age = age.astype(np.int64)
    if isinstance(birth_date, pd.Series):
        return pd.Series(age, index=birth_date.index, name="age")
    return age
