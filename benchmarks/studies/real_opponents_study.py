"""Does the share of batters faced who were pitchers help the pitchers' ridge? (docs/real-data.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_opponents_study.py [--seasons 2014,...,2018]

Before 2022 a National League pitcher faced the opposing pitcher two or three times a game, an
American League one almost never (the DH), and a pitcher at bat strikes out about a third of the
time and rarely walks or hits. So an NL pitcher's strikeout rate runs higher than his AL twin's, and
Marcel and the ridges regress both toward one league mean. The share of a pitcher's batters faced
who were pitchers (`players.csv`'s player_type) says which league he pitched in and how much of his
record came cheap. Selection seasons only (the players, fits and bootstrap of real_ridge_study.py).
Variants:
  seq        the product's sequence ridge (pitchers: no batters' rates)
  seq_opp    plus that share over the 5/4/3-weighted window and last season alone
Batters are not judged (no change to their ridge).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from hfm_runtime.league import read_players
from hfm_train.baselines import AggregateRidge, RidgeConfig
from real_ridge_study import project, report, selection_args  # the studies beside this one
from real_spray_study import league_counts, window_sums


class OpponentRidge(AggregateRidge):
    """The product's sequence ridge plus the share of batters faced who were pitchers (docstring)."""

    def __init__(self, player_type, config, faced):
        super().__init__(player_type, config)
        self.faced = faced

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        for name, weights in (("vs_pitcher_share", self.config.weights), ("vs_pitcher_share_1", (1.0,))):
            part = window_sums(self.faced, rows, weights, ("pa", "vs_pitcher"))
            X[name] = np.divide(part["vs_pitcher"], part["pa"], out=np.zeros(len(rows)), where=part["pa"] > 0)
        return X


def main() -> None:
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    start = time.time()
    players = read_players(Path(args.league) / "players.csv")
    pitchers = players.loc[players["player_type"].astype(str) == "pitcher", "player_id"].to_numpy(np.int64)

    def count(pitches: pd.DataFrame) -> dict[str, pd.DataFrame]:
        ended = pitches[pitches["events"].notna()]
        frame = pd.DataFrame({"player_id": ended["pitcher"].to_numpy(np.int64),
                              "season": pd.to_datetime(ended["game_date"]).dt.year.to_numpy(),
                              "pa": 1.0, "vs_pitcher": np.isin(ended["batter"].to_numpy(np.int64), pitchers) * 1.0})
        by = frame.groupby(["player_id", "season"]).sum()
        return {"pitcher": by, "batter": by.iloc[:0]}  # league_counts sums both sides

    league, lines, faced = league_counts(args.league, seasons, count)
    share = faced["pitcher"].groupby(level="season").sum()
    print("batters faced who were pitchers, league share per season:",
          " ".join(f"{s}: {r.vs_pitcher / r.pa:.3f}" for s, r in share.iterrows()))
    config = RidgeConfig()
    variants = {"seq": (lambda p: AggregateRidge(p, config), 8),
                "seq_opp": (lambda p: OpponentRidge(p, config, faced["pitcher"]), 8)}
    report([project(lines, league.players, "pitcher", T, variants) for T in seasons], "pitcher", seasons,
           np.random.default_rng(0), "seq")
    print(f"({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
