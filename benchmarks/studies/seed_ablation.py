"""A retrained ablation over several training seeds: is the difference larger than what a refit moves?
(docs/real-data-history.md, "How much does a refit alone move these numbers?")

    python benchmarks/studies/seed_ablation.py --pair BASE_RUN ABLATION_RUN [--pair ...] [--json OUT]

Each pair: a run and its retrained ablation trained with the same seed (and Level 1). Over the
report's players of the shared test season (>= 100 PA / BF, an MLB line in the three seasons before:
hfm_train.real_eval's filter), per player type and stat:
  - each pair's RMSE(ablation blend) - RMSE(run blend) on all players (x1e-4), one column per seed;
  - the seed-averaged difference with a 90% interval from resampling players (the same resample for
    every pair, 2,000 draws), which counts the players' sampling noise with the seeds averaged;
  - the spread of the base runs' own mean cut against Marcel across seeds (training noise alone).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_train.evaluate import weighted_rmse
from hfm_train.real_eval import report_players, season_lines_of, wide_predictions
from real_ridge_study import print_notice  # the studies beside this one


def study(pairs: list[tuple[Path, Path]], samples: int = 2000, seed: int = 0) -> dict:
    config = json.loads((pairs[0][0] / "config.json").read_text())
    test = int(config["seasons"]["test"][0])
    lines = season_lines_of(Path(config["league"]), [test - 3, test - 2, test - 1])
    preds = {run: pd.read_csv(run / "test_predictions.csv") for pair in pairs for run in pair}
    out: dict = {"test": test, "pairs": [[str(a), str(b)] for a, b in pairs], "types": {}}
    for pt in ("batter", "pitcher"):
        opp = "PA" if pt == "batter" else "BF"
        rows = {run: p[p["player_type"] == pt] for run, p in preds.items()}
        stats = list(dict.fromkeys(rows[pairs[0][0]]["stat"]))
        first = wide_predictions(rows[pairs[0][0]], stats, ("weight", "actual", "marcel"))
        weight = first["weight"].iloc[:, 0]
        ids = report_players(weight, lines[pt], test, opp)
        w = weight.loc[ids].to_numpy(np.float64)
        truth, marcel = (first[c].loc[ids].to_numpy(np.float64) for c in ("actual", "marcel"))
        blend = {run: wide_predictions(r, stats, ("blend",))["blend"].loc[ids].to_numpy(np.float64)
                 for run, r in rows.items()}
        base, abl = [blend[a] for a, _ in pairs], [blend[b] for _, b in pairs]
        per_seed = np.array([weighted_rmse(y, truth, w) - weighted_rmse(x, truth, w) for x, y in zip(base, abl)])
        rng = np.random.default_rng(seed)
        draws = np.empty((samples, len(stats)))
        for i in range(samples):
            at = rng.integers(0, len(ids), len(ids))
            draws[i] = np.mean([weighted_rmse(y[at], truth[at], w[at]) - weighted_rmse(x[at], truth[at], w[at])
                                for x, y in zip(base, abl)], axis=0)
        rm = weighted_rmse(marcel, truth, w)
        cut = lambda p: float(np.mean(1 - weighted_rmse(p, truth, w) / rm))  # noqa: E731
        out["types"][pt] = {
            "players": int(len(ids)), "stats": stats,
            "per_seed_diff": per_seed.tolist(),
            "mean_diff": per_seed.mean(0).tolist(),
            "interval": np.percentile(draws, [5, 50, 95], axis=0).T.tolist(),
            "base_cut_vs_marcel": [cut(x) for x in base], "ablation_cut_vs_marcel": [cut(y) for y in abl],
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pair", nargs=2, type=Path, action="append", required=True, metavar=("RUN", "ABLATION"))
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    print_notice(*(run for pair in args.pair for run in pair))
    res = study([tuple(p) for p in args.pair], args.samples)
    for pt, r in res["types"].items():
        print(f"\n{pt}s, test {res['test']} ({r['players']} players), {len(args.pair)} seeds")
        print("  base mean cut vs Marcel per seed: " + ", ".join(f"{c:+.2%}" for c in r["base_cut_vs_marcel"]))
        print("  ablation mean cut vs Marcel per seed: " + ", ".join(f"{c:+.2%}" for c in r["ablation_cut_vs_marcel"]))
        for j, s in enumerate(r["stats"]):
            seeds = ", ".join(f"{d[j] * 1e4:+.1f}" for d in r["per_seed_diff"])
            lo, _, hi = r["interval"][j]
            print(f"  {s}: ablation - base per seed [{seeds}], seed mean {r['mean_diff'][j] * 1e4:+.1f} "
                  f"[{lo * 1e4:+.1f}, {hi * 1e4:+.1f}] (x1e-4)")
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
