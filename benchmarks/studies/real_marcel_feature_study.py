"""Does the product's sequence ridge gain from reading Marcel's own projection? (docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_marcel_feature_study.py [--seasons 2014,...,2018]

On the selection seasons the sequence ridge ties or loses to Marcel on the pitchers' strikeouts and
walks, the stats the goal misses most. Marcel's projection is not a linear map of the ridge's
features: its age adjustment multiplies the regressed rate ((1 + a) for an improving stat), and it
regresses toward each season's own league rate, weighted by the player's opportunities that season.
A ridge that reads Marcel's projected rates as features can at worst copy him. Selection seasons only
(the players, fits and bootstrap of real_ridge_study.py). Variants:
  seq          the product's sequence ridge (batters with the speed and putaway rates and older seasons)
  seq_marcel   plus Marcel's projected rate of every target stat (hfm_runtime.marcel, ages as the
               ridge's, the seasons before the projected one)
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from hfm_runtime.marcel import marcel
from hfm_runtime.seasons import season_age
from hfm_runtime.targets import TARGET_STATS
from hfm_train.baselines import AggregateRidge, RidgeConfig
from real_ridge_study import run_study, selection_args  # the studies beside this one

LINES: dict[str, pd.DataFrame] = {}  # player type -> game lines of every season of the league (main)


class MarcelRidge(AggregateRidge):
    """The product's sequence ridge plus Marcel's projected rates (module docstring)."""

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        pt, stats = self.player_type, list(TARGET_STATS[self.player_type])
        L = LINES[pt]
        births = players.drop_duplicates("player_id").set_index("player_id")["birth_date"]
        out = np.full((len(rows), len(stats)), np.nan)
        for s in sorted(rows["season"].unique()):
            at = np.flatnonzero(rows["season"].to_numpy() == s)
            ids = rows["player_id"].to_numpy(np.int64)[at]
            b = births.reindex(ids)
            known = b.notna().to_numpy()
            ages = pd.Series(np.nan, index=ids)
            if known.any():
                ages.iloc[np.flatnonzero(known)] = np.asarray(season_age(b.to_numpy()[known], np.full(known.sum(), s)),
                                                              dtype=float)
            m = marcel(L[L["season"] < s], ages.dropna(), int(s), pt, ids)
            out[at] = m.reindex(ids)[stats].to_numpy(float)
        for j, st in enumerate(stats):
            X[f"marcel_proj_{st}"] = out[:, j]
        return X


def variants():
    config = lambda p: RidgeConfig(speed_rates=p == "batter", putaway_rate=p == "batter",  # noqa: E731
                                   old_seasons=p == "batter")
    return {"seq": (lambda p: AggregateRidge(p, config(p)), 8),
            "seq_marcel": (lambda p: MarcelRidge(p, config(p)), 8)}


def main() -> None:
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    run_study(args.league, seasons, variants(), "seq", prepare=LINES.__setitem__)


if __name__ == "__main__":
    main()
