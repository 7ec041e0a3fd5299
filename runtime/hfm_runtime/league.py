"""Read a league folder into DataFrames: the simulator's output and `hfm-train import`'s share it.

    <dir>/league.json          {"schema_version": 1, "seasons", "levels", ...}: the simulator adds
                               "seed", "config", "summary"; an import "source" ("statcast", "retrosheet"
                               or "retrosheet+statcast"), what it
                               read (hfm_train.importer) and "level_seasons" {level: [seasons]}
                               (without it every level has every season)
    <dir>/players.csv          player_id, name_first, name_last, birth_date, bats, throws, player_type
                               [, age_imputed][, age_source]; one row per player_id (hfm_runtime.people):
                               player_type  batter | pitcher | two_way (scored as both types)
                               birth_date   YYYY-MM-DD or empty (imputed when loaded, and flagged;
                                            `hfm-train import` writes its imputed date with
                                            age_source imputed, so the age does not depend on which
                                            seasons are loaded)
                               bats L/R/S (may be empty for a pitcher), throws L/R (may be empty
                               for a batter)
                               age_source   exact | birth_year | imputed (people.AGE_SOURCES), or
                                            empty; absent or empty: read off age_imputed and the
                                            birth date (people.age_sources: a file written before
                                            the column existed). An empty birth_date is "imputed".
                               age_imputed  true/false: true unless age_source is exact (absent:
                                            true exactly where birth_date is empty, or as
                                            age_source says). Both given and contradicting each
                                            other (exact with true, or another with false) is an
                                            error naming the row.
    <dir>/true_talent.parquet  optional (the simulator's): true per-opportunity rates per (player_id, season)
    <dir>/pitches/<level>/<season>.parquet   Statcast columns (hfm_runtime.statcast), one file per
                               level and season, sorted, no duplicate pitches
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError, read_json_object
from hfm_runtime.statcast import parquet_module, load_pitches

LEAGUE_SCHEMA_VERSION = 1
PLAYER_COLUMNS: tuple[str, ...] = (
    "player_id", "name_first", "name_last", "birth_date", "bats", "throws", "player_type",
)
AGE_IMPUTED = "age_imputed"  # optional players.csv column; always present once loaded
AGE_SOURCE = "age_source"  # optional players.csv column; always present once loaded
PLAYER_TYPE_VALUES: tuple[str, ...] = ("batter", "pitcher", "two_way")
BATS, THROWS = ("L", "R", "S"), ("L", "R")
TRUE_TALENT_KEYS: tuple[str, ...] = ("player_id", "season", "level", "player_type")


@dataclass(frozen=True, eq=False)
class League:
    """A loaded league: every pitch (all levels and seasons, tagged with `level`) and who played."""

    pitches: pd.DataFrame
    players: pd.DataFrame
    true_talent: pd.DataFrame | None
    seasons: list[int]
    levels: list[str]
    meta: dict


def load_league(
    path: str | Path,
    seasons: Iterable[int] | None = None,
    levels: Iterable[str] | None = None,
) -> League:
    """Load a league folder; `seasons`/`levels` restrict which pitch files are read (default: all).

    Players without a birth date get an imputed one (hfm_runtime.people.impute_birth_dates, from the
    pitches loaded) and `age_imputed` True.
    """
    root = Path(path)
    if not root.is_dir():
        raise HFMInputError(missing_league_message(root))
    meta = _read_meta(root / "league.json")
    all_seasons = [int(s) for s in meta["seasons"]]
    all_levels = [str(v) for v in meta["levels"]]
    want_seasons = all_seasons if seasons is None else [s for s in all_seasons if s in set(seasons)]
    want_levels = all_levels if levels is None else [v for v in all_levels if v in set(levels)]

    # "level_seasons" (an import's): the seasons each level has; else every level has every season
    have = meta.get("level_seasons") or {}
    files = {
        level: [root / "pitches" / level / f"{season}.parquet" for season in want_seasons
                if level not in have or season in have[level]]
        for level in want_levels
    }
    files = {level: paths for level, paths in files.items() if paths}
    if not files:
        raise HFMInputError(f"{root}: no pitch files selected (seasons {all_seasons}, levels {all_levels})")
    for paths in files.values():
        missing = [str(f) for f in paths if not f.is_file()]
        if missing:
            raise HFMInputError(f"{root}: league.json lists {missing[0]} but it does not exist")
    pitches = load_pitches(files, game_types=None, duplicates="drop")

    talent_path = root / "true_talent.parquet"
    true_talent = _read_true_talent(talent_path) if talent_path.is_file() else None
    players = read_players(root / "players.csv")
    if players["birth_date"].isna().any():
        from hfm_runtime.people import first_seasons, impute_birth_dates

        players = impute_birth_dates(players, first_seasons(pitches))
    return League(
        pitches=pitches,
        players=players,
        true_talent=true_talent,
        seasons=want_seasons,
        levels=want_levels,
        meta=meta,
    )


def is_league(folder: Path) -> bool:
    """Whether `folder` holds a league (its league.json): what a league writer may replace."""
    return (Path(folder) / "league.json").is_file()


def check_same_kind(folder: Path, simulated: bool, writer: str) -> str | None:
    """Refuse to replace a simulated league by an imported one or the reverse (`writer` names the command):
    the two are never each other's new version (a walkthrough's import over its simulated league lost
    the league, true talent and all, that its run and bundle were trained on). Else what the writer is to
    replace, for its log ("replacing the league in DIR (seasons ...)"; a walkthrough's re-import replaced
    one without a word), None where the folder holds no league."""
    folder = Path(folder)
    if not is_league(folder):
        return None
    meta = read_league_meta(folder)
    held = meta.get("source", "simulated") == "simulated"
    if held != simulated:
        raise HFMInputError(f"{folder}: {'a simulated' if held else 'an imported'} league, which {writer} would "
                            f"replace with {'a simulated' if simulated else 'an imported'} one: write it to another "
                            "folder (--out), or delete this one first")
    seasons = sorted(int(s) for s in meta["seasons"])
    held_seasons = f"{seasons[0]}-{seasons[-1]}" if len(seasons) > 1 else str(seasons[0])
    return f"replacing the league in {folder} (seasons {held_seasons}) once this one is complete"


def read_league_meta(path: str | Path) -> dict:
    """A league folder's validated league.json (seasons, levels, ...), without reading any pitches."""
    root = Path(path)
    if not root.is_dir():
        raise HFMInputError(missing_league_message(root))
    return _read_meta(root / "league.json")


