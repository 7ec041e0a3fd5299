"""Does the team behind a pitcher say what his rates will be? (docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_defense_study.py [--seasons 2014,...,2018]
        [--league artifacts/league_retro]

A pitcher's hits allowed on balls in play depend on his fielders as much as on him, and his called
strikes on his catcher; his own rates mix the two, and the ridge regresses them as one. His
teammates' rates in the same seasons (the team's batters faced less his own) measure the team's part,
which stays with the team while his own luck does not. Selection seasons only (the players, fits
and bootstrap of real_ridge_study.py). Variants of the product's pitcher sequence ridge
(`RidgeConfig()`):
  seq_babip   + the 5/4/3-weighted window's teammates' BABIP ((H - HR) per ball in play), each
                season's teams weighted by the batters he faced with them
  seq_team    + the teammates' SO, BB, HR and H per batter faced too
  seq_last    + last season's teammates' BABIP and the window's (a pitcher who stayed keeps the team)
  seq_hr      + the window's teammates' HR per batter faced alone (his parks and his team's outfield)
Batters are not studied.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from hfm_train.baselines import AggregateRidge, RidgeConfig
from hfm_train.league_stream import league_lines
from real_ridge_study import project, report, selection_args  # the studies beside this one
from real_spray_study import window_sums

EVENTS = {"SO": ("strikeout", "strikeout_double_play"), "BB": ("walk", "intent_walk"), "HBP": ("hit_by_pitch",),
          "HR": ("home_run",), "H": ("single", "double", "triple", "home_run")}
TEAM_RATES = ("babip", "SO", "BB", "HR", "H")


def teammates(league: str, seasons: list[int]) -> pd.DataFrame:
    """Per (MLBAM pitcher, season): BF and, for each TEAM_RATES rate, the rate of his teammates
    (his team-season less his own batters faced) times his BF with that team, summed over his teams."""
    parts = []
    for season in seasons:
        p = pd.read_parquet(f"{league}/pitches/MLB/{season}.parquet",
                            columns=["pitcher", "inning_topbot", "home_team", "away_team", "events"])
        p = p[p["events"].notna()]
        team = np.where(p["inning_topbot"].str.lower().str.startswith("top"), p["home_team"], p["away_team"])
        frame = pd.DataFrame({"pitcher": p["pitcher"].to_numpy(np.int64), "team": team, "BF": 1.0})
        for stat, names in EVENTS.items():
            frame[stat] = p["events"].isin(names).to_numpy(float)
        own = frame.groupby(["pitcher", "team"]).sum()
        club = own.groupby(level="team").transform("sum")
        oth = club - own
        bip = oth["BF"] - oth["SO"] - oth["BB"] - oth["HBP"] - oth["HR"]
        rates = pd.DataFrame({"babip": (oth["H"] - oth["HR"]) / bip,
                              **{s: oth[s] / oth["BF"] for s in ("SO", "BB", "HR", "H")}})
        weighted = rates.mul(own["BF"], axis=0).fillna(0.0)
        weighted["BF"] = own["BF"].where(rates["babip"].notna(), 0.0)
        out = weighted.groupby(level="pitcher").sum()
        out["season"] = season
        parts.append(out)
    table = pd.concat(parts).reset_index().rename(columns={"pitcher": "player_id"})
    return table.set_index(["player_id", "season"])


class DefenseRidge(AggregateRidge):
    """The product's pitcher ridge plus the teammates' rates (module docstring)."""

    def __init__(self, player_type, config, table, rates, last):
        super().__init__(player_type, config)
        self.table, self.rates, self.last = table, rates, last

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        if self.table is None:
            return X
        window = window_sums(self.table, rows, self.config.weights, ["BF", *self.rates])
        before = self.table[self.table.index.get_level_values("season") < rows["season"].min()]  # no later season
        league = {r: float(before[r].sum() / before["BF"].sum()) for r in (*self.rates, "babip")}
        for r in self.rates:
            X[f"team_{r}"] = np.divide(window[r], window["BF"], out=np.full(len(rows), league[r]), where=window["BF"] > 0)
        if self.last:
            one = window_sums(self.table, rows, (1.0,), ["BF", "babip"])
            X["team_babip_last"] = np.divide(one["babip"], one["BF"], out=np.full(len(rows), league["babip"]),
                                             where=one["BF"] > 0)
        return X


def main() -> None:
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    table = teammates(args.league, list(range(2000, max(seasons) + 1)))
    config = RidgeConfig()
    variants = {"seq": (lambda p: DefenseRidge(p, config, None, (), False), 8),
                "seq_babip": (lambda p: DefenseRidge(p, config, table, ("babip",), False), 8),
                "seq_team": (lambda p: DefenseRidge(p, config, table, TEAM_RATES, False), 8),
                "seq_last": (lambda p: DefenseRidge(p, config, table, ("babip",), True), 8),
                "seq_hr": (lambda p: DefenseRidge(p, config, table, ("HR",), False), 8)}
    league, lines = league_lines(args.league, list(range(2000, max(seasons) + 1)))
    parts = [project(lines, league.players, "pitcher", T, variants) for T in seasons]
    report(parts, "pitcher", seasons, np.random.default_rng(0), reference="seq")


if __name__ == "__main__":
    main()
