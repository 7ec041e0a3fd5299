"""Projection ranges: 50% and 80% intervals for a player's talent and for his next-season outcome. No torch.

The model (a beta-binomial, Marcel's regression read as a Bayesian prior). For a player of type t and
stat S, with central projection m (the score table's `rate_<S>`) and evidence E (Marcel's weighted
record: sum w_i o_i / mean(w), his 5/4/3-weighted MLB opportunities of the three seasons before,
`hfm_runtime.marcel`'s `evidence` column):

    talent     p ~ Beta with mean m and variance  v = k_S * m (1 - m) * (1 / (E + R_S + 1) + 1 / D_S)
    outcome    X ~ Binomial(n, p) given p: a beta-binomial count at n opportunities; the rate X / n

The talent interval may have parameters of its own (`talent`: k'_S and D'_S in the same formula, R_S
shared), fitted where the talent is known (a simulated league's true talent; hfm_train.calibration):
the outcome interval keeps (k_S, D_S), fitted on outcomes. Without them (every real league, every
bundle exported before these were added) the talent interval uses (k_S, D_S) as well: one Beta for
both.

R_S (`prior`) is the stat's reliability constant: the opportunities of league-average performance a
record is regressed with, R_S = lg(1 - lg) / tau_S^2 for a league rate lg and a between-player talent
variance tau_S^2 (then E / (E + R_S) is the record's reliability, as Marcel's R / mean(w)). Beta(a, b)
with a + b = R_S is the league's talent distribution; after E opportunities its variance is the
formula with k_S = 1 and no 1 / D_S (the Beta posterior's). The projection is not that posterior's
mean (the model moves it) and talent drifts between the seasons read and the season projected, which
no amount of record removes: D_S (`drift`, opportunities; None: no such term) puts a floor under the
variance of a player with a long record, and k_S (`scale`) calibrates the whole. The training side
fits them on seasons it never tests on (hfm_train.calibration: R_S from the training seasons' MLB
lines; k_S and D_S from out-of-fold projections of the training and validation seasons). They travel
in the bundle's `blend.json` under "ranges" (RangeParams.to_json). A bundle without them (exported
before 2026-12-02) gets `RangeParams.default()`: R_S = Marcel's regression / mean weight (1200 / 4 =
300 PA, 1150 / 4 = 287.5 BF) for every stat, k_S = 1 and no drift term, i.e. Marcel's own regression
variance around the projection.

Intervals are central: 50% = [p25, p75], 80% = [p10, p90] (QUANTILES).
- talent: quantiles of the Beta (`beta_ppf`: regularised incomplete beta by continued fraction,
  safeguarded Newton steps, numpy only).
- outcome: quantiles of the count X + U - 1/2 (U uniform on [0, 1): the count spread over its unit
  cell, so the quantiles are continuous and an interval's coverage is exactly nominal when the model
  is right, even for a stat with a mean of two triples; `betabinom_ppf`), divided by n. A count is
  then "covered" by the fraction of its cell [x - 1/2, x + 1/2] inside the interval (`covered`): the
  expected coverage of the randomised PIT, deterministic.
- totals: the season total's quantiles in counts, with the playing-time spread (hfm_runtime.playing_time,
  `RangeParams.playing_time`): the season's opportunities N, one of 20 equally likely levels of its
  type's and band's fitted distribution (0 for a season not played), passed here as ratios r_k to the
  projection n0 (`PlayingTimeSpread.levels`); the total is the equal-weight mixture of the
  beta-binomial counts at round(r_k n0), talent independent of r, and its quantiles those of the mixture's X + U - 1/2. `mixture_ppf` solves mean_k F_k(y) = q by
  safeguarded Newton steps, each component's CDF F_k of X + U - 1/2 read from its second-order Edgeworth
  expansion (its exact first four cumulants) where it is close to normal (sd >= 2, |skewness| <= 0.8,
  |excess kurtosis| <= 1, a, b >= 5) and from its exact pmf (a table over its small counts) elsewhere; a
  row with a component that fits neither, or a quantile in a gap between components (no component within
  ~3 sd), gets the exact reading (`mixture_ppf_exact`: the mean of the 20 pmfs over 0..n, its cumulative
  sum read as `betabinom_ppf`'s). Against the exact reading, on tests/test_ranges.py's grid of 5,280
  realistic and extreme rows, every quantile is within 0.5 count or 1% of its value (the largest error
  0.71 of that allowance, 99% of them within 0.06 count); on realistic rows within 0.05 count. Where the
  mixture's CDF is flat at a quantile's level (a gap between its components at exactly j/20), both
  readings give the plateau's left edge, the smallest count reaching it (PLATEAU_TOL), so a row's
  quantiles do not depend on the rows scored beside it.
  Without a spread (params of bundles exported before 2026-12-03): the outcome quantiles in counts at
  the projected opportunities, as before. Clipped to [0, the largest opportunity level].
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from hfm_runtime.errors import HFMInputError
from hfm_runtime.marcel import MARCEL_CONFIGS
from hfm_runtime.playing_time import PlayingTimeSpread
from hfm_runtime.targets import PLAYER_TYPES, TARGET_STATS, PlayerType

QUANTILES: tuple[float, ...] = (0.10, 0.25, 0.75, 0.90)
QUANTILE_NAMES: tuple[str, ...] = ("p10", "p25", "p75", "p90")
LEVELS: dict[float, tuple[int, int]] = {0.5: (1, 2), 0.8: (0, 3)}  # level -> (lower, upper) index into QUANTILES
RANGE_KINDS: tuple[str, ...] = ("talent", "outcome", "total")
_EPS = 1e-9


def default_prior(player_type: PlayerType) -> float:
    """Marcel's regression in opportunities: its regression constant over the mean season weight."""
    config = MARCEL_CONFIGS[player_type]
    return config.regression / float(np.mean(config.weights))


