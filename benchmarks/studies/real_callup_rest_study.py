"""How much will a player called up this season still play? The rest-of-season rule for players new to MLB.

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_callup_rest_study.py \
        > benchmarks/results/real_callup_rest_study.txt             # choose on 2010-2013, judge 2014-2018
    ... --test > benchmarks/results/real_callup_rest_study_test.txt   # 2019 and 2021, after the choice

real_rest_of_season_study.py chose the in-season rule (hfm_runtime.playing_time.SeasonToDate
.rest_base: (1 - e) (w pace + (1 - w) full), w = e / (e + k)) on the players an opening-day table
scores, those with an MLB line in the three seasons before. In season the table also scores everyone
with an MLB game of the season before the as-of date, and for a player with no MLB line in those three
seasons (called up this season, or back after three seasons away) `full`, the opening day's
expectation, is that of a player with no record (Marcel's base of 200 PA / 110 BF, through the
playing-time spread: most such players never play), while he is in the majors now. The product's
tables of 2019 and 2021 (real_in_season_totals.py) under-project their rest by 40-50%: that is where
it was first seen, so `--test`'s 2019 and 2021 are not a clean hold-out for this rule; 2014-2018 is.

Here: as of the 1st of May .. September, those players once they have an MLB game of the season
before the date; R their MLB opportunities from the date to the season's end. Through the runtime's
own rule (SeasonToDate.at and rest_base): the pace from the season's start with k 0.2 (the rule until
2026-12-07), the pace from his first MLB game of the season (his share of the season since then in
the pace and in w: a player called up in June is on pace from June), and that with k_new, one for both
types, chosen among KS on 2010-2013 by the two types' mean RMSE, judged on 2014-2018 (`--test`: 2019
and 2021, after the choice); and, with the runtime's levels (SeasonToDate.levels) around each base,
the 80% interval's coverage of R, all rows and those who played after the date, with the share above
its top. The players with an MLB record keep the rule from the season's start: from their first game
it tied on 2014-2018 (RMSE 62.9 against 63.0 for batters, 72.1 against 71.8 for pitchers, in a first
version of this study). A first look on the same seasons also tried the recent weight: 0.75 stayed
best (with the 30-day recent window of the time; the runtime's 20 days at 0.5 since 2026-12-07 were
chosen by real_recent_days_study.py, and this study re-run with them keeps k_new 0.1).
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from hfm_runtime.playing_time import GRID, RECENT_WEIGHT, REST_K, REST_K_NEW, SeasonToDate
from hfm_runtime.scoring import scored_as
from hfm_runtime.targets import OPPORTUNITY, SEASON_GAMES, TARGET_STATS
from hfm_train.playing_time import PlayingTimeConfig, WINDOW, fit_playing_time, marcel_of
from real_playing_time_study import _both, judge
from real_rest_of_season_study import MONTHS, in_season_rows, opening_expectation, study_data

KS = (0.02, 0.05, 0.075, 0.1, 0.15, 0.2)  # k_new


def callup_rows(lines: dict[str, pd.DataFrame], players: pd.DataFrame, pt: str, seasons: list[int]) -> pd.DataFrame:
    """playing_time_rows' frame for the players of type `pt` with an MLB line in season t and no MLB line
    of that type with opportunities in t-3..t-1 (Marcel's `no_history`, the runtime's `new`; their
    opening-day projection: Marcel's for no record)."""
    kind = (players.drop_duplicates("player_id").set_index("player_id")["player_type"]
            if "player_type" in players.columns else pd.Series(dtype=object))
    pitched = set(lines["pitcher"]["player_id"].tolist())
    out = []
    for t in seasons:
        mine = lines[pt]
        window = set(mine.loc[mine["season"].between(t - 3, t - 1) & (mine[OPPORTUNITY[pt]] > 0), "player_id"].tolist())
        now = lines[pt].loc[lines[pt]["season"] == t, "player_id"].unique()
        ids = np.array(sorted(i for i in now if i not in window and pt in scored_as(kind.get(i), i in pitched)),
                       dtype=np.int64)
        m = marcel_of(lines[pt][lines[pt]["season"].between(t - 3, t - 1)], players, pt, t, ids).reindex(ids)
        out.append(pd.DataFrame({"season": t, "player_id": ids, "projected": m[OPPORTUNITY[pt]].to_numpy(np.float64),
                                 **{c: m[c].to_numpy(np.float64) for c in WINDOW}, "age": m["age"].to_numpy(np.float64),
                                 **{f"m_{s}": m[s].to_numpy(np.float64) for s in TARGET_STATS[pt]}, "actual": 0.0}))
    return pd.concat(out, ignore_index=True)


def bases(table: pd.DataFrame, full: np.ndarray, from_first: bool, k_new: float | None) -> np.ndarray:
    """The runtime's rest base (SeasonToDate.at, rest_base) of every row: the pace from the season's start
    (from_first False with k_new None: the rule until 2026-12-07, REST_K) or, for the rows `new` marks
    (all here), from each player's first game with k_new."""
    out = np.zeros(len(table))
    for (season, month), at in table.groupby(["season", "month"]).indices.items():
        part = table.iloc[at]
        first = part["first"].to_numpy().astype("datetime64[D]") if from_first else None
        to_date = SeasonToDate.at(part["O"].to_numpy(np.float64), part["recent"].to_numpy(np.float64),
                                  np.zeros((len(at), 0)), int(season), part["opening"].iloc[0],
                                  pd.Timestamp(year=int(season), month=int(month), day=1), first)
        new = None if k_new is None else part["new"].to_numpy(bool)
        out[at] = to_date.rest_base(full[at], new=new, k_new=REST_K if k_new is None else k_new)
    return out


def levels_of(table: pd.DataFrame, b: np.ndarray, spreads: dict, pt: str) -> np.ndarray:
    out = np.zeros((len(table), len(GRID)))
    for (season, month), at in table.groupby(["season", "month"]).indices.items():
        to_date = SeasonToDate(np.zeros(len(at)), np.zeros(len(at)), np.zeros((len(at), 0)),
                               float(table["e_cal"].to_numpy()[at][0]), 0.0, SEASON_GAMES.get(int(season), 162))
        out[at] = to_date.levels(spreads[season], pt, b[at]) * b[at, None]
    return out


def main() -> None:
    args, choose, judged, fit_of, seasons, start, league, lines, mlb, games, spans, rows = study_data(
        __doc__.splitlines()[0])
    print(f"# {args.league}: choose on {choose}, judge {judged}; the runtime's k {REST_K:g}, for a player called up "
          f"{REST_K_NEW:g}, recent weight {RECENT_WEIGHT:g} ({time.perf_counter() - start:.0f} s to read)")
    data = {}
    for pt in ("batter", "pitcher"):
        opp, stats = OPPORTUNITY[pt], list(TARGET_STATS[pt])
        spreads = {t: fit_playing_time(_both(rows, pt, rows[pt][rows[pt]["season"].isin(fit_of[t])], fit_of[t]),
                                       PlayingTimeConfig()) for t in choose + judged}
        table = in_season_rows(callup_rows(lines, league.players, pt, choose + judged), mlb[pt], games, spans, opp, stats)
        table = table[table["O"] > 0].reset_index(drop=True)  # scored in season once he has played
        first = mlb[pt].groupby(["player_id", "season"])["game_date"].min()
        table["first"] = first.reindex(pd.MultiIndex.from_frame(table[["player_id", "season"]])).to_numpy()
        table["new"] = True
        full = opening_expectation(table, spreads, pt, choose + judged)
        pick = table["season"].isin(choose).to_numpy()
        scores = {k: np.sqrt(((bases(table, full, True, k) - table["R"].to_numpy())[pick] ** 2).mean()) for k in KS}
        data[pt] = table, full, spreads, scores
    both = {k: np.mean([data[pt][3][k] for pt in data]) for k in KS}
    best = min(both, key=both.get)
    print(f"\nRMSE of R of the players called up on the choice seasons {choose}, the pace from his first game, by k_new, "
          "batters / pitchers / mean: " + "; ".join(f"{k:g}: {data['batter'][3][k]:.1f} / {data['pitcher'][3][k]:.1f} / "
                                                     f"{v:.1f}" for k, v in both.items()) + f"; best for both **{best:g}**")
    for pt, (table, full, spreads, _) in data.items():
        r = table["R"].to_numpy()
        judge_at = table["season"].isin(judged).to_numpy()
        print(f"\n## {pt}s called up: {(~judge_at).sum()} player-dates on {choose}, {judge_at.sum()} on {judged}; "
              f"their opening day's expectation, mean {full.mean():.0f}\n")
        variants = {"from the season's start, k 0.2 (until 2026-12-07)": (False, None),
                    "from his first game, k 0.2": (True, REST_K),
                    f"from his first game, k {best:g} (chosen)": (True, best)}
        print("| as of | player-dates | R mean | " + " | ".join(variants) + " |")
        print("|---|---|---|" + "---|" * len(variants))
        out = {}
        for name, (from_first, k) in variants.items():
            b = bases(table, full, from_first, k)
            out[name] = b, judge(levels_of(table, b, spreads, pt), r), levels_of(table, b, spreads, pt)
        for month in (*MONTHS, None):
            at = judge_at & ((table["month"] == month).to_numpy() if month else True)
            on = at & (r > 0)
            cells = []
            for name, (b, j, lv) in out.items():
                q = np.sort(lv, axis=1)
                top = (q[:, 17] + q[:, 18]) / 2  # the 90th percentile of 20 levels, as judge reads it
                cells.append(f"RMSE {np.sqrt(((b - r)[at] ** 2).mean()):.1f}, base {b[at].mean():.0f}; 80% covered "
                             f"{j['cover'][at].mean():.1%}, played on {j['cover'][on].mean():.1%}, above {(r > top)[on].mean():.1%}")
            print(f"| {f'{month}/1' if month else 'all'} | {at.sum()} | {r[at].mean():.1f} | " + " | ".join(cells) + " |")
    print(f"\n# {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
