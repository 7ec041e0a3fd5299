"""Does where a ball in play goes (pull, opposite field, infield hits) help a ridge on real seasons?
(docs/real-data-tried.md)

    PYTHONPATH=benchmarks/studies python benchmarks/studies/real_spray_study.py \
        --league artifacts/league_retro > benchmarks/results/real_spray_study.txt

Selection seasons only (<= 2018), the players, fits and bootstrap of real_ridge_study.py. The league
needs `hit_location` (the fielder who first fielded a ball in play: hfm_train.retrosheet writes it
since 2026-12-03; a league imported before has it empty and the study stops). Per player-season
(the batter's balls in play, or those a pitcher allowed), side-relative: a right-handed batter pulls
to the third baseman, shortstop and left fielder (5, 6, 7), a left-handed one to 3, 4, 9:

  pull_rate      pulled balls in play / balls in play with a fielder (home runs have none)
  oppo_rate      opposite-field ones / the same
  pull_air_rate  pulled fly balls and line drives / fly balls and line drives with a fielder
  if_hit_rate    ground-ball singles fielded by an infielder (1-6) / ground balls: infield hits, speed
  gidp_rate      ground-ball double plays / plate appearances ended with a runner on first and fewer
                 than two outs: slow runners hit into more (needs no hit_location)

Each 5/4/3-weighted over the window and shrunk toward the training seasons' league rate by its
empirical-Bayes prior (events of league average added: p(1 - p) over the between-player variance
left after the binomial noise), with the window's log sample size beside it.

Variants, each `seq_eb` (hfm_train.baselines' sequence ridge, RidgeConfig()) plus:
  seq_spray      all four
  seq_pull       pull_rate, oppo_rate, pull_air_rate
  seq_ifhit      if_hit_rate
  seq_gidp       gidp_rate
  seq_speed      if_hit_rate and gidp_rate
  seq_speed_rates  the product's version of seq_speed: RidgeConfig(speed_rates=True), the counts of
                 hfm_runtime.skills (`if_hit` over ground balls with a fielder, `gidp` over `dp_chance`)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from hfm_train.baselines import RidgeConfig
from hfm_train.league_stream import league_lines
from real_ridge_study import Variant, project, report, selection_args  # the study beside this one

PULL = {"R": (5.0, 6.0, 7.0), "L": (3.0, 4.0, 9.0)}
RATES = {"pull_rate": ("pull", "loc"), "oppo_rate": ("oppo", "loc"), "pull_air_rate": ("pull_air", "air"),
         "if_hit_rate": ("if_hit", "gb"), "gidp_rate": ("gidp", "dp_opp")}
COUNTS = ("loc", "pull", "oppo", "air", "pull_air", "gb", "if_hit", "gidp", "dp_opp")


def spray_counts(pitches: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per side ("batter", "pitcher"): counts per (player_id, season) of one season's balls in play."""
    ended = pitches[pitches["events"].notna()]
    dp = pd.DataFrame({
        "season": pd.to_datetime(ended["game_date"]).dt.year.to_numpy(),
        "dp_opp": ended["on_1b"].notna().to_numpy() & (ended["outs_when_up"].to_numpy() < 2),
        "gidp": ended["events"].astype(str).to_numpy() == "grounded_into_double_play"})
    x = pitches[pitches["type"] == "X"]
    loc = x["hit_location"].to_numpy(float)
    stand = x["stand"].astype(str).to_numpy()
    pull = np.where(stand == "R", np.isin(loc, PULL["R"]), np.isin(loc, PULL["L"]))
    oppo = np.where(stand == "R", np.isin(loc, PULL["L"]), np.isin(loc, PULL["R"]))
    bb = x["bb_type"].astype(str).to_numpy()
    air = np.isin(bb, ("fly_ball", "line_drive")) & ~np.isnan(loc)
    counts = pd.DataFrame({
        "season": pd.to_datetime(x["game_date"]).dt.year.to_numpy(),
        "loc": ~np.isnan(loc), "pull": pull, "oppo": oppo, "air": air, "pull_air": air & pull,
        "gb": bb == "ground_ball",
        "if_hit": (x["events"].astype(str).to_numpy() == "single") & (loc >= 1) & (loc <= 6) & (bb == "ground_ball"),
    })
    return {side: pd.concat([counts.assign(player_id=x[side].to_numpy(np.int64)),
                             dp.assign(player_id=ended[side].to_numpy(np.int64))])
            .fillna(False).groupby(["player_id", "season"]).sum().astype(float) for side in ("batter", "pitcher")}