@dataclass(frozen=True)
class RangeParams:
    """Per player type and stat: `prior` R_S (opportunities), `scale` k_S and `drift` D_S
    (opportunities, None: no drift term; module docstring)."""

    prior: Mapping[str, Mapping[str, float]]
    scale: Mapping[str, Mapping[str, float]]
    source: str = "default"
    drift: Mapping[str, Mapping[str, float | None]] | None = None
    # the talent interval's own k'_S and D'_S (module docstring); None, or a type or stat missing: the
    # talent interval uses `scale` and `drift` (the rule before talent parameters existed)
    talent_scale: Mapping[str, Mapping[str, float]] | None = None
    talent_drift: Mapping[str, Mapping[str, float | None]] | None = None
    # the season's opportunities (hfm_runtime.playing_time); None: the totals hold
    # them at the projection (the rule before it, and every bundle exported before 2026-12-03)
    playing_time: PlayingTimeSpread | None = None

    @classmethod
    def default(cls) -> RangeParams:
        """Marcel's regression variance (R = Marcel's regression / mean weight, k = 1): old bundles."""
        return cls(
            prior={pt: {s: default_prior(pt) for s in TARGET_STATS[pt]} for pt in PLAYER_TYPES},
            scale={pt: {s: 1.0 for s in TARGET_STATS[pt]} for pt in PLAYER_TYPES},
            source="default: Marcel's regression variance (R = Marcel's regression / mean weight, k = 1, no drift)",
        )

    @classmethod
    def from_json(cls, data: Any, where: str = "ranges") -> RangeParams:
        """From `to_json`'s form; HFMInputError naming the field when a value is missing or not a
        positive finite number."""
        if not isinstance(data, Mapping):
            raise HFMInputError(f"{where}: not an object")
        out: dict[str, dict[str, dict[str, float]]] = {"prior": {}, "scale": {}}
        for part in ("prior", "scale"):
            block = data.get(part)
            if not isinstance(block, Mapping):
                raise HFMInputError(f"{where}: field {part!r} missing or not an object")
            for pt in PLAYER_TYPES:
                per = block.get(pt)
                if not isinstance(per, Mapping):
                    raise HFMInputError(f"{where}: field '{part}.{pt}' missing or not an object")
                out[part][pt] = {}
                for s in TARGET_STATS[pt]:
                    out[part][pt][s] = _positive(per.get(s), where, f"{part}.{pt}.{s}")
        drift = _drift_block(data.get("drift", {}), where, "drift")  # optional: absent or null per stat = none
        talent_scale = talent_drift = None
        talent = data.get("talent")  # optional (module docstring): absent = the talent interval uses scale/drift
        if talent is not None:
            if not isinstance(talent, Mapping):
                raise HFMInputError(f"{where}: field 'talent' is not an object")
            block = talent.get("scale")
            if not isinstance(block, Mapping):
                raise HFMInputError(f"{where}: field 'talent.scale' missing or not an object")
            talent_scale = {}
            for pt in PLAYER_TYPES:
                per = block.get(pt)
                if per is None:  # a type without talent parameters: its talent interval uses scale/drift
                    continue
                if not isinstance(per, Mapping):
                    raise HFMInputError(f"{where}: field 'talent.scale.{pt}' is not an object")
                talent_scale[pt] = {}
                for s in TARGET_STATS[pt]:
                    talent_scale[pt][s] = _positive(per.get(s), where, f"talent.scale.{pt}.{s}")
            talent_drift = _drift_block(talent.get("drift", {}), where, "talent.drift")
        spread = data.get("playing_time")  # optional: absent = opportunities held at the projection
        playing_time = None if spread is None else PlayingTimeSpread.from_json(spread, f"{where}: playing_time")
        return cls(out["prior"], out["scale"], str(data.get("source", "recorded")), drift, talent_scale, talent_drift,
                   playing_time)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "prior": {pt: dict(v) for pt, v in self.prior.items()},
            "scale": {pt: dict(v) for pt, v in self.scale.items()},
            "drift": {pt: {s: (self.drift or {}).get(pt, {}).get(s) for s in TARGET_STATS[pt]} for pt in PLAYER_TYPES},
            "source": self.source}
        if self.talent_scale:
            out["talent"] = {
                "scale": {pt: dict(v) for pt, v in self.talent_scale.items()},
                "drift": {pt: {s: (self.talent_drift or {}).get(pt, {}).get(s) for s in TARGET_STATS[pt]}
                          for pt in self.talent_scale}}
        if self.playing_time is not None:
            out["playing_time"] = self.playing_time.to_json()
        return out

    def has_talent(self, player_type: PlayerType) -> bool:
        """Whether the talent interval of this type has parameters of its own (module docstring)."""
        return bool(self.talent_scale) and player_type in self.talent_scale

    def arrays(self, player_type: PlayerType, kind: str = "outcome") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(R_S, k_S, 1 / D_S: 0 without a drift term) as float arrays in TARGET_STATS[player_type] order;
        kind "talent": the talent interval's (k'_S, D'_S) where the params have them, else the outcome's."""
        stats = TARGET_STATS[player_type]
        if kind == "talent" and self.has_talent(player_type):
            scale, drift = self.talent_scale[player_type], (self.talent_drift or {}).get(player_type, {})
        elif kind in ("outcome", "talent"):
            scale, drift = self.scale[player_type], (self.drift or {}).get(player_type, {})
        else:
            raise ValueError(f"kind: {kind!r}, not 'outcome' or 'talent'")
        return (np.array([self.prior[player_type][s] for s in stats], dtype=np.float64),
                np.array([scale[s] for s in stats], dtype=np.float64),
                np.array([0.0 if drift.get(s) is None else 1.0 / drift[s] for s in stats], dtype=np.float64))


def _positive(value: Any, where: str, field: str, also: str = "") -> float:
    """`value` as a positive finite float, or one error naming the file and field."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not (math.isfinite(number) and number > 0):
        raise HFMInputError(f"{where}: field '{field}' is {value!r}, not a positive number{also}")
    return number


