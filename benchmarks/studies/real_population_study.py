"""Does the ridge gain from training on the population the report judges? (docs/real-data.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_population_study.py [--seasons 2014,...,2018]

The report judges players with >= 100 PA (BF) in the test season and an MLB line in the three seasons
before it; the ridges (and the model's wide path) train on every player-season with >= 10
opportunities, rookies included. Playing time is chosen by the season's own results (a pitcher who
loses his strikeouts loses his job before 100 BF), so the two populations' mean rates differ. Selection
seasons only (the same players, seeds and bootstrap as real_ridge_study.py). Variants of the sequence
ridge as the product fits it (speed rates on for batters):
  seq          training rows with >= 10 opportunities (the product)
  seq_min50    >= 50
  seq_min100   >= 100 (the judged population's floor)
  seq_hist     >= 10 and an MLB line in the three seasons before (the judged population's history)
  seq_min100_hist  both
"""

from __future__ import annotations

import argparse

import numpy as np

from hfm_train.baselines import AggregateRidge, RidgeConfig
from hfm_runtime.targets import OPPORTUNITY
from real_ridge_study import run_study, selection_args


class HistoryRidge(AggregateRidge):
    """Training rows only for players with an MLB line in the three seasons before the row's."""

    def _rows(self, sums, seasons):
        rows = super()._rows(sums, seasons)
        mlb = sums[(sums["level"] == "MLB") & (sums[OPPORTUNITY[self.player_type]] > 0)]
        have = set(zip(mlb["player_id"].to_numpy(np.int64), mlb["season"].to_numpy(np.int64)))
        ids, season = rows["player_id"].to_numpy(np.int64), rows["season"].to_numpy(np.int64)
        keep = [any((i, s - k) in have for k in (1, 2, 3)) for i, s in zip(ids, season)]
        return rows[np.asarray(keep, bool)].reset_index(drop=True)


def variants():
    def make(cls, floor):
        return lambda p: cls(p, RidgeConfig(speed_rates=p == "batter", min_opportunities=floor))
    return {"seq": (make(AggregateRidge, 10), 8), "seq_min50": (make(AggregateRidge, 50), 8),
            "seq_min100": (make(AggregateRidge, 100), 8), "seq_hist": (make(HistoryRidge, 10), 8),
            "seq_min100_hist": (make(HistoryRidge, 100), 8)}


def main() -> None:
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    run_study(args.league, seasons, variants(), reference="seq")

if __name__ == "__main__":
    main()
