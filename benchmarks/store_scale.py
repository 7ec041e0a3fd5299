"""Memory of the PlayerStore (hfm_runtime.store) on simulated leagues, and its estimate for a full league.

    python benchmarks/store_scale.py --bundle B [--league artifacts/league artifacts/league_s7 ...]
                                     [--count-league artifacts/scale/league] [--out benchmarks/results/store_scale]

For each league: build the store from all its pitches (timed, peak RSS of this process noted) and
report what it holds in numpy (`PlayerStore.nbytes`: game lines, Level-1 outputs) and on disk (`save`).
Game lines grow with player-games, Level-1 outputs with players (each keeps his last max_games games),
so the bytes per player-game line and per player measured on the largest league given, times the
counts of a `--scale 1.0` league (30 MLB + 15 AAA teams x 162 games x 7 seasons, hfm_train's
LeagueConfig.scaled(1.0)), estimate that league's store; with two or more leagues the estimate of the
largest from the smaller one shows how far the extrapolation is off. `--count-league` (e.g. a
`--scale 1.0` league already simulated) counts that league's player-game lines and players exactly,
one season at a time, and estimates its store from those counts. Not part of `make bench`.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(bundle: Path, league_dir: Path) -> dict:
    from hfm_runtime.league import load_league
    from hfm_runtime.scoring import Scorer, ScorerOptions
    from hfm_runtime.store import PlayerStore

    league = load_league(league_dir)
    scorer = Scorer(bundle, ScorerOptions(threads=2))
    start = time.perf_counter()
    store = PlayerStore.build(scorer, league.pitches, league.players)
    build_s = time.perf_counter() - start
    held = store.nbytes()
    with tempfile.TemporaryDirectory() as tmp:
        folder = store.save(Path(tmp) / "store")
        disk = sum(f.stat().st_size for f in folder.iterdir())
        start = time.perf_counter()
        PlayerStore.load(folder, scorer)
        load_s = time.perf_counter() - start
    lines = sum(seg.n for d in store._lines.values() for seg in d.values())
    players = len({p for d in store._context.values() for p in d})
    return {
        "league": str(league_dir), "pitches": len(league.pitches), "games": store.n_games,
        "player_game_lines": lines, "players": players, "build_s": round(build_s, 1), "load_s": round(load_s, 2),
        "held_mib": {k: round(v / 2**20, 1) for k, v in held.items()}, "disk_mib": round(disk / 2**20, 1),
        "bytes_per_line": held["lines"] / lines, "bytes_per_player": held["level1"] / players,
        "peak_rss_gib_so_far": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
    }


def count(league_dir: Path) -> dict:
    """Player-game lines (both sides, every level) and players of a league, read one season at a time."""
    import numpy as np

    from hfm_runtime.league import load_league, read_league_meta

    lines, players = 0, set()
    for season in read_league_meta(league_dir)["seasons"]:
        pitches = load_league(league_dir, seasons=[season]).pitches
        for side in ("batter", "pitcher"):
            pairs = np.unique(np.stack([pitches[side].to_numpy(np.int64), pitches["game_pk"].to_numpy(np.int64)]), axis=1)
            lines += pairs.shape[1]
            players.update(np.unique(pairs[0]).tolist())
        print(f"counted {league_dir} {season}: {lines:,} lines so far", flush=True)
        del pitches
    return {"league": str(league_dir), "player_game_lines": lines, "players": len(players)}


def full_league_counts(measured: dict) -> dict:
    """Player-game lines and players of a --scale 1.0 league, from a measured league's per-game and
    per-team figures and the two configs."""
    from hfm_train.sim.config import LeagueConfig

    meta = json.loads((Path(measured["league"]) / "league.json").read_text())["config"]
    small, full = LeagueConfig(**meta), LeagueConfig.scaled(1.0)

    def games(c: LeagueConfig) -> float:
        return (c.mlb_teams + c.aaa_teams) * c.games_per_team / 2 * c.n_seasons

    def roster(c: LeagueConfig) -> float:
        return (c.mlb_teams + c.aaa_teams) * (c.batters_per_team + c.pitchers_per_team)

    return {"player_game_lines": measured["player_game_lines"] * games(full) / games(small),
            "players": measured["players"] * roster(full) / roster(small)}


def estimate(measured: dict, counts: dict) -> dict:
    lines = measured["bytes_per_line"] * counts["player_game_lines"]
    level1 = measured["bytes_per_player"] * counts["players"]
    return {"lines_mib": round(lines / 2**20), "level1_mib": round(level1 / 2**20),
            "total_mib": round((lines + level1) / 2**20), **{k: round(v) for k, v in counts.items()}}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bundle", type=Path, required=True)
    parser.add_argument("--league", type=Path, nargs="+", default=[ROOT / "artifacts/league", ROOT / "artifacts/league_s7"])
    parser.add_argument("--count-league", type=Path, nargs="*", default=[])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/store_scale")
    args = parser.parse_args(argv)
    rows = [measure(args.bundle, d) for d in args.league]
    for r in rows:
        print(json.dumps(r), flush=True)
    largest = max(rows, key=lambda r: r["player_game_lines"])
    report = {"leagues": rows, "scale_1.0_estimate": estimate(largest, full_league_counts(largest))}
    if len(rows) > 1:
        smallest = min(rows, key=lambda r: r["player_game_lines"])
        counts = {"player_game_lines": largest["player_game_lines"], "players": largest["players"]}
        predicted = estimate(smallest, counts)
        report["check"] = {"largest_predicted_from_smallest_mib": predicted["total_mib"],
                           "largest_measured_mib": round(sum(largest["held_mib"].values()))}
    for league_dir in args.count_league:
        counted = count(league_dir)
        counts = {k: counted[k] for k in ("player_game_lines", "players")}
        report.setdefault("counted", []).append({**counted, "estimate": estimate(largest, counts)})
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(report, indent=2))
    print(json.dumps({k: v for k, v in report.items() if k != "leagues"}), file=sys.stderr)


if __name__ == "__main__":
    main()
