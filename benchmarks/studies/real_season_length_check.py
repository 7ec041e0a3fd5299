"""Why do late-season rest-of-season intervals miss more in some seasons? The calendar's season length.

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_season_length_check.py \
        > benchmarks/results/real_season_length_check.txt

The in-season rule reads the share of the season gone, e, off the calendar, over the lengths of the
full seasons 2001-2018 (FULL_SEASON_DAYS, 182-189 days from the start, about 183 on average). The
product's tables of 2018, 2019 and 2021 (real_in_season_totals.py) put 29-33% of the batters who
kept playing above the rest's 80% interval as of September 1, against 12-14% in 2016 and 2017. For
the players with an MLB record who played after August 1 and September 1 of 2016-2018 (seasons
selection only: nothing of 2019 or 2021 is read): the share above the interval's top and the mean rest
against the base, with e from the rule's calendar and with e from the season's own length (its last
game, which the published schedule gives before the season starts).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hfm_runtime.playing_time import RECENT_DAYS, RECENT_WEIGHT, REST_K, SeasonToDate
from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS
from hfm_train.playing_time import PlayingTimeConfig, fit_playing_time, inputs_of, playing_time_rows
from real_playing_time_study import _both
from real_ridge_study import print_notice
from real_rest_of_season_study import in_season_rows, load_seasons

SEASONS = (2016, 2017, 2018)


def main() -> None:
    print_notice("artifacts/league_retro")
    league, lines, mlb, games, spans = load_seasons("artifacts/league_retro", min(SEASONS) - 8, max(SEASONS))
    rows = playing_time_rows(lines, league.players, list(range(min(SEASONS) - 5, max(SEASONS) + 1)))
    print("| type | season | length, days | as of | players who played on | e: rule / own | rest / base: rule "
          "| own length | above the top: rule | own length |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for pt in ("batter", "pitcher"):
        opp, stats = OPPORTUNITY[pt], list(TARGET_STATS[pt])
        for season in SEASONS:
            fit = list(range(season - 5, season))
            spread = fit_playing_time(_both(rows, pt, rows[pt][rows[pt]["season"].isin(fit)], fit), PlayingTimeConfig())
            table = in_season_rows(rows[pt][rows[pt]["season"] == season], mlb[pt], games, spans, opp, stats)
            n0 = table["projected"].to_numpy(np.float64)
            full = spread.levels(pt, n0, inputs_of(table, pt)).mean(axis=1) * n0
            opening, last = spans.loc[season, "opening"], spans.loc[season, "last"]
            length = (last - opening).days + 1
            for month in (8, 9):
                at = (table["month"] == month).to_numpy()
                part, r = table[at], table["R"].to_numpy()[at]
                day = (pd.Timestamp(year=season, month=month, day=1) - opening).days
                out = {}
                for name, (e, share) in (("rule", (float(part["e_cal"].iloc[0]), None)),
                                         ("own", (day / length, min(RECENT_DAYS, day) / length))):
                    if share is None:  # the runtime's calendar
                        to_date = SeasonToDate.at(part["O"].to_numpy(), part["recent"].to_numpy(),
                                                  np.zeros((len(part), 0)), season, opening,
                                                  pd.Timestamp(year=season, month=month, day=1))
                    else:
                        to_date = SeasonToDate(part["O"].to_numpy(), part["recent"].to_numpy(),
                                               np.zeros((len(part), 0)), e, share, 162)
                    b = to_date.rest_base(full[at], k=REST_K, recent_weight=RECENT_WEIGHT)
                    levels = np.sort(to_date.levels(spread, pt, b) * b[:, None], axis=1)
                    top = (levels[:, 17] + levels[:, 18]) / 2  # the 90th percentile of the 20 levels
                    out[name] = (e, b, top)
                on = r > 0
                print(f"| {pt} | {season} | {length} | {month}/1 | {on.sum()} | {out['rule'][0]:.3f} / {out['own'][0]:.3f} | "
                      f"{r[on].mean():.0f} / {out['rule'][1][on].mean():.0f} | {out['own'][1][on].mean():.0f} | "
                      f"{(r > out['rule'][2])[on].mean():.1%} | {(r > out['own'][2])[on].mean():.1%} |")


if __name__ == "__main__":
    main()
