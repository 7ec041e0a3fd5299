"""Should the talent spread narrow as the season goes on? The evidence the in-season ranges read.

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_in_season_talent_study.py /tmp/hfm/b2018 \
        --season 2018 > benchmarks/results/real_in_season_talent_2018.txt      # the choice
    ... /tmp/hfm/b2019 --season 2019 --test > ..._2019.txt                      # judged once, after it
    ... /tmp/hfm/b2021 --season 2021 --test > ..._2021.txt

In season the score table's ranges read Marcel's evidence E of the seasons before (his 5/4/3-weighted
opportunities over the mean weight), so `talent_*` is as wide in September as in April, although the
in-season rate (the blend for the rest of the season) has seen the season so far. Marcel to date
counts the season so far at weight 8 beside 5/4/3 (hfm_runtime.marcel.TO_DATE_WEIGHT), i.e. its
opportunities d add 2 d to E. Asked here: E + c d for c in GRID, c = 0 the rule before 2026-12-07
(the table's `evidence` is E + 2 d since, the choice this study made; E is read back from it).

The product path (as real_in_season_totals.py): a bundle exported from a run that never saw `--season`,
a History of the league's seasons `season`-6 .. `season`, `Scorer.score` as of the 1st of May ..
September, every row the table scores. Judged on the players who played on: his MLB opportunities n
after the date (at least 1) and his count x of each stat there. For each c, the talent Beta of the
row's `rate_<S>` with variance k m (1 - m) (1 / (E + c d + R + 1) + 1 / D) (the bundle's outcome
parameters, hfm_runtime.ranges), and x against the beta-binomial at n: the mean log predictive
probability of x (a proper score; higher is better), and the cell-credited coverage of the 80% and
50% intervals (hfm_runtime.ranges.covered). The opportunities are the actual ones, so only the
rate's spread is judged (the totals add the playing time's). c is chosen on the selection season by
the log score summed over the stats, both types together; `--test` marks a test season's run.
Intervals: the difference in mean log score against c = 0, 90%, players resampled (each player's rows
together), 1000 draws.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln

from hfm_runtime.bundle import load_bundle
from hfm_runtime.league import load_league
from hfm_runtime.marcel import MARCEL_CONFIGS, TO_DATE_WEIGHT
from hfm_runtime.ranges import beta_shape, covered, outcome_intervals, talent_variance
from hfm_runtime.scoring import History, Scorer
from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS
from real_in_season_totals import MONTHS, actual_totals
from real_ridge_study import print_notice  # the studies beside this one

GRID = (0.0, 0.5, 1.0, 2.0, 3.0, 4.0)
IN_SEASON = TO_DATE_WEIGHT / float(np.mean(MARCEL_CONFIGS["batter"].weights))  # what the table adds: c = 2
DRAWS = 1000


def log_betabinom(x: np.ndarray, n: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log P(X = x) for X ~ BetaBinomial(n, a, b)."""
    return (gammaln(n + 1) - gammaln(x + 1) - gammaln(n - x + 1) + betaln(x + a, n - x + b) - betaln(a, b))


def so_far(lines: pd.DataFrame, pt: str, season: int, day: pd.Timestamp) -> pd.DataFrame:
    """Per player: his MLB opportunities and counts of `season` before `day`."""
    mlb = lines[(lines["season"] == season) & (lines["level"] == "MLB")]
    mlb = mlb[pd.to_datetime(mlb["game_date"]) < day]
    return mlb.groupby("player_id")[[OPPORTUNITY[pt], *TARGET_STATS[pt]]].sum()


def rows_of(history: History, tables: dict, pt: str, season: int) -> pd.DataFrame:
    """One row per (player, date, stat) who played on: m, E, d, n, x."""
    opp, stats = OPPORTUNITY[pt], list(TARGET_STATS[pt])
    lines = history.game_lines(pt)
    truth = actual_totals(lines, pt, season)
    out = []
    for day, table in tables.items():
        t = table[table["player_type"] == pt]
        ids = t["player_id"].to_numpy()
        before = so_far(lines, pt, season, day).reindex(ids).fillna(0.0)
        after = truth.reindex(ids).fillna(0.0) - before
        n = after[opp].to_numpy()
        on = n >= 1
        # the evidence of the seasons before: the table's is Marcel to date's since 2026-12-07 (c = 2)
        opening = t["evidence"].to_numpy(np.float64) - IN_SEASON * t["opportunities_to_date"].to_numpy(np.float64)
        for s in stats:
            out.append(pd.DataFrame({
                "player_id": ids[on], "month": day.month, "stat": s,
                "m": t[f"rate_{s}"].to_numpy(np.float64)[on], "E": opening[on],
                "d": before[opp].to_numpy()[on], "n": n[on], "x": after[s].to_numpy()[on]}))
    return pd.concat(out, ignore_index=True)


