"""The ranges' parameters (fitted on training and validation seasons only) and their calibration check.

Fitting (`fit_range_params`, run by `hfm-train fit`; hfm_runtime.ranges has the model):
  prior R_S   the stat's reliability constant, lg(1 - lg) / tau_S^2, with tau_S^2 the between-player
              talent variance of the training and validation seasons' MLB lines by the method of
              moments: the opportunity-weighted variance of season rates around each season's league
              rate, less the binomial part lg(1 - lg) N / sum(o) (players with >= MIN_OPPORTUNITIES;
              at most MAX_PRIOR; Marcel's regression with fewer than MIN_LINES such lines).
  scale k_S   the talent variance's multiplier and drift D_S its floor (hfm_runtime.ranges), chosen
  drift D_S   together so that the 50% and 80% outcome intervals cover their share of the training
              and validation seasons' opening-day outcomes within each third of the players by
              evidence: the pair of grids (k 0.02-50, D None or 3000-250) with the least squared
              coverage misses (`fit_scale`). The projections checked are out of sample: the blend's leave-one-season-out
              predictions (hfm_train.evaluate.cross_validated_blend) in `fit`; for a run fitted before
              2026-12-02, which did not record them, Marcel's (which fits nothing, so any season is
              out of sample for it) - said in the report.
  talent k'_S  where the league knows true talent (a simulated league; `fit_rows` carries it from the
  talent D'_S  examples), the talent interval's own scale and drift floor (hfm_runtime.ranges), fitted
              the same way on the same out-of-fold projections, but on the 50% and 80% talent
              intervals' coverage of the true talent (`fit_talent_scale`): the outcome fit cannot see
              the talent error under a season's binomial noise. Without true talent (real leagues)
              none is fitted and the talent interval uses (k_S, D_S). The rows are saved in the run
              folder (RANGE_ROWS) and `fit_from_rows` refits from them.
  playing     the playing-time spread (hfm_train.playing_time: actual opportunities, 0 for a season not
  time        played, over a ridge's expected opportunities from Marcel's window, age and rates, per type
              and band of that base) from the MLB lines of the same seasons (`fit_season_playing_time`;
              None with fewer than min_rows rows a type).
The test season is never read here.

The check (`calibrate_run`, the `calibration` command) on a run's test season, per player type and
stat, over the test players (opening-day projections; every player with >= 10 MLB opportunities that
season, unweighted):
  coverage    of the 50% and 80% outcome intervals at the opportunities he actually had (the rate's
              interval; a count's cell credited by its share inside, hfm_runtime.ranges.covered);
              with the simulator's truth, also the talent intervals' coverage of his true talent
  width       mean width of the 80% interval (rate)
  score       mean interval score (Gneiting-Raftery) of the 50% and 80% intervals, on the season rate
              (and on the true talent where known): lower is better, rewards sharpness, punishes misses
for HFM (centre: the blend; spread: the run's range parameters) and the baseline (centre: Marcel;
spread: Marcel's own regression variance, R = Marcel's regression / mean weight, k = 1, plus the
binomial noise: `RangeParams.default()`).
  totals      (`_totals_table`) over every player the score table scores by default for the test
              season (an MLB line in the three seasons before; those who did not play included, at 0),
              centred on the blend where the run projected him and on Marcel's rate elsewhere: the
              cell-credited coverage of the 50% / 80% season-total intervals with the playing-time
              spread (the run's; fitted here from the training and validation seasons' lines when the
              run has none) and with the opportunities held at the projection; the opportunities'
              own intervals' coverage of the actual opportunities.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.ranges import (
    LEVELS, QUANTILES, RangeParams, beta_ppf, beta_shape, betabinom_ppf, betainc, covered, default_prior,
    interval_score, mixture_ppf, outcome_intervals, talent_variance,
)
from hfm_runtime.playing_time import PlayingTimeSpread
from hfm_runtime.seasons import season_lines
from hfm_runtime.targets import OPPORTUNITY, PLAYER_TYPES, TARGET_STATS, PlayerType

from .playing_time import describe, fit_playing_time_from_lines, inputs_of, marcel_of, playing_time_rows

MIN_OPPORTUNITIES = {"batter": 100, "pitcher": 100}  # season lines the talent variance is measured on
MIN_LINES = 30  # fewer such lines: R_S is Marcel's (hfm_runtime.ranges.default_prior)
# The strongest prior R_S (opportunities): a stat whose talent spread the lines cannot measure (the
# moment estimate at or below 0, e.g. doubles in a small simulated league, where the binomial noise of
# a season is four times the talent spread) is not taken as having none; 3000 is about five full
# seasons, beyond the reliability constants of the real stats measured here (docs/ranges.md).
MAX_PRIOR = 3000.0
SCALE_GRID = np.exp(np.linspace(np.log(0.02), np.log(50.0), 57))  # k candidates, ~15% apart
SCALE_PENALTY = 1e-4  # per (log k)^2: a tie-break toward k = 1 where coverage barely moves with k
# D candidates (opportunities; None: no drift floor): from a floor worth 3000 opportunities of record
# (a regular's five seasons) down to 250 (less than half a season)
DRIFT_GRID: tuple[float | None, ...] = (None, 3000.0, 1500.0, 1000.0, 700.0, 500.0, 350.0, 250.0)
# D' candidates of the talent interval: the same, and down to 100 (a projection's error against the
# true talent has a floor of its own: the model's miss, which no record removes)
TALENT_DRIFT_GRID: tuple[float | None, ...] = DRIFT_GRID + (175.0, 125.0, 100.0)
MIN_TALENT_ROWS = 60  # fewer fit rows with the true talent: no talent parameters of their own
RANGE_ROWS = "ranges_rows.csv"  # the fit rows in a run folder (`save_rows`, `fit_from_rows`)


def mlb_season_lines(lines: pd.DataFrame, player_type: PlayerType) -> pd.DataFrame:
    """MLB season lines (player_id, season, opportunities, counts) from game lines or season lines."""
    table = lines if "game_pk" not in lines.columns else season_lines(lines, player_type)
    if "level" in table.columns:
        table = table[table["level"] == "MLB"]
    return table.reset_index(drop=True)


def fit_prior(lines: pd.DataFrame, player_type: PlayerType, seasons: list[int]) -> dict[str, float]:
    """R_S per stat from the MLB season lines of `seasons` (module docstring)."""
    opp = OPPORTUNITY[player_type]
    table = mlb_season_lines(lines, player_type)
    table = table[table["season"].isin(seasons)]
    out = {}
    for s in TARGET_STATS[player_type]:
        lg = table.groupby("season")[s].sum() / table.groupby("season")[opp].sum()
        rows = table[table[opp] >= MIN_OPPORTUNITIES[player_type]]
        if len(rows) < MIN_LINES:  # too few to measure a spread: Marcel's regression
            out[s] = default_prior(player_type)
            continue
        o = rows[opp].to_numpy(np.float64)
        p = lg.reindex(rows["season"]).to_numpy(np.float64)
        y = rows[s].to_numpy(np.float64) / o
        between = (o * (y - p) ** 2).sum() / o.sum() - (p * (1 - p)).mean() * len(o) / o.sum()
        lg_all = float(np.average(p, weights=o))
        out[s] = float(min(lg_all * (1 - lg_all) / between, MAX_PRIOR)) if between > 0 else MAX_PRIOR
    return out


def coverage(center: np.ndarray, variance: np.ndarray, n: np.ndarray, count: np.ndarray) -> dict[float, float]:
    """Mean cell-credited coverage of the 50% and 80% outcome intervals."""
    q = outcome_intervals(center, variance, n)
    return {level: float(covered(count, q[:, lo], q[:, hi]).mean()) for level, (lo, hi) in LEVELS.items()}


def fit_scale(center: np.ndarray, evidence: np.ndarray, n: np.ndarray, count: np.ndarray, prior: float,
              grid: np.ndarray = SCALE_GRID, drifts: tuple[float | None, ...] = DRIFT_GRID,
              ) -> tuple[float, float | None, dict[str, float]]:
    """(k, D, coverage on these rows) for one stat (module docstring): the pair of `grid` x `drifts`
    minimising the squared misses of the 50% and 80% coverage within each third of the rows by
    evidence (so that a long record's interval is checked apart from a rookie's: that is what
    tells the drift floor from the scale) plus SCALE_PENALTY (log k)^2. A grid, not a root search:
    for a rare stat (two triples a season) coverage is not monotone in k (more talent spread piles
    the counts onto 0), and nearly flat, where the penalty keeps k near 1. D is searched on its own
    grid at a coarse k grid first, then k refined at the best D."""
    cuts = np.quantile(evidence, [1 / 3, 2 / 3]) if len(evidence) >= 30 else np.array([np.inf, np.inf])
    group = np.searchsorted(cuts, evidence, side="right")
    groups = [np.flatnonzero(group == g) for g in range(3)]
    groups = [g for g in groups if len(g)]

    def loss(k: float, drift: float | None) -> tuple[float, dict[float, float]]:
        var = talent_variance(center, evidence, prior, k, 0.0 if drift is None else 1.0 / drift)
        q = outcome_intervals(center, var, n)
        total = 0.0
        for rows in groups:
            for level, (lo, hi) in LEVELS.items():
                total += len(rows) / len(n) * (covered(count[rows], q[rows, lo], q[rows, hi]).mean() - level) ** 2
        return total + SCALE_PENALTY * np.log(k) ** 2, {
            level: float(covered(count, q[:, lo], q[:, hi]).mean()) for level, (lo, hi) in LEVELS.items()}

    coarse = grid[::4]
    best = min(((loss(k, d)[0], float(k), d) for d in drifts for k in coarse), key=lambda x: x[0])
    _, k0, drift = best
    near = grid[(grid >= k0 / 1.8) & (grid <= k0 * 1.8)]
    scored = [(*loss(float(k), drift), float(k)) for k in near]
    _, cover, k = min(scored, key=lambda x: x[0])
    return k, drift, {f"{level:g}": v for level, v in cover.items()}


def outcomes(lines: pd.DataFrame, player_type: PlayerType, season: int, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """([N] MLB opportunities, [N, S] counts) of `ids` in `season` (0 where he has no line)."""
    opp = OPPORTUNITY[player_type]
    table = mlb_season_lines(lines, player_type)
    table = table[table["season"] == season].groupby("player_id")[[opp, *TARGET_STATS[player_type]]].sum()
    rows = table.reindex(np.asarray(ids, dtype=np.int64)).fillna(0.0)
    return rows[opp].to_numpy(np.float64), rows[list(TARGET_STATS[player_type])].to_numpy(np.float64)


def talent_coverage(center: np.ndarray, variance: np.ndarray, truth: np.ndarray) -> dict[float, np.ndarray]:
    """Per row, whether the true talent lies in the talent Beta's central 50% / 80% interval: its
    PIT (the Beta CDF at the truth, hfm_runtime.ranges.betainc) within [(1 - level) / 2, (1 + level) / 2],
    the same as the truth between the quantiles `beta_ppf` gives, without solving for them."""
    a, b = beta_shape(center, variance)
    pit = betainc(a, b, np.asarray(truth, dtype=np.float64))
    return {level: ((pit >= (1 - level) / 2) & (pit <= (1 + level) / 2)).astype(np.float64) for level in LEVELS}


def fit_talent_scale(center: np.ndarray, evidence: np.ndarray, truth: np.ndarray, prior: float,
                     grid: np.ndarray = SCALE_GRID, drifts: tuple[float | None, ...] = TALENT_DRIFT_GRID,
                     ) -> tuple[float, float | None, dict[str, float]]:
    """(k', D', coverage on these rows) of the talent interval for one stat: as `fit_scale`, but the
    coverage checked is the talent Beta's of the known true talent (a simulated league's), not the
    outcome's: the pair of `grid` x `drifts` minimising the squared misses of the 50% and 80% talent
    coverage within each third of the rows by evidence, plus SCALE_PENALTY (log k')^2."""
    cuts = np.quantile(evidence, [1 / 3, 2 / 3]) if len(evidence) >= 30 else np.array([np.inf, np.inf])
    group = np.searchsorted(cuts, evidence, side="right")
    groups = [g for g in (np.flatnonzero(group == g) for g in range(3)) if len(g)]

    def loss(k: float, drift: float | None) -> tuple[float, dict[float, float]]:
        var = talent_variance(center, evidence, prior, k, 0.0 if drift is None else 1.0 / drift)
        hit = talent_coverage(center, var, truth)
        total = sum(len(rows) / len(center) * (hit[level][rows].mean() - level) ** 2
                    for rows in groups for level in LEVELS)
        return total + SCALE_PENALTY * np.log(k) ** 2, {level: float(h.mean()) for level, h in hit.items()}

    coarse = grid[::4]
    _, k0, drift = min(((loss(float(k), d)[0], float(k), d) for d in drifts for k in coarse), key=lambda x: x[0])
    near = grid[(grid >= k0 / 1.8) & (grid <= k0 * 1.8)]
    _, cover, k = min(((*loss(float(k), drift), float(k)) for k in near), key=lambda x: x[0])
    return k, drift, {f"{level:g}": v for level, v in cover.items()}


def fit_rows(lines: pd.DataFrame, players: pd.DataFrame, player_type: PlayerType, seasons: list[int],
             projections: Mapping[int, tuple[np.ndarray, ...]] | None = None) -> pd.DataFrame:
    """The rows the range parameters of one type are fitted on: per (season, player) with >= 10 MLB
    opportunities that season, his Marcel `evidence`, opportunities `n`, and per stat the projection
    `center_<S>`, the count `count_<S>` and the true talent `truth_<S>` (NaN where unknown).
    projections: season -> (player ids, [N, S] out-of-sample projected rates[, [N, S] true talent]);
    None: Marcel's projections of everyone with MLB opportunities in each season."""
    stats = list(TARGET_STATS[player_type])
    frames = []
    for season in seasons:
        if projections is None:
            table = mlb_season_lines(lines, player_type)
            ids = np.unique(table.loc[table["season"] == season, "player_id"].to_numpy(np.int64))
        elif season not in projections:
            continue
        else:
            ids = np.asarray(projections[season][0], dtype=np.int64)
        m = marcel_of(lines, players, player_type, season, ids)
        opp, count = outcomes(lines, player_type, season, ids)
        keep = opp >= 10
        center = m.loc[ids, stats].to_numpy(np.float64) if projections is None else np.asarray(projections[season][1])
        given = projections is not None and len(projections[season]) > 2 and projections[season][2] is not None
        truth = np.asarray(projections[season][2], dtype=np.float64) if given else np.full(center.shape, np.nan)
        frame = pd.DataFrame({"season": int(season), "player_id": ids[keep],
                              "evidence": m.loc[ids, "evidence"].to_numpy(np.float64)[keep], "n": opp[keep]})
        for j, s in enumerate(stats):
            frame[f"center_{s}"], frame[f"count_{s}"], frame[f"truth_{s}"] = (
                center[keep, j], count[keep, j], truth[keep, j])
        frames.append(frame)
    columns = ["season", "player_id", "evidence", "n"] + [f"{c}_{s}" for s in stats for c in ("center", "count", "truth")]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def fit_type_from_rows(rows: pd.DataFrame, player_type: PlayerType, prior: Mapping[str, float]
                       ) -> tuple[dict[str, float], dict[str, float | None], dict[str, float] | None,
                                  dict[str, float | None] | None, dict[str, Any]]:
    """(scale, drift, talent scale, talent drift, report) of one type from its fit rows (`fit_rows`).
    The talent pair only where every row of every stat has its true talent and there are at least
    MIN_TALENT_ROWS of them (a simulated league); else None (a real league: the talent interval then
    uses the outcome's pair)."""
    stats = list(TARGET_STATS[player_type])
    ev, nn = rows["evidence"].to_numpy(np.float64), rows["n"].to_numpy(np.float64)
    truth = rows[[f"truth_{s}" for s in stats]].to_numpy(np.float64)
    known = len(rows) >= MIN_TALENT_ROWS and bool(np.isfinite(truth).all())
    scale, drift, fitted = {}, {}, {}
    t_scale, t_drift, t_fitted = ({}, {}, {}) if known else (None, None, None)
    for j, s in enumerate(stats):
        center = rows[f"center_{s}"].to_numpy(np.float64)
        scale[s], drift[s], fitted[s] = fit_scale(center, ev, nn, rows[f"count_{s}"].to_numpy(np.float64), prior[s])
        if known:
            t_scale[s], t_drift[s], t_fitted[s] = fit_talent_scale(center, ev, truth[:, j], prior[s])
    report: dict[str, Any] = {"rows": int(len(rows)), "coverage_on_fit_rows": fitted}
    if known:
        report["talent_coverage_on_fit_rows"] = t_fitted
    return scale, drift, t_scale, t_drift, report


def out_of_fold_projections(pool: Any, weights: np.ndarray, residual: np.ndarray
                            ) -> dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] | None:
    """season -> (player ids, [N, S] blended rates, [N, S] true talent: NaN where unknown) of the pool's
    opening-day rows ("start") from the out-of-fold residuals (hfm_train.evaluate.cross_validated_blend);
    None when the pool has none."""
    table = pool.table
    start = (table["kind"] == "start").to_numpy() if "kind" in table.columns else np.ones(len(table), bool)
    if not start.any():
        return None
    center = np.clip(pool.marcel + weights[None, :] * residual, 0.0, 1.0)
    truth = getattr(pool, "true_talent", None)
    truth = np.full(center.shape, np.nan) if truth is None else np.asarray(truth, dtype=np.float64)
    out = {}
    for season in sorted(table.loc[start, "season"].unique()):
        rows = start & (table["season"] == season).to_numpy()
        out[int(season)] = (table["player_id"].to_numpy(np.int64)[rows], center[rows], truth[rows])
    return out


