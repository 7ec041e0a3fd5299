"""Give a run fitted before 2026-12-07 evening its playing-time spread's hold (`most`), nothing else changed.

    python benchmarks/studies/refit_run_playing_time.py artifacts/runs/real_2019 [--league DIR]

Since 2026-12-07 evening `hfm-train fit` records in blend.json's `ranges.playing_time` the most
opportunities of the spread's fit rows of its last five seasons per type (hfm_runtime.playing_time's `most`: the hold of every
level); a run fitted before has none, and its bundle holds at the 2001-2018 constant. Refitting a
real-data run whole takes 35 min and its ablations an hour more, yet the spread is a function of the
league's lines and the run's training and validation seasons alone. So this refits the spread with the
current code on those seasons (hfm_train.calibration.fit_season_playing_time, as `fit` calls it),
checks that every field but `most` is the run's to the last bit (else it stops and writes nothing),
and writes blend.json again with `most` added (a temporary file moved into place). Then re-export:
`hfm-export RUN --out DIR`.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from hfm_runtime.playing_time import PlayingTimeSpread
from hfm_train.calibration import fit_season_playing_time
from hfm_train.playing_time import PlayingTimeConfig
from hfm_train.league_stream import league_lines, league_seasons, run_league
from real_ridge_study import print_notice  # the studies beside this one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run")
    parser.add_argument("--league", default=None, help="league folder (default: the one the run was trained on)")
    args = parser.parse_args()
    print_notice(args.run, args.league)
    run = Path(args.run)
    meta = json.loads((run / "config.json").read_text())
    blend = json.loads((run / "blend.json").read_text())
    where = f"{run / 'blend.json'}: ranges.playing_time"
    if "playing_time" not in blend.get("ranges", {}):
        raise SystemExit(f"{where}: missing (the run has no playing-time spread to refit)")
    had = PlayingTimeSpread.from_json(blend["ranges"]["playing_time"], where)
    if had.most is not None:
        raise SystemExit(f"{where}: already records its most ({dict(had.most)}); nothing to do")
    path = run_league(run, meta, args.league)
    league, lines = league_lines(path, league_seasons(path, meta["run"].get("last_season"),
                                                      meta["run"].get("first_season")))
    seasons = sorted(int(s) for s in meta["seasons"]["train"] + meta["seasons"]["validation"])
    new = fit_season_playing_time(lines, league.players, seasons)
    if new is None:
        raise SystemExit(f"{where}: the league's lines of seasons {seasons} give too few rows for a spread now; "
                         "is it the league the run was trained on? (--league)")
    if replace(new, most=None) != had:
        raise SystemExit(f"{where}: the current code's spread on seasons {seasons} is not the run's but for `most`; "
                         "refit the run instead (hfm-train fit)")
    blend["ranges"]["playing_time"] = new.to_json()
    card = json.loads((run / "model_card.json").read_text()) if (run / "model_card.json").is_file() else None
    if card is not None and "ranges" in card.get("blend", {}):  # fit writes blend.json's copy there too
        card["blend"]["ranges"]["playing_time"] = new.to_json()
        _write(run / "model_card.json", card)
    _write(run / "blend.json", blend)
    print(f"{run}: ranges.playing_time (seasons {seasons[0]}-{seasons[-1]}) now holds at the most of its last "
          f"{PlayingTimeConfig().most_seasons} seasons: "
          + ", ".join(f"{pt} {most:.1f}" for pt, most in new.most.items()))


def _write(path: Path, data: dict) -> None:
    """`data` as JSON (indent 2, as fit writes it) to `path` through a temporary file moved into place,
    with the file's mode (mkstemp makes its file owner-only)."""
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".json")
    with os.fdopen(handle, "w") as out:
        json.dump(data, out, indent=2)
    os.chmod(tmp, path.stat().st_mode & 0o777)
    os.replace(tmp, path)


if __name__ == "__main__":
    main()
