"""Will a player who has not played lately play again this season? The rest-of-season spread's zeros.

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_rest_stop_study.py \
        > benchmarks/results/real_rest_stop_study.txt                # choose on 2010-2013, judge 2014-2018
    ... --test > benchmarks/results/real_rest_stop_study_test.txt     # 2019 and 2021, after the choice

The product's in-season season totals were too narrow (real_in_season_totals.py: the strikeout
total's 80% interval held 66-71% of 2019's and 2021's players as of September 1). Split by the days
since a player's last MLB game, the players seen lately (a game in the last 3 days) were covered about
as they should be; those not seen for 10 days or more (injured, sent down, released) were not: about
half of them never play again that season and the other half come back, while the rest's levels
(SeasonToDate.levels: the band of the rest's pace, whose zeros are the opening day's share of players
who miss a whole season) put a level of 0 on far fewer of them.

Here, for every player an in-season table scores as of the 1st of May .. September (an MLB line in the
three seasons before, or an MLB game of the season before the date), with the runtime's base b
(SeasonToDate.at / rest_base, the call-up rule included):

  stop      P(R = 0), R his MLB opportunities from the date to the season's end, as a logistic
            regression on the days since his last MLB game of the season before the date (from the
            season's start for a player with none), whether he has one, and the share of the season
            left, per type, fitted on the choice seasons 2010-2013 (its coefficients: the runtime's
            constants if it is kept)
  levels    the rest's 20 equally likely levels: the runtime's (the band of b's full-season pace, its
            levels over their mean to the power c), against the same band's non-zero levels put at
            the quantiles above P(R = 0) (a level of 0 for each grid point below it), their power c,
            all of it scaled to mean 1 (b stays the mean); c chosen on 2010-2013 by the CRPS

Judged on 2014-2018 (`--test`: 2019 and 2021, fitted on the seasons before, 2020 never judged): P(R =
0) by bins of days against the share that stopped; the CRPS of R (with a paired 90% interval over
player-dates) and the 80% interval's coverage and tails, all rows and by days since the last game.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

from hfm_runtime.playing_time import GRID, SeasonToDate, rest_levels
from hfm_runtime.targets import OPPORTUNITY, SEASON_GAMES, TARGET_STATS
from hfm_train.playing_time import PlayingTimeConfig, fit_playing_time
from real_callup_rest_study import callup_rows
from real_playing_time_study import _both, judge
from real_rest_of_season_study import MONTHS, in_season_rows, mean_interval, opening_expectation, study_data

SHRINK = (0.6, 0.8, 1.0, 1.2)
GAP_BINS = ((1, 3), (4, 10), (11, 30), (31, 10_000))  # days since the last MLB game of the season


def stop_inputs(gap: np.ndarray, played: np.ndarray, left: np.ndarray) -> np.ndarray:
    """The stop regression's inputs: log(1 + days since the last game), whether he has played this season,
    log of the share of the season left, and the days' log times that share's."""
    g, lf = np.log1p(gap), np.log(np.maximum(left, 1e-3))
    return np.column_stack([g, played.astype(float), lf, g * lf])


def stop_levels(levels: np.ndarray, stop: np.ndarray, c: float) -> np.ndarray:
    """[N, K] a band's levels (non-decreasing, at GRID; ratios) -> the rest's levels with P(0) = stop: a 0
    at each grid point below stop, the band's non-zero levels (their conditional quantile function) at
    the points above it, to the power c over their mean, the whole scaled to mean 1."""
    levels = np.asarray(levels, dtype=np.float64)
    grid = np.asarray(GRID)
    k = levels.shape[1]
    out = np.zeros_like(levels)
    for i, (row, p) in enumerate(zip(levels, np.clip(stop, 0.0, 1.0 - 1.0 / k))):
        nz = row[row > 0]
        if not len(nz):
            nz = np.ones(1)
        u_nz = (np.arange(len(nz)) + 0.5) / len(nz)  # the non-zero part's own mid-point quantiles
        on = grid >= p
        u = (grid[on] - p) / (1.0 - p)
        v = np.interp(u, u_nz, nz)
        v = (v / v.mean()) ** c
        out[i, on] = v
        out[i] /= out[i].mean()
    return out


def main() -> None:
    args, choose, judged, fit_of, seasons, start, league, lines, mlb, games, spans, rows = study_data(
        __doc__.splitlines()[0])
    print(f"# {args.league}: choose on {choose}, judge {judged} ({time.perf_counter() - start:.0f} s to read)")
    rng = np.random.default_rng(0)
    for pt in ("batter", "pitcher"):
        opp, stats = OPPORTUNITY[pt], list(TARGET_STATS[pt])
        spreads = {t: fit_playing_time(_both(rows, pt, rows[pt][rows[pt]["season"].isin(fit_of[t])], fit_of[t]),
                                       PlayingTimeConfig()) for t in choose + judged}
        known = in_season_rows(rows[pt][rows[pt]["season"].isin(choose + judged)], mlb[pt], games, spans, opp, stats)
        known["new"] = False
        called = in_season_rows(callup_rows(lines, league.players, pt, choose + judged), mlb[pt], games, spans, opp, stats)
        called = called[called["O"] > 0]
        called["new"] = True
        table = pd.concat([known, called], ignore_index=True)
        key = pd.MultiIndex.from_frame(table[["player_id", "season"]])
        by = mlb[pt].groupby(["player_id", "season"])["game_date"]
        table["first"] = by.min().reindex(key).to_numpy()
        # the last game before the date: each (player, season)'s game days, searched
        day = pd.to_datetime(dict(year=table["season"], month=table["month"], day=1))
        last = np.full(len(table), np.datetime64("NaT"), dtype="datetime64[ns]")
        days = by.apply(lambda s: np.sort(s.to_numpy()))
        for i, (pid, season, d) in enumerate(zip(table["player_id"], table["season"], day)):
            got = days.get((pid, season))
            if got is not None:
                j = np.searchsorted(got, np.datetime64(d), side="left")
                if j:
                    last[i] = got[j - 1]
        played = ~np.isnat(last)
        since = np.where(played, last, table["opening"].to_numpy().astype("datetime64[ns]"))
        gap = np.maximum((day.to_numpy() - since).astype("timedelta64[D]").astype(np.int64), 1)
        base, ratio = np.zeros(len(table)), np.zeros((len(table), len(GRID)))
        table["full"] = opening_expectation(table, spreads, pt, choose + judged)
        for (season, month), at in table.groupby(["season", "month"]).indices.items():
            part = table.iloc[at]
            to_date = SeasonToDate.at(part["O"].to_numpy(np.float64), part["recent"].to_numpy(np.float64),
                                      np.zeros((len(at), 0)), int(season), part["opening"].iloc[0],
                                      pd.Timestamp(year=int(season), month=int(month), day=1),
                                      part["first"].to_numpy().astype("datetime64[D]"))
            b = to_date.rest_base(part["full"].to_numpy(np.float64), new=part["new"].to_numpy(bool))
            base[at] = b
            left = max(1.0 - to_date.elapsed, 1e-9)
            spread = spreads[int(season)]
            ratio[at] = np.asarray(spread.ratio[pt], dtype=np.float64)[spread.band(pt, b / left * 162 /
                                                                                   SEASON_GAMES.get(int(season), 162))]
            table.loc[table.index[at], "left"] = left
        r = table["R"].to_numpy()
        stopped = r <= 0
        x = stop_inputs(gap, played, table["left"].to_numpy())
        pick = table["season"].isin(choose).to_numpy()
        judge_at = ~pick
        model = LogisticRegression(C=1e6, max_iter=1000).fit(x[pick], stopped[pick])
        stop = model.predict_proba(x)[:, 1]
        print(f"\n## {pt}s: {pick.sum()} player-dates on {choose}, {judge_at.sum()} on {judged}\n")
        print(f"P(R = 0) = 1 / (1 + exp(-(b0 + b . x))), x = log(1 + days), played, log(share left), their product: "
              f"b0 {model.intercept_[0]:+.4f}, b " + ", ".join(f"{v:+.4f}" for v in model.coef_[0]))
        print("\n| days since the last game | player-dates | stopped | P(R = 0), mean | the runtime's levels at 0, mean |")
        print("|---|---|---|---|---|")
        runtime = np.minimum(rest_levels(ratio), np.inf)
        zero_now = (runtime <= 0).mean(axis=1)
        groups = [(f"{lo}-{hi}" if hi < 10_000 else f"{lo}+", played & (gap >= lo) & (gap <= hi)) for lo, hi in GAP_BINS]
        groups.append(("none this season", ~played))
        for name, g in groups:
            at = judge_at & g
            print(f"| {name} | {at.sum()} | {stopped[at].mean():.1%} | {stop[at].mean():.1%} | {zero_now[at].mean():.1%} |")
        crps_c = {c: judge(stop_levels(ratio[pick], stop[pick], c) * base[pick, None], r[pick])["crps"].mean()
                  for c in SHRINK}
        best = min(crps_c, key=crps_c.get)
        print(f"\nCRPS of R on {choose}, the stop levels to the power c: " +
              "; ".join(f"c {c:g} {v:.2f}" for c, v in crps_c.items()) + f" (best **{best:g}**); the runtime's levels "
              f"{judge(rest_levels(ratio[pick]) * base[pick, None], r[pick])['crps'].mean():.2f}")
        variants = {"the runtime's levels": rest_levels(ratio) * base[:, None],
                    f"stop levels, c {best:g}": stop_levels(ratio, stop, best) * base[:, None]}
        out = {n: judge(lv, r) for n, lv in variants.items()}
        tails = {}
        for n, lv in variants.items():
            q = np.sort(lv, axis=1)
            lo = np.interp(0.1, GRID, np.arange(len(GRID)))
            low = q[:, int(lo)] + (lo - int(lo)) * (q[:, int(lo) + 1] - q[:, int(lo)])
            hi = np.interp(0.9, GRID, np.arange(len(GRID)))
            high = q[:, int(hi)] + (hi - int(hi)) * (q[:, int(hi) + 1] - q[:, int(hi)])
            tails[n] = (r < low, r > high)
        print("\n| rows (judged) | player-dates | " + " | ".join(f"{n}: CRPS, 80% covered, below / above" for n in variants)
              + " |")
        print("|---|---|" + "---|" * len(variants))
        for name, g in [("all", np.ones(len(r), bool)), *[(f"as of {m}/1", (table["month"] == m).to_numpy()) for m in MONTHS],
                        *groups]:
            at = judge_at & g
            cells = [f"{out[n]['crps'][at].mean():.2f}, {out[n]['cover'][at].mean():.1%}, "
                     f"{tails[n][0][at].mean():.1%} / {tails[n][1][at].mean():.1%}" for n in variants]
            print(f"| {name} | {at.sum()} | " + " | ".join(cells) + " |")
        names = list(variants)
        mean, lo, hi = mean_interval((out[names[1]]["crps"] - out[names[0]]["crps"])[judge_at], rng)
        print(f"\nCRPS, stop levels minus the runtime's: {mean:+.3f} [{lo:+.3f}, {hi:+.3f}] (90%, player-dates resampled)")
    print(f"\n# {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