def _params(prior: Mapping, scale: Mapping, drift: Mapping, talent: Mapping[str, Mapping[str, Any]],
            seasons: list[int], how: str, playing_time: PlayingTimeSpread | None = None) -> RangeParams:
    """RangeParams with the source line saying what was fitted on what."""
    source = (f"fitted on seasons {min(seasons)}-{max(seasons)}: R from MLB season lines (method of moments), "
              f"k and D from {how} (50%/80% outcome coverage by evidence thirds)")
    if talent:
        source += (f"; the talent interval's own k and D from the same projections against the true talent "
                   f"(50%/80% talent coverage by evidence thirds; {', '.join(talent)})")
    else:
        source += "; no true talent: the talent interval uses the outcome's k and D"
    if playing_time is not None:
        source += "; playing-time spread " + playing_time.source
    return RangeParams(prior, scale, source, drift,
                       {pt: t["scale"] for pt, t in talent.items()} or None,
                       {pt: t["drift"] for pt, t in talent.items()} or None, playing_time)


def fit_season_playing_time(lines: Mapping[str, pd.DataFrame], players: pd.DataFrame, seasons: list[int]
                            ) -> PlayingTimeSpread | None:
    """The playing-time spread (hfm_train.playing_time) from the lines (game or season lines per type)
    of `seasons` and the three before each: the training and validation seasons, never the test one.
    None where a type has too few rows (`fit_playing_time_from_lines`)."""
    return fit_playing_time_from_lines({pt: mlb_season_lines(lines[pt], pt) for pt in PLAYER_TYPES}, players, seasons)


