"""Does a player's career so far (how long, how much, how young he arrived) say what his rates will be?
(docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_career_study.py [--seasons 2014,...,2018]
        [--league artifacts/league_retro]

The ridges read the three seasons before (and a batter's three before those) and his age. A player
who reached the majors young was a prospect, and one who has lasted ten seasons survived on his
talent; both say something about a short record that its rates do not. Selection seasons only (the
players, fits and bootstrap of real_ridge_study.py). Variants of each type's product sequence ridge
(batters: speed and putaway rates, older seasons, positions; pitchers: `RidgeConfig()`):
  seq_career  + log1p of his MLB opportunities in every season before (since 2000, the league's first)
              and the seasons since his first MLB season, with a flag for a first season of 2000 (a
              career that may have begun before the files)
  seq_debut   + his age in his first MLB season (the same flag)
  seq_both    + both
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from hfm_runtime.seasons import season_age
from hfm_runtime.targets import OPPORTUNITY
from hfm_train.baselines import AggregateRidge, RidgeConfig
from hfm_train.league_stream import league_lines
from real_ridge_study import project, report, selection_args  # the studies beside this one


class CareerRidge(AggregateRidge):
    def __init__(self, player_type, config, table, career, debut):
        super().__init__(player_type, config)
        self.table, self.career, self.debut = table, career, debut

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        if self.table is None:
            return X
        ids, season = rows["player_id"].to_numpy(np.int64), rows["season"].to_numpy(np.int64)
        t = self.table
        first = t.groupby("player_id")["season"].min().reindex(ids).to_numpy(float)
        first = np.where(np.isfinite(first) & (first < season), first, season)
        cum = t.assign(key=1).pivot_table(index="player_id", columns="season", values="opp", fill_value=0.0)
        seasons = cum.columns.to_numpy()
        mat = cum.reindex(ids).fillna(0.0).to_numpy()
        before = (mat * (seasons[None, :] < season[:, None])).sum(1)
        censored = (first == t["season"].min()).astype(float)
        if self.career:
            X["career_opp"] = np.log1p(before)
            X["service"] = season - first
            X["censored"] = censored
        if self.debut:
            births = players.drop_duplicates("player_id").set_index("player_id")["birth_date"].reindex(ids)
            age = np.full(len(ids), np.nan)
            known = births.notna().to_numpy()
            age[known] = np.asarray(season_age(births.to_numpy()[known], first[known].astype(np.int64)), float)
            X["debut_age"] = np.where(np.isfinite(age), age, np.nanmedian(age))
            X["censored"] = censored
        return X


def main() -> None:
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    league, lines = league_lines(args.league, list(range(2000, max(seasons) + 1)))
    rng = np.random.default_rng(0)
    for pt, config in (("batter", RidgeConfig(speed_rates=True, putaway_rate=True, old_seasons=True, positions=True)),
                       ("pitcher", RidgeConfig())):
        L = lines[pt]
        mlb = L[L["level"] == "MLB"]
        table = mlb.groupby(["player_id", "season"])[OPPORTUNITY[pt]].sum().rename("opp").reset_index()
        table = table[table["opp"] > 0]
        variants = {"seq": (lambda p: CareerRidge(p, config, None, False, False), 8),
                    "seq_career": (lambda p: CareerRidge(p, config, table, True, False), 8),
                    "seq_debut": (lambda p: CareerRidge(p, config, table, False, True), 8),
                    "seq_both": (lambda p: CareerRidge(p, config, table, True, True), 8)}
        parts = [project(lines, league.players, pt, T, variants) for T in seasons]
        report(parts, pt, seasons, rng, reference="seq")


if __name__ == "__main__":
    main()
