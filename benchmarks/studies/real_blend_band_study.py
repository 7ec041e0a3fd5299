"""Should the blend move further from Marcel for some players than for others? (docs/real-data-tried.md)

    python benchmarks/studies/real_blend_band_study.py artifacts/runs/real_2019

The blend is Marcel + w x the model's adjustment, one w per stat for every player (for batters then
mixed with the sequence ridge). Marcel regresses every player toward the league by one fixed amount
(1200 PA / BF of league average against his 5/4/3-weighted record), so whether the adjustment
deserves more weight where his record is thin (a rookie's) or thick (a veteran's) is an open
question. This study asks it without the test season: on the run's out-of-fold rows (ranges_rows.csv:
the opening-day projections of its training and validation seasons, each from a fold that never saw
it), the final adjustment a = center - marcel is scaled per stat by m in 0.0..2.0 step 0.1:

  global   one m per stat, chosen leave-one-season-out (a check: near 1 when w is right)
  bands    one m per stat and evidence band (Marcel's evidence, its weighted opportunities: thirds of
           the pooled rows), chosen leave-one-season-out
  level    m = 1 plus a constant per stat: the blend's opportunity-weighted mean miss on every
           out-of-fold row of the other seasons (the rows its w is chosen on, judged or not)
  level_judged  the same constant from the other seasons' judged rows only (a projection of the rate
           of a player who goes on to play: the report's population)

Each held-out season is scored with m chosen on the other seasons' rows; rows judged as the report
judges (>= 100 PA / BF in the season, an MLB line before it), opportunity-weighted RMSE per stat,
the mean cut against Marcel, and a 90% paired bootstrap interval (players resampled, their seasons
drawn together) of the bands' and the level's mean cut minus the blend's. Use a run whose test season is 2019 (its
out-of-fold seasons are 2014-2018): a 2021 run's hold 2019.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_runtime.marcel import marcel
from hfm_runtime.seasons import season_age, season_lines
from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS
from hfm_train.league_stream import league_lines
from real_ridge_study import print_notice  # the studies beside this one

GRID = np.round(np.arange(0.0, 2.0001, 0.1), 1)
MIN_OPPORTUNITIES = 100


def best_m(adj: np.ndarray, marcel_rates: np.ndarray, truth: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Per stat, the m in GRID minimising the weighted squared error of marcel + m * adj."""
    w = weight[:, None]
    errs = np.stack([(w * (marcel_rates + g * adj - truth) ** 2).sum(0) for g in GRID])
    return GRID[np.argmin(errs, axis=0)]


def rmse(pred: np.ndarray, truth: np.ndarray, weight: np.ndarray) -> np.ndarray:
    return np.sqrt((weight[:, None] * (pred - truth) ** 2).sum(0) / weight.sum())


def rows_of(run: Path, pt: str) -> pd.DataFrame:
    """The run's out-of-fold rows of one type with Marcel's rates and evidence beside them."""
    config = json.loads((run / "config.json").read_text())
    test = int(config["seasons"]["test"][0])
    rows = pd.read_csv(run / "ranges_rows.csv")
    rows = rows[rows["player_type"] == pt].reset_index(drop=True)
    seasons = sorted({int(s) for part in ("history", "train", "validation") for s in config["seasons"][part]})
    league, lines = league_lines(config["league"], [s for s in seasons if s < test])
    by_season = season_lines(lines[pt], pt)
    births = league.players.drop_duplicates("player_id").set_index("player_id")["birth_date"]
    stats = list(TARGET_STATS[pt])
    parts = []
    for season, g in rows.groupby("season"):
        ids = g["player_id"].to_numpy(np.int64)
        ages = pd.Series(np.asarray(season_age(births.reindex(ids).to_numpy(), int(season)), dtype=float), index=ids)
        proj = marcel(by_season, ages, int(season), pt, player_ids=ids)
        g = g.copy()
        for s in stats:
            g[f"marcel_{s}"] = proj.loc[ids, s].to_numpy()
        g["marcel_evidence"] = proj.loc[ids, "evidence"].to_numpy()
        parts.append(g)
    out = pd.concat(parts, ignore_index=True)
    before = lines[pt][(lines[pt]["level"] == "MLB") & (lines[pt][OPPORTUNITY[pt]] > 0)]
    first = before.groupby("player_id")["season"].min()
    out["history"] = out["season"].to_numpy() > first.reindex(out["player_id"]).fillna(9999).to_numpy()
    return out