def score(rows: pd.DataFrame, params, pt: str, c: float) -> pd.DataFrame:
    """Per row: log score and 80% / 50% coverage at evidence E + c d."""
    stats = list(TARGET_STATS[pt])
    prior, scale, inv = params.arrays(pt)
    j = rows["stat"].map({s: i for i, s in enumerate(stats)}).to_numpy()
    m = rows["m"].to_numpy()
    var = talent_variance(m, rows["E"].to_numpy() + c * rows["d"].to_numpy(), prior[j], scale[j], inv[j])
    a, b = beta_shape(m, var)
    x, n = rows["x"].to_numpy(), rows["n"].to_numpy()
    q = outcome_intervals(m, var, n)
    return pd.DataFrame({"log": log_betabinom(x, n, a, b), "c80": covered(x, q[:, 0], q[:, 3]),
                         "c50": covered(x, q[:, 1], q[:, 2]), "width80": (q[:, 3] - q[:, 0]) / n})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle")
    parser.add_argument("--league", default="artifacts/league_retro")
    parser.add_argument("--season", type=int, required=True)
    parser.add_argument("--test", action="store_true", help="a test season's run (after the choice)")
    args = parser.parse_args()
    print_notice(args.league)
    start = time.perf_counter()
    league = load_league(args.league, seasons=range(args.season - 6, args.season + 1))
    history = History.from_league(league)
    bundle = load_bundle(args.bundle)
    scorer = Scorer(bundle)
    dates = [pd.Timestamp(year=args.season, month=m, day=1) for m in MONTHS]
    tables = {d: scorer.score(history, season=args.season, as_of=d) for d in dates}
    params = bundle.range_params
    print(f"# {args.bundle} on {args.league}, {args.season} as of {', '.join(str(d.date()) for d in dates)}"
          f"{' (a test season)' if args.test else ''}; scored in {time.perf_counter() - start:.0f} s")
    rng = np.random.default_rng(0)
    pooled = {c: 0.0 for c in GRID}
    for pt in ("batter", "pitcher"):
        rows = rows_of(history, tables, pt, args.season)
        scored = {c: score(rows, params, pt, c) for c in GRID}
        print(f"\n## {pt}s: {rows['player_id'].nunique()} players, {len(rows) // len(TARGET_STATS[pt])} "
              "player-dates who played on\n")
        print("Mean log score summed over the stats (higher is better), its difference from c = 0 with a 90% "
              "interval, and the 80% / 50% intervals' coverage and the 80% width (rate) averaged over the stats.\n")
        print("| c | log score | vs c = 0 | 80% | 50% | 80% width |")
        print("|---|---|---|---|---|---|")
        players = rows["player_id"].to_numpy()
        uniq, inverse = np.unique(players, return_inverse=True)
        n_stats = len(TARGET_STATS[pt])
        base = scored[0.0]["log"].to_numpy()
        for c, s in scored.items():
            total = s["log"].mean() * n_stats
            pooled[c] += total
            diff = (s["log"].to_numpy() - base)
            sums = np.bincount(inverse, weights=diff, minlength=len(uniq))
            counts = np.bincount(inverse, minlength=len(uniq))
            draws = []
            for _ in range(DRAWS):
                pick = np.bincount(rng.integers(0, len(uniq), len(uniq)), minlength=len(uniq))
                draws.append((pick * sums).sum() / (pick * counts).sum() * n_stats)
            lo, hi = np.quantile(draws, [0.05, 0.95])
            print(f"| {c:g} | {total:.4f} | {diff.mean() * n_stats:+.4f} [{lo:+.4f}, {hi:+.4f}] | "
                  f"{100 * s['c80'].mean():.1f}% | {100 * s['c50'].mean():.1f}% | {s['width80'].mean():.4f} |")
        best = max(GRID, key=lambda c: scored[c]["log"].mean())
        print(f"\nBy month at c = 0 / c = {best:g}: 80% coverage, 50% coverage, log score summed over the stats\n")
        print("| as of | player-dates | 80% | 50% | log score |")
        print("|---|---|---|---|---|")
        for month in MONTHS:
            at = (rows["month"] == month).to_numpy()
            cells = [f"{100 * scored[c]['c80'][at].mean():.1f} / {100 * scored[best]['c80'][at].mean():.1f}%"
                     if c == 0.0 else "" for c in (0.0,)]
            c50 = f"{100 * scored[0.0]['c50'][at].mean():.1f} / {100 * scored[best]['c50'][at].mean():.1f}%"
            logs = f"{scored[0.0]['log'][at].mean() * n_stats:.4f} / {scored[best]['log'][at].mean() * n_stats:.4f}"
            print(f"| {month}/1 | {at.sum() // n_stats} | {cells[0]} | {c50} | {logs} |")
        print("\nPer stat at c = 0 / c = " f"{best:g}: 80% coverage, 50% coverage\n")
        print("| stat | 80% | 50% |")
        print("|---|---|---|")
        for s in TARGET_STATS[pt]:
            at = (rows["stat"] == s).to_numpy()
            print(f"| {s} | {100 * scored[0.0]['c80'][at].mean():.1f} / {100 * scored[best]['c80'][at].mean():.1f}% | "
                  f"{100 * scored[0.0]['c50'][at].mean():.1f} / {100 * scored[best]['c50'][at].mean():.1f}% |")
    choice = max(GRID, key=lambda c: pooled[c])
    print(f"\nBoth types, log score summed over the stats and types: " +
          ", ".join(f"c = {c:g}: {v:.4f}" for c, v in pooled.items()) + f"; the best c = {choice:g}")
    print(f"\n# {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