def fit_range_params(lines: Mapping[str, pd.DataFrame], players: pd.DataFrame, seasons: list[int],
                     projections: Mapping[str, Mapping[int, tuple[np.ndarray, ...]]] | None = None,
                     rows_out: dict[str, pd.DataFrame] | None = None,
                     ) -> tuple[RangeParams, dict[str, Any]]:
    """RangeParams of both types (module docstring) and what they were fitted on. rows_out: filled
    with each type's fit rows (`fit_rows`), for the run folder (`fit_from_rows` refits from them)."""
    prior, scale, drift, report, talent = {}, {}, {}, {}, {}
    for pt in PLAYER_TYPES:
        prior[pt] = fit_prior(lines[pt], pt, seasons)
        rows = fit_rows(lines[pt], players, pt, seasons, None if projections is None else projections.get(pt))
        if rows_out is not None:
            rows_out[pt] = rows
        scale[pt], drift[pt], t_scale, t_drift, fitted = fit_type_from_rows(rows, pt, prior[pt])
        report[pt] = {"seasons": [int(s) for s in seasons],
                      "projections": "marcel" if projections is None else "blend, leave-one-season-out", **fitted}
        if t_scale is not None:
            talent[pt] = {"scale": t_scale, "drift": t_drift}
    how = "Marcel's projections" if projections is None else "the blend's leave-one-season-out projections"
    playing_time = fit_season_playing_time(lines, players, seasons)
    report["playing_time"] = None if playing_time is None else describe(playing_time)
    return _params(prior, scale, drift, talent, seasons, how, playing_time), report


