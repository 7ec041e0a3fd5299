"""Statcast pitch-event schema: Baseball Savant's own column names and the kinds of value they hold.

A real Savant CSV export, a pybaseball `statcast()` DataFrame and the simulator's output all go
through the one loader in this module.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

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
}

REQUIRED_NON_NULL: tuple[str, ...] = (
    "game_pk", "game_date", "pitcher", "batter", "balls", "strikes", "outs_when_up", "inning",
    "at_bat_number", "pitch_number", "stand", "p_throws", "description", "type",
)

# Not a Statcast column: added by the loader from where the file came from (a real export is "MLB").
LEVEL_COLUMN = "level"
LEVELS: tuple[str, ...] = ("MLB", "AAA")


# --- loader ---------------------------------------------------------------------------------------
# pandas' own text dtype (NaN = missing) where this pandas has it (2.3+), else plain objects.
try:
    TEXT_DTYPE: object = pd.StringDtype(na_value=np.nan)
except TypeError:  # pandas < 2.3
    TEXT_DTYPE = object
SORT_KEYS: tuple[str, ...] = ("game_pk", "at_bat_number", "pitch_number")
CSV_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zip")
PARQUET_SUFFIXES: tuple[str, ...] = (".parquet", ".pq")

PathLike = str | os.PathLike
PitchSource = PathLike | pd.DataFrame | Sequence[PathLike] | Mapping[str, object]


def load_pitches(source: PitchSource, level: str | None = "MLB") -> pd.DataFrame:
    """Load and validate Statcast pitch events.

    `source` is a file (CSV, compressed CSV or Parquet), a folder of such files, a list of files, a
    DataFrame with Baseball Savant / pybaseball column names, or a mapping {level: any of those}
    (several levels in one frame; `level` is then ignored). Every problem is one `HFMInputError`
    naming the file, the column and the first bad row (1-based data row; CSV line number as well).

    Returns exactly STATCAST_COLUMNS plus `level`, with normalised dtypes: "int" columns in
    REQUIRED_NON_NULL as int64, other "int" and all "float" columns as float64 (NaN = missing),
    `game_date` as datetime64[ns] at midnight, "str" columns as TEXT_DTYPE (pandas' `str` dtype:
    Arrow-backed where pyarrow is installed, NaN for missing, "" counts as missing; several times
    faster and smaller than Python objects; test for missing text with isna()). Extra columns are
    dropped. Rows are sorted by game_pk, at_bat_number, pitch_number. `level` tags every row; with
    level=None a DataFrame source must carry its own.
    """
    if isinstance(source, Mapping):  # {level: source}: several levels, sorted once
        parts = [_load_unsorted(part, lvl) for lvl, part in source.items()]
        if not parts:
            raise HFMInputError("no Statcast files given")
        return _sorted(pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0])
    return _sorted(_load_unsorted(source, level))


def _load_unsorted(source: PitchSource, level: str | None) -> pd.DataFrame:
    if level is not None and (not isinstance(level, str) or not level):
        raise HFMInputError(f"level must be a non-empty string such as 'MLB', got {level!r}")
    if isinstance(source, pd.DataFrame):
        frames = [_normalise(source, "<DataFrame>", csv=False, keep_level=level is None)]
    else:
        if level is None:
            raise HFMInputError("level=None needs a DataFrame source with a 'level' column")
        frames = [_read_file(path) for path in _expand(source)]
    pitches = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    if level is not None:
        pitches[LEVEL_COLUMN] = pd.Series(level, index=pitches.index, dtype=TEXT_DTYPE)
    return pitches


def _expand(source: PathLike | Sequence[PathLike]) -> list[Path]:
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    if not items:
        raise HFMInputError("no Statcast files given")
    paths: list[Path] = []
    for item in items:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if _kind(p) is not None)
            if not found:
                raise HFMInputError(f"{path}: folder holds no .csv, .csv.gz or .parquet files")
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


def _read_file(path: Path) -> pd.DataFrame:
    kind = _kind(path)
    if kind is None:
        raise HFMInputError(f"{path}: unknown file type (expected .csv, .csv.gz or .parquet)")
    if not path.is_file():
        raise HFMInputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise HFMInputError(f"{path}: file is empty")
    try:
        if kind == "csv":
            header = pd.read_csv(path, nrows=0).columns
            _check_columns(header, str(path))
            raw = pd.read_csv(path, usecols=list(STATCAST_COLUMNS), low_memory=False)
        else:
            pq = parquet_module()
            _check_columns(pq.read_schema(path).names, str(path))
            raw = pq.read_table(path, columns=list(STATCAST_COLUMNS)).to_pandas()
    except HFMInputError:
        raise
    except pd.errors.EmptyDataError:
        raise HFMInputError(f"{path}: file is empty") from None
    except (ValueError, OSError, EOFError, UnicodeDecodeError) as exc:  # parser/arrow/gzip errors
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HFMInputError(f"{path}: cannot read as {kind.upper()}: {first_line}") from None
    return _normalise(raw, str(path), csv=kind == "csv", keep_level=False)


def parquet_module():  # lazy: pyarrow is an optional dependency of the runtime
    try:
        return importlib.import_module("pyarrow.parquet")
    except ImportError:
        raise HFMInputError("reading Parquet needs pyarrow: pip install 'hfm-runtime[parquet]'") from None


def _check_columns(columns: Sequence[str], name: str) -> None:
    missing = [c for c in STATCAST_COLUMNS if c not in set(columns)]
    if missing:
        raise HFMInputError(f"{name}: missing column(s) {', '.join(missing)}")


def _normalise(raw: pd.DataFrame, name: str, *, csv: bool, keep_level: bool) -> pd.DataFrame:
    _check_columns(raw.columns, name)
    if raw.empty:
        raise HFMInputError(f"{name}: no rows")
    if keep_level and LEVEL_COLUMN not in raw.columns:
        raise HFMInputError(f"{name}: missing column {LEVEL_COLUMN} (needed with level=None)")

    def where(col: str, bad: np.ndarray, problem: str) -> HFMInputError:
        i = int(np.flatnonzero(bad)[0])
        row = f"row {i + 1} (CSV line {i + 2})" if csv else f"row {i + 1}"
        value = raw[col].iloc[i]
        value = value.item() if isinstance(value, np.generic) else value
        shown = "" if value is None or (isinstance(value, float) and np.isnan(value)) else f" {value!r}"
        return HFMInputError(f"{name}: column {col}: {row}:{shown} {problem}")

    out: dict[str, object] = {}
    for col, kind in STATCAST_COLUMNS.items():
        s = raw[col]
        if kind in ("int", "float"):
            values = _numeric(s, col, where)
            if kind == "int":
                finite = np.isfinite(values)
                bad = np.zeros(len(values), bool)
                bad[finite] = values[finite] != np.round(values[finite])
                if bad.any():
                    raise where(col, bad, "is not a whole number")
            missing = np.isnan(values)
            if col in REQUIRED_NON_NULL:
                if missing.any():
                    raise where(col, missing, "is missing (required)")
                if kind == "int":
                    values = values.astype(np.int64)
            out[col] = values
        elif kind == "date":
            dates = _dates(s, col, where)
            if col in REQUIRED_NON_NULL and dates.isna().any():
                raise where(col, dates.isna().to_numpy(), "is missing (required)")
            out[col] = dates.to_numpy()
        else:
            text = _text(s)
            if col in REQUIRED_NON_NULL:
                missing = pd.isna(text)
                if missing.any():
                    raise where(col, missing, "is missing (required)")
            out[col] = text
    frame = pd.DataFrame(out)
    if keep_level:
        frame[LEVEL_COLUMN] = _text(raw[LEVEL_COLUMN])
        if frame[LEVEL_COLUMN].isna().any():
            raise where(LEVEL_COLUMN, frame[LEVEL_COLUMN].isna().to_numpy(), "is missing (required)")
    return frame


def _numeric(s: pd.Series, col: str, where) -> np.ndarray:
    if pd.api.types.is_bool_dtype(s):
        raise where(col, np.ones(len(s), bool), "is true/false, expected a number")
    if pd.api.types.is_numeric_dtype(s):
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    values = pd.to_numeric(s, errors="coerce")
    bad = (s.notna() & values.isna()).to_numpy()
    if bad.any():
        raise where(col, bad, "is not a number")
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _dates(s: pd.Series, col: str, where) -> pd.Series:
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(s):
        return s.dt.normalize().astype("datetime64[ns]")
    if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        raise where(col, s.notna().to_numpy(), "is not a date")
    parsed = pd.to_datetime(s, errors="coerce", format="ISO8601")
    retry = s.notna() & parsed.isna()
    if retry.any():  # e.g. 4/1/2024 from a spreadsheet; slower, so only for what ISO 8601 missed
        parsed = parsed.astype("datetime64[ns]")
        parsed[retry] = pd.to_datetime(s[retry], errors="coerce", format="mixed")
        bad = (s.notna() & parsed.isna()).to_numpy()
        if bad.any():
            raise where(col, bad, "is not a date")
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    return parsed.dt.normalize().astype("datetime64[ns]")


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


def _sorted(pitches: pd.DataFrame) -> pd.DataFrame:
    keys = [pitches[k].to_numpy() for k in SORT_KEYS]
    # Already ordered (the simulator's files are): skip the sort.
    ordered = len(pitches) < 2 or bool(
        np.all(
            (np.diff(keys[0]) > 0)
            | ((np.diff(keys[0]) == 0) & (np.diff(keys[1]) > 0))
            | ((np.diff(keys[0]) == 0) & (np.diff(keys[1]) == 0) & (np.diff(keys[2]) >= 0))
        )
    )
    if not ordered:
        pitches = pitches.sort_values(list(SORT_KEYS), kind="stable")
    return pitches.reset_index(drop=True)
