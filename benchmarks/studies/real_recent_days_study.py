"""How many recent days should the rest-of-season pace read? (docs/ranges.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_recent_days_study.py \
        > benchmarks/results/real_recent_days_study.txt

The in-season rule (hfm_runtime.playing_time.SeasonToDate.rest_base) carries a player's pace on,
(1 - a) from his season so far and a from his last RECENT_DAYS days (a player on the injured list
or sent down plays nothing lately). k and a were chosen on 2010-2013 with the window held at 30
(real_rest_of_season_study.py); the window itself was never asked. Since 2026-12-07 the runtime reads
20 days at weight 0.5, this study's choice; D = 30 stays its reference row. A starting pitcher's last 30 days
hold five or six starts by the phase of his rotation, so his in-season totals swing by about 10% from
one day to the next (a walkthrough: Gerrit Cole's expected BF 742 -> 815 -> 747 in June 2019). Here
the window D in 7, 10, 15, 20, 30, 45 and 60 days, (k, a) chosen for each D on 2010-2013 among the
rule's grid (real_rest_of_season_study.KS, RECENT), for the players the opening-day table scores (an
MLB line in the three seasons before) as of the 1st of May .. September; judged by the RMSE of the
rest's opportunities on 2014-2018, with a 90% interval of the RMSE difference against D = 30,
player-dates resampled. (A first run printed that alone, found 10 days best on both types and kept
30 for the starters' swing, unmeasured then.) Beside the RMSE (added 2026-12-07, later): the spread the runtime puts around each window's
rest (SeasonToDate.levels, the band of the rest's pace to the power REST_SPREAD), its CRPS and 80%
coverage of the rest on the judged seasons; and the daily swing, each window's expected season total
of opportunities (to date + the rest) as of June 1..6 of the judged seasons (a starter's rotation is
five days), its (most - least) / mean over the six days, for the players who had played by June 1,
on the choice and the judged seasons. The rule, written after the judged seasons' swing was seen and
before the choice seasons' was: one window for both types (one constant), the one with the least
mean of the two types' choice-season RMSE over D = 30's among those whose mean swing on the choice
seasons is at most 0.5 point above D = 30's for each type; D = 30 kept if none beats it.
"""

from __future__ import annotations

import time

import numpy as np

import hfm_runtime.playing_time as playing_time
import real_rest_of_season_study as ros
from hfm_runtime.playing_time import GRID, SeasonToDate
from hfm_runtime.targets import OPPORTUNITY, SEASON_GAMES, TARGET_STATS
from hfm_train.playing_time import PlayingTimeConfig, fit_playing_time
from real_playing_time_study import _both, judge
from real_rest_of_season_study import KS, RECENT, in_season_rows, opening_expectation, rest_base, study_data

WINDOWS = (7, 10, 15, 20, 30, 45, 60)
SWING_DAYS = range(1, 7)  # June 1..6


def runtime_levels(table, spreads: dict, pt: str, b: np.ndarray) -> np.ndarray:
    """[N, K] the runtime's opportunity levels of the rest around its base `b` (SeasonToDate.levels)."""
    out = np.zeros((len(table), len(GRID)))
    for (t, _), at in table.groupby(["season", "month"]).indices.items():
        to_date = SeasonToDate(np.zeros(len(at)), np.zeros(len(at)), np.zeros((len(at), 0)),
                               float(table["e_cal"].iloc[at[0]]), 0.0, SEASON_GAMES.get(int(t), 162))
        out[at] = to_date.levels(spreads[t], pt, b[at]) * b[at, None]
    return out


def daily_swing(rows, mlb, games, spans, opp: str, stats: list[str], spreads: dict, pt: str, seasons: tuple[int, ...],
                k: float, a: float) -> np.ndarray:
    """[players] (most - least) / mean of the expected season total of opportunities as of June 1..6."""
    totals, played = [], None
    for day in SWING_DAYS:
        table = in_season_rows(rows, mlb, games, spans, opp, stats, months=(6,), day_of_month=day)
        full = opening_expectation(table, spreads, pt, list(seasons))
        totals.append(table["O"].to_numpy() + rest_base(table, k, a, full))
        if played is None:  # by June 1 (the rows of every day are the same players, in the same order)
            played = table["O"].to_numpy() > 0
    totals = np.array(totals)
    mean = totals.mean(axis=0)
    return ((totals.max(axis=0) - totals.min(axis=0)) / np.maximum(mean, 1e-9))[played & (mean > 0)]