def fit_from_rows(rows: pd.DataFrame, lines: Mapping[str, pd.DataFrame], seasons: list[int],
                  how: str = "the blend's leave-one-season-out projections (the run's saved fit rows)",
                  players: pd.DataFrame | None = None) -> tuple[RangeParams, dict[str, Any]]:
    """RangeParams refitted from a run's saved fit rows (RANGE_ROWS: `fit_rows` of both types, a
    `player_type` column), R from the lines of `seasons` as in `fit_range_params`: the current fitting
    code on the projections the run made, without re-training."""
    prior, scale, drift, report, talent = {}, {}, {}, {}, {}
    for pt in PLAYER_TYPES:
        prior[pt] = fit_prior(lines[pt], pt, seasons)
        type_rows = rows[rows["player_type"] == pt].reset_index(drop=True)
        scale[pt], drift[pt], t_scale, t_drift, fitted = fit_type_from_rows(type_rows, pt, prior[pt])
        report[pt] = {"seasons": [int(s) for s in seasons], "projections": how, **fitted}
        if t_scale is not None:
            talent[pt] = {"scale": t_scale, "drift": t_drift}
    playing_time = None if players is None else fit_season_playing_time(lines, players, seasons)
    if playing_time is not None:
        report["playing_time"] = describe(playing_time)
    return _params(prior, scale, drift, talent, seasons, how, playing_time), report