def _drift_block(block: Any, where: str, name: str) -> dict[str, dict[str, float | None]]:
    """A drift block ({type: {stat: D or null}}, a type or stat absent = null) checked: HFMInputError
    naming the field when a value is neither null nor a positive finite number."""
    if not isinstance(block, Mapping):
        raise HFMInputError(f"{where}: field '{name}' is not an object")
    drift: dict[str, dict[str, float | None]] = {}
    for pt in PLAYER_TYPES:
        per = block.get(pt) or {}
        if not isinstance(per, Mapping):
            raise HFMInputError(f"{where}: field '{name}.{pt}' is not an object")
        drift[pt] = {}
        for s in TARGET_STATS[pt]:
            value = per.get(s)
            drift[pt][s] = None if value is None else _positive(value, where, f"{name}.{pt}.{s}", " or null")
    return drift


def bundle_params(blend: Mapping[str, Any]) -> RangeParams:
    """The range parameters a bundle records (its blend.json's "ranges"), else the default."""
    if "ranges" not in blend:
        return RangeParams.default()
    return RangeParams.from_json(blend["ranges"], "blend.json: ranges")


def talent_variance(center: np.ndarray, evidence: np.ndarray, prior: np.ndarray, scale: np.ndarray,
                    inverse_drift: np.ndarray | float = 0.0) -> np.ndarray:
    """k m (1 - m) (1 / (E + R + 1) + 1 / D), broadcast: center [N, S], evidence [N] or [N, S],
    prior/scale/inverse_drift (1 / D, 0: none) [S]."""
    m = np.clip(np.asarray(center, dtype=np.float64), _EPS, 1 - _EPS)
    e = np.asarray(evidence, dtype=np.float64)
    e = e[:, None] if e.ndim == 1 and m.ndim == 2 else e
    return scale * m * (1 - m) * (1.0 / (np.maximum(e, 0.0) + prior + 1.0) + inverse_drift)


def beta_shape(center: np.ndarray, variance: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) of the Beta with this mean and variance (a variance at or past m(1-m), where no Beta
    exists, is taken as a Beta of strength a + b = 0.01: as spread as a Beta gets)."""
    m = np.clip(np.asarray(center, dtype=np.float64), _EPS, 1 - _EPS)
    strength = np.maximum(m * (1 - m) / np.maximum(variance, 1e-300) - 1.0, 0.01)
    return m * strength, (1 - m) * strength


_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])


def _betacf(a: np.ndarray, b: np.ndarray, x: np.ndarray, iterations: int = 2000) -> np.ndarray:
    """The continued fraction of the regularised incomplete beta (modified Lentz), vectorised."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
    h = d.copy()
    active = np.ones(x.shape, dtype=bool)
    for m in range(1, iterations + 1):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        h = np.where(active, h * d * c, h)
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        delta = d * c
        h = np.where(active, h * delta, h)
        active &= np.abs(delta - 1.0) > 1e-13
        if not active.any():
            break
    return h


def _log_beta(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return _lgamma(a) + _lgamma(b) - _lgamma(a + b)


def betainc(a: np.ndarray, b: np.ndarray, x: np.ndarray, log_beta: np.ndarray | None = None) -> np.ndarray:
    """The regularised incomplete beta I_x(a, b) (the Beta(a, b) CDF at x), elementwise (`log_beta`:
    log B(a, b), when the caller has it)."""
    a, b, x = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (a, b, x)))
    lb = _log_beta(a, b) if log_beta is None else np.broadcast_to(log_beta, a.shape)
    x = np.clip(x, 0.0, 1.0)
    inner = (x > 0) & (x < 1)
    xs = np.where(inner, x, 0.5)
    front = np.exp(a * np.log(xs) + b * np.log1p(-xs) - lb)
    direct = xs < (a + 1.0) / (a + b + 2.0)
    # the continued fraction converges fast on the side of the mean it is evaluated from
    aa, bb, xx = np.where(direct, a, b), np.where(direct, b, a), np.where(direct, xs, 1.0 - xs)
    cf = _betacf(aa, bb, xx)
    value = np.where(direct, front * cf / a, 1.0 - front * cf / b)
    return np.where(x <= 0, 0.0, np.where(x >= 1, 1.0, np.clip(value, 0.0, 1.0)))


def beta_ppf(q: np.ndarray, a: np.ndarray, b: np.ndarray, iterations: int = 60) -> np.ndarray:
    """Quantiles of Beta(a, b): Newton's method on `betainc` from the normal approximation, kept
    inside a bisection bracket (a step that leaves it bisects instead), until every root is found to
    1e-13 in probability or `iterations` steps."""
    q, a, b = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in (q, a, b)))
    shape = q.shape
    q, a, b = q.ravel(), a.ravel(), b.ravel()
    lb = _log_beta(a, b)
    mean, var = a / (a + b), a * b / ((a + b) ** 2 * (a + b + 1.0))
    z = np.sqrt(2.0) * _erfinv(2.0 * q - 1.0)
    lo, hi = np.zeros(q.shape), np.ones(q.shape)
    x = np.clip(mean + z * np.sqrt(var), 1e-12, 1 - 1e-12)
    todo = np.ones(q.shape, dtype=bool)
    for _ in range(iterations):
        idx = np.flatnonzero(todo)
        if not len(idx):
            break
        xi, ai, bi = x[idx], a[idx], b[idx]
        f = betainc(ai, bi, xi, lb[idx]) - q[idx]
        done = np.abs(f) < 1e-13
        lo[idx] = np.where(f < 0, xi, lo[idx])
        hi[idx] = np.where(f >= 0, xi, hi[idx])
        pdf = np.exp((ai - 1.0) * np.log(xi) + (bi - 1.0) * np.log1p(-xi) - lb[idx])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a non-finite step bisects
            step = xi - f / pdf
        inside = np.isfinite(step) & (step > lo[idx]) & (step < hi[idx])
        x[idx] = np.where(done, xi, np.where(inside, step, 0.5 * (lo[idx] + hi[idx])))
        todo[idx] = ~done & (hi[idx] - lo[idx] > 1e-15)
    return x.reshape(shape)


