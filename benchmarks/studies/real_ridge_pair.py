"""Paired intervals of one column of two runs' test predictions (e.g. the sequence ridge with and
without RidgeConfig.window_detail), over the real-data report's players (docs/real-data.md).

    python benchmarks/studies/real_ridge_pair.py artifacts/runs/real_2021 artifacts/runs/real_2021_detail \
        [--column statcast_ridge]

Prints, per player type and stat, the 90% paired bootstrap interval (x1e-4; 2,000 resamples of the
players) of RMSE(first run) - RMSE(second run): negative, the first is better.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_train.evaluate import paired_bootstrap
from hfm_train.real_eval import report_players, season_lines_of, wide_predictions
from real_ridge_study import print_notice  # the studies beside this one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--column", default="statcast_ridge")
    args = parser.parse_args()
    print_notice(args.first, args.second)
    config = json.loads((args.first / "config.json").read_text())
    test = int(config["seasons"]["test"][0])
    lines = season_lines_of(Path(config["league"]), [test - 3, test - 2, test - 1, test])
    first, second = (pd.read_csv(run / "test_predictions.csv") for run in (args.first, args.second))
    for pt, rows in first.groupby("player_type", sort=False):
        stats = list(dict.fromkeys(rows["stat"]))
        a = wide_predictions(rows, stats, [args.column, "actual", "weight"])
        b = wide_predictions(second[second["player_type"] == pt], stats, [args.column])
        weight = a["weight"].iloc[:, 0]
        ids = report_players(weight, lines[pt], test, "PA" if pt == "batter" else "BF")
        ci = paired_bootstrap(a[args.column].loc[ids].to_numpy(float), b[args.column].loc[ids].to_numpy(float),
                              a["actual"].loc[ids].to_numpy(float), weight.loc[ids].to_numpy(float), 2000)
        print(f"{test} {pt}s ({len(ids)}), {args.column}: {args.first.name} - {args.second.name}, x1e-4: "
              + ", ".join(f"{s} [{lo * 1e4:+.1f}, {hi * 1e4:+.1f}]" for s, (lo, _, hi) in zip(stats, ci)))


if __name__ == "__main__":
    main()