def missing_league_message(root: Path) -> str:
    """What a missing league folder's error says: where it looked, and both ways to make one (for a
    file given as the league, how to import it instead)."""
    root = Path(root)
    if root.is_file():
        return (f"{root.absolute()}: a file, not a league folder (import it into one: `hfm-train import {root} "
                f"[--register REGISTER.csv] --out LEAGUE`, then give LEAGUE)")
    return (f"{root.absolute()}: no such league folder (make one: `hfm-train simulate --out {root}` for a "
            f"simulated league, or `hfm-train import FILES... --out {root}` for real Statcast/Retrosheet data)")


SOURCES = {"statcast", "retrosheet", "simulated"}  # what league.json's "source" names (hfm_train.importer)


def _read_meta(path: Path) -> dict:
    if not path.is_file():
        raise HFMInputError(f"{path}: missing (not a league folder?)")
    meta = read_json_object(path)
    for key in ("schema_version", "seasons", "levels"):
        if key not in meta:
            raise HFMInputError(f"{path}: field {key!r} is missing")
    if meta["schema_version"] != LEAGUE_SCHEMA_VERSION:
        raise HFMInputError(
            f"{path}: field 'schema_version' is {meta['schema_version']!r}, "
            f"this runtime reads {LEAGUE_SCHEMA_VERSION}"
        )
    for key in ("seasons", "levels"):
        if not isinstance(meta[key], list) or not meta[key]:
            raise HFMInputError(f"{path}: field {key!r} must be a non-empty list")
    if not all(isinstance(s, int) for s in meta["seasons"]):
        raise HFMInputError(f"{path}: field 'seasons' must list integer years")
    source = meta.get("source")  # absent: simulated; an import's parts joined by "+" (a walkthrough's "bogus"
    if source is not None and not (isinstance(source, str) and set(source.split("+")) <= SOURCES):  # read as real)
        raise HFMInputError(f"{path}: field 'source' is {source!r}, expected 'statcast', 'retrosheet' or both joined "
                            "by '+' (absent for a simulated league)")
    have = meta.get("level_seasons")
    if have is not None and not (isinstance(have, dict) and all(
            isinstance(v, list) and all(isinstance(s, int) for s in v) for v in have.values())):
        raise HFMInputError(f"{path}: field 'level_seasons' must map levels to lists of integer years")
    return meta


