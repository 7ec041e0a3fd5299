"""The Chadwick Bureau person register: names and birth dates by MLBAM id (Statcast's player ids).

Read in the columns the register itself (`people-*.csv` of chadwickbureau/register) and pybaseball's
`chadwick_register()` use: `key_mlbam` (required), `name_first`, `name_last`, `birth_year`,
`birth_month`, `birth_day` (each optional; every other column is ignored). Rows without an MLBAM id
(empty, or -1 as pybaseball fills it) are skipped; an id listed twice counts by its first row.
A birth date is complete when year, month and day are all given and form a real date. With the year
only, it is taken as July 1 of that year (the middle of baseball's age year) and marked incomplete,
so the players table flags the age as imputed. A file without one of the optional columns is read,
with a `RegisterWarning` naming the columns and what their absence costs (hfm-score and hfm-train
import print it).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError

REGISTER_ID = "key_mlbam"
REGISTER_COLUMNS: tuple[str, ...] = (
    REGISTER_ID, "name_first", "name_last", "birth_year", "birth_month", "birth_day",
)
# what each optional column's absence costs (RegisterWarning)
MISSING_COST: dict[str, str] = {
    "name_first": "no first names", "name_last": "no last names",
    "birth_year": "no birth dates (every age imputed)", "birth_month": "birth dates from the year only (July 1)",
    "birth_day": "birth dates from the year only (July 1)",
}


class RegisterWarning(UserWarning):
    """A register read without some of its optional columns; the message names them and the cost."""


# what read_register returns
REGISTER_FIELDS: tuple[str, ...] = ("player_id", "name_first", "name_last", "birth_date", "birth_date_complete")


def read_register(source: str | os.PathLike | pd.DataFrame | Sequence[str | os.PathLike]) -> pd.DataFrame:
    """The register as player_id (int64), name_first, name_last (object, None if unknown), birth_date
    (datetime64[ns], NaT if unknown) and birth_date_complete (bool), one row per MLBAM id.

    `source`: a CSV (.csv, .csv.gz) or Parquet file, a folder of them (e.g. the register's
    people-0.csv ... people-f.csv), a list of files, or a DataFrame. Bad values are an HFMInputError
    naming the file, column and row.
    """
    if isinstance(source, pd.DataFrame):
        parts = [_normalise(source, "<register DataFrame>")]
    else:
        parts = [_normalise(_read(path), str(path)) for path in register_files(source)]
    table = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    return table.drop_duplicates("player_id").sort_values("player_id").reset_index(drop=True)


def register_files(source) -> list[Path]:
    """The register files a source names: a file, a folder's .csv/.parquet files, or a list of them."""
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    if not items:
        raise HFMInputError("no register files given")
    paths: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and _is_table(p))
            if not found:
                raise HFMInputError(f"{path}: folder holds no .csv or .parquet register files")
            paths.extend(found)
        else:
            paths.append(path)
    return paths


def _is_table(path: Path) -> bool:
    return path.name.lower().endswith((".csv", ".csv.gz", ".parquet"))


def _read(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise HFMInputError(f"{path}: no such file")
    if not _is_table(path):
        raise HFMInputError(f"{path}: unknown file type for a register (expected the Chadwick register's .csv, "
                            ".csv.gz or .parquet, e.g. chadwick_register_retro.csv)")
    try:
        if path.name.lower().endswith(".parquet"):
            from hfm_runtime.statcast import parquet_module

            pq = parquet_module()
            names = pq.read_schema(path).names
            return pq.read_table(path, columns=[c for c in REGISTER_COLUMNS if c in names]).to_pandas()
        header = pd.read_csv(path, nrows=0).columns
        return pd.read_csv(path, usecols=[c for c in REGISTER_COLUMNS if c in set(header)], dtype=object,
                           keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise HFMInputError(f"{path}: file is empty") from None
    except (ValueError, OSError, EOFError, UnicodeDecodeError) as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HFMInputError(f"{path}: cannot read as a register table: {first_line}") from None


def _normalise(raw: pd.DataFrame, name: str) -> pd.DataFrame:
    if REGISTER_ID not in raw.columns:
        raise HFMInputError(f"{name}: missing column(s) {REGISTER_ID}")
    absent = [c for c in REGISTER_COLUMNS[1:] if c not in raw.columns]
    if absent:
        costs = list(dict.fromkeys(MISSING_COST[c] for c in absent))
        warnings.warn(f"{name}: no column(s) {', '.join(absent)} (the Chadwick register's are "
                      f"{', '.join(REGISTER_COLUMNS)}): {'; '.join(costs)}", RegisterWarning, stacklevel=2)
    raw = raw.reset_index(drop=True)

    def number(col: str, low: float, high: float) -> np.ndarray:
        if col not in raw.columns:
            return np.full(len(raw), np.nan)
        values = pd.to_numeric(raw[col], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        present = raw[col].notna().to_numpy()
        bad = present & (np.isnan(values) | (values < low) | (values > high) | (values != np.round(values)))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise HFMInputError(
                f"{name}: column {col}: row {i + 1} (CSV line {i + 2}): {raw[col].iloc[i]!r} is not a "
                f"whole number in {low:g}..{high:g}"
            )
        return values

    ids = number(REGISTER_ID, -1, 2**53)
    keep = np.isfinite(ids) & (ids > 0)
    year, month, day = number("birth_year", 1800, 2100), number("birth_month", 1, 12), number("birth_day", 1, 31)
    complete = np.isfinite(year) & np.isfinite(month) & np.isfinite(day)
    full = _dates(year, np.where(complete, month, 7), np.where(complete, day, 1))
    invalid = complete & np.isnat(full)  # e.g. February 30: keep the year only
    complete &= ~invalid
    born = np.where(complete, full, _dates(year, np.full(len(year), 7.0), np.ones(len(year))))

    def names(col: str) -> np.ndarray:
        if col not in raw.columns:
            return np.full(len(raw), None, dtype=object)
        values = raw[col].astype(object).to_numpy()
        return np.array([None if pd.isna(v) or str(v).strip() == "" else str(v).strip() for v in values],
                        dtype=object)

    return pd.DataFrame({
        "player_id": ids[keep].astype(np.int64),
        "name_first": names("name_first")[keep],
        "name_last": names("name_last")[keep],
        "birth_date": born[keep],
        "birth_date_complete": complete[keep],
    })


def _dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """datetime64[ns] from float year/month/day arrays; NaT where one is missing or the date is not real."""
    ok = np.isfinite(year) & np.isfinite(month) & np.isfinite(day)
    parts = pd.DataFrame({"year": np.where(ok, year, 2000), "month": np.where(ok, month, 1),
                          "day": np.where(ok, day, 1)}).astype(np.int64)
    dates = pd.to_datetime(parts, errors="coerce").to_numpy(dtype="datetime64[ns]")
    dates[~ok] = np.datetime64("NaT")
    return dates