def eb_prior(num: np.ndarray, den: np.ndarray, min_n: float = 50.0) -> tuple[float, float]:
    """(league rate, prior events k) of a proportion over player-seasons with >= min_n events."""
    keep = den >= min_n
    p = num[keep] / den[keep]
    league = num[keep].sum() / den[keep].sum()
    w = den[keep] / den[keep].mean()
    var_obs = np.average((p - league) ** 2, weights=w)
    noise = np.average(league * (1 - league) / den[keep], weights=w)
    tau2 = max(var_obs - noise, 1e-6)
    return league, league * (1 - league) / tau2


def window_sums(table: pd.DataFrame, rows: pd.DataFrame, weights, columns) -> dict[str, np.ndarray]:
    """Per row (player_id, season T): the 5/4/3-weighted sums over T-1, T-2, T-3 of `table`'s
    (player_id, season)-indexed `columns` (a missing season counts 0)."""
    ids, season = rows["player_id"].to_numpy(np.int64), rows["season"].to_numpy(np.int64)
    out = {c: np.zeros(len(rows)) for c in columns}
    for k, w in enumerate(weights, start=1):
        part = table.reindex(pd.MultiIndex.from_arrays([ids, season - k])).fillna(0.0)
        for c in columns:
            out[c] += w * part[c].to_numpy()
    return out


class SprayVariant(Variant):
    """seq_eb plus the window's shrunk spray rates (module docstring)."""

    def __init__(self, player_type, config, spray, rates):
        super().__init__(player_type, config)
        self.spray, self.rates = spray, rates

    def fit(self, sums, players, seasons):
        part = self.spray[self.spray.index.get_level_values("season").isin(seasons)]
        self.spray_prior_ = {r: eb_prior(part[num].to_numpy(), part[den].to_numpy())
                             for r, (num, den) in RATES.items() if r in self.rates}
        return super().fit(sums, players, seasons)

    def _features(self, sums, players, rows):
        X = super()._features(sums, players, rows)
        w_sum = window_sums(self.spray, rows, self.config.weights, COUNTS)
        for r in self.rates:
            num, den = RATES[r]
            league, k = self.spray_prior_[r]
            X[r] = (w_sum[num] + k * league) / (w_sum[den] + k)
            X[f"log_{den}"] = np.log1p(w_sum[den])
        return X


def league_counts(path, seasons, count) -> tuple:
    """(league, player lines, per side the (player_id, season) table) of seasons 2000..max(seasons):
    `count(pitches)` gives per side one season's counts, summed over seasons as they stream by."""
    parts: dict[str, list[pd.DataFrame]] = {"batter": [], "pitcher": []}

    def each(p: pd.DataFrame) -> None:
        for side, frame in count(p).items():
            parts[side].append(frame)

    league, lines = league_lines(path, list(range(2000, max(seasons) + 1)), each=each)
    return league, lines, {side: pd.concat(frames).groupby(level=[0, 1]).sum() for side, frames in parts.items()}


def main() -> None:
    args, seasons = selection_args(argparse.ArgumentParser(description=__doc__.splitlines()[0]))
    start = time.time()
    league, lines, spray = league_counts(args.league, seasons, spray_counts)
    tot = spray["batter"].groupby(level="season").sum()
    if (tot["loc"] == 0).all():
        raise SystemExit(f"{args.league}: no hit_location (a league imported before 2026-12-03): re-import it")
    print("league per season: pull / oppo / pull_air / if_hit / gidp rates, balls in play with a fielder")
    for s, r in tot.iterrows():
        print(f"  {s}: {r.pull / r['loc']:.3f} {r.oppo / r['loc']:.3f} {r.pull_air / r.air:.3f} "
              f"{r.if_hit / r.gb:.3f} {r.gidp / r.dp_opp:.3f}  ({r['loc']:,.0f} with a fielder)")
    rng = np.random.default_rng(0)
    for pt in ("batter", "pitcher"):
        sp = spray[pt]
        variants = {
            "seq_eb": (lambda p: Variant(p, RidgeConfig()), 8),
            "seq_spray": (lambda p: SprayVariant(p, RidgeConfig(), sp, tuple(RATES)), 8),
            "seq_pull": (lambda p: SprayVariant(p, RidgeConfig(), sp, ("pull_rate", "oppo_rate", "pull_air_rate")), 8),
            "seq_ifhit": (lambda p: SprayVariant(p, RidgeConfig(), sp, ("if_hit_rate",)), 8),
            "seq_gidp": (lambda p: SprayVariant(p, RidgeConfig(), sp, ("gidp_rate",)), 8),
            "seq_speed": (lambda p: SprayVariant(p, RidgeConfig(), sp, ("if_hit_rate", "gidp_rate")), 8),
            "seq_speed_rates": (lambda p: Variant(p, RidgeConfig(speed_rates=True)), 8),
        }
        report([project(lines, league.players, pt, T, variants) for T in seasons], pt, seasons, rng)
    print(f"({time.time() - start:.0f} s)")


if __name__ == "__main__":
    main()
