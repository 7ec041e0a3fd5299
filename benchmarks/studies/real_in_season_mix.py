"""Does the in-season blend gain from mixing in Marcel to date? (docs/real-data.md, "In season")

    hfm-train evaluate --run artifacts/runs/sel2018_base --kind in_season
    python benchmarks/studies/real_in_season_mix.py artifacts/runs/sel2018_base/test_predictions_in_season.csv

The rest-of-season rate (1 - lam) x blend + lam x Marcel to date, for lam 0 .. 1, from an in-season
evaluation's predictions (test_predictions_in_season.csv: every 10th game of each player, weighted by
the rest's opportunities): each type's mean cut over the stats of the opportunity-weighted RMSE against
Marcel to date's. Read on a selection season's run (sel2018_base: fitted on the seasons before 2018);
the test seasons' runs only after a choice.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd


def cut(df: pd.DataFrame, lam: float) -> float:
    """The mean over stats of 1 - RMSE(mix) / RMSE(Marcel to date), in percent."""
    out = []
    for _, g in df.groupby("stat"):
        w, a = g["weight"].to_numpy(), g["actual"].to_numpy()
        p = (1 - lam) * g["blend"].to_numpy() + lam * g["marcel_to_date"].to_numpy()
        r = np.sqrt((w * (p - a) ** 2).sum() / w.sum())
        m = np.sqrt((w * (g["marcel_to_date"].to_numpy() - a) ** 2).sum() / w.sum())
        out.append(1 - r / m)
    return 100 * float(np.mean(out))


def main() -> None:
    df = pd.read_csv(sys.argv[1])
    for pt, d in df.groupby("player_type"):
        d = d.dropna(subset=["blend", "marcel_to_date", "actual"])
        res = {lam: cut(d, lam) for lam in np.round(np.arange(0, 1.01, 0.1), 2)}
        print(f"{pt}: mean cut vs Marcel to date by lam " + " ".join(f"{k:.1f}: {v:+.2f}%" for k, v in res.items()))


if __name__ == "__main__":
    main()
