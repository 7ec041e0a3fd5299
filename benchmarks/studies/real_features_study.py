"""What else could a ridge on real seasons read: park factors, role, each season alone, boosting?
(docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_features_study.py [--gbm]
        [--league artifacts/league_retro] [--seasons 2014,...,2018] > benchmarks/results/real_features_study.txt

Selection seasons only (<= 2018; 2019 and 2021 are the real-data report's test seasons), the same
players, fits and bootstrap as real_ridge_study.py. A park factor per stat, team and season:
the stat's rate per PA in the team's home games (both teams batting) over its rate in the team's
road games, the three seasons up to that one pooled (a park's noise is large in one season). Each
player-season then carries, per stat, the opportunity-weighted mean park factor of the games he
played in; the ridge reads it 5/4/3-weighted over the window like every other aggregate.

Variants, each `seq_eb` (the sequence ridge of hfm_train.baselines before 2026-12-03) plus:
  seq_park        the window's park factor per stat
  seq_park_last   last season's park factor per stat (most players stay in their park)
  seq_role        opportunities per game played, the window's and last season's (role: starter or
                  reliever, regular or bench)
  seq_year        each of the three seasons' own shrunk rates (real_ridge_study's seq_eb_year)
  seq_year_role   both
  seq_hbp_ibb     (2026-12-03, later) the window's hit-by-pitch and intentional-walk rates per
                  opportunity, each shrunk by its empirical-Bayes prior (real_spray_study.eb_prior): a
                  pitcher who hits batters misses the zone; a batter walked on purpose is feared
  (the results file also has `seq_hbp_ibb_rates`: the product's version, RidgeConfig(hbp_ibb_rates=True)
  of commit 56b7136, built from skill counts and taken out after the test seasons, docs/real-data.md)
  seq_detail      hfm_train.baselines' sequence ridge with RidgeConfig.window_detail (the seasons' own
                  shrunk rates and opportunities per game, MLB and AAA lines together; off by default)
  gbm_resid       (--gbm, 6 more minutes) seq_detail plus gradient boosting (scikit-learn's
                  HistGradientBoostingRegressor, 200 shallow trees) fitted on its residuals: is there
                  headroom a non-linear model of the same aggregates could reach?
The others are built on the ridge as it was before (`RidgeConfig(window_detail=False)`).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS
from hfm_train.baselines import RidgeConfig
from hfm_train.examples import typed_players
from hfm_train.league_stream import league_lines
from real_ridge_study import Variant, project, report, selection_args  # the study beside this one
from real_spray_study import eb_prior, window_sums

PARK_STATS = ("SO", "BB", "HR", "H", "2B", "3B")


def park_factors(batter_lines: pd.DataFrame, games: pd.DataFrame, pooled: int = 3) -> pd.DataFrame:
    """Per (team, season): pf_<stat> = home-game rate / road-game rate, seasons season-pooled+1..season."""
    totals = batter_lines.groupby("game_pk")[["PA", *PARK_STATS]].sum().join(games.set_index("game_pk"), how="inner")
    home = totals.groupby(["home_team", "season"])[["PA", *PARK_STATS]].sum()
    road = totals.groupby(["away_team", "season"])[["PA", *PARK_STATS]].sum()
    out = []
    for (team, season) in home.index:
        window = [(team, s) for s in range(season - pooled + 1, season + 1)]
        h = home.reindex(window).sum()
        r = road.reindex(window).sum()
        row = {"team": team, "season": season}
        for s in PARK_STATS:
            row[f"pf_{s}"] = (h[s] / h["PA"]) / (r[s] / r["PA"]) if r[s] > 0 and h[s] > 0 else 1.0
        out.append(row)
    return pd.DataFrame(out)


def player_parks(lines: pd.DataFrame, games: pd.DataFrame, pf: pd.DataFrame, opp: str) -> pd.DataFrame:
    """Per (player_id, season), MLB only: opportunities and park_<stat> = the sum over his games of
    opportunities x the park factor of the game's park."""
    g = games.merge(pf, left_on=["home_team", "season"], right_on=["team", "season"], how="left").set_index("game_pk")
    mlb = lines[lines["level"] == "MLB"]
    out = mlb[["player_id", "season", opp]].assign(games=1.0)
    for s in PARK_STATS:
        out[f"park_{s}"] = mlb[opp].to_numpy() * g[f"pf_{s}"].reindex(mlb["game_pk"].to_numpy()).fillna(1.0).to_numpy()
    return out.groupby(["player_id", "season"]).sum()


