"""The players table of real data, derived from the pitches: role, handedness, imputed ages.

players.csv (hfm_runtime.league) has one row per player_id. Derived from Statcast pitches
(`players_from_pitches`, or `PlayerTally` fed season by season, as `hfm-train import` does):
  player_type  "batter", "pitcher" or "two_way", from his plate appearances as a batter (PA) and
               batters faced as a pitcher (BF), counted at every level: the role with more of them,
               or "two_way" when each role has at least `RoleConfig.two_way_min` and the smaller at
               least `two_way_share` of the larger (a pitcher who bats in an NL park or a position
               player who mops up an inning keeps his one role). A two-way player is scored and
               trained as both types.
  bats         L or R, or S when the minority side has at least `switch_share` (and `switch_min`)
               of his plate appearances; empty if he never batted
  throws       L or R, his majority `p_throws`; empty if he never pitched
  names, birth_date  from the register (hfm_runtime.register) where it has him; else empty.
  age_source   where his age comes from (AGE_SOURCES):
                 "exact"       the register's full birth date
                 "birth_year"  the register has the year only: July 1 of it (register.py), so his
                               season age can be a year off
                 "imputed"     no birth data: his birth date is imputed (`impute_birth_dates`) so
                               that his age in his first season in the data is the median
                               first-season age of the players of his type whose birth date is known
                               (DEFAULT_AGE if there are none); it grows by a year per season like a
                               real one
               Marcel's age adjustment and the identity profile use the age whatever its source; the
               score table carries `age_source`.
  age_imputed  True unless age_source is "exact" (the older, two-valued form of the same fact; kept
               for files and callers that read it).

`age_sources(players)` reads a players table's age sources: its `age_source` column where it has
one, else (a players.csv written before age_source existed) from `age_imputed` and the birth date:
not imputed -> "exact"; imputed with a birth date of July 1 (how a year-only register date is
stored; an imputed date is always January 1) -> "birth_year"; otherwise "imputed".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.seasons import season_age

PLAYER_TYPES_TABLE: tuple[str, ...] = ("batter", "pitcher", "two_way")
AGE_SOURCES: tuple[str, ...] = ("exact", "birth_year", "imputed")
DEFAULT_AGE = 27
TALLY_COLUMNS: tuple[str, ...] = ("PA", "stand_L", "stand_R", "BF", "throws_L", "throws_R")


@dataclass(frozen=True)
class RoleConfig:
    """How role and handedness are read off the pitches (see the module docstring)."""

    two_way_min: int = 50
    two_way_share: float = 0.25
    switch_share: float = 0.1
    switch_min: int = 2


class PlayerTally:
    """Per-player counts added up over any number of pitch frames (chunks, seasons, levels).

    `add(pitches)` counts each plate appearance (the pitches sharing game_pk and at_bat_number,
    finished or not) once for its batter (PA, and his `stand`) and once for its pitcher (BF, and his
    `p_throws`), and keeps each player's first game date. Memory: one row per player.
    """

    def __init__(self) -> None:
        self._parts: list[pd.DataFrame] = []
        self._table: pd.DataFrame | None = None

    def add(self, pitches: pd.DataFrame) -> None:
        if pitches.empty:
            return
        pa = pitches.drop_duplicates(["game_pk", "at_bat_number"])[
            ["batter", "pitcher", "stand", "p_throws", "game_date"]]
        stand = pa["stand"].to_numpy(dtype=object, na_value=None)
        throws = pa["p_throws"].to_numpy(dtype=object, na_value=None)
        one = np.ones(len(pa), np.int64)
        zero = np.zeros(len(pa), np.int64)
        bat = pd.DataFrame({"player_id": pa["batter"].to_numpy(np.int64), "PA": one,
                            "stand_L": (stand == "L").astype(np.int64), "stand_R": (stand == "R").astype(np.int64),
                            "BF": zero, "throws_L": zero, "throws_R": zero,
                            "first_date": pa["game_date"].to_numpy()})
        pit = pd.DataFrame({"player_id": pa["pitcher"].to_numpy(np.int64), "PA": zero, "stand_L": zero,
                            "stand_R": zero, "BF": one,
                            "throws_L": (throws == "L").astype(np.int64), "throws_R": (throws == "R").astype(np.int64),
                            "first_date": pa["game_date"].to_numpy()})
        self._parts.append(_sum(pd.concat([bat, pit], ignore_index=True)))
        self._table = None

    def table(self) -> pd.DataFrame:
        """One row per player (index player_id): TALLY_COLUMNS and first_date."""
        if self._table is None:
            if not self._parts:
                frame = pd.DataFrame({c: pd.Series([], dtype=np.int64) for c in TALLY_COLUMNS})
                frame["first_date"] = pd.Series([], dtype="datetime64[ns]")
                self._table = frame.rename_axis("player_id")
            else:
                self._table = _sum(pd.concat([p.reset_index() for p in self._parts], ignore_index=True))
                self._parts = [self._table]
        return self._table


def _sum(rows: pd.DataFrame) -> pd.DataFrame:
    grouped = rows.groupby("player_id", sort=True)
    out = grouped[list(TALLY_COLUMNS)].sum()
    out["first_date"] = grouped["first_date"].min()
    return out


def roles_and_hands(tally: pd.DataFrame, config: RoleConfig = RoleConfig()) -> pd.DataFrame:
    """player_type, bats, throws (None where unknown) per player of a `PlayerTally.table()`."""
    pa, bf = tally["PA"].to_numpy(np.int64), tally["BF"].to_numpy(np.int64)
    small, large = np.minimum(pa, bf), np.maximum(pa, bf)
    two_way = (small >= config.two_way_min) & (small >= config.two_way_share * large)
    player_type = np.where(two_way, "two_way", np.where(bf > pa, "pitcher", "batter"))

    left, right = tally["stand_L"].to_numpy(np.int64), tally["stand_R"].to_numpy(np.int64)
    minority = np.minimum(left, right)
    switch = (minority >= config.switch_min) & (minority >= config.switch_share * (left + right))
    bats = np.where(switch, "S", np.where(left > right, "L", "R")).astype(object)
    bats[left + right == 0] = None
    tl, tr = tally["throws_L"].to_numpy(np.int64), tally["throws_R"].to_numpy(np.int64)
    throws = np.where(tl > tr, "L", "R").astype(object)
    throws[tl + tr == 0] = None
    return pd.DataFrame({"player_type": player_type, "bats": bats, "throws": throws}, index=tally.index)


def build_players(
    tally: pd.DataFrame, register: pd.DataFrame | None = None, config: RoleConfig = RoleConfig()
) -> pd.DataFrame:
    """players.csv rows (hfm_runtime.league.PLAYER_COLUMNS + age_imputed) for every player of a
    `PlayerTally.table()`, with names and birth dates from `register` (hfm_runtime.register
    .read_register) where it has them and imputed birth dates elsewhere; sorted by player_id."""
    roles = roles_and_hands(tally, config)
    ids = tally.index.to_numpy(np.int64)
    players = pd.DataFrame({"player_id": ids})
    if register is not None and len(register):
        reg = register.drop_duplicates("player_id").set_index("player_id").reindex(ids)
        players["name_first"] = reg["name_first"].astype(object).to_numpy()
        players["name_last"] = reg["name_last"].astype(object).to_numpy()
        players["birth_date"] = reg["birth_date"].to_numpy(dtype="datetime64[ns]")
        complete = reg["birth_date_complete"].astype(object).fillna(False).to_numpy(dtype=bool)
    else:
        players["name_first"], players["name_last"] = None, None
        players["birth_date"] = np.full(len(ids), np.datetime64("NaT"), dtype="datetime64[ns]")
        complete = np.zeros(len(ids), bool)
    year_only = ~complete & pd.notna(players["birth_date"]).to_numpy()
    players["bats"] = roles["bats"].to_numpy()
    players["throws"] = roles["throws"].to_numpy()
    players["player_type"] = roles["player_type"].to_numpy()
    first_season = pd.Series(pd.DatetimeIndex(tally["first_date"]).year.to_numpy(), index=ids)
    players["age_source"] = np.where(complete, "exact", np.where(year_only, "birth_year", "imputed")).astype(object)
    players = impute_birth_dates(players, first_season)
    players["age_imputed"] |= ~complete
    return players


def players_from_pitches(
    pitches: pd.DataFrame, register: pd.DataFrame | None = None, config: RoleConfig = RoleConfig()
) -> pd.DataFrame:
    """`build_players` of one pitch frame (every level in it)."""
    tally = PlayerTally()
    tally.add(pitches)
    return build_players(tally.table(), register, config)


def checked_players(players: pd.DataFrame) -> pd.DataFrame:
    """A players table given from Python (History, PlayerStore) with `player_id` as int64 and
    `birth_date` as datetime64[ns], converted where it holds them as text (a CSV read with dtype=str):
    an id kept as text would match no pitch's int id, and every player would fall back to the league's
    rates unnoticed. An id that is no integer, or a date that is no date, is an error naming its row;
    a table already typed is returned as it is."""
    if not isinstance(players, pd.DataFrame):
        raise HFMInputError("players: expected a players table (players.csv rows, e.g. league.read_players or "
                            f"people.players_from_pitches), got {type(players).__name__}")
    missing = [c for c in ("player_id", "birth_date") if c not in players.columns]
    if missing:
        raise HFMInputError(f"players: missing column(s) {', '.join(missing)}")
    ids, born = players["player_id"], players["birth_date"]
    if ids.dtype == np.int64 and born.dtype == "datetime64[ns]":
        return players

    def fail(col: str, bad: np.ndarray, problem: str) -> HFMInputError:
        i = int(np.flatnonzero(bad)[0])
        return HFMInputError(f"players: column {col}: row {i + 1}: {players[col].iloc[i]!r} {problem}")

    players = players.copy()
    if ids.dtype != np.int64:
        number = pd.to_numeric(ids, errors="coerce").to_numpy(float)
        bad = ~np.isfinite(number) | (number != np.round(number))
        if bad.any():
            raise fail("player_id", bad, "is not an integer id")
        players["player_id"] = number.astype(np.int64)
    if born.dtype != "datetime64[ns]":
        if isinstance(born.dtype, pd.DatetimeTZDtype):  # a day of birth, wherever it was written down
            dates = born.dt.tz_localize(None)
        elif born.dtype.kind == "M":
            dates = born
        else:  # text as read_players reads it (pandas would guess the order of 01/03/1995 from the first value)
            dates = pd.to_datetime(born, errors="coerce", format="ISO8601")
        bad = (born.notna() & dates.isna()).to_numpy()
        if bad.any():
            raise fail("birth_date", bad, "is not a YYYY-MM-DD date (or empty)")
        players["birth_date"] = dates.astype("datetime64[ns]")
    return players


def first_seasons(pitches: pd.DataFrame) -> pd.Series:
    """Each player's first season in `pitches` (as batter or pitcher, any level), by player_id."""
    year = pd.DatetimeIndex(pitches["game_date"]).year.to_numpy()
    ids = np.concatenate([pitches["batter"].to_numpy(np.int64), pitches["pitcher"].to_numpy(np.int64)])
    years = np.concatenate([year, year])
    return pd.Series(years).groupby(ids).min()