def save_rows(rows: Mapping[str, pd.DataFrame], path: str | Path) -> None:
    """Both types' fit rows as one CSV (RANGE_ROWS in a run folder), with a `player_type` column."""
    pd.concat([r.assign(player_type=pt) for pt, r in rows.items()], ignore_index=True).to_csv(path, index=False)


# --- the check on a run's test season -----------------------------------------------------------------
def _interval_table(center: np.ndarray, variance: np.ndarray, n: np.ndarray, count: np.ndarray,
                    truth: np.ndarray | None, talent_var: np.ndarray | None = None) -> dict[str, float]:
    """Coverage, width and interval scores of one method on one stat's test rows (talent_var: the talent
    interval's variance where it has parameters of its own; None: `variance`)."""
    q = outcome_intervals(center, variance, n)  # counts
    rate_q = q / n[:, None]
    actual = count / n
    out: dict[str, float] = {}
    for level, (lo, hi) in LEVELS.items():
        tag = f"{round(level * 100)}"
        out[f"outcome_cover_{tag}"] = float(covered(count, q[:, lo], q[:, hi]).mean())
        out[f"outcome_width_{tag}"] = float((rate_q[:, hi] - rate_q[:, lo]).mean())
        out[f"outcome_score_{tag}"] = float(interval_score(rate_q[:, lo], rate_q[:, hi], actual, level).mean())
    if truth is not None and np.isfinite(truth).all():
        a, b = beta_shape(center, variance if talent_var is None else talent_var)
        tq = beta_ppf(np.array(QUANTILES)[None, :], a[:, None], b[:, None])
        for level, (lo, hi) in LEVELS.items():
            tag = f"{round(level * 100)}"
            out[f"talent_cover_{tag}"] = float(((truth >= tq[:, lo]) & (truth <= tq[:, hi])).mean())
            out[f"talent_width_{tag}"] = float((tq[:, hi] - tq[:, lo]).mean())
            out[f"talent_score_{tag}"] = float(interval_score(tq[:, lo], tq[:, hi], truth, level).mean())
    return out


