"""Do strikeouts and walks split by count say more than their rates? (docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_count_study.py > benchmarks/results/real_count_study.txt

A strikeout needs two strikes and a walk three balls, so SO/PA = (share of PAs that reach two
strikes) x (strikeouts per such PA, the "putaway" rate), and BB/PA likewise with three balls. The
ridges read the reach shares (`two_strike_rate`, `three_ball_rate`) and the outcome rates, but a
linear map of K% cannot regress its two factors by different amounts: the reach share rests on
every PA, the conversion on a third of them. Selection seasons only (2014-2018; the players, fits and
bootstrap of real_ridge_study.py). Variants of the sequence ridge as the product fits it (speed rates
on for batters), plus the 5/4/3-weighted window's:
  seq_conv     putaway (SO per PA reaching two strikes) and walk conversion (BB per PA reaching three
               balls), each shrunk to the league rate by its empirical-Bayes prior
               (real_spray_study.eb_prior, fitted on the training seasons' player-seasons)
  seq_conv_k   putaway only
  seq_conv_bb  walk conversion only
"""

from __future__ import annotations

import argparse

import numpy as np

from hfm_runtime.targets import OPPORTUNITY
from hfm_train.baselines import AggregateRidge, RidgeConfig
from real_ridge_study import run_study, selection_args  # the studies beside this one
from real_spray_study import eb_prior, window_sums

CONVERSIONS = {"putaway": ("SO", "two_strike"), "walk_conv": ("BB", "three_ball")}


class CountRidge(AggregateRidge):
    """The product's sequence ridge plus the window's shrunk count conversions (module docstring)."""

    def __init__(self, player_type, config, names):
        super().__init__(player_type, config)
        self.names = names

    def fit(self, sums, players, seasons):
        mlb = sums[(sums["level"] == "MLB") & sums["season"].isin(seasons)]
        self.conv_prior_ = {n: eb_prior(mlb[CONVERSIONS[n][0]].to_numpy(float), mlb[CONVERSIONS[n][1]].to_numpy(float))
                            for n in self.names}
        return super().fit(sums, players, seasons)

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        both = sums.groupby(["player_id", "season"])[["SO", "BB", "two_strike", "three_ball"]].sum()
        window = window_sums(both, rows, self.config.weights, both.columns)
        total = sum(self.config.weights)
        for n in self.names:
            num, den = CONVERSIONS[n]
            league, k = self.conv_prior_[n]
            X[n] = (window[num] + k * total * league) / (window[den] + k * total)
            X[f"log_n_{n}"] = np.log1p(window[den] / total)
        return X


def variants():
    def make(names):
        return lambda p: CountRidge(p, RidgeConfig(speed_rates=p == "batter"), names)
    return {"seq": (make(()), 8), "seq_conv": (make(("putaway", "walk_conv")), 8),
            "seq_conv_k": (make(("putaway",)), 8), "seq_conv_bb": (make(("walk_conv",)), 8)}


def main() -> None:
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    run_study(args.league, seasons, variants(), reference="seq")


if __name__ == "__main__":
    main()
