"""Import at real scale: ~7.5 million pitches (ten MLB seasons) of simulated data in Savant's CSV layout.

    python benchmarks/import_scale.py [--league artifacts/league_s7] [--work /tmp/hfm_import_scale]
                                      [--copies 4] [--seasons 2015-2024] [--keep]

Writes ten seasons as real downloads look: each season is `--copies` copies of one of the league's
MLB seasons (game_pks and dates shifted to the target year), split into three monthly-ish files whose
edges overlap by 2,000 rows (duplicates, as from overlapping downloads), with 2% spring-training rows,
seasons up to 2020 in the 2020 layout (90 columns, pybaseball's unnamed index, no delta_run_exp) and
later ones in today's (118 columns); then runs `hfm-train import` on the folder under
`/usr/bin/time -v` and prints pitches/s and the peak resident memory. Not part of `make bench`
(a script, not a pytest file): it takes minutes and about 2 GB of disk.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_runtime.errors import read_json_object
from hfm_runtime.league import load_league
from hfm_train.savant import write_savant_csv


def shifted(pitches: pd.DataFrame, year: int, copy: int) -> pd.DataFrame:
    """`pitches` of one season moved to `year` (same day of the year) as copy number `copy`."""
    src = int(pitches["game_date"].dt.year.iloc[0])
    dates = pitches["game_date"].to_numpy().astype("datetime64[D]")
    moved = np.datetime64(f"{year}-01-01") + (dates - np.datetime64(f"{src}-01-01"))
    return pitches.assign(game_date=moved.astype("datetime64[ns]"),
                          game_pk=pitches["game_pk"] + (year - 2000) * 10_000_000 + copy * 1_000_000)


def write_files(league_dir: Path, out: Path, seasons: list[int], copies: int) -> tuple[int, int]:
    """The Savant-layout files; returns (rows written, regular-season pitches after deduplication)."""
    league = load_league(league_dir, levels=["MLB"])
    by_season = {s: p.drop(columns="level") for s, p in league.pitches.groupby(league.pitches["game_date"].dt.year)}
    sources = sorted(by_season)
    out.mkdir(parents=True, exist_ok=True)
    rows = regular = 0
    for i, year in enumerate(seasons):
        base = by_season[sources[i % len(sources)]]
        season = pd.concat([shifted(base, year, k) for k in range(copies)], ignore_index=True)
        regular += len(season)
        games = season["game_pk"].unique()
        spring_games = games[:: 50]  # 2% of the games again, a month earlier, as spring training
        spring = season[season["game_pk"].isin(spring_games)]
        spring = spring.assign(game_type="S", game_pk=spring["game_pk"] + 500_000,
                               game_date=spring["game_date"] - pd.Timedelta(days=30))
        season = pd.concat([spring, season], ignore_index=True)
        vintage = "2020" if year <= 2020 else "today"
        cuts = np.linspace(0, len(season), 4).astype(int)
        for j in range(3):
            lo, hi = max(cuts[j] - 2_000, 0), cuts[j + 1]  # each file repeats the previous one's last rows
            write_savant_csv(season.iloc[lo:hi], out / f"statcast_{year}_{j + 1}.csv", vintage,
                             pybaseball_index=year <= 2020, first_index=lo)
            rows += hi - lo
        print(f"  {year}: {len(season):,} rows ({vintage} layout)", flush=True)
    return rows, regular


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--league", type=Path, default=Path("artifacts/league_s7"))
    p.add_argument("--work", type=Path, default=Path("/tmp/hfm_import_scale"))
    p.add_argument("--copies", type=int, default=4)
    p.add_argument("--seasons", default="2015-2024")
    p.add_argument("--keep", action="store_true", help="keep the files (default: delete them afterwards)")
    p.add_argument("--reuse", action="store_true", help="reuse files already in --work/files")
    args = p.parse_args()
    first, last = (int(x) for x in args.seasons.split("-"))
    files = args.work / "files"
    if not args.reuse:
        shutil.rmtree(files, ignore_errors=True)
        start = time.perf_counter()
        print(f"writing Savant-layout files from {args.league} into {files}", flush=True)
        rows, regular = write_files(args.league, files, list(range(first, last + 1)), args.copies)
        size = sum(f.stat().st_size for f in files.iterdir())
        print(f"wrote {rows:,} rows ({regular:,} regular-season pitches), {size / 2**30:.2f} GiB, "
              f"in {time.perf_counter() - start:.0f} s", flush=True)
    out = args.work / "league"
    command = ["/usr/bin/time", "-v", str(Path(sys.executable).parent / "hfm-train"), "import", str(files),
               "--out", str(out), "--no-progress"]
    print("$ " + " ".join(command), flush=True)
    result = subprocess.run(command, capture_output=True, text=True)
    print(result.stdout)
    if result.returncode:
        print(result.stderr)
        sys.exit(result.returncode)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", result.stderr).group(1)
    parts = [float(x) for x in wall.split(":")]
    seconds = sum(v * 60 ** i for i, v in enumerate(reversed(parts)))
    meta = read_json_object(out / "league.json")
    pitches = sum(n for per in meta["pitches"].values() for n in per.values())
    print(f"import: {meta['rows_read']:,} rows read, {pitches:,} pitches written, "
          f"{meta['duplicates_dropped']:,} duplicates dropped, left out {meta['left_out']}")
    print(f"import: {seconds:.0f} s wall = {meta['rows_read'] / seconds:,.0f} rows/s read, "
          f"{pitches / seconds:,.0f} pitches/s written; peak RSS {rss_kb / 2**20:.2f} GiB")
    if not args.keep:
        shutil.rmtree(args.work, ignore_errors=True)


if __name__ == "__main__":
    main()