def _totals_table(params: RangeParams, pt: PlayerType, lines: Mapping[str, pd.DataFrame], players: pd.DataFrame,
                  season: int, blend: pd.DataFrame) -> dict[str, Any]:
    """Coverage of the season-total intervals on `season` (module docstring): every player the score
    table scores by default (an MLB line in the three seasons before; hfm_train.playing_time), the
    players who did not play included, centred on the blend where the run projected him (its test
    predictions) and on Marcel's rate elsewhere; "with" the playing-time spread (`params.playing_time`)
    and "without" it (opportunities held at the projection, the rule before it)."""
    stats = list(TARGET_STATS[pt])
    season_table = {t: mlb_season_lines(lines[t], t) for t in PLAYER_TYPES}
    ids = playing_time_rows(season_table, players, [season])[pt]["player_id"].to_numpy(np.int64)
    m = marcel_of(lines[pt], players, pt, season, ids)
    n0, evidence = m.loc[ids, OPPORTUNITY[pt]].to_numpy(np.float64), m.loc[ids, "evidence"].to_numpy(np.float64)
    center = np.array(m.loc[ids, stats].to_numpy(np.float64))  # a copy: the blend's rates go in
    projected = blend.reindex(ids).to_numpy(np.float64)
    has_blend = np.isfinite(projected).all(axis=1)
    center[has_blend] = projected[has_blend]
    n, counts = outcomes(lines[pt], pt, season, ids)
    played = n > 0
    base = params.playing_time.base(pt, n0, inputs_of(m.loc[ids], pt))
    levels = params.playing_time.levels(pt, n0, m=base)
    opp_q = params.playing_time.opportunity_quantiles(pt, n0, QUANTILES, m=base)
    prior, scale, inv_drift = params.arrays(pt)
    q = np.array(QUANTILES)
    out: dict[str, Any] = {"n_players": int(len(ids)), "n_blend": int(has_blend.sum()), "n_no_play": int((~played).sum()),
                           "opportunities": {}, "stats": {}}
    for level, (lo, hi) in LEVELS.items():
        inside = (n >= opp_q[:, lo]) & (n <= opp_q[:, hi])
        out["opportunities"][f"cover_{round(level * 100)}"] = float(inside.mean())
    for j, s in enumerate(stats):
        a, b = beta_shape(center[:, j], talent_variance(center[:, j], evidence, prior[j], scale[j], inv_drift[j]))
        with_pt = mixture_ppf(q, n0, levels, a, b)
        without = betabinom_ppf(q, np.maximum(np.rint(n0), 1).astype(np.int64), a, b)
        row = {}
        for level, (lo, hi) in LEVELS.items():
            tag = f"{round(level * 100)}"
            hit = covered(counts[:, j], with_pt[:, lo], with_pt[:, hi])
            row[f"with_cover_{tag}"] = float(hit.mean())
            row[f"with_cover_{tag}_played"] = float(hit[played].mean()) if played.any() else float("nan")
            row[f"with_cover_{tag}_no_play"] = float(hit[~played].mean()) if (~played).any() else float("nan")
            row[f"without_cover_{tag}"] = float(covered(counts[:, j], without[:, lo], without[:, hi]).mean())
            row[f"with_width_{tag}"] = float((with_pt[:, hi] - with_pt[:, lo]).mean())
            row[f"without_width_{tag}"] = float((without[:, hi] - without[:, lo]).mean())
        out["stats"][s] = row
    return out


