"""`hfm-train fetch`: download Statcast through pybaseball into per-season Parquet files for `import`.

    pip install -e '.[fetch]' (from the repository)     # pybaseball
    hfm-train fetch --start 2021-04-01 --end 2021-10-03 --out data/statcast   # seasons after 2021: refused
    hfm-train import data/statcast --register people.csv --out artifacts/league_real

The date range is cut into weeks (Monday to Sunday, clipped to the range; a week never spans two
years), each fetched with one call `fetch_week(first_day, last_day) -> DataFrame` (by default
pybaseball's `statcast()`, which asks Baseball Savant day by day) and saved as
`<out>/.weeks/<first>_<last>.parquet` (an empty week as `.empty`), written to a temporary name and
renamed, so an interrupted fetch resumes where it stopped: weeks already saved are not fetched again.
Then each season touched is (re)assembled from all its saved weeks into `<out>/statcast_<season>.parquet`
(rows as pybaseball returned them, every column kept, duplicates of a key across overlapping weeks
dropped). `import` reads `<out>` as a folder: the season files only, not `.weeks/`.
No test touches the network: they inject `fetch_week` or replace pybaseball's network call.
"""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import click
import pandas as pd

from hfm_runtime.errors import HFMInputError

WEEKS_DIR = ".weeks"
DEFAULT_OUT = Path("data/statcast")
KEYS = ["game_pk", "at_bat_number", "pitch_number"]
FetchWeek = Callable[[dt.date, dt.date], pd.DataFrame]


@dataclass(frozen=True)
class FetchReport:
    weeks_fetched: int
    weeks_skipped: int  # already on disk
    seasons: dict[int, int]  # season -> rows in its file
    out: Path


