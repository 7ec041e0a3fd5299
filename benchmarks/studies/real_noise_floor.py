"""How much of Marcel's error could any projection remove, and how much does HFM remove? The binomial
floor of the real-data report (docs/real-data.md "How far is 6%?").

    python benchmarks/studies/real_noise_floor.py artifacts/runs/real_2019 artifacts/runs/real_2021

A player's actual rate over n opportunities scatters around his true rate p of that season with
variance p(1 - p) / n, which no projection made before the season can remove. In the report's
opportunity-weighted MSE (weights n) that part is sum p(1 - p) / sum n; p(1 - p) is estimated without
bias from the actual rate y as y(1 - y) n / (n - 1). Per stat, over the report's players
(hfm_train.real_eval.report_players):

    floor         sqrt of that part: the RMSE of a projection that knew each player's true rate that
                  season (an upper bound on what is possible: talent also moves in ways no history shows)
    ceiling       1 - floor / RMSE(Marcel): the largest cut against Marcel any projection could make
    removed       1 - (RMSE(m)^2 - floor^2) / (RMSE(Marcel)^2 - floor^2): the share of Marcel's
                  removable squared error that method m removed
    6% needs      the share a method must remove for a 6% RMSE cut on that stat

and, over the players with at least 100 opportunities in each of the three seasons before:

    own history   the best linear map (weighted least squares, with a constant) from the player's
                  actual rates of one stat in the three seasons before to that stat's rate, fitted on
                  the players it is judged on (so flattering by four parameters), its constant moved so
                  that its mean projection equals Marcel's (the test season's league rate is not
                  known before it): the most any reweighting of one stat's own history could gain
    blend         the blend's cut against Marcel over the same players

(A noise-free version of the own-history map, its covariances taken from the actual rates less their
binomial variance, was tried and dropped: over one season's 120-230 such players its mean's 90%
bootstrap interval ran from about -21% to +16%.)
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

METHODS = {"blend": "blend", "statcast_ridge": "sequence_ridge", "marcel": "marcel"}


def floor_of(truth: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """[S]: the binomial floor of the opportunity-weighted RMSE of [N, S] actual rates (docstring)."""
    n = weight[:, None]
    p_q = np.where(n > 1, truth * (1 - truth) * n / np.maximum(n - 1, 1), 0.0)  # = n Var(y), unbiased
    return np.sqrt(p_q.sum(0) / weight.sum())


def removed(rmse: np.ndarray, marcel: np.ndarray, floor: np.ndarray) -> np.ndarray:
    return 1 - (rmse ** 2 - floor ** 2) / (marcel ** 2 - floor ** 2)


def own_history_cut(rates: np.ndarray, weight: np.ndarray, marcel: np.ndarray) -> float:
    """1 - RMSE(least squares of column 0 on columns 1-3, mean moved to Marcel's) / RMSE(Marcel)."""
    w = weight / weight.sum()
    x = np.column_stack([np.ones(len(rates)), rates[:, 1:]]) * np.sqrt(w)[:, None]
    beta = np.linalg.lstsq(x, rates[:, 0] * np.sqrt(w), rcond=None)[0]
    mse = np.sum((rates[:, 0] * np.sqrt(w) - x @ beta) ** 2) + (w @ (rates[:, 0] - marcel)) ** 2
    return float(1 - np.sqrt(mse / (w @ (marcel - rates[:, 0]) ** 2)))


def report(run: Path) -> None:
    config = json.loads((run / "config.json").read_text())
    test = int(config["seasons"]["test"][0])
    lines = season_lines_of(Path(config["league"]), [test - 3, test - 2, test - 1, test])
    preds = pd.read_csv(run / "test_predictions.csv")
    for pt, rows in preds.groupby("player_type", sort=False):
        opp = "PA" if pt == "batter" else "BF"
        stats = list(dict.fromkeys(rows["stat"]))
        wide = wide_predictions(rows, stats, [*METHODS, "actual", "weight"])
        weight = wide["weight"].iloc[:, 0]
        ids = report_players(weight, lines[pt], test, opp)
        w = weight.loc[ids].to_numpy(np.float64)
        truth = wide["actual"].loc[ids].to_numpy(np.float64)
        pred = {name: wide[col].loc[ids].to_numpy(np.float64) for col, name in METHODS.items()}
        rmse = {name: weighted_rmse(p, truth, w) for name, p in pred.items()}
        floor, marcel = floor_of(truth, w), rmse["marcel"]

        history = lines[pt].set_index(["player_id", "season"])
        past = [pd.MultiIndex.from_arrays([ids, np.full(len(ids), test - k)]) for k in (1, 2, 3)]
        full = np.all([key.isin(history.index[history[opp] >= 100]) for key in past], axis=0)
        seasons = [history.loc[key[full]] for key in past]
        own = [own_history_cut(np.column_stack([truth[full, j]] + [h[s].to_numpy(np.float64) / h[opp].to_numpy(np.float64)
                                                                   for h in seasons]),
                               w[full], pred["marcel"][full, j])
               for j, s in enumerate(stats)]
        blend_full = 1 - weighted_rmse(pred["blend"][full], truth[full], w[full]) / weighted_rmse(
            pred["marcel"][full], truth[full], w[full])

        table = {
            "RMSE Marcel": marcel, "binomial floor": floor,
            "ceiling: cut vs Marcel %": 100 * (1 - floor / marcel),
            **{f"{name}: cut vs Marcel %": 100 * (1 - rmse[name] / marcel) for name in ("blend", "sequence_ridge")},
            **{f"{name}: removed %": 100 * removed(rmse[name], marcel, floor) for name in ("blend", "sequence_ridge")},
            "6% cut needs removed %": 100 * removed(0.94 * marcel, marcel, floor),
            f"own history, {full.sum()} players %": 100 * np.array(own),
            "blend, the same players %": 100 * blend_full,
        }
        print(f"\n{run.name}, {pt}s {test} ({len(ids)} players)")
        print("  " + "".ljust(34) + "".join(s.rjust(8) for s in stats) + "    mean")
        for label, values in table.items():
            fmt = (lambda v: f"{v:8.4f}") if label in ("RMSE Marcel", "binomial floor") else (lambda v: f"{v:8.1f}")
            print("  " + label.ljust(34) + "".join(fmt(v) for v in values) + fmt(float(np.mean(values))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", type=Path, nargs="+")
    runs = parser.parse_args().runs
    print_notice(*runs)
    for run in runs:
        report(run)


if __name__ == "__main__":
    main()
