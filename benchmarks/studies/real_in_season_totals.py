"""How often do an in-season table's season-total intervals hold the season's actual totals?

    hfm-export artifacts/runs/real_2019 --out /tmp/hfm/b2019
    python benchmarks/studies/real_in_season_totals.py /tmp/hfm/b2019 --season 2019 \
        > benchmarks/results/real_in_season_totals_2019.txt

The product path end to end: a bundle exported from a run that never saw `--season` (`real_2019`,
`real_2021`: fitted on the seasons before), a History of the league's seasons `season`-6 .. `season`,
and `Scorer.score` as of the season's opening day and the 1st of May .. September, every player the
table scores by default (in season also everyone with an MLB game of the season before the date).
For each row and stat, the season's actual MLB total (0 for a player who did not play on) against the
row's `total_p10` .. `total_p90`: the cell-credited coverage (hfm_runtime.ranges.covered, as
`hfm-train calibration` counts it) of the 50% and 80% intervals. The table holds a total's quantile
at the count recorded so far (0 at opening day) where the mixture's (of X + U - 1/2) lies half a count
below it, which hides where in that count's cell the quantile lies; so the study scores a second time
with the quantiles as the mixture has them (hfm_runtime.ranges.projection_ranges' clip=False), and that
coverage is exact over every row ("exact"). Beside it the table's own cells read as they are (the
least credit; until 2026-12-07 this study printed that and a bound that treated only a quantile at 0
as -1/2, and called the rows with a count of 1 or more exact: in season they are not, the recorded
count being the floor). Beside them the 80% interval's mean width, the RMSE of `proj_<S>`, and the
share of actual opportunities inside
the opportunities' own 80% interval (`opportunities_p10` .. `p90`, ends included, as `hfm-train
calibration` counts it). Players who had already played their last game of the season are in (their
rest is 0, which the interval must allow). A second table takes the players who did play after the
date, with an MLB line in the three seasons before or without one (called up this season): how often
their season's opportunities fell above `opportunities_p90` or below `opportunities_p10`, and their
mean rest of the season, actual against expected (`opportunities_mean - opportunities_to_date`): a
group chosen by the outcome (they played on), so more than 10% above the top is expected even of a
calibrated spread; it compares seasons and rules, and the first table is the calibration check. `--season-end` (2026-12-07): the same with the
season's last scheduled day given to `Scorer.score`, read off the league's last MLB game of the
season (what the published schedule says before the season, but for a game rained out at the end).

    python benchmarks/studies/real_in_season_totals.py /tmp/hfm/b2019 --season 2019 --season-end \
        > benchmarks/results/real_in_season_totals_2019_end.txt
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import hfm_runtime.scoring
from hfm_runtime.bundle import load_bundle
from hfm_runtime.league import load_league
from hfm_runtime.ranges import covered, projection_ranges
from hfm_runtime.scoring import History, Scorer
from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS
from real_ridge_study import print_notice  # the studies beside this one

MONTHS = (5, 6, 7, 8, 9)


def actual_totals(history_lines: pd.DataFrame, pt: str, season: int) -> pd.DataFrame:
    """Per player: his MLB opportunities and counts of `season` (game lines of the type)."""
    lines = history_lines[(history_lines["season"] == season) & (history_lines["level"] == "MLB")]
    return lines.groupby("player_id")[[OPPORTUNITY[pt], *TARGET_STATS[pt]]].sum()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle")
    parser.add_argument("--league", default="artifacts/league_retro")
    parser.add_argument("--season", type=int, required=True)
    parser.add_argument("--season-end", action="store_true",
                        help="score with the season's last scheduled day (Scorer.score's season_end), read off the "
                             "league's last MLB game of the season, as the published schedule gives it")
    args = parser.parse_args()
    print_notice(args.league)
    start = time.perf_counter()
    league = load_league(args.league, seasons=range(args.season - 6, args.season + 1))
    history = History.from_league(league)
    scorer = Scorer(load_bundle(args.bundle))
    opening = history.opening_days()[args.season]
    dates = [opening] + [pd.Timestamp(year=args.season, month=m, day=1) for m in MONTHS]
    print(f"# {args.bundle} on {args.league} {args.season - 6}-{args.season}, as of {', '.join(str(d.date()) for d in dates)} "
          f"({time.perf_counter() - start:.0f} s to load)")
    end = None
    if args.season_end:
        mlb = history.pitches.loc[history.pitches["level"] == "MLB", "game_date"]
        days = pd.to_datetime(mlb)
        end = days[days.dt.year == args.season].max().normalize()
        print(f"# season_end {end.date()} (the league's last MLB game of {args.season})")
    tables = {d: scorer.score(history, season=args.season, as_of=d, season_end=end) for d in dates}
    # the same rows with the totals' quantiles as the mixture has them (not held at the count recorded)
    hfm_runtime.scoring.projection_ranges = lambda *a, **k: projection_ranges(*a, **k, clip=False)
    exact = {d: Scorer(scorer.bundle).score(history, season=args.season, as_of=d, season_end=end) for d in dates}
    hfm_runtime.scoring.projection_ranges = projection_ranges
    print(f"# scored in {time.perf_counter() - start:.0f} s")
    for pt in ("batter", "pitcher"):
        opp, stats = OPPORTUNITY[pt], list(TARGET_STATS[pt])
        truth = actual_totals(history.game_lines(pt), pt, args.season)
        print(f"\n## {pt}s\n")
        print("Each stat: the 80% interval's coverage, exact (the table's cells as they are); the 50%'s the same; "
              "the 80% width; the RMSE of proj.\n")
        print("| as of | rows | did not play on | opportunities 80% | " + " | ".join(stats) + " |")
        print("|---|---|---|---|" + "---|" * len(stats))
        for d, table in tables.items():
            t = table[table["player_type"] == pt]
            ids = t["player_id"].to_numpy()
            actual = truth.reindex(ids).fillna(0.0)
            n = actual[opp].to_numpy()
            opp_cover = ((n >= t["opportunities_p10"].to_numpy()) & (n <= t["opportunities_p90"].to_numpy())).mean()
            rest_none = (n <= t["opportunities_to_date"].to_numpy()).mean()
            cells = []
            x = exact[d][exact[d]["player_type"] == pt]
            assert (x["player_id"].to_numpy() == ids).all()
            for s in stats:
                y = actual[s].to_numpy()
                text = []
                for lo_q, hi_q in (("p10", "p90"), ("p25", "p75")):
                    shown = covered(y, t[f"total_{lo_q}_{s}"].to_numpy(np.float64), t[f"total_{hi_q}_{s}"].to_numpy(np.float64))
                    true = covered(y, x[f"total_{lo_q}_{s}"].to_numpy(np.float64), x[f"total_{hi_q}_{s}"].to_numpy(np.float64))
                    text.append(f"{100 * true.mean():.1f} ({100 * shown.mean():.1f})")
                width = (t[f"total_p90_{s}"] - t[f"total_p10_{s}"]).mean()
                rmse = np.sqrt(((t[f"proj_{s}"].to_numpy() - y) ** 2).mean())
                cells.append(f"{text[0]}; {text[1]}; {width:.1f}; {rmse:.1f}")
            label = "opening day" if d == opening else f"{d.month}/1"
            print(f"| {label} | {len(t)} | {rest_none:.1%} | {opp_cover:.1%} | " + " | ".join(cells) + " |")
        print("\nPlayers who played after the date: opportunities above p90 / below p10, mean rest actual / expected\n")
        print("| as of | with MLB history: players | above / below | rest | called up this season: players | "
              "above / below | rest |")
        print("|---|---|---|---|---|---|---|")
        window = set(history.game_lines(pt).query(f"level == 'MLB' and {args.season - 3} <= season < {args.season}")
                     ["player_id"].tolist())
        for d, table in tables.items():
            t = table[table["player_type"] == pt]
            n = truth.reindex(t["player_id"].to_numpy())[opp].fillna(0.0).to_numpy()
            done = t["opportunities_to_date"].to_numpy()
            on = n > done
            known = t["player_id"].isin(window).to_numpy()
            cells = []
            for group in (on & known, on & ~known):
                if not group.any():
                    cells += ["0", "-", "-"]
                    continue
                above = (n > t["opportunities_p90"].to_numpy())[group].mean()
                below = (n < t["opportunities_p10"].to_numpy())[group].mean()
                rest = (t["opportunities_mean"].to_numpy() - done)[group].mean()
                cells += [f"{group.sum()}", f"{above:.1%} / {below:.1%}", f"{(n - done)[group].mean():.0f} / {rest:.0f}"]
            label = "opening day" if d == opening else f"{d.month}/1"
            print(f"| {label} | " + " | ".join(cells) + " |")
    print(f"\n# {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