def weeks(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """[start, end] cut into Monday-to-Sunday weeks (clipped), none spanning a new year."""
    if end < start:
        raise HFMInputError(f"--end {end} is before --start {start}")
    out = []
    day = start
    while day <= end:
        last = min(day + dt.timedelta(days=6 - day.weekday()), end, dt.date(day.year, 12, 31))
        out.append((day, last))
        day = last + dt.timedelta(days=1)
    return out


def fetch_statcast(
    start: dt.date,
    end: dt.date,
    out: str | Path = DEFAULT_OUT,
    fetch_week: FetchWeek | None = None,
    progress: bool = False,
    log: Callable[[str], None] = lambda _: None,
) -> FetchReport:
    """Fetch [start, end] week by week into `out` and assemble the seasons touched (module docstring)."""
    from tqdm import tqdm

    from hfm_train.lahman_check import LAST_SEASON

    if end.year > LAST_SEASON:  # the project's independent check reads them: never fetched here
        raise HFMInputError(f"--end {end}: seasons after {LAST_SEASON} are held out of this project "
                            "(hfm_train.lahman_check.LAST_SEASON)")
    out = Path(out)
    store = out / WEEKS_DIR
    todo = weeks(start, end)
    if fetch_week is None and not (store.is_dir() and all(_covered(store, a, b) for a, b in todo)):
        _pybaseball_statcast()  # a week to fetch and no pybaseball: fail before making the output folder
    store.mkdir(parents=True, exist_ok=True)
    fetch_week = fetch_week or pybaseball_week
    fetched = skipped = 0
    bar = tqdm(todo, unit=" weeks", disable=not progress, desc="statcast")
    for first, last in bar:
        bar.set_postfix_str(f"{first}..{last}")
        if _covered(store, first, last):
            skipped += 1
            continue
        try:
            frame = fetch_week(first, last)
        except HFMInputError:
            raise
        except Exception as exc:  # network, Savant or pybaseball errors: what was saved stays saved
            raise HFMInputError(f"fetching {first}..{last} failed ({type(exc).__name__}: {exc}); "
                                f"{fetched} week(s) saved in {store}; run the same command again to resume") from exc
        _save_week(store, first, last, frame)
        fetched += 1
        log(f"{first}..{last}: {0 if frame is None else len(frame):,} rows")
    bar.close()
    seasons = {}
    for season in sorted({first.year for first, _ in todo}):
        rows = _assemble(store, out, season)
        if rows is not None:
            seasons[season] = rows
    return FetchReport(weeks_fetched=fetched, weeks_skipped=skipped, seasons=seasons, out=out)


def _week_files(store: Path) -> Iterator[tuple[dt.date, dt.date, Path]]:
    for path in store.iterdir():
        stem, suffix = path.name.split(".", 1) if "." in path.name else (path.name, "")
        if suffix not in ("parquet", "empty"):
            continue
        try:
            first, last = (dt.date.fromisoformat(x) for x in stem.split("_"))
        except ValueError:
            continue
        yield first, last, path


def _covered(store: Path, first: dt.date, last: dt.date) -> bool:
    return any(a <= first and last <= b for a, b, _ in _week_files(store))


def _save_week(store: Path, first: dt.date, last: dt.date, frame: pd.DataFrame | None) -> None:
    stem = f"{first.isoformat()}_{last.isoformat()}"
    if frame is None or frame.empty:
        target = store / f"{stem}.empty"
        tmp = store / f".{stem}.empty.tmp"
        tmp.write_text("")
    else:
        target = store / f"{stem}.parquet"
        tmp = store / f".{stem}.parquet.tmp"
        _portable(frame).to_parquet(tmp, index=False)
    os.replace(tmp, target)
    for a, b, path in list(_week_files(store)):  # weeks inside the new one are now redundant
        if path != target and first <= a and b <= last:
            path.unlink()


def _portable(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns holding anything but text (mixed values Arrow cannot store) as text; the rest
    untouched."""
    frame = frame.copy()
    for col in frame.columns[frame.dtypes == object]:
        values = frame[col]
        if not all(isinstance(v, str) for v in values.dropna()):
            frame[col] = values.map(lambda v: v if pd.isna(v) else str(v)).astype("string")
    return frame


def _assemble(store: Path, out: Path, season: int) -> int | None:
    """statcast_<season>.parquet from every saved week of that season; its row count (None: no rows)."""
    parts = sorted(p for a, _, p in _week_files(store) if a.year == season and p.suffix == ".parquet")
    target = out / f"statcast_{season}.parquet"
    if not parts:
        return None
    frame = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    if all(k in frame.columns for k in KEYS):  # overlapping weeks (partly re-fetched ranges)
        frame = frame.drop_duplicates(KEYS)
    tmp = out / f".statcast_{season}.parquet.tmp"
    frame.to_parquet(tmp, index=False)
    os.replace(tmp, target)
    return len(frame)


# --- pybaseball ------------------------------------------------------------------------------------
def _pybaseball_statcast():
    try:
        return importlib.import_module("pybaseball.statcast")
    except ImportError:
        raise HFMInputError("hfm-train fetch needs pybaseball: pip install -e '.[fetch]' (from the repository)") from None


def pybaseball_week(first: dt.date, last: dt.date) -> pd.DataFrame:
    """pybaseball's `statcast(first, last)` (Savant asked day by day), its own progress bar silenced."""
    statcast_module = _pybaseball_statcast()
    with _quiet_tqdm(statcast_module):
        return statcast_module.statcast(start_dt=first.isoformat(), end_dt=last.isoformat(), verbose=False,
                                        parallel=True)


@contextmanager
def _quiet_tqdm(module) -> Iterator[None]:
    """pybaseball draws a bar per call; ours (per week) is the one that counts."""
    original = getattr(module, "tqdm", None)
    if original is None:
        yield
        return

    def silent(*args, **kwargs):
        return original(*args, **{**kwargs, "disable": True})

    module.tqdm = silent
    try:
        yield
    finally:
        module.tqdm = original


def _date(text: str, flag: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise HFMInputError(f"{flag}: {text!r} is not a YYYY-MM-DD date") from None


@click.command("fetch")
@click.option("--start", required=True, help="First day, YYYY-MM-DD.")
@click.option("--end", required=True, help="Last day, YYYY-MM-DD (inclusive).")
@click.option("--out", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Folder for statcast_<season>.parquet (and the .weeks/ it resumes from).")
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def fetch_command(start: str, end: str, out: Path, no_progress: bool) -> None:
    """Download Statcast pitches through pybaseball (optional extra: pip install -e '.[fetch]' (from the repository)), resumable."""
    report = fetch_statcast(_date(start, "--start"), _date(end, "--end"), out, progress=not no_progress)
    click.echo(f"{report.weeks_fetched} week(s) fetched, {report.weeks_skipped} already there; "
               + ", ".join(f"{out / f'statcast_{s}.parquet'}: {n:,} rows" for s, n in report.seasons.items()))
    click.echo(f"next: hfm-train import {out} --register <chadwick register> --out artifacts/league_real")
