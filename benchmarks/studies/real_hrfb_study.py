"""Does a ridge on real seasons gain from home runs per fly ball? (docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_hrfb_study.py > benchmarks/results/real_hrfb_study.txt

Selection seasons only (2014-2018; the players, fits and bootstrap of real_ridge_study.py). A batter's
home runs are his balls in the air times the share of them that leave the park; the ridge reads the
fly-ball and line-drive shares (skills.SEQUENCE_RATES) and the home-run rate, but a linear map cannot
form their product or separate the two. Variants, each `seq_eb` (the sequence ridge as
hfm_train.baselines builds it, RidgeConfig()) plus the window's (5/4/3) rate, shrunk by its
empirical-Bayes prior (real_spray_study.eb_prior), with the log of its sample:
  seq_hr_fb       home runs per fly ball (Retrosheet's /F; a home run is coded /F or /L)
  seq_hr_air      home runs per ball in the air (fly balls and line drives)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from hfm_runtime.targets import OPPORTUNITY
from hfm_train.baselines import RidgeConfig
from hfm_train.league_stream import league_lines
from real_ridge_study import Variant, project, report, selection_args  # the studies beside this one
from real_spray_study import eb_prior, window_sums

RATES = {"hr_fb": ("HR", ("fly",)), "hr_air": ("HR", ("fly", "ld"))}


class RatioVariant(Variant):
    """seq_eb plus the window's shrunk home runs per ball in the air (module docstring)."""

    def __init__(self, player_type, config, table, rate):
        super().__init__(player_type, config)
        self.table, self.rate = table, rate

    def fit(self, sums, players, seasons):
        num, den = RATES[self.rate]
        part = self.table[self.table.index.get_level_values("season").isin(seasons)]
        self.prior_ = eb_prior(part[num].to_numpy(), part[list(den)].sum(axis=1).to_numpy())
        return super().fit(sums, players, seasons)

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        num, den = RATES[self.rate]
        w = window_sums(self.table, rows, self.config.weights, (num, *den))
        n = sum(w[c] for c in den)
        league, k = self.prior_
        X[self.rate] = (w[num] + k * league) / (n + k)
        X[f"log_{self.rate}"] = np.log1p(n)
        return X


def main() -> None:
    start = time.time()
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    league, lines = league_lines(args.league, list(range(2000, max(seasons) + 1)))
    rng = np.random.default_rng(0)
    for pt in ("batter", "pitcher"):
        mlb = lines[pt][lines[pt]["level"] == "MLB"]
        table = mlb.groupby(["player_id", "season"])[[OPPORTUNITY[pt], "HR", "fly", "ld"]].sum().astype(float)
        config = RidgeConfig()
        variants = {
            "seq_eb": (lambda p: Variant(p, config), 8),
            "seq_hr_fb": (lambda p: RatioVariant(p, config, table, "hr_fb"), 8),
            "seq_hr_air": (lambda p: RatioVariant(p, config, table, "hr_air"), 8),
        }
        report([project(lines, league.players, pt, T, variants) for T in seasons], pt, seasons, rng)
    print(f"({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
