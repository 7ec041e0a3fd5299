"""Does how often a player had the platoon advantage say what his rates will be? (docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_platoon_study.py [--seasons 2014,...,2018]
        [--league artifacts/league_retro]

A batter kept away from same-handed pitchers (a platoon bat) and a reliever brought in for
same-handed batters (a specialist) post rates that lean on that usage; the ridges read the rates as
if every player faced the league's mix. Selection seasons only (the players, fits and bootstrap of
real_ridge_study.py). Variants of each type's product sequence ridge (batters: speed and putaway
rates, older seasons, positions; pitchers: `RidgeConfig()`):
  seq_hand    + the 5/4/3-weighted window's share of plate appearances with the platoon advantage
                (batters: against an opposite-handed pitcher, a switch hitter always; pitchers:
                against a same-handed batter, a switch hitter never)
  seq_hand_x  + that share times log1p of the window's weighted opportunities too
  seq_platoon the product's `RidgeConfig(platoon=True)`: the share as a skill rate
              (skills.PLATOON_RATES: platoon_pa per pa_ended), shrunk by its empirical-Bayes prior,
              with the log of its sample size, as built after the first three variants were measured
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
import pandas as pd

from hfm_train.baselines import AggregateRidge, RidgeConfig
from hfm_train.league_stream import league_lines
from real_ridge_study import project, report, selection_args  # the studies beside this one
from real_spray_study import window_sums


def platoon(league: str, seasons: list[int]) -> dict[str, pd.DataFrame]:
    """Per type, (player_id, season) -> PA and PA with the platoon advantage (module docstring)."""
    out: dict[str, list[pd.DataFrame]] = {"batter": [], "pitcher": []}
    for season in seasons:
        p = pd.read_parquet(f"{league}/pitches/MLB/{season}.parquet", columns=["batter", "pitcher", "stand", "p_throws", "events"])
        p = p[p["events"].notna()]
        batter_adv = (p["stand"] != p["p_throws"]).to_numpy(float)
        pitcher_adv = (p["stand"] == p["p_throws"]).to_numpy(float)
        for pt, adv in (("batter", batter_adv), ("pitcher", pitcher_adv)):
            f = pd.DataFrame({"player_id": p[pt].to_numpy(np.int64), "n": 1.0, "adv": adv})
            g = f.groupby("player_id").sum()
            g["season"] = season
            out[pt].append(g)
    return {pt: pd.concat(v).reset_index().set_index(["player_id", "season"]) for pt, v in out.items()}


class PlatoonRidge(AggregateRidge):
    def __init__(self, player_type, config, table, cross):
        super().__init__(player_type, config)
        self.table, self.cross = table, cross

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        if self.table is None:
            return X
        w = window_sums(self.table, rows, self.config.weights, ["n", "adv"])
        X["platoon"] = np.divide(w["adv"], w["n"], out=np.full(len(rows), 0.5), where=w["n"] > 0)
        if self.cross:
            X["platoon_x"] = (X["platoon"] - 0.5) * np.log1p(w["n"])
        return X


def main() -> None:
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    tables = platoon(args.league, list(range(2000, max(seasons) + 1)))
    league, lines = league_lines(args.league, list(range(2000, max(seasons) + 1)))
    rng = np.random.default_rng(0)
    for pt, config in (("batter", RidgeConfig(speed_rates=True, putaway_rate=True, old_seasons=True, positions=True)),
                       ("pitcher", RidgeConfig())):
        t = tables[pt]
        built = replace(config, platoon=True)
        variants = {"seq": (lambda p: PlatoonRidge(p, config, None, False), 8),
                    "seq_platoon": (lambda p: PlatoonRidge(p, built, None, False), 8),
                    "seq_hand": (lambda p: PlatoonRidge(p, config, t, False), 8),
                    "seq_hand_x": (lambda p: PlatoonRidge(p, config, t, True), 8)}
        parts = [project(lines, league.players, pt, T, variants) for T in seasons]
        report(parts, pt, seasons, rng, reference="seq")


if __name__ == "__main__":
    main()