def calibrate_run(run_dir: str | Path, league_dir: str | Path | None = None, scale_from: str = "run",
                  log=lambda line: None, talent: str = "own") -> dict[str, Any]:
    """The calibration report of a run (module docstring): per type and stat, HFM and the baseline.
    scale_from: "run" (the run's blend.json "ranges"; fitted here from Marcel when it has none),
    "rows" (refitted here with the current code from the run's saved fit rows, RANGE_ROWS: the blend's
    out-of-fold projections of the training and validation seasons; the test season is not in them) or
    "marcel" (always fitted here from Marcel's projections of the training and validation seasons).
    talent: "own" (the talent interval's own k' and D' where the params have them) or "outcome" (the
    outcome's k and D for the talent interval too: the rule before talent parameters, for comparison)."""
    from .league_stream import league_lines, league_seasons, run_league, run_notice

    run_dir = Path(run_dir)
    for rel in ("config.json", "blend.json", "test_predictions.csv"):
        if not (run_dir / rel).is_file():
            raise HFMInputError(f"{run_dir / rel}: missing (not a finished training run?)")
    meta = json.loads((run_dir / "config.json").read_text())
    split, run = meta["seasons"], meta["run"]
    blend = json.loads((run_dir / "blend.json").read_text())
    test_season = int(split["test"][0])
    path = run_league(run_dir, meta, league_dir)
    start = time.perf_counter()
    league, lines = league_lines(path, league_seasons(path, run.get("last_season"), run.get("first_season")))
    fit_seasons = sorted(int(s) for s in split["train"] + split["validation"])
    if scale_from == "run" and "ranges" in blend:
        params, fitted = RangeParams.from_json(blend["ranges"], f"{run_dir / 'blend.json'}: ranges"), blend.get(
            "ranges_fit", {})
        how = "the run's (blend.json: ranges)"
    elif scale_from == "rows":
        if not (run_dir / RANGE_ROWS).is_file():
            raise HFMInputError(f"{run_dir / RANGE_ROWS}: missing (a run fitted before the fit rows were saved)")
        log(f"refitting range parameters on seasons {fit_seasons} from {run_dir / RANGE_ROWS}")
        params, fitted = fit_from_rows(pd.read_csv(run_dir / RANGE_ROWS), lines, fit_seasons, players=league.players)
        how = f"refitted here with the current code from the run's saved fit rows ({RANGE_ROWS})"
    else:
        log(f"fitting range parameters on seasons {fit_seasons} from Marcel's projections")
        params, fitted = fit_range_params(lines, league.players, fit_seasons)
        how = "fitted here from Marcel's projections of the training and validation seasons"
    if talent == "outcome" and params.talent_scale:
        params = replace(params, talent_scale=None, talent_drift=None)
        how += "; talent intervals with the outcome's k and D (--talent outcome)"
    elif params.talent_scale:
        how += "; talent intervals with their own k' and D' (fitted against the training seasons' true talent)"
    if params.playing_time is None:
        log(f"fitting the playing-time spread on seasons {fit_seasons} from the league's lines")
        params = replace(params, playing_time=fit_season_playing_time(lines, league.players, fit_seasons))
        how += ("; playing-time spread fitted here from the league's MLB lines of the training and validation "
                "seasons (the run has none)" if params.playing_time is not None else
                "; too few lines to fit a playing-time spread: no totals table")
    baseline = RangeParams.default()
    predictions = pd.read_csv(run_dir / "test_predictions.csv")
    report: dict[str, Any] = {"run": str(run_dir), "test_season": test_season, "params_source": how,
                              "notice": run_notice(meta),
                              "params": params.to_json(), "fit": fitted, "types": {}}
    for pt in PLAYER_TYPES:
        rows = predictions[predictions["player_type"] == pt]
        if rows.empty:
            continue
        stats = list(TARGET_STATS[pt])
        wide = {c: rows.pivot_table(index="player_id", columns="stat", values=c, aggfunc="first", dropna=False)
                .reindex(columns=stats) for c in ("blend", "marcel", "true_talent")}  # true_talent: NaN on real data
        ids = wide["blend"].index.to_numpy(np.int64)
        m = marcel_of(lines[pt], league.players, pt, test_season, ids)
        evidence = m.loc[ids, "evidence"].to_numpy(np.float64)
        n, counts = outcomes(lines[pt], pt, test_season, ids)
        keep = n >= 1
        if not keep.any():  # nothing to judge: not the league the run was trained on, or cut before its test season
            raise HFMInputError(f"{path}: none of the run's {len(ids)} test {pt}s has an MLB opportunity in "
                                f"{test_season} there: is it the league {run_dir} was trained on ({meta['league']})?")
        prior, scale, inv_drift = params.arrays(pt)
        _, t_scale, t_inv = params.arrays(pt, "talent")  # = (scale, inv_drift) without talent parameters
        b_prior, b_scale, b_inv = baseline.arrays(pt)
        per_stat = {}
        for j, s in enumerate(stats):
            truth = wide["true_talent"][s].to_numpy(np.float64)[keep]
            hfm_center = wide["blend"][s].to_numpy(np.float64)[keep]
            marcel_center = wide["marcel"][s].to_numpy(np.float64)[keep]
            hfm = _interval_table(hfm_center, talent_variance(hfm_center, evidence[keep], prior[j], scale[j], inv_drift[j]),
                                  n[keep], counts[keep, j], truth,
                                  talent_variance(hfm_center, evidence[keep], prior[j], t_scale[j], t_inv[j]))
            base = _interval_table(marcel_center,
                                   talent_variance(marcel_center, evidence[keep], b_prior[j], b_scale[j], b_inv[j]),
                                   n[keep], counts[keep, j], truth)
            per_stat[s] = {"hfm": hfm, "baseline": base}
        report["types"][pt] = {"n_players": int(keep.sum()), "stats": per_stat}
        if params.playing_time is not None:
            report["types"][pt]["totals"] = _totals_table(params, pt, lines, league.players, test_season, wide["blend"])
    report["seconds"] = round(time.perf_counter() - start, 1)
    return report