def main() -> None:
    args, choose, judged, fit_of, seasons, start, league, lines, mlb, games, spans, rows = study_data(
        __doc__.splitlines()[0], first=2001)
    print(f"# {args.league}: choose on {choose}, judge {judged} ({time.perf_counter() - start:.0f} s to read)")
    rng = np.random.default_rng(0)
    ratio, swing_up = {}, {}
    runtime_days = playing_time.RECENT_DAYS
    for pt in ("batter", "pitcher"):
        opp, stats = OPPORTUNITY[pt], list(TARGET_STATS[pt])
        spreads = {t: fit_playing_time(_both(rows, pt, rows[pt][rows[pt]["season"].isin(fit_of[t])], fit_of[t]),
                                       PlayingTimeConfig()) for t in choose + judged}
        errors, picked, spread_scores, swing = {}, {}, {}, {}
        for days in WINDOWS:  # the study's rows and the runtime's recent share both read the window
            ros.RECENT_DAYS = playing_time.RECENT_DAYS = days
            table = in_season_rows(rows[pt][rows[pt]["season"].isin(choose + judged)], mlb[pt], games, spans, opp, stats)
            full = opening_expectation(table, spreads, pt, choose + judged)
            pick = table["season"].isin(choose).to_numpy()
            r = table["R"].to_numpy()
            scores = {(k, a): np.sqrt(((rest_base(table, k, a, full) - r)[pick] ** 2).mean()) for k in KS for a in RECENT}
            picked[days] = min(scores, key=scores.get)
            b = rest_base(table, *picked[days], full)
            errors[days] = (b - r) ** 2, pick, scores[picked[days]]
            spread_scores[days] = judge(runtime_levels(table[~pick], spreads, pt, b[~pick]), r[~pick])
            swing[days] = {group: daily_swing(rows[pt][rows[pt]["season"].isin(group)], mlb[pt], games, spans, opp,
                                              stats, spreads, pt, group, *picked[days]) for group in (tuple(choose), tuple(judged))}
        ros.RECENT_DAYS = playing_time.RECENT_DAYS = runtime_days
        print(f"\n## {pt}s: {errors[30][1].sum()} player-dates on {choose}, {(~errors[30][1]).sum()} on {judged}\n")
        print("| recent days | k, recent weight (chosen) | RMSE of the rest, choice seasons | judged | "
              "judged RMSE minus D = 30's, 90% interval | judged CRPS | 80% covered | daily swing, choice seasons: mean | "
              "p90 | judged: mean | p90 |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        base_sq, pick, _ = errors[30]
        for days in WINDOWS:
            sq, _, chosen = errors[days]
            judged_rmse = np.sqrt(sq[~pick].mean())
            draws = []
            for _ in range(1000):
                i = rng.integers(0, int((~pick).sum()), int((~pick).sum()))
                draws.append(np.sqrt(sq[~pick][i].mean()) - np.sqrt(base_sq[~pick][i].mean()))
            cell = "-" if days == 30 else (f"{judged_rmse - np.sqrt(base_sq[~pick].mean()):+.2f} "
                                           f"[{np.quantile(draws, 0.05):+.2f}, {np.quantile(draws, 0.95):+.2f}]")
            k, a = picked[days]
            ratio.setdefault(days, []).append(chosen / errors[30][2])
            swing_up.setdefault(days, []).append(swing[days][tuple(choose)].mean() - swing[30][tuple(choose)].mean())
            j = spread_scores[days]
            print(f"| {days} | {k:g}, {a:g} | {chosen:.2f} | {judged_rmse:.2f} | {cell} | {j['crps'].mean():.2f} | "
                  f"{j['cover'].mean():.1%} | " + " | ".join(f"{swing[days][g].mean():.2%} | {np.quantile(swing[days][g], 0.9):.2%}"
                                                           for g in (tuple(choose), tuple(judged))) + " |")
    allowed = [d for d in WINDOWS if max(swing_up[d]) <= 0.005]
    best = min(allowed, key=lambda d: np.mean(ratio[d]))
    print("\nThe rule: " + "; ".join(f"D = {d}: RMSE over D = 30's {np.mean(ratio[d]):.4f}, swing "
                                     + " / ".join(f"{u:+.2%}" for u in swing_up[d]) + ("" if d in allowed else " (out)")
                                     for d in WINDOWS) + f". Chosen: **D = {best}**")
    print(f"\n# {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