def _erfinv(y: np.ndarray) -> np.ndarray:
    """Inverse error function (Giles' single-precision approximation, then two Newton steps on math.erf)."""
    y = np.clip(np.asarray(y, dtype=np.float64), -1 + 1e-15, 1 - 1e-15)
    w = -np.log((1.0 - y) * (1.0 + y))
    small = w < 5.0
    ws = np.where(small, w - 2.5, np.sqrt(np.maximum(w, 5.0)) - 3.0)
    p_small = [2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
               -0.00417768164, 0.246640727, 1.50140941]
    p_large = [-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
               0.00943887047, 1.00167406, 2.83297682]
    ps, pl = np.full_like(ws, p_small[0]), np.full_like(ws, p_large[0])
    for cs, cl in zip(p_small[1:], p_large[1:]):
        ps, pl = cs + ps * ws, cl + pl * ws
    x = np.where(small, ps, pl) * y
    erf = np.vectorize(math.erf, otypes=[np.float64])
    for _ in range(2):
        x = x - (erf(x) - y) / (2.0 / math.sqrt(math.pi) * np.exp(-x * x))
    return x


def betabinom_pmf(n: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[N, max(n) + 1]: the beta-binomial pmf of each row (0 past its own n), from the ratio
    p(k+1) / p(k) = (n - k)(k + a) / ((k + 1)(n - k - 1 + b)), normalised."""
    n = np.asarray(n, dtype=np.int64)
    a, b = np.asarray(a, dtype=np.float64)[:, None], np.asarray(b, dtype=np.float64)[:, None]
    size = int(n.max(initial=0)) + 1
    k = np.arange(size - 1, dtype=np.float64)[None, :]
    nn = n[:, None].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_ratio = np.log(np.maximum(nn - k, 0.0)) + np.log(k + a) - np.log(k + 1.0) - np.log(nn - k - 1.0 + b)
    log_ratio = np.where(k < nn, log_ratio, -np.inf)
    log_p = np.concatenate([np.zeros((len(n), 1)), np.cumsum(log_ratio, axis=1)], axis=1)
    log_p -= np.nanmax(np.where(np.isfinite(log_p), log_p, np.nan), axis=1, keepdims=True)
    p = np.where(np.isfinite(log_p), np.exp(log_p), 0.0)
    return p / p.sum(axis=1, keepdims=True)


def betabinom_ppf(q: np.ndarray, n: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[N, len(q)]: quantiles of X + U - 1/2 in counts (X beta-binomial, U uniform on [0, 1): module
    docstring), continuous in q. n: opportunities per row (integers >= 1)."""
    q = np.asarray(q, dtype=np.float64)
    n = np.asarray(n, dtype=np.int64)
    a, b = np.broadcast_to(np.asarray(a, dtype=np.float64), n.shape), np.broadcast_to(np.asarray(b, dtype=np.float64), n.shape)
    if len(n) > 256:  # rows in blocks of similar n: the pmf grid is as wide as a block's largest n, not the table's
        order = np.argsort(n, kind="stable")
        out = np.empty((len(n), len(q)))
        for block in np.array_split(order, 8):
            out[block] = betabinom_ppf(q, n[block], a[block], b[block])
        return out
    return cell_quantiles(betabinom_pmf(n, a, b), q)


def cell_quantiles(pmf: np.ndarray, q: np.ndarray) -> np.ndarray:
    """[N, len(q)]: quantiles of X + U - 1/2 for X of these pmfs ([N, K] over 0..K-1; U uniform on [0, 1))."""
    cdf = np.cumsum(pmf, axis=1)  # F(k)
    before = cdf - pmf  # F(k - 1)
    out = np.empty((len(pmf), len(q)))
    for j, level in enumerate(q):
        k = np.minimum((cdf < level).sum(axis=1), pmf.shape[1] - 1)  # first k with F(k) >= level
        rows = np.arange(len(pmf))
        p_k = pmf[rows, k]
        frac = np.where(p_k > 0, (level - before[rows, k]) / np.where(p_k > 0, p_k, 1.0), 0.5)
        out[:, j] = k + np.clip(frac, 0.0, 1.0) - 0.5
    return out


MIXTURE_BLOCK = 2_000_000  # pmf cells per block of `mixture_ppf` (~16 MB)
# A mixture's CDF can be flat at exactly a quantile's level: 20 equally likely playing-time levels put
# 18/20 = 0.9 between two components far apart (a reliever who may start), and every count between
# them is a root. Float noise (the Edgeworth terms are float32) then picks one, differently for the
# same row in another batch. Both readings solve for q - PLATEAU_TOL, so such a quantile is the
# plateau's left edge, the smallest count reaching q, whatever the batch; elsewhere it moves by
# PLATEAU_TOL / density (under 1e-3 count where the density is at least 1e-3 per count).
PLATEAU_TOL = 1e-6


def mixture_ppf_exact(q: np.ndarray, n0: np.ndarray, levels: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[N, len(q)]: quantiles of X + U - 1/2 in counts, X the equal-weight mixture over k of the
    beta-binomial counts at round(levels[:, k] x n0) opportunities (levels: [N, K] playing-time ratios,
    hfm_runtime.playing_time; an opportunity level of 0 is a count of 0) with talent Beta(a, b): the
    mixture's pmf is the mean of its components' pmfs, and its quantiles are read off its cumulative sum
    exactly as `betabinom_ppf`'s. Rows go in blocks of similar size (at most MIXTURE_BLOCK pmf cells).
    The reference `mixture_ppf` is checked against, and its path for rows its approximation does not fit.
    A level where the mixture's CDF is flat is read at the plateau's left edge (PLATEAU_TOL)."""
    q = np.maximum(np.asarray(q, dtype=np.float64) - PLATEAU_TOL, 0.0)
    levels = np.atleast_2d(np.asarray(levels, dtype=np.float64))
    n = np.maximum(np.rint(levels * np.asarray(n0, dtype=np.float64)[:, None]), 0).astype(np.int64)  # [N, K]
    a, b = (np.broadcast_to(np.asarray(v, dtype=np.float64), (len(n),)) for v in (a, b))
    out = np.empty((len(n), len(q)))
    k = n.shape[1]
    widest = n.max(axis=1, initial=0)
    order = np.argsort(widest, kind="stable")
    cells = (widest[order] + 1) * k  # a block's pmf is as wide as its widest (last) row
    start = 0
    while start < len(order):
        cost = cells[start:] * np.arange(1, len(order) - start + 1)
        stop = start + max(1, int((cost <= MIXTURE_BLOCK).sum()))
        rows = order[start:stop]
        pmf = betabinom_pmf(n[rows].ravel(), np.repeat(a[rows], k), np.repeat(b[rows], k))
        out[rows] = cell_quantiles(pmf.reshape(len(rows), k, -1).mean(axis=1), q)
        start = stop
    return out


# The totals' mixture, fast (`mixture_ppf`; module docstring). A component of a row is read through the
# second-order Edgeworth expansion of its X + U - 1/2 when its shape is close enough to normal, else
# through its exact pmf on 0..T-1 (a table); a row with a component that fits neither (heavily skewed
# and wide), or a quantile in a gap, goes to `mixture_ppf_exact`. Cost: docs/ranges.md
# (benchmarks/test_ranges_bench.py).
EDGEWORTH_SD = 2.0  # a component's sd of X + U - 1/2 at least this,
EDGEWORTH_SKEW = 0.8  # its |skewness| at most this
EDGEWORTH_KURT = 1.0  # |excess kurtosis| at most this,
EDGEWORTH_BETA = 5.0  # and talent Beta(a, b) with a, b at least this: Edgeworth
GAP_CENTRAL = 0.0044  # a quantile where sum_k sd_k f_k < this (phi(3): no component within ~3 sd, a gap): exact
TABLE_MAX = 96  # the widest table (counts 0..TABLE_MAX-1)
TABLE_MASS = 1e-6  # a table may leave at most this mass past its end
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _lgamma_np(x: np.ndarray) -> np.ndarray:
    """log Gamma(x) for x > 0, elementwise: Stirling's series from x + 8 down (error below 1e-11). Vectorised
    for the totals' many tables; `_lgamma` (math.lgamma, exact to the last bit) stays where the Beta
    quantiles are checked against scipy to 1e-11."""
    x = np.asarray(x, dtype=np.float64)
    small = x < 8.0
    shift = np.where(small, x * (x + 1) * (x + 2) * (x + 3) * (x + 4) * (x + 5) * (x + 6) * (x + 7), 1.0)
    z = np.where(small, x + 8.0, x)
    zi = 1.0 / z
    zi2 = zi * zi
    series = zi * (1 / 12 - zi2 * (1 / 360 - zi2 * (1 / 1260 - zi2 / 1680)))
    return (z - 0.5) * np.log(z) - z + _HALF_LOG_2PI + series - np.log(shift)


def _betabinom_cumulants(n: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, ...]:
    """Mean, variance, third and fourth cumulants of the beta-binomial count (n [N, K], a and b [N, 1]),
    from its factorial moments n^(r) a^[r] / (a + b)^[r]."""
    s = a + b
    nn = n.astype(np.float64)
    r1 = a / s
    r2 = r1 * (a + 1) / (s + 1)
    r3 = r2 * (a + 2) / (s + 2)
    r4 = r3 * (a + 3) / (s + 3)
    f1 = nn * r1
    f2 = nn * (nn - 1) * r2
    f3 = f2 * (nn - 2) * (r3 / r2)
    f4 = f3 * (nn - 3) * (r4 / r3)
    mean = f1
    var = nn * r1 * (1 - r1) * (s + nn) / (s + 1)
    e2, e3, e4 = f2 + f1, f3 + 3 * f2 + f1, f4 + 6 * f3 + 7 * f2 + f1
    m3 = e3 - 3 * mean * e2 + 2 * mean ** 3
    m4 = e4 - 4 * mean * e3 + 6 * mean ** 2 * e2 - 3 * mean ** 4
    return mean, var, m3, m4 - 3 * var ** 2


def _edgeworth(y: np.ndarray, coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The second-order Edgeworth CDF at y and density times sd, per component: coef [..., 5, K] holds
    its mean, 1 / sd, skew / 6, excess kurtosis / 24 and skew^2 / 72; y [..., 1]. The normal tail is
    Abramowitz and Stegun's 26.2.17 (absolute error below 7.5e-8); past the point where the expansion's
    terms outgrow the normal tail the CDF keeps a tenth of it, then it is clipped to [0, 1]."""
    mean, inv_sd, c1, c2, c3 = (coef[..., i, :] for i in range(5))
    z = np.clip((y - mean) * inv_sd, -40.0, 40.0)  # past 40 sd: CDF 0 or 1, density 0 (and no overflow)
    z2 = z * z
    phi = np.exp(-0.5 * z2) * (1.0 / math.sqrt(2.0 * math.pi))
    t = 1.0 / (1.0 + 0.2316419 * np.abs(z))
    tail = phi * t * (0.319381530 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))))
    he2 = z2 - 1.0
    he3 = z * (z2 - 3.0)
    he4 = z2 * (z2 - 6.0) + 3.0
    he5 = z * (z2 * (z2 - 10.0) + 15.0)
    he6 = z2 * (z2 * (z2 - 15.0) + 45.0) - 15.0
    low = z < 0
    cdf = np.where(low, tail, 1.0 - tail) - phi * (c1 * he2 + c2 * he3 + c3 * he5)
    cdf = np.where(low, np.maximum(cdf, 0.1 * tail), np.minimum(cdf, 1.0 - 0.1 * tail))
    return np.clip(cdf, 0.0, 1.0), np.maximum(phi * (1.0 + c1 * he3 + c2 * he4 + c3 * he6), 0.0)


