"""Does averaging HFM's blend with the sequence-skill ridge beat either alone on real seasons?
(docs/real-data-tried.md)

    python benchmarks/studies/real_stack_study.py artifacts/runs/sel2017_old artifacts/runs/sel2018_old

The study that chose the product's mix (benchmarks/results/real_mix_2017_2018.md), on runs fitted
without it (a run fitted with it has mixed out-of-fold rows). Since the product's fit chooses the
same way, the choice is hfm_train.mix.choose_mix itself.

The two tie on the mean (the report's blend - sequence_ridge intervals straddle zero on most stats)
but differ stat by stat, so a mix could beat both. Per player type and stat, the mix
`(1 - lam) * blend + lam * sequence_ridge` with lam in 0.0..1.0 step 0.1 chosen WITHOUT the test
season: on the run's out-of-fold rows (ranges_rows.csv: the blend's leave-one-season-out projections
of the training and validation seasons, the same folds that chose its weights), beside the sequence
ridge fitted leave-one-season-out (with the run's profile switches, on every loaded season before
the test season but the held-out one, as the test-time ridge trains on every loaded season before
the test season), minimising the opportunity-weighted squared error against the actual MLB rates. Then, once, the test season: the run's
test_predictions.csv (blend, sequence ridge, Marcel, actual), the report's players (>= 100 PA / BF,
an MLB line in the three seasons before), RMSE cut against Marcel, and 90% paired bootstrap
intervals (players resampled) of mix - blend.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_runtime.identity import IDENTITY_DIR, IdentityModel
from hfm_runtime.ridge import mixed
from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS
from hfm_train.baselines import season_sums
from hfm_train.evaluate import paired_bootstrap, weighted_rmse
from hfm_train.league_stream import league_lines
from hfm_train.mix import choose_mix
from hfm_train.real_eval import report_players, wide_predictions
from real_ridge_study import print_notice  # the studies beside this one

def study(run: Path, samples: int) -> dict:
    config = json.loads((run / "config.json").read_text())
    seasons = config["seasons"]
    test = int(seasons["test"][0])
    known = sorted({int(s) for part in ("history", "train", "validation") for s in seasons.get(part, [])})
    league, lines = league_lines(config["league"], [s for s in known if s < test])  # never the test season
    ranges_rows = pd.read_csv(run / "ranges_rows.csv")
    preds = pd.read_csv(run / "test_predictions.csv")
    out = {"run": str(run), "test": test}
    for pt in ("batter", "pitcher"):
        stats, opp = list(TARGET_STATS[pt]), OPPORTUNITY[pt]
        rows = ranges_rows[ranges_rows["player_type"] == pt]
        oof_rows = {int(y): (g["player_id"].to_numpy(np.int64), g[[f"center_{s}" for s in stats]].to_numpy(np.float64),
                        np.full((len(g), len(stats)), np.nan)) for y, g in rows.groupby("season")}
        t0 = time.perf_counter()
        profile = IdentityModel.load(run / IDENTITY_DIR, pt).config
        lam, _, fit = choose_mix(oof_rows, lines[pt], league.players, pt, test, profile)
        sums = season_sums(lines[pt], pt)
        oof = {"lam": dict(zip(stats, lam.tolist())),
               "rmse_blend": list(fit["rmse"]["0.0"].values()), "rmse_ridge": list(fit["rmse"]["1.0"].values()),
               "rmse_mix": [min(r[s] for r in fit["rmse"].values()) for s in stats], "rows": fit["rows"],
               "seasons": fit["seasons"], "seconds": time.perf_counter() - t0}
        # the test season, once
        p = preds[preds["player_type"] == pt]
        wide = wide_predictions(p, stats, ("blend", "statcast_ridge", "marcel", "actual", "weight"))
        weight = wide["weight"].iloc[:, 0]
        window = sums[(sums["level"] == "MLB") & (sums["season"] >= test - 3)]
        ids = report_players(weight, window, test, opp)
        w = weight.loc[ids].to_numpy(np.float64)
        truth = wide["actual"].loc[ids].to_numpy(np.float64)
        b, r, m = (wide[c].loc[ids].to_numpy(np.float64) for c in ("blend", "statcast_ridge", "marcel"))
        mix = mixed(b, r, lam)
        rmse = {name: weighted_rmse(x, truth, w) for name, x in (("blend", b), ("sequence_ridge", r), ("mix", mix), ("marcel", m))}
        cut = {name: float(np.mean(1 - v / rmse["marcel"])) for name, v in rmse.items()}
        out[pt] = {"oof": oof, "players": int(len(ids)), "rmse": {k: v.tolist() for k, v in rmse.items()},
                   "mean_cut_vs_marcel": cut,
                   "mix - blend": paired_bootstrap(mix, b, truth, w, samples).tolist(),
                   "mix - sequence_ridge": paired_bootstrap(mix, r, truth, w, samples).tolist(), "stats": stats}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", type=Path)
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    print_notice(*args.runs)
    results = [study(run, args.samples) for run in args.runs]
    for res in results:
        for pt in ("batter", "pitcher"):
            r = res[pt]
            o = r["oof"]
            print(f"\n{Path(res['run']).name} {pt}s: lam {o['lam']} (chosen on {o['rows']} out-of-fold rows of {o['seasons']}, "
                  f"ridge folds {o['seconds']:.0f} s)")
            print("  out-of-fold RMSE blend / ridge / mix: " + ", ".join(
                f"{s} {a:.4f}/{b:.4f}/{c:.4f}" for s, a, b, c in zip(r["stats"], o["rmse_blend"], o["rmse_ridge"], o["rmse_mix"])))
            print(f"  test {res['test']} ({r['players']} players), mean cut vs Marcel: " + ", ".join(
                f"{k} {v:+.1%}" for k, v in r["mean_cut_vs_marcel"].items()))
            print("  mix - blend (x1e-4, 90%): " + ", ".join(
                f"{s} [{lo * 1e4:+.1f}, {hi * 1e4:+.1f}]" for s, (lo, _, hi) in zip(r["stats"], r["mix - blend"])))
            print("  mix - sequence_ridge (x1e-4, 90%): " + ", ".join(
                f"{s} [{lo * 1e4:+.1f}, {hi * 1e4:+.1f}]" for s, (lo, _, hi) in zip(r["stats"], r["mix - sequence_ridge"])))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