def study(run: Path, pt: str, samples: int) -> dict:
    stats = list(TARGET_STATS[pt])
    rows = rows_of(run, pt)
    center = rows[[f"center_{s}" for s in stats]].to_numpy(np.float64)
    marc = rows[[f"marcel_{s}" for s in stats]].to_numpy(np.float64)
    n = rows["n"].to_numpy(np.float64)
    truth = rows[[f"count_{s}" for s in stats]].to_numpy(np.float64) / np.maximum(n, 1)[:, None]
    adj = center - marc
    bands = np.digitize(rows["marcel_evidence"], np.quantile(rows["marcel_evidence"], [1 / 3, 2 / 3]))
    season = rows["season"].to_numpy()
    judged = (n >= MIN_OPPORTUNITIES) & rows["history"].to_numpy()
    glob, band, level, level_judged = center.copy(), center.copy(), center.copy(), center.copy()
    chosen = {}
    for y in np.unique(season):
        fit = (season != y) & judged  # choose on the other seasons' judged rows
        held = season == y
        m = best_m(adj[fit], marc[fit], truth[fit], n[fit])
        glob[held] = marc[held] + m * adj[held]
        # the level: the mean miss of the blend on every out-of-fold row of the other seasons (the rows
        # its w is chosen on, whoever goes on to play), added to every projection
        every = season != y
        c = (n[every, None] * (truth[every] - center[every])).sum(0) / n[every].sum()
        level[held] = center[held] + c
        cj = (n[fit, None] * (truth[fit] - center[fit])).sum(0) / n[fit].sum()
        level_judged[held] = center[held] + cj
        chosen[int(y)] = {"global": m.tolist(), "level x1e-4": np.round(c * 1e4, 1).tolist(),
                          "level_judged x1e-4": np.round(cj * 1e4, 1).tolist()}
        for b in range(3):
            mb = best_m(adj[fit & (bands == b)], marc[fit & (bands == b)], truth[fit & (bands == b)], n[fit & (bands == b)])
            at = held & (bands == b)
            band[at] = marc[at] + mb * adj[at]
            chosen[int(y)][f"band{b}"] = mb.tolist()
    j = judged
    methods = {"marcel": marc[j], "blend": center[j], "global": glob[j], "bands": band[j], "level": level[j],
               "level_judged": level_judged[j]}
    t, w = truth[j], n[j]
    per = {k: rmse(v, t, w) for k, v in methods.items()}
    cut = {k: float(np.mean(1 - v / per["marcel"])) for k, v in per.items()}
    players = rows.loc[j, "player_id"].to_numpy()
    codes, uniq = pd.factorize(players)
    members = [np.flatnonzero(codes == i) for i in range(len(uniq))]
    rng = np.random.default_rng(0)
    diff = {k: np.empty(samples) for k in ("bands", "level", "level_judged")}
    for i in range(samples):
        take = np.concatenate([members[k] for k in rng.integers(0, len(members), len(members))])
        m0 = rmse(methods["marcel"][take], t[take], w[take])
        base = np.mean(1 - rmse(methods["blend"][take], t[take], w[take]) / m0)
        for k in diff:
            diff[k][i] = np.mean(1 - rmse(methods[k][take], t[take], w[take]) / m0) - base
    return {"rows": int(j.sum()), "seasons": sorted(int(s) for s in np.unique(season)),
            "band_edges": np.quantile(rows["marcel_evidence"], [1 / 3, 2 / 3]).round(1).tolist(),
            "cut": cut, "per_stat_cut": {k: dict(zip(stats, (100 * (1 - v / per["marcel"])).round(2).tolist()))
                                         for k, v in per.items()},
            **{f"{k} - blend": [float(np.percentile(d, q)) * 100 for q in (5, 50, 95)] for k, d in diff.items()},
            "chosen": chosen}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path)
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()
    print_notice(args.run)
    for pt in ("batter", "pitcher"):
        r = study(args.run, pt, args.samples)
        print(f"{pt}: {r['rows']} judged out-of-fold rows, seasons {r['seasons']}, evidence band edges {r['band_edges']}")
        for k, v in r["cut"].items():
            print(f"  {k:7s} mean cut vs Marcel {100 * v:+.2f}%   per stat {r['per_stat_cut'][k]}")
        for k in ("bands", "level", "level_judged"):
            lo, mid, hi = r[f"{k} - blend"]
            print(f"  {k} - blend, mean cut: {mid:+.2f} point [{lo:+.2f}, {hi:+.2f}] (90%, players resampled)")
        for y, c in r["chosen"].items():
            print(f"  m chosen without {y}: " + "; ".join(f"{k} {v}" for k, v in c.items()))


if __name__ == "__main__":
    main()