def age_sources(players: pd.DataFrame) -> np.ndarray:
    """AGE_SOURCES value per row of a players table (module docstring: its `age_source` column, else
    derived from `age_imputed` and the birth date, else "exact" where the birth date is given)."""
    born = (pd.to_datetime(players["birth_date"]).to_numpy("datetime64[D]") if "birth_date" in players.columns
            else np.full(len(players), np.datetime64("NaT"), "datetime64[D]"))
    given = ~np.isnat(born)
    if "age_imputed" in players.columns:
        imputed = players["age_imputed"].astype(bool).to_numpy() | ~given
    else:
        imputed = ~given
    month = born.astype("datetime64[M]")  # July 1: the day a birth year alone is written as
    july1 = given & (month - born.astype("datetime64[Y]") == np.timedelta64(6, "M")) & (born == month)
    derived = np.where(~imputed, "exact", np.where(july1, "birth_year", "imputed")).astype(object)
    if "age_source" not in players.columns:
        return derived
    stated = players["age_source"].astype(object).to_numpy()
    have = np.array([isinstance(v, str) and v in AGE_SOURCES for v in stated], dtype=bool)
    out = np.where(have, stated, derived).astype(object)
    if "age_imputed" in players.columns:  # a caller who set only age_imputed is heard: it decides exact or not
        out = np.where(~imputed, "exact", np.where(out == "exact", derived, out)).astype(object)
    out[~given] = "imputed"  # no birth date: whatever was stated, the date will be (or was) imputed
    return out


