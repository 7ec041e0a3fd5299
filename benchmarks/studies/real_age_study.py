"""Does aging act on a player's own rates, and does a longer window pay once the league's level is taken out?
(docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_age_study.py [--seasons 2014,...,2018]
        [--league artifacts/league_retro]

The ridges read age and age squared as terms of their own, so a year of age moves every player's
rate by the same amount; Marcel's age adjustment multiplies the rate, so a slugger gains or loses
more home runs than a slap hitter. And the ridges train on the eight seasons before the projected
one: a longer window lost on strikeouts, whose league level rose through these seasons. Selection
seasons only (the players, fits and bootstrap of real_ridge_study.py). Variants of each type's
product sequence ridge (batters: speed, putaway and platoon rates, older seasons, positions;
pitchers: `RidgeConfig()`):
  seq_agex     + (age - 27) and its square times each target stat's shrunk window rate
  seq_all      trained on every season since 2001
  seq_lg_all   trained on every season since 2001, the target the rate minus the league rate of
               the season before it (added back when projecting)
  seq_decay<d> each training season's rows weighted by d^(years before the projected season - 1)
               (a compromise between more seasons and the league's drift); _all: since 2001
  seq_back4    trained on the four seasons before the projected one (the model's number of targets),
               _decay0.85 with the decay too; seq_back5*: the five seasons before (the model's final
               wide path trains on its four target seasons and the validation season)
  seq_role     pitchers: one ridge for starters and one for relievers (batters faced per game last
               season at least 12, or, with no last season, in the weighted window), each fitted on
               its own rows
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from sklearn.linear_model import RidgeCV

from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS
from hfm_train.examples import typed_players
from hfm_train.baselines import RidgeConfig
from real_ridge_study import Variant, project, report, selection_args  # the studies beside this one
from hfm_train.league_stream import league_lines


class AgeVariant(Variant):
    def __init__(self, player_type, config, agex=False, decay=None, role=None, **options):
        super().__init__(player_type, config, **options)
        self.agex, self.decay, self.role = agex, decay, role

    def fit(self, sums, players, seasons):
        super().fit(sums, players, seasons)
        if self.decay is not None:  # refit every stat with the rows' weights decayed by season
            pt, stats, opp = self.player_type, list(TARGET_STATS[self.player_type]), OPPORTUNITY[self.player_type]
            rows = self._rows(sums, seasons)
            rows = rows[rows["player_id"].isin(typed_players(players, pt))].reset_index(drop=True)
            X = self._features(sums, players, rows).fillna({"age": self.median_age_, "age2": 0.0})
            y = rows[stats].to_numpy(float) / rows[[opp]].to_numpy(float)
            w = rows[opp].to_numpy(float) * self.decay ** (max(seasons) - rows["season"].to_numpy())
            Z = self.scaler_.transform(X[self.columns_].to_numpy())
            self.models_ = [RidgeCV(alphas=self.config.alphas).fit(Z, y[:, j], sample_weight=w / w.mean())
                            for j in range(len(stats))]
        return self

    def _rows(self, sums, seasons):
        rows = super()._rows(sums, seasons)
        return rows if self.role is None else rows[starter(sums, rows) == (self.role == "starter")]

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        if self.agex:
            a = X["age"].fillna(self.median_age_).to_numpy() - 27.0
            for s in TARGET_STATS[self.player_type]:
                X[f"agex_{s}"] = a * X[f"shrunk_{s}"].to_numpy()
                X[f"agex2_{s}"] = a * a * X[f"shrunk_{s}"].to_numpy()
        return X


def starter(sums, rows) -> np.ndarray:
    """bool per row: at least 12 batters faced per game last season (or, with none, over the three before)."""
    both = sums.groupby(["player_id", "season"])[[OPPORTUNITY["pitcher"], "games"]].sum()
    ids, season = rows["player_id"].to_numpy(np.int64), rows["season"].to_numpy(np.int64)
    last = both.reindex(pd.MultiIndex.from_arrays([ids, season - 1])).fillna(0.0).to_numpy()
    window = sum(both.reindex(pd.MultiIndex.from_arrays([ids, season - k])).fillna(0.0).to_numpy() for k in (1, 2, 3))
    use = np.where(last[:, 1:2] > 0, last, window).T
    return np.divide(use[0], use[1], out=np.zeros(len(ids)), where=use[1] > 0) >= 12


class RoleSplit:
    """Two ridges, starters' and relievers', each projecting its own players."""

    def __init__(self, player_type, config):
        self.parts = {r: AgeVariant(player_type, config, role=r) for r in ("starter", "reliever")}

    def fit(self, sums, players, seasons):
        for part in self.parts.values():
            part.fit(sums, players, seasons)
        return self

    def predict(self, sums, players, player_ids, season):
        rows = pd.DataFrame({"player_id": np.asarray(player_ids, np.int64), "season": int(season)})
        is_starter = starter(sums, rows)
        out = self.parts["reliever"].predict(sums, players, player_ids, season)
        out[is_starter] = self.parts["starter"].predict(sums, players, player_ids, season)[is_starter]
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--types", default="batter,pitcher")
    args, seasons = selection_args(parser)
    league, lines = league_lines(args.league, list(range(2000, max(seasons) + 1)))
    rng = np.random.default_rng(0)
    for pt, config in (("batter", RidgeConfig(speed_rates=True, putaway_rate=True, old_seasons=True, positions=True,
                                              platoon=True)),
                       ("pitcher", RidgeConfig())):
        if pt not in args.types.split(","):
            continue
        variants = {"seq": (lambda p: AgeVariant(p, config), 8),
                    "seq_agex": (lambda p: AgeVariant(p, config, agex=True), 8),
                    "seq_all": (lambda p: AgeVariant(p, config), 0),
                    "seq_lg_all": (lambda p: AgeVariant(p, config, lg_offset=True), 0),
                    "seq_decay0.85": (lambda p: AgeVariant(p, config, decay=0.85), 8),
                    "seq_decay0.7": (lambda p: AgeVariant(p, config, decay=0.7), 8),
                    "seq_decay0.85_all": (lambda p: AgeVariant(p, config, decay=0.85), 0),
                    "seq_back4": (lambda p: AgeVariant(p, config), 4),
                    "seq_back4_decay0.85": (lambda p: AgeVariant(p, config, decay=0.85), 4),
                    "seq_back5": (lambda p: AgeVariant(p, config), 5),
                    "seq_back5_decay0.85": (lambda p: AgeVariant(p, config, decay=0.85), 5),
                    "seq_back5_decay0.7": (lambda p: AgeVariant(p, config, decay=0.7), 5)}
        if pt == "pitcher":
            variants["seq_role"] = (lambda p: RoleSplit(p, config), 8)
        parts = [project(lines, league.players, pt, T, variants) for T in seasons]
        report(parts, pt, seasons, rng, reference="seq")
        for T, part in zip(seasons, parts):  # each season's mean cut, for the rule's count of seasons
            y, w, P = part
            base = np.sqrt((w[:, None] * (P["marcel"] - y) ** 2).sum(0) / w.sum())
            cuts = {k: 100 * np.mean(1 - np.sqrt((w[:, None] * (p - y) ** 2).sum(0) / w.sum()) / base)
                    for k, p in P.items() if k != "marcel"}
            print(f"    {T}: " + "  ".join(f"{k} {v:+.2f}" for k, v in cuts.items()), flush=True)


if __name__ == "__main__":
    main()
