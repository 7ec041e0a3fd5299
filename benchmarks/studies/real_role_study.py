"""Does the team's own judgement of a player (where he bats, when he pitches) help a ridge on real
seasons? (docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_role_study.py \
        --league artifacts/league_retro > benchmarks/results/real_role_study.txt

A manager sees what no box score holds (the minor leagues, scouting, health), and says it in where a
batter hits in the order and when a reliever comes in. Selection seasons only (<= 2018), the
players, fits and bootstrap of real_ridge_study.py. Per player-season, from the pitches alone:

  batters   games, starts (among his team's first nine batters of a game: the lineup), slot_sum
            (his lineup slots 1-9 summed over starts), heart (starts batting 3rd-5th)
  pitchers  games, starts (his team's first pitcher), relief (the other games), late_close (relief
            entries in the 7th inning or later with his team ahead by 0-3 runs or behind by 1: a
            closer's or set-up man's spots), finish (relief games he ended: he threw the game's last pitch)

Features, 5/4/3-weighted over the window like every aggregate, and last season's alone (the team's
latest word): batters start share, mean slot of his starts (9.5 without a start), heart share of
starts; pitchers start share, late-close and finish shares of relief games (0 without one).

Variants, each `seq_eb` (hfm_train.baselines' sequence ridge, RidgeConfig()) plus:
  seq_role_window  the window's shares
  seq_role_last    last season's shares
  seq_role         both
  seq_speed        RidgeConfig(speed_rates=True) (real_spray_study's seq_speed_rates; batters only)
  seq_speed_role_window  that plus the window's shares: do the two add up?
  (the results file also has `seq_role_rates` and `seq_speed_role_rates`: the product's version,
  RidgeConfig(role_rates=True), built in commit 04f5d66 from skill counts and removed after the test
  seasons, docs/real-data.md; `git checkout 56b7136` runs them)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from hfm_train.baselines import RidgeConfig
from real_ridge_study import Variant, project, report, selection_args  # the study beside this one
from real_spray_study import league_counts, window_sums

SHARES = {"batter": {"start_share": ("starts", "games"), "slot_mean": ("slot_sum", "starts"), "heart_share": ("heart", "starts")},
          "pitcher": {"start_share": ("starts", "games"), "late_close_share": ("late_close", "relief"),
                      "finish_share": ("finish", "relief")}}
EMPTY = {"slot_mean": 9.5}  # a share with no denominator: a batter who never started bats last


def role_counts(pitches: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per type: counts per (player_id, season) of one season's games (module docstring)."""
    p = pitches.sort_values(["game_pk", "at_bat_number", "pitch_number"], kind="stable")
    season = pd.to_datetime(p["game_date"]).dt.year
    p = p.assign(season=season.to_numpy())
    # batters: the order in which a team's batters first come up; the first nine are the lineup
    pa = p.drop_duplicates(["game_pk", "at_bat_number"])
    firsts = pa.drop_duplicates(["game_pk", "inning_topbot", "batter"])
    order = firsts.groupby(["game_pk", "inning_topbot"]).cumcount().to_numpy() + 1
    b = pd.DataFrame({"player_id": firsts["batter"].to_numpy(np.int64), "season": firsts["season"].to_numpy(),
                      "games": 1.0, "starts": (order <= 9).astype(float),
                      "slot_sum": np.where(order <= 9, order, 0).astype(float),
                      "heart": ((order >= 3) & (order <= 5)).astype(float)})
    # pitchers: each one's first pitch in a game; his team's first pitcher started, its last finished
    entry = p.drop_duplicates(["game_pk", "pitcher"])
    team = ["game_pk", "inning_topbot"]
    starts = entry.index.isin(entry.drop_duplicates(team).index)
    last_of_team = p.drop_duplicates(team, keep="last")[["game_pk", "pitcher"]]
    finish = pd.MultiIndex.from_frame(entry[["game_pk", "pitcher"]]).isin(pd.MultiIndex.from_frame(last_of_team))
    lead = (entry["fld_score"] - entry["bat_score"]).to_numpy()
    relief = ~starts
    q = pd.DataFrame({"player_id": entry["pitcher"].to_numpy(np.int64), "season": entry["season"].to_numpy(),
                      "games": 1.0, "starts": (~relief).astype(float), "relief": relief.astype(float),
                      "late_close": (relief & (entry["inning"].to_numpy() >= 7) & (lead >= -1) & (lead <= 3)).astype(float),
                      "finish": (relief & finish).astype(float)})
    return {"batter": b.groupby(["player_id", "season"]).sum(), "pitcher": q.groupby(["player_id", "season"]).sum()}


def shares(sums: dict[str, np.ndarray], pt: str) -> dict[str, np.ndarray]:
    return {name: np.divide(sums[num], sums[den], out=np.full(len(sums[den]), EMPTY.get(name, 0.0)), where=sums[den] > 0)
            for name, (num, den) in SHARES[pt].items()}


class RoleVariant(Variant):
    """seq_eb plus the role shares of the window and/or last season (module docstring)."""

    def __init__(self, player_type, config, roles, window=True, last=True):
        super().__init__(player_type, config)
        self.roles, self.window, self.last = roles, window, last

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        cols = list(self.roles.columns)
        if self.window:
            for name, v in shares(window_sums(self.roles, rows, self.config.weights, cols), self.player_type).items():
                X[f"w_{name}"] = v
        if self.last:
            for name, v in shares(window_sums(self.roles, rows, (1.0,), cols), self.player_type).items():
                X[f"last_{name}"] = v
        return X


def main() -> None:
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    start = time.time()
    league, lines, roles = league_counts(args.league, seasons, role_counts)
    for pt, table in roles.items():
        tot = table.groupby(level="season").sum()
        print(f"{pt}s per season: " + ", ".join(f"{c} {tot[c].loc[2018]:,.0f}" for c in table.columns) + " (2018)")
    rng = np.random.default_rng(0)
    for pt in ("batter", "pitcher"):
        r = roles[pt]
        variants = {
            "seq_eb": (lambda p: Variant(p, RidgeConfig()), 8),
            "seq_role_window": (lambda p: RoleVariant(p, RidgeConfig(), r, last=False), 8),
            "seq_role_last": (lambda p: RoleVariant(p, RidgeConfig(), r, window=False), 8),
            "seq_role": (lambda p: RoleVariant(p, RidgeConfig(), r), 8),
            "seq_speed": (lambda p: Variant(p, RidgeConfig(speed_rates=True)), 8),
            "seq_speed_role_window": (lambda p: RoleVariant(p, RidgeConfig(speed_rates=True), r, last=False), 8),
        }
        report([project(lines, league.players, pt, T, variants) for T in seasons], pt, seasons, rng)
    print(f"({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
