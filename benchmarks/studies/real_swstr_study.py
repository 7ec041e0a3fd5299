"""Do whiffs and called strikes per pitch say more than the rates the ridges read? (docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_swstr_study.py [--seasons 2014,...,2018]

The ridges read a player's whiffs per swing (`whiff_rate`), swings per pitch (`swing_rate`) and called
strikes per pitch (`called_rate`). The strikeout predictors that public analysis leans on are whiffs
per pitch (SwStr%: the product of the first two, which a linear map cannot form) and called strikes
plus whiffs per pitch (CSW%). Selection seasons only (the players, fits and bootstrap of
real_ridge_study.py). Variants of the sequence ridge as the product fits it (batters: speed and
putaway rates and older seasons; pitchers: as built), plus the 5/4/3-weighted window's:
  seq_swstr  whiffs per pitch, shrunk to the league rate by its empirical-Bayes prior
             (real_spray_study.eb_prior, fitted on the training seasons' player-seasons)
  seq_csw    called strikes plus whiffs per pitch, shrunk the same way
  seq_both   both
"""

from __future__ import annotations

import argparse

import numpy as np

from hfm_train.baselines import AggregateRidge, RidgeConfig
from real_ridge_study import run_study, selection_args  # the studies beside this one
from real_spray_study import eb_prior, window_sums

RATES = {"swstr": ("whiff",), "csw": ("whiff", "called")}  # numerators over pitches


class PerPitchRidge(AggregateRidge):
    """The product's sequence ridge plus the window's shrunk per-pitch rates (module docstring)."""

    def __init__(self, player_type, config, names):
        super().__init__(player_type, config)
        self.names = names

    def fit(self, sums, players, seasons):
        mlb = sums[(sums["level"] == "MLB") & sums["season"].isin(seasons)]
        self.prior_ = {n: eb_prior(mlb[list(RATES[n])].sum(axis=1).to_numpy(float), mlb["pitches"].to_numpy(float))
                       for n in self.names}
        return super().fit(sums, players, seasons)

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        both = sums.groupby(["player_id", "season"])[["whiff", "called", "pitches"]].sum()
        window = window_sums(both, rows, self.config.weights, both.columns)
        total = sum(self.config.weights)
        for n in self.names:
            league, k = self.prior_[n]
            num = sum(window[c] for c in RATES[n])
            X[n] = (num + k * total * league) / (window["pitches"] + k * total)
        return X


def variants():
    def make(names):
        def build(p):
            config = RidgeConfig(speed_rates=True, putaway_rate=True, old_seasons=True) if p == "batter" else RidgeConfig()
            return PerPitchRidge(p, config, names)
        return build
    return {"seq": (make(()), 8), "seq_swstr": (make(("swstr",)), 8), "seq_csw": (make(("csw",)), 8),
            "seq_both": (make(("swstr", "csw")), 8)}


def main() -> None:
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    run_study(args.league, seasons, variants(), reference="seq")


if __name__ == "__main__":
    main()