def format_report(report: Mapping[str, Any], command: str = "") -> str:
    """The report as markdown tables: coverage per type and stat, then interval scores vs the baseline."""
    lines = [f"> {report['notice']}", ""] if report.get("notice") else []  # the data's notice (Retrosheet's)
    lines.append(f"Run `{report['run']}`, test season {report['test_season']}; range parameters: {report['params_source']}.")
    if command:
        lines.append(f"Command: `{command}` ({report.get('date', 'undated')}, {report['seconds']} s).")
    lines.append(f"Rows: HFM (the run's blend and range parameters) and baseline (Marcel's projection with Marcel's own "
                 "regression variance, RangeParams.default), over the run's test players (its examples' "
                 "minimum of MLB opportunities in the season: 10 by default).")
    for pt, r in report["types"].items():
        stats = list(r["stats"])
        truth = "talent_cover_80" in next(iter(r["stats"].values()))["hfm"]
        lines += ["", f"**{pt}s** ({r['n_players']} test players): coverage of the outcome intervals "
                  "(season rate at his actual opportunities)" + (" and of the talent intervals (the simulator's "
                                                                 "true talent)" if truth else ""), ""]
        head = "| method | interval | " + " | ".join(stats) + " |"
        lines += [head, "|" + "---|" * (len(stats) + 2)]
        kinds = [("outcome", "50%"), ("outcome", "80%")] + ([("talent", "50%"), ("talent", "80%")] if truth else [])
        for method, label in (("hfm", "HFM"), ("baseline", "baseline")):
            for kind, level in kinds:
                key = f"{kind}_cover_{level[:-1]}"
                lines.append(f"| {label} | {kind} {level} | " + " | ".join(
                    f"{r['stats'][s][method][key]:.1%}" for s in stats) + " |")
        lines += ["", f"**{pt}s**: mean interval score (rate; lower is better) and mean 80% width, HFM / baseline", "",
                  head, "|" + "---|" * (len(stats) + 2)]
        for kind in ("outcome", "talent") if truth else ("outcome",):
            for level in ("50", "80"):
                key = f"{kind}_score_{level}"
                lines.append(f"| score | {kind} {level}% | " + " | ".join(
                    f"{r['stats'][s]['hfm'][key]:.4f} / {r['stats'][s]['baseline'][key]:.4f}" for s in stats) + " |")
            key = f"{kind}_width_80"
            lines.append(f"| width | {kind} 80% | " + " | ".join(
                f"{r['stats'][s]['hfm'][key]:.4f} / {r['stats'][s]['baseline'][key]:.4f}" for s in stats) + " |")
        if "totals" in r:
            t = r["totals"]
            lines += ["", f"**{pt}s**: season totals ({t['n_players']} players with an MLB line in the three seasons "
                      f"before: {t['n_blend']} centred on the blend, the rest on Marcel; {t['n_no_play']} did not "
                      f"play): coverage with the playing-time spread / with opportunities held at the projection", "",
                      head, "|" + "---|" * (len(stats) + 2)]
            for level in ("50", "80"):
                lines.append(f"| totals | {level}% | " + " | ".join(
                    f"{t['stats'][s][f'with_cover_{level}']:.1%} / {t['stats'][s][f'without_cover_{level}']:.1%}"
                    for s in stats) + " |")
            for level in ("50", "80"):
                lines.append(f"| played / did not | {level}% | " + " | ".join(
                    f"{t['stats'][s][f'with_cover_{level}_played']:.1%} / {t['stats'][s][f'with_cover_{level}_no_play']:.1%}"
                    for s in stats) + " |")
            lines.append("| width | 80% | " + " | ".join(
                f"{t['stats'][s]['with_width_80']:.1f} / {t['stats'][s]['without_width_80']:.1f}" for s in stats) + " |")
            lines += ["", f"Opportunities' own intervals cover the actual opportunities of {t['opportunities']['cover_50']:.1%}"
                      f" (50%) and {t['opportunities']['cover_80']:.1%} (80%) of them (a point mass at 0 makes these "
                      "coarse: an interval [0, 0] holds every player who did not play)."]
    return "\n".join(lines) + "\n"


@click.command("calibration")
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option("--league", "league_dir", type=click.Path(path_type=Path), default=None,
              help="League folder (default: the one the run was trained on).")
@click.option("--scale-from", type=click.Choice(["run", "rows", "marcel"]), default="run", show_default=True,
              help="Range parameters: the run's (fitted by `fit` since 2026-12-02; else fitted here from Marcel), "
                   f"refitted here from the run's saved fit rows ({RANGE_ROWS}: its out-of-fold projections), "
                   "or always fitted here from Marcel's projections of the training and validation seasons.")
@click.option("--talent", type=click.Choice(["own", "outcome"]), default="own", show_default=True,
              help="Talent intervals: with their own k' and D' where the parameters have them (fitted against "
                   "a simulated league's true talent), or with the outcome's k and D (the rule before them).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Write the markdown here (and the numbers as JSON beside it, .json); the run folder is only read.")
def calibration_command(run_dir: Path, league_dir: Path | None, scale_from: str, talent: str,
                        out: Path | None) -> None:
    """Coverage and interval scores of a run's 50%/80% ranges on its test season, against Marcel's."""
    if not run_dir.is_dir():
        raise HFMInputError(f"{run_dir}: no such run folder")
    if out is not None and out.is_dir():
        raise HFMInputError(f"--out {out}: a folder; give the markdown file to write")
    import datetime
    import sys

    report = calibrate_run(run_dir, league_dir, scale_from, log=lambda line: click.echo(line, err=True), talent=talent)
    report["date"] = datetime.date.today().isoformat()
    text = format_report(report, "hfm-train calibration " + " ".join(sys.argv[2:]))
    click.echo(text)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        out.with_suffix(".json").write_text(json.dumps(report, indent=2))
