"""Does a pitcher's role (batters faced per game) help the product's ridge? (docs/real-data.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_pitcher_role_study.py [--seasons 2014,...,2018]

A starter faces about 24 batters a game, a reliever about 4.5; a reliever's strikeout rate runs
higher and a move between the roles moves it. The 2026-12-03 study (real_features_study.py,
`seq_role`) found +0.17 point for pitchers from opportunities per game on the ridge of that day;
this asks the ridge as the product fits it now, and on seasons that had no part in that choice.
Selection seasons only (the players, fits and bootstrap of real_ridge_study.py). Variants:
  seq        the product's sequence ridge (pitchers: no speed or putaway rates, which are batters')
  seq_role   plus log1p of opportunities per game played, last season's and the 5/4/3-weighted
             window's (MLB and AAA lines together, as the window's other aggregates)
"""

from __future__ import annotations

import argparse

import numpy as np

from hfm_runtime.targets import OPPORTUNITY
from hfm_train.baselines import AggregateRidge, RidgeConfig
from real_ridge_study import run_study, selection_args  # the studies beside this one
from real_spray_study import window_sums


class RoleRidge(AggregateRidge):
    """The product's sequence ridge plus opportunities per game (module docstring)."""

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        opp = OPPORTUNITY[self.player_type]
        both = sums.groupby(["player_id", "season"])[[opp, "games"]].sum()
        window = window_sums(both, rows, self.config.weights, both.columns)
        last = window_sums(both, rows, (1.0,), both.columns)
        for name, part in (("log_per_game", window), ("log_per_game_1", last)):
            X[name] = np.log1p(np.divide(part[opp], part["games"], out=np.zeros(len(rows)), where=part["games"] > 0))
        return X


def variants():
    config = lambda p: RidgeConfig(speed_rates=p == "batter", putaway_rate=p == "batter")  # noqa: E731
    return {"seq": (lambda p: AggregateRidge(p, config(p)), 8), "seq_role": (lambda p: RoleRidge(p, config(p)), 8)}


def main() -> None:
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    run_study(args.league, seasons, variants(), reference="seq")


if __name__ == "__main__":
    main()
