"""The selection rule's interval: a change's gain in the blend's mean cut of Marcel's error, averaged
over the seasons of several (base, change) pairs, with a 90% interval from resampling each season's
players (docs/real-data-tried.md, "What the rule has missed").

    python benchmarks/studies/rule_interval.py --pair BASE_2017 NEW_2017 --pair BASE_2018 NEW_2018

Each pair: two runs of one test season, the base and the same with one change. Per player type,
over the report's players of that season (>= 100 PA / BF, an MLB line in the three seasons before:
hfm_train.real_eval's filter): the mean over stats of 1 - RMSE(blend) / RMSE(Marcel), new minus
base, per season and averaged over the pairs; the interval draws each season's players with
replacement (every stat of a player together, the same draw for both runs), 2,000 times.
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


def season_arrays(base: Path, new: Path, player_type: str) -> tuple[int, dict[str, np.ndarray]]:
    """The test season and its players' weight [players], actual, Marcel and both blends [players, stats]."""
    config = json.loads((base / "config.json").read_text())
    test = int(config["seasons"]["test"][0])
    lines = season_lines_of(Path(config["league"]), [test - 3, test - 2, test - 1])
    rows = {run: (p := pd.read_csv(run / "test_predictions.csv"))[p["player_type"] == player_type] for run in (base, new)}
    stats = list(dict.fromkeys(rows[base]["stat"]))
    first = wide_predictions(rows[base], stats, ("weight", "actual", "marcel"))
    weight = first["weight"].iloc[:, 0]  # one opportunity count per player
    ids = report_players(weight, lines[player_type], test, "PA" if player_type == "batter" else "BF")
    out = {c: first[c].loc[ids].to_numpy(np.float64) for c in ("actual", "marcel")}
    out["weight"] = weight.loc[ids].to_numpy(np.float64)
    if int(json.loads((new / "config.json").read_text())["seasons"]["test"][0]) != test:
        raise SystemExit(f"{base} and {new}: different test seasons")
    marcel = wide_predictions(rows[new], stats, ("marcel",))["marcel"].reindex(ids).to_numpy(np.float64)
    if not np.array_equal(marcel, out["marcel"]):  # a gain against Marcel means one Marcel for both
        raise SystemExit(f"{base} and {new}: Marcel's rates differ")
    for name, run in (("base", base), ("new", new)):
        out[name] = wide_predictions(rows[run], stats, ("blend",))["blend"].loc[ids].to_numpy(np.float64)
    return test, out


def gain(a: dict[str, np.ndarray], at: np.ndarray | slice = slice(None)) -> float:
    """Mean cut of Marcel's RMSE, new minus base, in points."""
    w, y, m = a["weight"][at], a["actual"][at], a["marcel"][at]
    rm = weighted_rmse(m, y, w)  # per stat
    return float(100 * np.mean((weighted_rmse(a["base"][at], y, w) - weighted_rmse(a["new"][at], y, w)) / rm))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pair", nargs=2, action="append", required=True, metavar=("BASE", "NEW"), type=Path)
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()
    print_notice(*(run for pair in args.pair for run in pair))
    rng = np.random.default_rng(0)
    for pt in ("batter", "pitcher"):
        seasons = [season_arrays(base, new, pt) for base, new in args.pair]
        point = [gain(a) for _, a in seasons]
        draws = np.mean([[gain(a, rng.integers(0, len(a["actual"]), len(a["actual"])))
                          for _ in range(args.samples)] for _, a in seasons], axis=0)
        lo, hi = np.percentile(draws, [5, 95])
        each = ", ".join(f"{test} {g:+.2f}" for (test, _), g in zip(seasons, point))
        print(f"{pt}s: {each}; mean {np.mean(point):+.3f} point, 90% interval [{lo:+.2f}, {hi:+.2f}]")


if __name__ == "__main__":
    main()
