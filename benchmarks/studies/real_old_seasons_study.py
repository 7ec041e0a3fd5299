"""Do seasons older than Marcel's three help the product's ridge? (docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_old_seasons_study.py [--seasons 2014,...,2018]

Marcel, the ridges and the model's wide path read the three seasons before the projected one; a
veteran's fourth and fifth seasons back also measure his talent, most for the stats whose sample
noise is largest (hits on balls in play, home runs), which is why longer-memory systems read four or
five. Selection seasons only (the players, fits and bootstrap of real_ridge_study.py). Variants:
  seq        the product's sequence ridge (batters with the speed and putaway rates)
  seq_old2   plus the outcome rates of seasons T-4 and T-5 together, each stat shrunk toward the
             league by its empirical-Bayes prior ((x + k lg) / (n + k), as the window's own years
             would be), and log1p of their opportunities
  seq_old3   the same over T-4..T-6
  seq_old_ex T-4..T-6 summed with the 5/4/3 window's seasons unweighted into one long shrunk rate
             (a career-like rate over six seasons) beside its opportunities
Older seasons come from the whole league (season sums from 2000), so a row's T-4.. exist back to 2000.
"""

from __future__ import annotations

import argparse

import numpy as np

from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS
from hfm_train.baselines import AggregateRidge, RidgeConfig, season_sums
from real_ridge_study import run_study, selection_args  # the studies beside this one

FULL: dict[str, object] = {}  # player type -> season sums of every season of the league (main)


class OldRidge(AggregateRidge):
    """The product's sequence ridge plus older seasons' shrunk rates (module docstring)."""

    def __init__(self, player_type, config, back, long=False):
        super().__init__(player_type, config)
        self.back, self.long = back, long

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        pt, stats, opp = self.player_type, list(TARGET_STATS[self.player_type]), OPPORTUNITY[self.player_type]
        both = FULL[pt].groupby(["player_id", "season"])[[opp, *stats]].sum()
        ids, season = rows["player_id"].to_numpy(np.int64), rows["season"].to_numpy(np.int64)
        total = np.zeros((len(rows), 1 + len(stats)))
        for k in (range(1, self.back + 1) if self.long else range(4, self.back + 1)):
            total += both.reindex(list(zip(ids, season - k))).fillna(0.0)[[opp, *stats]].to_numpy()
        n = total[:, 0]
        for j, s in enumerate(stats):
            X[f"old_shrunk_{s}"] = (total[:, 1 + j] + self.prior_k_[s] * self.league_[s]) / (n + self.prior_k_[s])
        X["log_old_opp"] = np.log1p(n)
        return X


def variants():
    config = lambda p: RidgeConfig(speed_rates=p == "batter", putaway_rate=p == "batter")  # noqa: E731
    return {"seq": (lambda p: AggregateRidge(p, config(p)), 8),
            "seq_old2": (lambda p: OldRidge(p, config(p), 5), 8),
            "seq_old3": (lambda p: OldRidge(p, config(p), 6), 8),
            "seq_old_ex": (lambda p: OldRidge(p, config(p), 6, long=True), 8)}


def main() -> None:
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    run_study(args.league, seasons, variants(), "seq", prepare=lambda pt, lines: FULL.__setitem__(pt, season_sums(lines, pt)))


if __name__ == "__main__":
    main()