class ParkVariant(Variant):
    """seq_eb plus the park factors of the player's games (module docstring)."""

    def __init__(self, player_type, config, parks, window=True, last=False, role=False, **options):
        super().__init__(player_type, config, **options)
        self.parks, self.window, self.last, self.role = parks, window, last, role

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        if self.role:  # opportunities per game played: a starter's 24 BF against a reliever's 4.5
            ids, season = rows["player_id"].to_numpy(np.int64), rows["season"].to_numpy(np.int64)
            opp, wn, wg = OPPORTUNITY[self.player_type], np.zeros(len(rows)), np.zeros(len(rows))
            for k, w in enumerate(self.config.weights, start=1):
                part = self.parks.reindex(pd.MultiIndex.from_arrays([ids, season - k])).fillna(0.0)
                wn += w * part[opp].to_numpy()
                wg += w * part["games"].to_numpy()
                if k == 1:
                    X["per_game_last"] = np.log1p(np.divide(part[opp].to_numpy(), part["games"].to_numpy(),
                                                            out=np.zeros(len(rows)), where=part["games"].to_numpy() > 0))
            X["per_game"] = np.log1p(np.divide(wn, wg, out=np.zeros(len(rows)), where=wg > 0))
        if not (self.window or self.last):
            return X
        opp, cols = OPPORTUNITY[self.player_type], [f"park_{s}" for s in PARK_STATS]
        ids, season = rows["player_id"].to_numpy(np.int64), rows["season"].to_numpy(np.int64)
        wsum, wopp = np.zeros((len(rows), len(cols))), np.zeros(len(rows))
        for k, w in enumerate(self.config.weights, start=1):
            part = self.parks.reindex(pd.MultiIndex.from_arrays([ids, season - k])).fillna(0.0)
            n = part[opp].to_numpy()
            wsum += w * part[cols].to_numpy()
            wopp += w * n
            if k == 1 and self.last:
                for j, s in enumerate(PARK_STATS):
                    X[f"park_last_{s}"] = np.divide(part[cols[j]].to_numpy(), n, out=np.ones(len(rows)), where=n > 0)
        if self.window:
            for j, s in enumerate(PARK_STATS):
                X[f"park_{s}"] = np.divide(wsum[:, j], wopp, out=np.ones(len(rows)), where=wopp > 0)
        return X


def player_extras(lines: pd.DataFrame, opp: str) -> pd.DataFrame:
    """Per (player_id, season), MLB only: opportunities, HBP and IBB."""
    mlb = lines[lines["level"] == "MLB"]
    return mlb.groupby(["player_id", "season"])[[opp, "HBP", "IBB"]].sum().astype(float)


class ExtrasVariant(Variant):
    """seq_eb plus the window's shrunk HBP and IBB rates and their log sample (module docstring)."""

    def __init__(self, player_type, config, extras):
        super().__init__(player_type, config)
        self.extras = extras

    def fit(self, sums, players, seasons):
        opp = OPPORTUNITY[self.player_type]
        part = self.extras[self.extras.index.get_level_values("season").isin(seasons)]
        self.extra_prior_ = {c: eb_prior(part[c].to_numpy(), part[opp].to_numpy(), min_n=100.0) for c in ("HBP", "IBB")}
        return super().fit(sums, players, seasons)

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        opp = OPPORTUNITY[self.player_type]
        w_sum = window_sums(self.extras, rows, self.config.weights, (opp, "HBP", "IBB"))
        for c in ("HBP", "IBB"):
            league, k = self.extra_prior_[c]
            X[f"extra_{c}"] = (w_sum[c] + k * league) / (w_sum[opp] + k)
        return X