def _pmf_tables(n: np.ndarray, a: np.ndarray, b: np.ndarray, need: np.ndarray,
                blocks: int = 6) -> tuple[np.ndarray, ...]:
    """Beta-binomial pmfs (n, a, b: [P]) on 0..need-1 each, from pmf(0) = B(a, n + b) / B(a, b) and the
    ratio recursion, in blocks of similar width, each block count-major (the recursions run across
    the block's tables at once). Returns flat (pmf, CDF before each count) with table i's count j at
    offset[i] + j stride[i], j = 0..width[i] (width[i] >= need[i]; the last a sentinel: pmf 0, CDF 1),
    offset, stride, width, and the mass each table leaves past its end (inf where pmf(0) underflows)."""
    order = np.argsort(need, kind="stable")
    parts = [block for block in np.array_split(order, min(blocks, len(order)))] if len(order) else []
    sizes = [len(block) * (int(need[block].max()) + 1) for block in parts]
    pmf_all, before_all = np.empty(sum(sizes)), np.empty(sum(sizes))
    offset, stride, width = (np.zeros(len(n), dtype=np.int64) for _ in range(3))
    missing = np.zeros(len(n))
    nf = n.astype(np.float64)
    log_p0_all = np.where(nf > 0, _lgamma_np(nf + b) + _lgamma_np(a + b) - _lgamma_np(b) - _lgamma_np(nf + a + b), 0.0)
    start = 0
    for block, size in zip(parts, sizes):
        m = len(block)
        w = size // m - 1
        nb, ab, bb, log_p0 = nf[block], a[block], b[block], log_p0_all[block]
        # p(j+1) / p(j) = (n - j)(j + a) / ((j + 1)(n - j - 1 + b)), 0 from j = n on
        j = np.arange(w - 1, dtype=np.float64)[:, None]
        left = np.maximum(nb - j, 0.0)
        den = np.maximum(left + (bb - 1.0), bb)
        den *= j + 1.0
        ratio = left
        ratio *= j + ab
        ratio /= den
        pmf = pmf_all[start:start + size].reshape(w + 1, m)
        before = before_all[start:start + size].reshape(w + 1, m)
        pmf[0] = 1.0
        np.cumprod(ratio, axis=0, out=pmf[1:w])
        pmf[:w] *= np.exp(np.maximum(log_p0, -700.0))
        pmf[w] = 0.0
        np.cumsum(pmf, axis=0, out=before)
        before -= pmf
        missing[block] = np.where(log_p0 < -700.0, np.inf, np.abs(1.0 - before[w]))
        before[w] = 1.0
        offset[block] = start + np.arange(m)
        stride[block] = m
        width[block] = w
        start += size
    return pmf_all, before_all, offset, stride, width, missing


