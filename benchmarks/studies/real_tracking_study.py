"""Does the 2009-2018 Statcast extract (pitch type, release speed, launch speed) help a ridge on real
seasons? (docs/tracking-join.md)

    make real-tracking     # artifacts/league_retro_tracked
    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_tracking_study.py \
        > benchmarks/results/real_tracking_study.txt

Selection seasons only (<= 2018), the players, fits and bootstrap of real_ridge_study.py. The same
ridges fitted on the league without tracking and on the same league with the extract joined
(hfm_train.tracking_join): the joined league's skill rates add what the extract allows (fastball
velocity, launch speed and the hard-hit share where measured; it has no launch angle;
hfm_runtime.skills), each shrunk by its sample, so a window without tracking reads the league rate
and a zero sample size.

Variants: seq_eb (the sequence ridge, RidgeConfig() as the product fits it) and stat_eb (outcomes
only, which tracking cannot change: a check that both leagues hold the same outcomes) on each league,
and seq_eb_tracked_oldest: fitted on the joined league, but projecting from a window whose two recent
seasons are untracked (T-2 and T-1 read from the league without the join). That is 2021's case (its
window 2018-2020 holds one tracked season, 2018, the oldest), measured without reading 2021.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from hfm_train.baselines import RidgeConfig, season_sums
from hfm_train.league_stream import league_lines
from real_ridge_study import Variant, project, report, selection_args  # the study beside this one


class OldestTracked(Variant):
    """Fitted on the joined league; projects season T with T-2 and T-1 from `untracked` season sums."""

    def __init__(self, player_type, config, untracked):
        super().__init__(player_type, config)
        self.untracked = untracked

    def predict(self, sums, players, player_ids, season):
        u = self.untracked
        mixed = pd.concat([sums[sums["season"] < season - 2], u[(u["season"] >= season - 2) & (u["season"] < season)]])
        return super().predict(mixed, players, player_ids, season)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracked", default="artifacts/league_retro_tracked")
    args, seasons = selection_args(parser)
    start = time.time()
    read = list(range(2000, max(seasons) + 1))
    league, lines = league_lines(args.league, read)
    _, tracked = league_lines(args.tracked, read)
    variants = {"seq_eb": (lambda p: Variant(p, RidgeConfig()), 8),
                "stat_eb": (lambda p: Variant(p, RidgeConfig(skills=False)), 8)}
    rng = np.random.default_rng(0)
    for pt in ("batter", "pitcher"):
        parts = []
        untracked = season_sums(lines[pt], pt)
        oldest = {"seq_eb_oldest": (lambda p: OldestTracked(p, RidgeConfig(), untracked), 8)}
        for T in seasons:
            y, w, out = project(lines, league.players, pt, T, variants)
            y2, w2, out2 = project(tracked, league.players, pt, T, variants)
            assert np.array_equal(y, y2) and np.array_equal(w, w2), "the two leagues' outcomes differ"
            out.update({f"{k}_tracked": v for k, v in out2.items() if k != "marcel"})
            out["seq_eb_tracked_oldest"] = project(tracked, league.players, pt, T, oldest)[2]["seq_eb_oldest"]
            parts.append((y, w, out))
        report(parts, pt, seasons, rng)
    print(f"({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
