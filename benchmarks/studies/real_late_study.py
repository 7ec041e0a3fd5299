"""Does the end of last season say more than the whole of it? (docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_late_study.py > benchmarks/results/real_late_study.txt

Levels 2-3 read a player's last 30 games of pitches, and on real seasons turning them off changes
nothing measurable. Is that the model, or is there no recency to find? This asks the ridge directly,
on the selection seasons only (2014-2018; the players, fits and bootstrap of real_ridge_study.py).
Per MLB player-season the "late" part is his games from August 1 on (about the last third of a
season). Variants, each `seq_eb` (the sequence ridge as hfm_train.baselines builds it, RidgeConfig())
plus, from last season only:
  seq_late        the late part's target-stat rates and whiff and swing rates, each shrunk to the
                  league rate by its empirical-Bayes prior (real_spray_study.eb_prior), and the log
                  of the late opportunities
  seq_late_share  the late part's share of the season's opportunities (a season that ended in July:
                  an injury, a demotion, a release)
  seq_late_both   both
    ... --late-month M   the late part from the 1st of month M instead (7: July, 9: September)

    ... --test    after the choice (seq_late, decided on the selection seasons, docs/real-data.md):
                  seq_eb and seq_late on each test season alone, 2019 and 2021 (its last season is
                  the 60-game 2020, whose games from August 1 are about as many as a full season's)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS
from hfm_train.baselines import RidgeConfig
from hfm_train.league_stream import league_lines
from real_ridge_study import Variant, project, report, selection_args  # the studies beside this one
from real_spray_study import eb_prior

LATE_MONTH = 8  # games from August 1 on (--late-month moves it)


def late_table(lines: pd.DataFrame, opp: str, stats: list[str], month: int = LATE_MONTH) -> pd.DataFrame:
    """Per (player_id, season), MLB only: the season's opportunities, and the late part's
    opportunities, target-stat counts, swings, whiffs and pitches (prefixed late_)."""
    mlb = lines[lines["level"] == "MLB"]
    cols = [opp, *stats, "swing", "whiff", "pitches"]
    season = mlb.groupby(["player_id", "season"])[[opp]].sum().astype(float)
    late = mlb[pd.to_datetime(mlb["game_date"]).dt.month >= month]
    late = late.groupby(["player_id", "season"])[cols].sum().astype(float).add_prefix("late_")
    return season.join(late, how="left").fillna(0.0)


class LateVariant(Variant):
    """seq_eb plus last season's late-part rates and/or late share (module docstring)."""

    def __init__(self, player_type, config, table, rates=True, share=False):
        super().__init__(player_type, config)
        self.table, self.rates, self.share = table, rates, share
        opp = OPPORTUNITY[player_type]
        self.pairs = {**{s: (f"late_{s}", f"late_{opp}") for s in TARGET_STATS[player_type]},
                      "whiff": ("late_whiff", "late_swing"), "swing": ("late_swing", "late_pitches")}

    def fit(self, sums, players, seasons):
        part = self.table[self.table.index.get_level_values("season").isin(seasons)]
        self.prior_ = {r: eb_prior(part[num].to_numpy(), part[den].to_numpy()) for r, (num, den) in self.pairs.items()}
        return super().fit(sums, players, seasons)

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        ids, season = rows["player_id"].to_numpy(np.int64), rows["season"].to_numpy(np.int64)
        last = self.table.reindex(pd.MultiIndex.from_arrays([ids, season - 1])).fillna(0.0)
        opp = OPPORTUNITY[self.player_type]
        if self.rates:
            for r, (num, den) in self.pairs.items():
                league, k = self.prior_[r]
                X[f"late_{r}"] = (last[num].to_numpy() + k * league) / (last[den].to_numpy() + k)
            X["log_late_opp"] = np.log1p(last[f"late_{opp}"].to_numpy())
        if self.share:
            n = last[opp].to_numpy()
            X["late_share"] = np.divide(last[f"late_{opp}"].to_numpy(), n, out=np.zeros(len(rows)), where=n > 0)
        return X


def main() -> None:
    start = time.time()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--late-month", type=int, default=LATE_MONTH, help="the late part starts on the 1st of it")
    parser.add_argument("--test", action="store_true", help="the test seasons 2019 and 2021, after the choice")
    args, seasons = selection_args(parser)
    test = args.test
    groups = [[2019], [2021]] if test else [seasons]
    league, lines = league_lines(args.league, list(range(2000, max(max(g) for g in groups) + 1)))
    rng = np.random.default_rng(0)
    for pt in ("batter", "pitcher"):
        table = late_table(lines[pt], OPPORTUNITY[pt], list(TARGET_STATS[pt]), args.late_month)
        config = RidgeConfig()
        variants = {
            "seq_eb": (lambda p: Variant(p, config), 8),
            "seq_late": (lambda p: LateVariant(p, config, table), 8),
            **({} if test else {
                "seq_late_share": (lambda p: LateVariant(p, config, table, rates=False, share=True), 8),
                "seq_late_both": (lambda p: LateVariant(p, config, table, share=True), 8)}),
        }
        for group in groups:
            report([project(lines, league.players, pt, T, variants) for T in group], pt, group, rng)
    print(f"({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