class BoostedResiduals(Variant):
    """The ridge, then per stat gradient boosting on its in-sample residuals (same rows and weights)."""

    def fit(self, sums, players, seasons):
        super().fit(sums, players, seasons)
        pt, stats, opp = self.player_type, list(TARGET_STATS[self.player_type]), OPPORTUNITY[self.player_type]
        rows = self._rows(sums, seasons)
        rows = rows[rows["player_id"].isin(typed_players(players, pt))].reset_index(drop=True)
        X = self._matrix(sums, players, rows)
        y, w = rows[stats].to_numpy(float) / rows[[opp]].to_numpy(float), rows[opp].to_numpy(float)
        ridge = np.column_stack([m.predict(self.scaler_.transform(X)) for m in self.models_])
        self.boosters_ = [HistGradientBoostingRegressor(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                                        min_samples_leaf=40, l2_regularization=1.0, random_state=0)
                          .fit(X, y[:, j] - ridge[:, j], sample_weight=w / w.mean()) for j in range(len(stats))]
        return self

    def predict(self, sums, players, player_ids, season):
        rows = pd.DataFrame({"player_id": np.asarray(player_ids, dtype=np.int64), "season": int(season)})
        X = self._matrix(sums, players, rows)
        return super().predict(sums, players, player_ids, season) + np.column_stack([b.predict(X) for b in self.boosters_])

    def _matrix(self, sums, players, rows):
        return self._features(sums, players, rows).fillna({"age": self.median_age_, "age2": 0.0})[self.columns_].to_numpy()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gbm", action="store_true", help="add gbm_resid (6 more minutes)")
    args, seasons = selection_args(parser)
    start = time.time()
    games = []
    league, lines = league_lines(args.league, list(range(2000, max(seasons) + 1)),
                                 each=lambda p: games.append(p[["game_pk", "game_date", "home_team", "away_team"]]
                                                             .drop_duplicates("game_pk")))
    games = pd.concat(games, ignore_index=True)
    games["season"] = pd.to_datetime(games["game_date"]).dt.year
    pf = park_factors(lines["batter"], games)
    print(f"park factors: {len(pf)} team-seasons; 5/50/95th percentiles HR {np.percentile(pf['pf_HR'], [5, 50, 95]).round(3)}, "
          f"H {np.percentile(pf['pf_H'], [5, 50, 95]).round(3)}, SO {np.percentile(pf['pf_SO'], [5, 50, 95]).round(3)}", flush=True)
    rng = np.random.default_rng(0)
    for pt in ("batter", "pitcher"):
        parks = player_parks(lines[pt], games, pf, OPPORTUNITY[pt])
        extras = player_extras(lines[pt], OPPORTUNITY[pt])
        before = RidgeConfig(window_detail=False)  # the sequence ridge as it was before 2026-12-03
        variants = {
            "seq_eb": (lambda p: Variant(p, before), 8),
            "seq_park": (lambda p: ParkVariant(p, before, parks), 8),
            "seq_park_last": (lambda p: ParkVariant(p, before, parks, window=False, last=True), 8),
            "seq_role": (lambda p: ParkVariant(p, before, parks, window=False, role=True), 8),
            "seq_year": (lambda p: Variant(p, before, per_year=True), 8),
            "seq_year_role": (lambda p: ParkVariant(p, before, parks, window=False, role=True, per_year=True), 8),
            "seq_hbp_ibb": (lambda p: ExtrasVariant(p, before, extras), 8),
            "seq_detail": (lambda p: Variant(p, RidgeConfig(window_detail=True)), 8),
            **({"gbm_resid": (lambda p: BoostedResiduals(p, RidgeConfig(window_detail=True)), 8)} if args.gbm else {}),
        }
        report([project(lines, league.players, pt, T, variants) for T in seasons], pt, seasons, rng)
    print(f"({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
