"""How many recent days should the rest-of-season pace read? (docs/ranges.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_recent_days_study.py \
        > benchmarks/results/real_recent_days_study.txt

The in-season rule (hfm_runtime.playing_time.SeasonToDate.rest_base) carries a player's pace on,
(1 - a) from his season so far and a from his last RECENT_DAYS = 30 days (a player on the injured list
or sent down plays nothing lately). k and a were chosen on 2010-2013 with the window held at 30
(real_rest_of_season_study.py); the window itself was never asked. A starting pitcher's last 30 days
hold five or six starts by the phase of his rotation, so his in-season totals swing by about 10% from
one day to the next (a walkthrough: Gerrit Cole's expected BF 742 -> 815 -> 747 in June 2019). Here
the window D in 7, 10, 15, 20, 30, 45 and 60 days, (k, a) chosen for each D on 2010-2013 among the
rule's grid (real_rest_of_season_study.KS, RECENT), for the players the opening-day table scores (an
MLB line in the three seasons before) as of the 1st of May .. September; judged by the RMSE of the
rest's opportunities on 2014-2018 (the runtime's window is kept unless another wins on both types in
both groups of seasons), with a 90% interval of the RMSE difference against D = 30, player-dates
resampled.
"""

from __future__ import annotations

import time

import numpy as np

import hfm_runtime.playing_time as playing_time
import real_rest_of_season_study as ros
from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS
from hfm_train.playing_time import PlayingTimeConfig, fit_playing_time
from real_playing_time_study import _both
from real_rest_of_season_study import KS, RECENT, in_season_rows, opening_expectation, rest_base, study_data

WINDOWS = (7, 10, 15, 20, 30, 45, 60)


def main() -> None:
    args, choose, judged, fit_of, seasons, start, league, lines, mlb, games, spans, rows = study_data(
        __doc__.splitlines()[0], first=2001)
    print(f"# {args.league}: choose on {choose}, judge {judged} ({time.perf_counter() - start:.0f} s to read)")
    rng = np.random.default_rng(0)
    runtime_days = playing_time.RECENT_DAYS
    for pt in ("batter", "pitcher"):
        opp, stats = OPPORTUNITY[pt], list(TARGET_STATS[pt])
        spreads = {t: fit_playing_time(_both(rows, pt, rows[pt][rows[pt]["season"].isin(fit_of[t])], fit_of[t]),
                                       PlayingTimeConfig()) for t in choose + judged}
        errors, picked = {}, {}
        for days in WINDOWS:  # the study's rows and the runtime's recent share both read the window
            ros.RECENT_DAYS = playing_time.RECENT_DAYS = days
            table = in_season_rows(rows[pt][rows[pt]["season"].isin(choose + judged)], mlb[pt], games, spans, opp, stats)
            full = opening_expectation(table, spreads, pt, choose + judged)
            pick = table["season"].isin(choose).to_numpy()
            r = table["R"].to_numpy()
            scores = {(k, a): np.sqrt(((rest_base(table, k, a, full) - r)[pick] ** 2).mean()) for k in KS for a in RECENT}
            picked[days] = min(scores, key=scores.get)
            errors[days] = (rest_base(table, *picked[days], full) - r) ** 2, pick, scores[picked[days]]
        ros.RECENT_DAYS = playing_time.RECENT_DAYS = runtime_days
        print(f"\n## {pt}s: {errors[30][1].sum()} player-dates on {choose}, {(~errors[30][1]).sum()} on {judged}\n")
        print("| recent days | k, recent weight (chosen) | RMSE of the rest, choice seasons | judged | "
              "judged RMSE minus D = 30's, 90% interval |")
        print("|---|---|---|---|---|")
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
            print(f"| {days} | {k:g}, {a:g} | {chosen:.2f} | {judged_rmse:.2f} | {cell} |")
    print(f"\n# {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
