"""How much should Marcel weigh the season so far? The fair baseline of an in-season projection.

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_marcel_to_date_study.py \
        > benchmarks/results/real_marcel_to_date_study.txt           # choose on 2010-2013, judge 2014-2018
    ... --test > benchmarks/results/real_marcel_to_date_study_test.txt   # 2019 and 2021, after the choice

An in-season projection is of the rest of the season's rates. The opening-day Marcel, which
`hfm-train evaluate --kind in_season` measured the blend against until 2026-12-07, is blind to the
season so far; the fair bar is Marcel with it counted: hfm_runtime.marcel.marcel(..., to_date=...),
the season so far one more season of the window with weight w_0, regressed toward a league rate that
includes the season so far's league rate over the same days.

For each season t and as-of date D (the 1st of May .. September), every player with an MLB line in
t-3..t-1 or before D in t, judged on his rates from D to the season's end where he had at least
MIN_REST opportunities there, weighted by them (the in-season evaluation's weighting). Per stat the
RMSE of: the opening-day Marcel (w_0 = 0), Marcel to date for each w_0 of GRID; and, at the chosen
w_0, the same with the league rate of the window alone (lg_0 left out: how much of the gain is the
season's league level). w_0 is chosen on 2010-2013 by the mean RMSE over stats and types (one weight
for both, as Marcel has one weighting), judged on 2014-2018; `--test` measures 2019 and 2021 once.
Intervals: 90%, players resampled (each player's rows together), 1000 draws.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from hfm_runtime.marcel import TO_DATE_WEIGHT, league_rates, marcel
from hfm_runtime.seasons import season_age
from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS
from hfm_train.calibration import mlb_season_lines
from hfm_train.league_stream import league_lines
from real_rest_of_season_study import command_line

MONTHS = (5, 6, 7, 8, 9)  # as of the 1st
GRID = (2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 16.0)
MIN_REST = 30  # opportunities from the as-of date to the season's end
DRAWS = 1000


def rows_of(pt: str, seasons: list[int], season_lines: pd.DataFrame, mlb: pd.DataFrame, births: pd.Series,
            weights: tuple[float, ...], league_window: bool = True) -> pd.DataFrame:
    """One row per (player, season, as-of date): the rest's opportunities and rates, and Marcel's
    projection for w_0 = 0 and each of `weights` (league_window False: lg_0 = the window's league)."""
    opp, stats = OPPORTUNITY[pt], list(TARGET_STATS[pt])
    out = []
    for t in seasons:
        season = mlb[mlb["season"] == t]
        window = season_lines[season_lines["season"].between(t - 3, t - 1)]
        league = league_rates(season_lines[season_lines["season"].between(t - 3, t - 1)], pt)
        for month in MONTHS:
            day = pd.Timestamp(year=t, month=month, day=1)
            before, after = season[season["game_date"] < day], season[season["game_date"] >= day]
            rest = after.groupby("player_id")[[opp, *stats]].sum()
            rest = rest[rest[opp] >= MIN_REST]
            ids = np.intersect1d(rest.index.to_numpy(),
                                 np.union1d(window["player_id"].unique(), before["player_id"].unique()))
            if len(ids) == 0:
                continue
            done = before.groupby("player_id")[[opp, *stats]].sum()
            totals = before[[opp, *stats]].sum()
            lg0 = totals[stats] / totals[opp]
            ages = pd.Series(np.asarray(season_age(births.reindex(ids).to_numpy(), t), dtype=float), index=ids)
            frame = pd.DataFrame({"player_id": ids, "season": t, "month": month,
                                  "rest": rest.loc[ids, opp].to_numpy(np.float64),
                                  "so_far": done[opp].reindex(ids).fillna(0.0).to_numpy()})
            for s in stats:
                frame[f"y_{s}"] = rest.loc[ids, s].to_numpy(np.float64) / frame["rest"].to_numpy()
            base = marcel(window, ages, t, pt, player_ids=ids, league=league)
            for s in stats:
                frame[f"p0_{s}"] = base[s].to_numpy()
            for w in weights:
                proj = marcel(window, ages, t, pt, player_ids=ids, league=league, to_date=done,
                              to_date_league=lg0 if league_window else _window_league(league, t), to_date_weight=w)
                for s in stats:
                    frame[f"p{w:g}_{s}"] = proj[s].to_numpy()
            out.append(frame)
    return pd.concat(out, ignore_index=True)


def _window_league(league: pd.DataFrame, t: int) -> pd.Series:
    """The window's league rate, 5/4/3-weighted (what lg_0 is replaced by in the `league_window` off row)."""
    w = np.array([5.0, 4.0, 3.0])
    lg = league.reindex([t - 1, t - 2, t - 3])
    known = lg.notna().all(axis=1).to_numpy()
    return pd.Series(w[known] @ lg.to_numpy()[known] / w[known].sum(), index=lg.columns)


def rmse(frame: pd.DataFrame, stats: list[str], key: str) -> np.ndarray:
    w = frame["rest"].to_numpy()
    return np.array([np.sqrt(np.average((frame[f"{key}_{s}"] - frame[f"y_{s}"]) ** 2, weights=w)) for s in stats])


def cut(frame: pd.DataFrame, stats: list[str], key: str) -> float:
    """Mean over stats of 1 - RMSE / the opening-day Marcel's."""
    return float(np.mean(1.0 - rmse(frame, stats, key) / rmse(frame, stats, "p0")))


def interval(frame: pd.DataFrame, stats: list[str], key: str, other: str, rng: np.random.Generator) -> tuple[float, float]:
    """90% interval of cut(key) - cut(other), players resampled as wholes (within each season)."""
    groups = frame.groupby(["season", "player_id"]).indices
    parts = list(groups.values())
    w = frame["rest"].to_numpy()
    sq = {k: np.stack([((frame[f"{k}_{s}"] - frame[f"y_{s}"]) ** 2).to_numpy() * w for s in stats], 1)
          for k in ("p0", key, other)}
    per = {k: np.stack([v[p].sum(0) for p in parts]) for k, v in sq.items()}
    wp = np.array([w[p].sum() for p in parts])
    out = []
    for _ in range(DRAWS):
        pick = rng.integers(0, len(parts), len(parts))
        r = {k: np.sqrt(v[pick].sum(0) / wp[pick].sum()) for k, v in per.items()}
        out.append(np.mean(1 - r[key] / r["p0"]) - np.mean(1 - r[other] / r["p0"]))
    return tuple(np.percentile(out, [5, 95]))


def main() -> None:
    args, choose, judged = command_line(__doc__.splitlines()[0])
    start = time.perf_counter()
    league, game_lines = league_lines(args.league, list(range(min(choose) - 3, max(judged) + 1)))
    births = league.players.drop_duplicates("player_id").set_index("player_id")["birth_date"]
    rng = np.random.default_rng(0)
    print(f"# {args.league}: choose w_0 on {choose}, judge {judged}; the runtime's TO_DATE_WEIGHT {TO_DATE_WEIGHT:g} "
          f"({time.perf_counter() - start:.0f} s to read)")
    tables = {}
    for pt in ("batter", "pitcher"):
        g = game_lines[pt]
        mlb = g[g["level"] == "MLB"].assign(game_date=lambda f: pd.to_datetime(f["game_date"]))
        tables[pt] = (rows_of(pt, choose + judged, mlb_season_lines(g, pt), mlb, births, GRID),
                      rows_of(pt, choose + judged, mlb_season_lines(g, pt), mlb, births, (TO_DATE_WEIGHT,),
                              league_window=False))
    print(f"# rows built in {time.perf_counter() - start:.0f} s")
    scores = {w: np.mean([cut(t[t["season"].isin(choose)], list(TARGET_STATS[pt]), f"p{w:g}")
                          for pt, (t, _) in tables.items()]) for w in GRID}
    best = max(scores, key=scores.get)
    print(f"\nmean cut of the opening-day Marcel's RMSE of the rest's rates on {choose}, both types' mean, by w_0: "
          + ", ".join(f"{w:g} {v:+.2%}" for w, v in scores.items()) + f"; best **{best:g}**")
    for pt, (table, window_only) in tables.items():
        stats = list(TARGET_STATS[pt])
        judge = table[table["season"].isin(judged)]
        key = f"p{TO_DATE_WEIGHT:g}"
        print(f"\n## {pt}s, judged on {judged}: {judge['player_id'].nunique()} players, {len(judge)} player-dates\n")
        print("| as of | rows | so far, mean | rest, mean | RMSE x1e-4 " + ", ".join(stats)
              + ": opening-day Marcel | Marcel to date (w_0 = " + f"{TO_DATE_WEIGHT:g}) | mean cut |")
        print("|---|---|---|---|---|---|---|")
        for month in (*MONTHS, None):
            part = judge if month is None else judge[judge["month"] == month]
            cells = [" ".join(f"{v * 1e4:.0f}" for v in rmse(part, stats, k)) for k in ("p0", key)]
            print(f"| {f'{month}/1' if month else 'all'} | {len(part)} | {part['so_far'].mean():.0f} | "
                  f"{part['rest'].mean():.0f} | {cells[0]} | {cells[1]} | {cut(part, stats, key):+.2%} |")
        print("\nmean cut by w_0 (pooled): " + ", ".join(f"{w:g} {cut(judge, stats, f'p{w:g}'):+.2%}" for w in GRID))
        lo, hi = interval(judge, stats, key, "p0", rng)
        print(f"Marcel to date minus opening-day Marcel, mean cut: {cut(judge, stats, key):+.2%} [{lo:+.2%}, {hi:+.2%}]")
        joined = judge.merge(window_only[window_only["season"].isin(judged)][
            ["player_id", "season", "month", *[f"{key}_{s}" for s in stats]]].rename(
            columns={f"{key}_{s}": f"win_{s}" for s in stats}), on=["player_id", "season", "month"])
        lo, hi = interval(joined, stats, key, "win", rng)
        print(f"the season so far's league rate in lg_p, against the window's league alone: {cut(joined, stats, key):+.2%} "
              f"against {cut(joined, stats, 'win'):+.2%}, difference [{lo:+.2%}, {hi:+.2%}]")
    print(f"\n# {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
