"""Which season aggregates help a ridge on real seasons? (docs/real-data-tried.md)

    python benchmarks/studies/real_ridge_study.py [--league artifacts/league_retro] [--seasons 2014,...,2018]

Selection seasons only: it reads the league's seasons up to 2018 and never a later one (2019 and 2021
are the real-data report's test seasons). For each test season T and player type: the players with
>= 100 PA (BF) in T and an MLB line in T-3..T-1 (the report's filter); each variant of
hfm_train.baselines.AggregateRidge fitted on the eight seasons before T (or every season since
2001); opportunity-weighted RMSE against the actual rates; the cut against Marcel per stat, pooled
over the test seasons, and for each variant a 90% bootstrap interval (players resampled) of its mean
RMSE ratio to `seq_eb` (the ridge as hfm_train.baselines now builds it).

Variants (each on top of the baselines' features, which since 2026-12-02 include the shrunk rates):
  stat_ridge / seq_ridge       the outcome-only / sequence-skill ridge WITHOUT the shrunk rates (before)
  stat_eb / seq_eb             with them (what hfm_train.baselines fits now)
  *_all                        trained on every season since 2001 instead of the eight before T
  seq_eb_lgoff                 target = rate minus the league rate of T-1 (the league trend)
  seq_eb_year                  + each of the three seasons' own shrunk rates
  seq_eb_drop                  without the raw weighted rates
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd
from sklearn.linear_model import RidgeCV

from hfm_runtime.marcel import marcel
from hfm_runtime.seasons import season_age
from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS
from hfm_train.baselines import AggregateRidge, RidgeConfig, season_sums
from hfm_train.examples import typed_players
from hfm_train.league_stream import data_notice, league_lines

LAST_SELECTION_SEASON = 2018


class Variant(AggregateRidge):
    def __init__(self, player_type, config, shrunk=True, lg_offset=False, per_year=False, drop_raw=False):
        super().__init__(player_type, config)
        self.shrunk, self.lg_offset, self.per_year, self.drop_raw = shrunk, lg_offset, per_year, drop_raw

    def _previous_league(self, sums, seasons):
        opp, stats = OPPORTUNITY[self.player_type], list(TARGET_STATS[self.player_type])
        mlb = sums[sums["level"] == "MLB"].groupby("season")[[opp, *stats]].sum()
        return mlb[stats].div(mlb[opp], axis=0).reindex(np.asarray(seasons) - 1).to_numpy()

    def fit(self, sums, players, seasons):
        super().fit(sums, players, seasons)
        if self.lg_offset:  # refit every stat on the rate minus last season's league rate
            pt, stats, opp = self.player_type, list(TARGET_STATS[self.player_type]), OPPORTUNITY[self.player_type]
            rows = self._rows(sums, seasons)
            rows = rows[rows["player_id"].isin(typed_players(players, pt))].reset_index(drop=True)
            X = self._features(sums, players, rows).fillna({"age": self.median_age_, "age2": 0.0})
            y = rows[stats].to_numpy(float) / rows[[opp]].to_numpy(float) - self._previous_league(sums, rows["season"])
            w = rows[opp].to_numpy(float)
            Z = self.scaler_.transform(X[self.columns_].to_numpy())
            self.models_ = [RidgeCV(alphas=self.config.alphas).fit(Z, y[:, j], sample_weight=w / w.mean())
                            for j in range(len(stats))]
        return self

    def predict(self, sums, players, player_ids, season):
        out = super().predict(sums, players, player_ids, season)
        return out + self._previous_league(sums, np.full(len(player_ids), season)) if self.lg_offset else out

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        stats, opp = list(TARGET_STATS[self.player_type]), OPPORTUNITY[self.player_type]
        if not self.shrunk:
            X = X.drop(columns=[f"shrunk_{s}" for s in stats])
        if self.drop_raw:
            X = X.drop(columns=[f"rate_{s}" for s in stats])
        if self.per_year:
            both = sums.groupby(["player_id", "season"])[[opp, *stats]].sum()
            ids, season = rows["player_id"].to_numpy(np.int64), rows["season"].to_numpy(np.int64)
            for k in (1, 2, 3):
                part = both.reindex(pd.MultiIndex.from_arrays([ids, season - k])).fillna(0.0)
                for s in stats:
                    X[f"shrunk{k}_{s}"] = ((part[s].to_numpy() + self.prior_k_[s] * self.league_[s])
                                           / (part[opp].to_numpy() + self.prior_k_[s]))
        return X


VARIANTS = {  # name -> (skills, options, seasons back: 0 = every season since 2001)
    "stat_ridge": (False, dict(shrunk=False), 8), "seq_ridge": (True, dict(shrunk=False), 8),
    "seq_ridge_all": (True, dict(shrunk=False), 0), "stat_eb": (False, {}, 8), "seq_eb": (True, {}, 8),
    "seq_eb_all": (True, {}, 0), "seq_eb_lgoff": (True, dict(lg_offset=True), 8),
    "seq_eb_year": (True, dict(per_year=True), 8), "seq_eb_drop": (True, dict(drop_raw=True), 8),
}


def project(lines, players, pt, T, variants=None):
    """Targets, weights and every variant's projections of season T. variants: name -> (a function of
    the player type returning an unfitted ridge, seasons back: 0 = every season since 2001); the
    default is VARIANTS."""
    if variants is None:  # as measured on 2026-12-02, before the ridges' window detail
        variants = {name: (lambda p, s=skills, o=options: Variant(p, RidgeConfig(skills=s, window_detail=False), **o), back)
                    for name, (skills, options, back) in VARIANTS.items()}
    L = lines[pt]
    sums = season_sums(L[L["season"] <= T], pt)
    opp, stats = OPPORTUNITY[pt], list(TARGET_STATS[pt])
    target = sums[(sums["season"] == T) & (sums["level"] == "MLB") & (sums[opp] >= 100)]
    history = L[(L["season"] < T) & (L["season"] >= T - 3) & (L["level"] == "MLB")]["player_id"].unique()
    target = target[target["player_id"].isin(history) & target["player_id"].isin(typed_players(players, pt))]
    ids = target["player_id"].to_numpy(np.int64)
    births = players.drop_duplicates("player_id").set_index("player_id")["birth_date"].reindex(ids)
    ages = pd.Series(np.asarray(season_age(births.to_numpy(), np.full(len(ids), T)), dtype=float), index=ids)
    past = sums[sums["season"] < T]
    out = {"marcel": marcel(L[L["season"] < T], ages, T, pt, ids)[stats].to_numpy(float)}
    for name, (make, back) in variants.items():
        train = list(range(max(T - back if back else 2001, 2001), T))
        sub = past[past["season"] >= train[0] - 3]
        model = make(pt).fit(sub, players, train)
        out[name] = model.predict(sub, players, ids, T)
    return target[stats].to_numpy(float) / target[[opp]].to_numpy(float), target[opp].to_numpy(float), out


def rmse(p, y, w):
    return np.sqrt((w[:, None] * (p - y) ** 2).sum(0) / w.sum())


def report(parts, pt, seasons, rng, reference="seq_eb") -> None:
    """Print each variant's RMSE cut against Marcel (mean, per stat), the test seasons pooled, and a 90%
    interval (players resampled) of its mean RMSE ratio to `reference`."""
    y, w = np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])
    P = {k: np.concatenate([p[2][k] for p in parts]) for k in parts[0][2]}
    base = rmse(P["marcel"], y, w)
    draws = [rng.integers(0, len(y), len(y)) for _ in range(300)]
    print(f"{pt}s, test seasons {seasons} pooled ({len(y)} player-seasons); RMSE cut vs Marcel, mean and per stat "
          f"{TARGET_STATS[pt]}; 90% interval of the mean RMSE ratio to {reference}")
    for k, p in P.items():
        cut = 100 * (1 - rmse(p, y, w) / base)
        ratio = [np.mean(rmse(p[i], y[i], w[i]) / rmse(P[reference][i], y[i], w[i])) - 1 for i in draws]
        lo, hi = np.percentile(ratio, [5, 95]) * 100
        print(f"  {k:14s} {cut.mean():+6.2f}%  " + " ".join(f"{c:+5.1f}" for c in cut)
              + f"   [{lo:+.2f}, {hi:+.2f}]%", flush=True)


def print_notice(*paths) -> None:
    """Print the notice of the data behind `paths` (leagues or runs; Retrosheet's) first: a study's
    output is a work derived from them and carries it."""
    for notice in dict.fromkeys(filter(None, (data_notice(p) for p in paths if p is not None))):
        print(f"> {notice}\n")


def selection_args(parser: argparse.ArgumentParser) -> tuple[argparse.Namespace, list[int]]:
    """Parse `parser` plus --league and --seasons (selection seasons only: a later one is an error)."""
    parser.add_argument("--league", default="artifacts/league_retro")
    parser.add_argument("--seasons", default="2014,2015,2016,2017,2018")
    args = parser.parse_args()
    print_notice(args.league)
    seasons = [int(s) for s in args.seasons.split(",")]
    if max(seasons) > LAST_SELECTION_SEASON:
        parser.error(f"selection seasons only (<= {LAST_SELECTION_SEASON}): later ones are test seasons")
    return args, seasons


def run_study(league_path: str, seasons: list[int], variants=None, reference: str = "seq_eb",
              prepare=None) -> None:
    """Project every test season of `seasons` with `variants` (see `project`) and print both types' reports;
    `prepare(player_type, game lines of every season)`, if given, runs before each type's (a study's
    variants that read more than the season sums keep what they need)."""
    start = time.time()
    league, lines = league_lines(league_path, list(range(2000, max(seasons) + 1)))
    rng = np.random.default_rng(0)
    for pt in ("batter", "pitcher"):
        if prepare is not None:
            prepare(pt, lines[pt])
        report([project(lines, league.players, pt, T, variants) for T in seasons], pt, seasons, rng, reference)
    print(f"({time.time() - start:.0f} s)")


def main() -> None:
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    run_study(args.league, seasons)


if __name__ == "__main__":
    main()
