"""Does a model of the expected opportunities beat bands of Marcel's projection? (docs/ranges.md)

    python benchmarks/studies/real_playing_time_study.py [--league artifacts/league_retro] [--test]
        > benchmarks/results/real_playing_time_study.txt

The playing-time spread (hfm_runtime.playing_time) says how many opportunities (PA / BF, full-season
equivalents, 0 for a season not played) a player gets in the projected season. Two ways, each fitted
on the five seasons before the season it is judged on, over the players the score table scores by
default (an MLB line in the three seasons before; hfm_train.playing_time.playing_time_rows):

  marcel_bands  the rule before 2026-12-06: the ratio actual / Marcel's projection n0, its 20
                quantiles per band of n0 (a band at Marcel's base, three of equal rows above); its
                levels held at MOST_OPPORTUNITIES as the runtime holds a schema-1 bundle's since 2026-12-07
  model         hfm_train.playing_time.fit_playing_time as the product fits it: a ridge of the actual
                opportunities on Marcel's window (each season's opportunities), age and Marcel's
                rates gives a base m; the ratio actual / m's quantiles per band of m (10 bands); its
                levels held at the most actual opportunities of its fit rows (of the last five fit
                seasons, all of them here: an era's workloads:
                pitchers faced up to 1,071 BF in 2003, 951 at the most in 2015-2021; since 2026-12-07
                evening)
  model, no age / no rates   the same model without those inputs (the ablations)
  model, not held   the model's levels r_k m as they were before 2026-12-07, not held at all
  model, held at 2001-2018's most   held at the most opportunities of any season 2001-2018
                (MOST_OPPORTUNITIES: the runtime's hold from the morning of 2026-12-07 to its evening,
                and still that of a spread that records no most of its own)

Per season judged: the RMSE of the expected opportunities (the score table's `opportunities_mean`)
against the actual, the CRPS of the 20 equally likely levels (the spread's whole distribution), the
80% interval's coverage, and the same RMSE over the "regulars after a short season" (a season of 450+
PA / 500+ BF in the three before, Marcel's projection under 420 / 450, under 30 years old). A 90%
bootstrap interval (players resampled, 2,000 draws) of the CRPS difference model - marcel_bands.
Selection seasons 2014-2018 by default (only seasons up to 2018 are read); `--test`: 2019 (fitted on
2014-2018) and 2021 (fitted on 2016-2019, the 60-game 2020 skipped as a season judged or fitted);
`--grid`: the model with 4, 6 and 10 bands and alpha 1 and 100 as well (the choice of its settings);
`--bands 15,20`: the model with those numbers of bands too (the top band's spread, 2026-12-06 evening).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from hfm_runtime.marcel import MARCEL_CONFIGS
from hfm_runtime.playing_time import GRID, MOST_OPPORTUNITIES, PlayingTimeSpread
from hfm_train.calibration import mlb_season_lines
from hfm_train.league_stream import league_lines
from hfm_train.playing_time import PlayingTimeConfig, fit_playing_time, inputs_of, playing_time_rows
from real_ridge_study import print_notice  # the studies beside this one

REGULAR = {"batter": (450.0, 420.0), "pitcher": (500.0, 450.0)}  # a past season at least, Marcel's projection under


def marcel_bands(frame: pd.DataFrame, pt: str, bands: int = 3, min_rows: int = 30) -> tuple[tuple, tuple]:
    """The spread's fit before 2026-12-06 (edges, ratio quantiles) of one type: bands of n0."""
    projected = frame["projected"].to_numpy(np.float64)
    r = frame["actual"].to_numpy(np.float64) / projected
    base = MARCEL_CONFIGS[pt].playing_time_base + 0.25
    above = projected[projected > base]
    n_bands = max(1, min(bands, len(above) // min_rows))
    cuts = sorted(set(float(c) for c in np.quantile(above, np.arange(1, n_bands) / n_bands) if c > base))
    bounds = ([base] if (projected <= base).sum() >= min_rows and len(above) >= min_rows else []) + cuts
    band = np.searchsorted(np.asarray(bounds), projected, side="right")
    ratio = tuple(tuple(np.maximum.accumulate(np.quantile(r[band == b], GRID))) for b in range(len(bounds) + 1))
    return tuple(bounds), ratio


def crps(levels: np.ndarray, y: np.ndarray) -> np.ndarray:
    """[N] CRPS of 20 equally likely levels [N, K] against the actual y [N]."""
    spread = np.abs(levels[:, :, None] - levels[:, None, :]).mean(axis=(1, 2))
    return np.abs(levels - y[:, None]).mean(axis=1) - 0.5 * spread


def judge(levels: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    mean = levels.mean(axis=1)
    q = np.sort(levels, axis=1)
    lo, hi = np.interp(0.1, GRID, np.arange(len(GRID))), np.interp(0.9, GRID, np.arange(len(GRID)))
    low = q[:, int(lo)] + (lo - int(lo)) * (q[:, int(lo) + 1] - q[:, int(lo)])
    high = q[:, int(hi)] + (hi - int(hi)) * (q[:, min(int(hi) + 1, q.shape[1] - 1)] - q[:, int(hi)])
    return {"sq": (mean - y) ** 2, "crps": crps(levels, y), "cover": (y >= low) & (y <= high)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--league", default="artifacts/league_retro")
    parser.add_argument("--test", action="store_true", help="judge 2019 and 2021 (after the choice)")
    parser.add_argument("--grid", action="store_true", help="also the model with 4 and 6 bands, alpha 1 and 100")
    parser.add_argument("--bands", default="", help="also the model with these numbers of bands (comma-separated)")
    args = parser.parse_args()
    print_notice(args.league)
    judged = {2019: [2014, 2015, 2016, 2017, 2018], 2021: [2016, 2017, 2018, 2019]} if args.test else {
        t: list(range(t - 5, t)) for t in range(2014, 2019)}
    seasons = sorted({s for t, fit in judged.items() for s in (*fit, t)})
    start = time.perf_counter()
    league, game_lines = league_lines(args.league, list(range(min(seasons) - 3, max(seasons) + 1)))
    lines = {pt: mlb_season_lines(game_lines[pt], pt) for pt in game_lines}
    del game_lines
    print(f"# {args.league}, seasons judged {sorted(judged)} ({time.perf_counter() - start:.0f} s to read)")
    rows = playing_time_rows(lines, league.players, seasons)
    variants = {"marcel_bands": None, "model": "", "model, no age": "age", "model, no rates": "rates",
                "model, not held": "unheld", "model, held at 2001-2018's most": "constant"}
    configs = {name: PlayingTimeConfig() for name in variants}
    if args.grid:
        for bands in (4, 6, 10):
            for alpha in (1.0, 100.0):
                variants[f"model, {bands} bands, alpha {alpha:g}"] = ""
                configs[f"model, {bands} bands, alpha {alpha:g}"] = PlayingTimeConfig(bands=bands, alpha=alpha)
    for bands in (int(b) for b in args.bands.split(",") if b.strip()):
        variants[f"model, {bands} bands"] = ""
        configs[f"model, {bands} bands"] = PlayingTimeConfig(bands=bands)
    rng = np.random.default_rng(0)
    for pt in ("batter", "pitcher"):
        frame = rows[pt]
        print(f"\n## {pt}s\n")
        print("| variant | season | players | RMSE E[N] | CRPS | 80% covered | regulars after a short season: n, "
              "actual mean, E[N] mean, RMSE |")
        print("|---|---|---|---|---|---|---|")
        pooled: dict[str, list[dict[str, np.ndarray]]] = {v: [] for v in variants}
        for t, fit_seasons in judged.items():
            train, test = frame[frame["season"].isin(fit_seasons)], frame[frame["season"] == t]
            y = test["actual"].to_numpy(np.float64)
            n0 = test["projected"].to_numpy(np.float64)
            best = test[["opp_1", "opp_2", "opp_3"]].max(axis=1).to_numpy()
            need, under = REGULAR[pt]
            regular = (best >= need) & (n0 < under) & (test["age"].to_numpy() < 30)
            for name, how in variants.items():
                if how is None:
                    edges, ratio = marcel_bands(train, pt)
                    levels = np.asarray(ratio)[np.searchsorted(np.asarray(edges), n0, side="right")] * n0[:, None]
                    levels = np.minimum(levels, MOST_OPPORTUNITIES[pt])  # held, as the runtime holds them
                else:
                    fit_frame, judge_frame = train, test
                    if how in ("age", "rates"):  # drop an input group by holding it constant
                        fit_frame, judge_frame = (f.assign(**({"age": 27.0} if how == "age" else
                                                              {c: 0.0 for c in f.columns if c.startswith("m_")}))
                                                  for f in (train, test))
                    spread = fit_playing_time(_both(rows, pt, fit_frame, fit_seasons), configs[name])
                    levels = spread.levels(pt, n0, inputs_of(judge_frame, pt)) * n0[:, None]
                    if how in ("unheld", "constant"):  # the levels before 2026-12-07: r_k m, not held
                        m = spread.base(pt, n0, inputs_of(judge_frame, pt))
                        levels = np.asarray(spread.ratio[pt])[spread.band(pt, m)] * m[:, None]
                    if how == "constant":  # held at the most of any season 2001-2018 (a spread without `most`)
                        levels = np.minimum(levels, MOST_OPPORTUNITIES[pt])
                out = judge(levels, y)
                pooled[name].append(out)
                mean = levels.mean(axis=1)
                reg = (f"{regular.sum()}, {y[regular].mean():.0f}, {mean[regular].mean():.0f}, "
                       f"{np.sqrt(((mean - y)[regular] ** 2).mean()):.0f}") if regular.any() else "0"
                print(f"| {name} | {t} | {len(y)} | {np.sqrt(out['sq'].mean()):.1f} | {out['crps'].mean():.1f} | "
                      f"{out['cover'].mean():.1%} | {reg} |")
        print()
        base = pooled["marcel_bands"]
        for name in variants:
            if name == "marcel_bands":
                continue
            diffs = [o["crps"] - b["crps"] for o, b in zip(pooled[name], base)]
            point = np.mean([d.mean() for d in diffs])
            draws = [np.mean([d[rng.integers(0, len(d), len(d))].mean() for d in diffs]) for _ in range(2000)]
            rmse = np.mean([np.sqrt(o["sq"].mean()) for o in pooled[name]])
            rmse0 = np.mean([np.sqrt(b["sq"].mean()) for b in base])
            print(f"- {name} - marcel_bands, mean over the seasons: CRPS {point:+.2f} [{np.quantile(draws, 0.05):+.2f}, "
                  f"{np.quantile(draws, 0.95):+.2f}] (90% interval); RMSE of E[N] {rmse:.1f} against {rmse0:.1f} "
                  f"({rmse / rmse0 - 1:+.1%})")
            if name.endswith(" bands") or name.startswith("model, not held") or name.startswith("model, held at"):
                # against the product's model, paired
                diffs = [o["crps"] - b["crps"] for o, b in zip(pooled[name], pooled["model"])]
                draws = [np.mean([d[rng.integers(0, len(d), len(d))].mean() for d in diffs]) for _ in range(2000)]
                print(f"  - {name} - model: CRPS {np.mean([d.mean() for d in diffs]):+.2f} "
                      f"[{np.quantile(draws, 0.05):+.2f}, {np.quantile(draws, 0.95):+.2f}]")
    print(f"\n({time.perf_counter() - start:.0f} s in all)")


def _both(rows: dict[str, pd.DataFrame], pt: str, fit_frame: pd.DataFrame, fit_seasons: list[int]) -> dict:
    """fit_playing_time fits both types; the other type's rows are its own fit seasons' (unused here)."""
    other = "pitcher" if pt == "batter" else "batter"
    return {pt: fit_frame, other: rows[other][rows[other]["season"].isin(fit_seasons)]}


if __name__ == "__main__":
    main()