def mixture_ppf(q: np.ndarray, n0: np.ndarray, levels: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """[N, len(q)]: quantiles of X + U - 1/2 in counts, X the equal-weight mixture over k of the
    beta-binomial counts at round(levels[:, k] x n0) opportunities with talent Beta(a, b) (as
    `mixture_ppf_exact`), found by safeguarded Newton steps on the mixture's CDF, the mean of its
    components' CDFs. A component whose count (spread over its cell) has sd >= EDGEWORTH_SD, |skewness|
    <= EDGEWORTH_SKEW and |excess kurtosis| <= EDGEWORTH_KURT, its talent a, b >= EDGEWORTH_BETA, enters
    through its second-order Edgeworth expansion (its first four cumulants, exact; evaluated in float32);
    any other through its exact pmf on 0..T-1 (T <= TABLE_MAX, at most TABLE_MASS left past it; a level
    of 0 is a count of 0), and a row of such components only is read off its mixture's pmf exactly as
    `mixture_ppf_exact` reads it. A row with a component
    that fits neither goes to `mixture_ppf_exact`, and so does one with a quantile in a gap between its
    components (sum_k sd_k f_k(y) < GAP_CENTRAL: no component within ~3 sd, where the quantile turns on
    the components' far tails). Where the CDF is flat at a level (a point mass of 0 reaching it), the
    smallest quantile, as the exact reading. tests/test_ranges.py bounds the difference from
    `mixture_ppf_exact` (module docstring); a level where the CDF is flat, at the plateau's left edge
    whichever path reads it (PLATEAU_TOL)."""
    q_asked = np.asarray(q, dtype=np.float64)  # what `mixture_ppf_exact` is given: it nudges it itself
    q = np.maximum(q_asked - PLATEAU_TOL, 0.0)
    levels = np.atleast_2d(np.asarray(levels, dtype=np.float64))
    n = np.maximum(np.rint(levels * np.asarray(n0, dtype=np.float64)[:, None]), 0).astype(np.int64)  # [N, K]
    levels = np.broadcast_to(levels, n.shape)  # one row of levels may serve every row
    rows, k = n.shape
    a, b = (np.broadcast_to(np.asarray(v, dtype=np.float64), (rows,))[:, None] for v in (a, b))
    out = np.empty((rows, len(q)))
    if rows == 0:
        return out
    mean, var, k3, k4 = _betabinom_cumulants(n, a, b)
    var = var + 1.0 / 12.0  # of X + U - 1/2
    sd = np.sqrt(var)
    skew, kurt = k3 / (var * sd), (k4 - 1.0 / 120.0) / (var * var)
    edge = ((n > 0) & (sd >= EDGEWORTH_SD) & (np.abs(skew) <= EDGEWORTH_SKEW) & (np.abs(kurt) <= EDGEWORTH_KURT)
            & (np.minimum(a, b) >= EDGEWORTH_BETA))
    # tables: the exact pmf of every other component on 0..T-1
    tr, tk = np.nonzero(~edge)
    reach = mean[tr, tk] + (6.0 + 4.0 * np.abs(skew[tr, tk])) * sd[tr, tk] + 3.0  # past it: < TABLE_MASS, checked
    need = np.minimum(n[tr, tk] + 1, np.ceil(reach)).astype(np.int64)
    pmf, before, offset, stride, width, missing = _pmf_tables(n[tr, tk], a[tr, 0], b[tr, 0], np.minimum(need, TABLE_MAX))
    bad = np.zeros(rows, dtype=bool)
    bad[tr[~(missing <= TABLE_MASS)]] = True
    table = np.full((rows, k), -1, dtype=np.int64)
    table[tr, tk] = np.arange(len(tr))
    # the Edgeworth components' coefficients [N, 5, K] (a table's: a mean far past any count, CDF 0)
    coef = np.stack([np.where(edge, mean, 1e12), np.where(edge, 1.0 / sd, 1.0), np.where(edge, skew / 6.0, 0.0),
                     np.where(edge, kurt / 24.0, 0.0), np.where(edge, skew * skew / 72.0, 0.0)], axis=1).astype(np.float32)
    # Newton on S(y) = sum_k F_k(y) = q K per (row, level), inside a bisection bracket
    # a row of tables only (small counts): the mixture's pmf read exactly as `mixture_ppf_exact` reads it
    direct = ~bad & ~edge.any(axis=1)
    if direct.any():
        rd = np.flatnonzero(direct)
        sel = np.flatnonzero(direct[tr])
        wide = int(width[sel].max())
        mix = np.zeros(len(rd) * wide)
        for part in np.array_split(sel[np.argsort(width[sel], kind="stable")], 4):  # tables of similar width
            if not len(part):
                continue
            cell = np.arange(int(width[part].max()))[:, None]  # past a table's width: its sentinel, pmf 0
            into = np.searchsorted(rd, tr[part]) * wide + cell
            mix += np.bincount(into.ravel(), weights=pmf[offset[part] + np.minimum(cell, width[part]) * stride[part]].ravel(),
                               minlength=len(rd) * wide)
        out[rd] = cell_quantiles(mix.reshape(len(rd), wide) / k, q)
    fast = np.flatnonzero(~bad & ~direct)
    # each row's Edgeworth components first, then its tables, each part as wide as the most any row has
    ke, kt = int(edge[fast].sum(axis=1).max(initial=0)), int((~edge[fast]).sum(axis=1).max(initial=0))
    coef = np.take_along_axis(coef, np.argsort(~edge, axis=1, kind="stable")[:, None, :ke], axis=2)
    table = np.take_along_axis(table, np.argsort(edge, axis=1, kind="stable")[:, :kt], axis=1)
    sd_t = np.where(table >= 0, np.take_along_axis(sd, np.argsort(edge, axis=1, kind="stable")[:, :kt], axis=1), 0.0)
    pr = np.repeat(fast, len(q))  # the row of each pair
    target = np.tile(q * k, len(fast))
    lo = np.full(len(pr), -0.5)
    hi = n[pr].max(axis=1) + 0.5
    # start where the components around the level cross: between the j-th and (j+1)-th (by mean)
    order = np.argsort(mean, axis=1, kind="stable")
    jj = np.clip(np.rint(target).astype(np.int64), 1, k - 1) if k > 1 else np.zeros(len(pr), dtype=np.int64)
    below = order[pr, np.maximum(jj - 1, 0)]
    above = order[pr, jj]
    m0, s0, m1, s1 = mean[pr, below], sd[pr, below], mean[pr, above], sd[pr, above]
    y = np.clip((m0 * s1 + m1 * s0) / (s0 + s1), lo, hi) if k > 1 else mean[pr, 0]
    result = np.empty(len(pr))
    central = np.empty(len(pr))
    coef_fast = coef[fast]
    active = np.arange(len(pr))
    for _ in range(100):
        r, yy = pr[active], y[active]
        # float32: twice as fast, the CDF within 1e-6; while most pairs are left, all of them (each row's
        # components broadcast against its levels' points), else the pairs left
        if 2 * len(active) > len(pr):
            cdf, pdf = _edgeworth(y.reshape(len(fast), len(q), 1).astype(np.float32), coef_fast[:, None])
            s_val, s_cen, s_den = (v.reshape(-1)[active] for v in (
                cdf.sum(axis=2, dtype=np.float64), pdf.sum(axis=2, dtype=np.float64),
                (pdf * coef_fast[:, None, 1, :]).sum(axis=2, dtype=np.float64)))
        else:
            cr = coef[r]
            cdf, pdf = _edgeworth(yy[:, None].astype(np.float32), cr)
            s_val = cdf.sum(axis=1, dtype=np.float64)
            s_cen = pdf.sum(axis=1, dtype=np.float64)
            s_den = (pdf * cr[:, 1, :]).sum(axis=1, dtype=np.float64)
        tid = table[r]
        has = tid >= 0
        if has.any():
            cell = np.maximum(np.floor(yy + 0.5), 0).astype(np.int64)
            frac = np.clip(yy + 0.5 - cell, 0.0, 1.0)
            tid = np.where(has, tid, 0)
            idx = offset[tid] + np.minimum(cell[:, None], width[tid]) * stride[tid]  # past a table: its sentinel
            p_cell = np.where(has, pmf[idx], 0.0)
            s_val += (np.where(has, before[idx], 0.0) + p_cell * frac[:, None]).sum(axis=1)
            s_den += p_cell.sum(axis=1)
            s_cen += (p_cell * sd_t[r]).sum(axis=1)
        f = s_val - target[active]
        lo_a = np.where(f < 0, yy, lo[active])
        hi_a = np.where(f >= 0, yy, hi[active])
        lo[active], hi[active] = lo_a, hi_a
        with np.errstate(divide="ignore", invalid="ignore"):
            step = yy - f / s_den
        newton = (f != 0) & np.isfinite(step) & (step > lo_a) & (step < hi_a)
        nxt = np.where(newton, step, 0.5 * (lo_a + hi_a))
        done = (newton & (np.abs(nxt - yy) < 0.05)) | (hi_a - lo_a < 1e-3)
        y[active] = nxt
        result[active[done]] = np.where(newton[done], nxt[done], hi_a[done])
        central[active] = s_cen
        active = active[~done]
        if not len(active):
            break
    result[active] = y[active]
    out[fast] = result.reshape(len(fast), len(q))
    bad[pr[central < GAP_CENTRAL]] = True
    slow = np.flatnonzero(bad)
    if len(slow):
        out[slow] = mixture_ppf_exact(q_asked, np.asarray(n0, dtype=np.float64)[slow], levels[slow], a[slow, 0], b[slow, 0])
    return out


@dataclass(frozen=True)
class Ranges:
    """Quantiles (QUANTILES, last axis) per row and stat: talent and outcome as rates, totals as counts."""

    talent: np.ndarray  # float64 [N, S, 4]
    outcome: np.ndarray  # float64 [N, S, 4]: the rate at the projected opportunities
    total: np.ndarray  # float64 [N, S, 4]: counts over the playing-time spread (at the projection without one)
    talent_sd: np.ndarray  # float64 [N, S]


def projection_ranges(
    center: np.ndarray, evidence: np.ndarray, opportunities: np.ndarray, prior: np.ndarray, scale: np.ndarray,
    inverse_drift: np.ndarray | float = 0.0, talent: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    playing_time: np.ndarray | None = None, clip: bool = True,
) -> Ranges:
    """Talent, outcome-rate and total quantiles of N players (one type) from the central rates
    [N, S], Marcel's evidence [N], the projected opportunities [N] and (R_S, k_S, 1 / D_S) [S] each.
    talent: the talent interval's own (R_S, k'_S, 1 / D'_S) (RangeParams.arrays(type, "talent")); None:
    the talent interval is the outcome's Beta.
    playing_time: [N, K] each row's equally likely ratios of actual to projected opportunities
    (PlayingTimeSpread.levels): the totals are the mixture over them (`mixture_ppf`); None: the totals are
    the outcome's counts at the projected opportunities. The outcome rate is at the projection either way.
    clip False: the totals are the quantiles of X + U - 1/2 as they are, not held to [0, the largest
    count possible] (what a calibration check reads: the score table clips them, and a total's p10 at 0,
    or in season at the count recorded, hides where in that count's unit cell the quantile lies)."""
    center = np.atleast_2d(np.asarray(center, dtype=np.float64))
    n_rows, n_stats = center.shape
    if n_rows == 0:
        empty = np.zeros((0, n_stats, len(QUANTILES)))
        return Ranges(empty, empty.copy(), empty.copy(), np.zeros((0, n_stats)))
    var = talent_variance(center, evidence, prior, scale, inverse_drift)
    a, b = beta_shape(center, var)
    talent_var = var if talent is None else talent_variance(center, evidence, *talent)
    ta, tb = (a, b) if talent is None else beta_shape(center, talent_var)
    q = np.array(QUANTILES)
    # in order even where a degenerate rate (0: a rate pulled to the plausible range's bound) leaves
    # every quantile within rounding of 0
    talent_q = np.maximum.accumulate(np.clip(beta_ppf(q[None, None, :], ta[:, :, None], tb[:, :, None]), 0, 1), axis=2)
    n = np.maximum(np.rint(np.asarray(opportunities, dtype=np.float64)), 1).astype(np.int64)
    total = np.empty((n_rows, n_stats, len(q)))
    for j in range(n_stats):
        total[:, j, :] = betabinom_ppf(q, n, a[:, j], b[:, j])
    outcome = np.clip(total, 0.0, n[:, None, None]) / n[:, None, None]
    if clip:
        total = np.clip(total, 0.0, n[:, None, None])
    if playing_time is not None:
        levels = np.atleast_2d(np.asarray(playing_time, dtype=np.float64))
        n0 = np.asarray(opportunities, dtype=np.float64)
        top = np.maximum(np.rint(levels * n0[:, None]).max(axis=1), 0.0)
        total = np.stack([mixture_ppf(q, n0, levels, a[:, j], b[:, j]) for j in range(n_stats)], axis=1)
        if clip:
            total = np.clip(total, 0.0, top[:, None, None])
    return Ranges(talent=talent_q, outcome=outcome, total=total, talent_sd=np.sqrt(talent_var))


def outcome_intervals(center: np.ndarray, variance: np.ndarray, n: np.ndarray) -> np.ndarray:
    """[N, 4] count quantiles (QUANTILES) of X + U - 1/2 at n opportunities, for talent Beta of this
    mean and variance ([N] each): what the calibration checks an actual season's count against (not
    clipped to [0, n]: the cells of 0 and n reach half a count past them)."""
    a, b = beta_shape(center, variance)
    n = np.maximum(np.rint(np.asarray(n, dtype=np.float64)), 1).astype(np.int64)
    return betabinom_ppf(np.array(QUANTILES), n, a, b)


def covered(count: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The fraction of each count's unit cell [x - 1/2, x + 1/2] inside [low, high] (module docstring)."""
    x = np.asarray(count, dtype=np.float64)
    return np.clip(np.minimum(x + 0.5, high) - np.maximum(x - 0.5, low), 0.0, 1.0)


def interval_score(low: np.ndarray, high: np.ndarray, truth: np.ndarray, level: float) -> np.ndarray:
    """Gneiting and Raftery's interval score of a central `level` interval (lower is better): its width
    plus 2 / alpha times the distance by which the truth falls outside (alpha = 1 - level)."""
    alpha = 1.0 - level
    low, high, truth = (np.asarray(v, dtype=np.float64) for v in (low, high, truth))
    return (high - low) + (2.0 / alpha) * (np.maximum(low - truth, 0.0) + np.maximum(truth - high, 0.0))