def impute_birth_dates(players: pd.DataFrame, first_season: pd.Series) -> pd.DataFrame:
    """A copy of `players` whose missing birth dates are imputed (module docstring), with a boolean
    `age_imputed` column (True for those; an existing column is kept and OR-ed in) and an
    `age_source` column ("imputed" for those; the others as `age_sources` reads them).

    first_season: each player's first season in the data, by player_id (`first_seasons`); a player
    missing from it is imputed as of the latest season in it.
    """
    players = players.copy()
    players["age_source"] = age_sources(players)  # before the dates are filled in
    born = pd.to_datetime(players["birth_date"]).astype("datetime64[ns]")
    missing = born.isna().to_numpy()
    flag = players["age_source"].to_numpy() != "exact"
    if "age_imputed" in players.columns:
        flag |= players["age_imputed"].astype(bool).to_numpy()
    players["age_imputed"] = flag | missing
    if not missing.any():
        players["birth_date"] = born
        return players
    ids = players["player_id"].to_numpy(np.int64)
    latest = int(first_season.max()) if len(first_season) else pd.Timestamp.now().year
    season = first_season.reindex(ids).fillna(latest).to_numpy(np.int64)
    known = ~missing & first_season.reindex(ids).notna().to_numpy()
    ages = np.full(len(players), np.nan)
    if known.any():
        ages[known] = season_age(born.to_numpy()[known], season[known])
    kind = np.full(len(players), "batter", dtype=object)
    if "player_type" in players.columns:
        kind = players["player_type"].astype(object).to_numpy()
    pool = np.where(kind == "pitcher", "pitcher", "batter")  # two-way players age with the batters
    imputed_age = np.full(len(players), float(DEFAULT_AGE))
    for group in ("batter", "pitcher"):
        sample = ages[known & (pool == group)]
        if len(sample):
            imputed_age[pool == group] = float(np.round(np.median(sample)))
        elif known.any():
            imputed_age[pool == group] = float(np.round(np.median(ages[known])))
    years = season[missing] - imputed_age[missing].astype(np.int64)
    imputed = pd.to_datetime(pd.DataFrame({"year": years, "month": 1, "day": 1})).to_numpy(dtype="datetime64[ns]")
    values = born.to_numpy().copy()
    values[missing] = imputed  # January 1: his season age in `season` is exactly the imputed age
    players["birth_date"] = values
    return players
