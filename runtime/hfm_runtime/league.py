"""Read a simulated league folder (the simulator's output contract) into DataFrames.

    <dir>/league.json          {"schema_version": 1, "seed", "seasons", "levels", "config"}
    <dir>/players.csv          player_id, name_first, name_last, birth_date, bats, throws, player_type
    <dir>/true_talent.parquet  optional: true per-opportunity rates per (player_id, season)
    <dir>/pitches/<level>/<season>.parquet
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hfm_runtime.errors import HFMInputError, read_json_object
from hfm_runtime.statcast import parquet_module, load_pitches

LEAGUE_SCHEMA_VERSION = 1
PLAYER_COLUMNS: tuple[str, ...] = (
    "player_id", "name_first", "name_last", "birth_date", "bats", "throws", "player_type",
)
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
    """Load a league folder; `seasons`/`levels` restrict which pitch files are read (default: all)."""
    root = Path(path)
    if not root.is_dir():
        raise HFMInputError(f"{root}: no such league folder (run `hfm-train simulate` to make one)")
    meta = _read_meta(root / "league.json")
    all_seasons = [int(s) for s in meta["seasons"]]
    all_levels = [str(v) for v in meta["levels"]]
    want_seasons = all_seasons if seasons is None else [s for s in all_seasons if s in set(seasons)]
    want_levels = all_levels if levels is None else [v for v in all_levels if v in set(levels)]

    files = {
        level: [root / "pitches" / level / f"{season}.parquet" for season in want_seasons]
        for level in want_levels
    }
    files = {level: paths for level, paths in files.items() if paths}
    if not files:
        raise HFMInputError(f"{root}: no pitch files selected (seasons {all_seasons}, levels {all_levels})")
    for paths in files.values():
        missing = [str(f) for f in paths if not f.is_file()]
        if missing:
            raise HFMInputError(f"{root}: league.json lists {missing[0]} but it does not exist")
    pitches = load_pitches(files)

    talent_path = root / "true_talent.parquet"
    true_talent = _read_true_talent(talent_path) if talent_path.is_file() else None
    return League(
        pitches=pitches,
        players=read_players(root / "players.csv"),
        true_talent=true_talent,
        seasons=want_seasons,
        levels=want_levels,
        meta=meta,
    )


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
    return meta


def read_players(path: str | Path) -> pd.DataFrame:
    """players.csv with player_id int64, birth_date datetime64[ns], text columns as object."""
    path = Path(path)
    if not path.is_file():
        raise HFMInputError(f"{path}: missing")
    try:
        players = pd.read_csv(path, dtype=object, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise HFMInputError(f"{path}: file is empty") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise HFMInputError(f"{path}: cannot read as CSV: {exc}") from None
    missing = [c for c in PLAYER_COLUMNS if c not in players.columns]
    if missing:
        raise HFMInputError(f"{path}: missing column(s) {', '.join(missing)}")
    players = players.astype(object)

    def fail(col: str, bad: pd.Series, problem: str) -> HFMInputError:
        i = int(bad.to_numpy().nonzero()[0][0])
        return HFMInputError(
            f"{path}: column {col}: row {i + 1} (CSV line {i + 2}): {players[col].iloc[i]!r} {problem}"
        )

    ids = pd.to_numeric(players["player_id"], errors="coerce")
    if ids.isna().any():
        raise fail("player_id", ids.isna(), "is not an integer id")
    if ids.duplicated().any():
        raise fail("player_id", ids.duplicated(), "is a duplicate id")
    players["player_id"] = ids.astype("int64")
    born = pd.to_datetime(players["birth_date"], errors="coerce", format="ISO8601")
    if born.isna().any():
        raise fail("birth_date", born.isna(), "is not a YYYY-MM-DD date")
    players["birth_date"] = born.astype("datetime64[ns]")
    for col, allowed in (("bats", {"L", "R", "S"}), ("throws", {"L", "R"}),
                         ("player_type", {"batter", "pitcher"})):
        bad = ~players[col].isin(allowed)
        if bad.any():
            raise fail(col, bad, f"is not one of {sorted(allowed)}")
    return players


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