def read_players(path: str | Path) -> pd.DataFrame:
    """players.csv with player_id int64, birth_date datetime64[ns] (NaT where empty), age_imputed
    bool, the other columns as object (None where empty). Rules: see the module docstring."""
    path = Path(path)
    if not path.is_file():
        raise HFMInputError(f"{path}: no such file" + (" (every league folder holds one: import or simulate the league "
                                                  "again)" if path.name == "players.csv" else ""))
    try:
        players = pd.read_csv(path, dtype=object, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise HFMInputError(f"{path}: file is empty") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise HFMInputError(f"{path}: cannot read as CSV: {exc}") from None
    missing = [c for c in PLAYER_COLUMNS if c not in players.columns]
    if missing:
        raise HFMInputError(f"{path}: missing column(s) {', '.join(missing)}")
    players = players.astype(object).where(players.notna(), None)

    def fail(col: str, bad: pd.Series | np.ndarray, problem: str) -> HFMInputError:
        i = int(np.asarray(bad).nonzero()[0][0])
        return HFMInputError(
            f"{path}: column {col}: row {i + 1} (CSV line {i + 2}): {players[col].iloc[i]!r} {problem}"
        )

    ids = pd.to_numeric(players["player_id"], errors="coerce")
    if ids.isna().any():
        raise fail("player_id", ids.isna(), "is not an integer id")
    if ids.duplicated().any():
        raise fail("player_id", ids.duplicated(), "is a duplicate id")
    players["player_id"] = ids.astype("int64")
    given = players["birth_date"].notna()
    born = pd.to_datetime(players["birth_date"], errors="coerce", format="ISO8601")
    if (given & born.isna()).any():
        raise fail("birth_date", given & born.isna(), "is not a YYYY-MM-DD date (or empty)")
    players["birth_date"] = born.astype("datetime64[ns]")
    bad = ~players["player_type"].isin(PLAYER_TYPE_VALUES)
    if bad.any():
        raise fail("player_type", bad, f"is not one of {list(PLAYER_TYPE_VALUES)}")
    kind = players["player_type"]
    for col, allowed, needed_by in (("bats", BATS, ("batter", "two_way")), ("throws", THROWS, ("pitcher", "two_way"))):
        value = players[col]
        bad = (value.notna() & ~value.isin(allowed)) | (value.isna() & kind.isin(needed_by))
        if bad.any():
            raise fail(col, bad, f"is not one of {list(allowed)}" + f" (may be empty only for a "
                       f"{'pitcher' if col == 'bats' else 'batter'})")
    from hfm_runtime.people import AGE_SOURCES, age_sources

    missing_date = players["birth_date"].isna().to_numpy()
    stated_flag = None  # per row: True / False / None (empty cell)
    if AGE_IMPUTED in players.columns:
        flag = players[AGE_IMPUTED].map(lambda v: None if v is None else str(v).strip().lower())
        bad = ~flag.isin(["true", "false", "1", "0", None])
        if bad.any():
            raise fail(AGE_IMPUTED, bad, "is not true or false")
        stated_flag = flag.map(lambda v: None if v is None else v in ("true", "1"))
    # what a file without age_source says (people.age_sources): age_imputed (empty: false) and the date
    old_style = players[["birth_date"]].copy()
    if stated_flag is not None:
        old_style[AGE_IMPUTED] = stated_flag.map(bool).to_numpy(dtype=bool) | missing_date
    source = age_sources(old_style)
    if AGE_SOURCE in players.columns:
        stated = players[AGE_SOURCE].map(lambda v: None if v is None else str(v).strip().lower())
        bad = stated.notna() & ~stated.isin(AGE_SOURCES)
        if bad.any():
            raise fail(AGE_SOURCE, bad, f"is not one of {list(AGE_SOURCES)} (or empty)")
        if stated_flag is not None:
            both = stated.notna() & stated_flag.notna()
            clash = both & ((stated == "exact") == stated_flag.map(bool))
            if clash.any():
                raise fail(AGE_SOURCE, clash, f"contradicts column {AGE_IMPUTED} (exact goes with false, "
                           "birth_year and imputed with true)")
        source = np.where(stated.notna().to_numpy(), stated.to_numpy(dtype=object), source).astype(object)
        source[missing_date] = "imputed"  # no date: it is imputed on load, whatever the cell said
    players[AGE_SOURCE] = source
    players[AGE_IMPUTED] = source != "exact"
    return players


def write_players(players: pd.DataFrame, path: str | Path) -> None:
    """Write players.csv (PLAYER_COLUMNS + age_imputed + age_source, dates as YYYY-MM-DD, empty where
    unknown). A table without age_source gets it from people.age_sources; age_imputed is written as
    age_source says (true unless exact), so the two never disagree."""
    from hfm_runtime.people import age_sources

    out = players[list(PLAYER_COLUMNS)].copy()
    source = age_sources(players)
    out["birth_date"] = pd.to_datetime(out["birth_date"]).dt.strftime("%Y-%m-%d")
    out[AGE_IMPUTED] = np.where(source == "exact", "false", "true")
    out[AGE_SOURCE] = source
    out.to_csv(path, index=False)


def _read_true_talent(path: Path) -> pd.DataFrame:
    try:
        talent = parquet_module().read_table(path).to_pandas()
    except (ValueError, OSError) as exc:
        raise HFMInputError(f"{path}: cannot read as Parquet: {exc}") from None
    missing = [c for c in TRUE_TALENT_KEYS if c not in talent.columns]
    if missing:
        raise HFMInputError(f"{path}: missing column(s) {', '.join(missing)}")
    talent["player_id"] = talent["player_id"].astype("int64")
    talent["season"] = talent["season"].astype("int64")
    return talent
