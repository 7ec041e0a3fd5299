"""hfm_runtime.ranges without a bundle: the numerics against scipy, the intervals' coverage when the
model is true (simulated beta-binomial draws), the parameters' defaults and errors, the playing-time rule and the totals over the playing-time
spread (against Monte Carlo draws, coverage of draws from the model, the fallback without a spread)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

from hfm_runtime import ranges as R
from hfm_runtime.errors import HFMInputError
from hfm_runtime.marcel import MARCEL_CONFIGS, marcel, playing_time
from hfm_runtime.playing_time import GRID as PT_GRID
from hfm_runtime.playing_time import (MOST_OPPORTUNITIES, OpportunityModel, PlayingTimeInputs, PlayingTimeSpread,
                                      level_quantiles, model_inputs)


def test_beta_and_beta_binomial_agree_with_scipy() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.uniform(0.2, 600, 300), rng.uniform(0.5, 6000, 300)
    x, q = rng.uniform(0, 1, 300), rng.uniform(0.02, 0.98, 300)
    np.testing.assert_allclose(R.betainc(a, b, x), special.betainc(a, b, x), atol=1e-11)
    np.testing.assert_allclose(R.beta_ppf(q, a, b), stats.beta.ppf(q, a, b), rtol=1e-8, atol=1e-12)
    n, a2, b2 = rng.integers(1, 800, 40), rng.uniform(0.3, 80, 40), rng.uniform(1, 4000, 40)
    pmf = R.betabinom_pmf(n, a2, b2)
    for i in range(40):
        k = np.arange(n[i] + 1)
        np.testing.assert_allclose(pmf[i, : n[i] + 1], stats.betabinom.pmf(k, n[i], a2[i], b2[i]), atol=1e-11)
        assert (pmf[i, n[i] + 1:] == 0).all()


@pytest.mark.parametrize("center, n", [(0.22, 600), (0.004, 550), (0.03, 150)])  # SO, 3B (about 2 a season), HR
def test_intervals_cover_at_their_nominal_rates_when_the_model_is_true(center: float, n: int) -> None:
    """Talents drawn from the Beta and counts from the binomial: the 50% and 80% intervals cover the
    talent and the (cell-credited) count at 50% and 80%, even for a stat with two a season."""
    rng = np.random.default_rng(7)
    size = 40_000
    var = np.full(size, center * (1 - center) / 900.0)
    a, b = R.beta_shape(np.full(size, center), var)
    talent = rng.beta(a, b)
    count = rng.binomial(n, talent)
    tq = R.beta_ppf(np.array(R.QUANTILES)[None, :], a[:1, None], b[:1, None])[0]
    oq = R.outcome_intervals(np.full(size, center), var, np.full(size, n))
    for level, (lo, hi) in R.LEVELS.items():
        talent_cover = ((talent >= tq[lo]) & (talent <= tq[hi])).mean()
        count_cover = R.covered(count, oq[:, lo], oq[:, hi]).mean()
        assert abs(talent_cover - level) < 0.01, (level, talent_cover)
        assert abs(count_cover - level) < 0.01, (level, count_cover)


def test_talent_narrows_with_evidence_and_totals_scale_with_opportunities() -> None:
    prior, scale = np.array([300.0]), np.array([1.0])
    center = np.full((3, 1), 0.2)
    spread = R.projection_ranges(center, np.array([0.0, 600.0, 3000.0]), np.array([600.0, 600.0, 300.0]), prior, scale)
    width = spread.talent[:, 0, 3] - spread.talent[:, 0, 0]
    assert width[0] > width[1] > width[2] > 0
    # beta variance with k = 1: m(1 - m) / (E + R + 1)
    np.testing.assert_allclose(spread.talent_sd[:, 0], np.sqrt(0.16 / (np.array([0, 600, 3000]) + 301)))
    np.testing.assert_allclose(spread.total, spread.outcome * np.array([600, 600, 300])[:, None, None])
    # a drift floor: the variance no longer falls toward 0 with evidence
    floor = R.projection_ranges(center[:1], np.array([1e7]), np.array([600.0]), prior, scale, np.array([1 / 400]))
    np.testing.assert_allclose(floor.talent_sd[0, 0], np.sqrt(0.16 * (1 / (1e7 + 301) + 1 / 400)))
    twice = R.projection_ranges(center, np.zeros(3), np.full(3, 600.0), prior, scale * 2)
    assert (twice.talent_sd > R.projection_ranges(center, np.zeros(3), np.full(3, 600.0), prior, scale).talent_sd).all()


def test_interval_score() -> None:
    # width, plus 2/alpha times the miss: an 80% interval [0.2, 0.3] and truth 0.35 -> 0.1 + 10 * 0.05
    assert R.interval_score(0.2, 0.3, 0.35, 0.8) == pytest.approx(0.6)
    assert R.interval_score(0.2, 0.3, 0.25, 0.5) == pytest.approx(0.1)


def test_range_params_default_and_errors_name_the_field() -> None:
    default = R.RangeParams.default()
    prior, scale, inverse_drift = default.arrays("batter")
    assert (prior == 1200.0 / 4).all() and (scale == 1.0).all() and (inverse_drift == 0).all()
    assert (default.arrays("pitcher")[0] == 1150.0 / 4).all()
    assert R.bundle_params({"weights": {}}).source == default.source  # an old bundle: the default
    back = R.RangeParams.from_json(default.to_json())
    assert back.prior == default.prior and back.scale == default.scale
    assert back.arrays("pitcher")[2].tolist() == [0.0] * 4
    drifting = default.to_json()
    drifting["drift"]["batter"]["SO"] = 500.0
    assert R.RangeParams.from_json(drifting).arrays("batter")[2][0] == pytest.approx(1 / 500)
    drifting["drift"]["batter"]["SO"] = 0
    with pytest.raises(HFMInputError, match=r"field 'drift.batter.SO' is 0, not a positive number or null"):
        R.RangeParams.from_json(drifting)
    bad = default.to_json()
    bad["scale"]["pitcher"]["HR"] = -1
    with pytest.raises(HFMInputError, match=r"ranges: field 'scale.pitcher.HR' is -1, not a positive number"):
        R.RangeParams.from_json(bad)
    del bad["prior"]["batter"]
    with pytest.raises(HFMInputError, match=r"field 'prior.batter' missing"):
        R.RangeParams.from_json(bad)


def test_playing_time_counts_a_short_season_as_full_season_equivalents() -> None:
    config = MARCEL_CONFIGS["batter"]
    assert playing_time(np.array([600.0]), np.array([500.0]), 2024, config)[0] == pytest.approx(0.5 * 600 + 0.1 * 500 + 200)
    # projecting 2021: 2020 had 60 games, so its 220 PA count as 220 * 162 / 60 = 594
    assert playing_time(np.array([220.0]), np.array([600.0]), 2021, config)[0] == pytest.approx(
        0.5 * 220 * 2.7 + 0.1 * 600 + 200)
    assert playing_time(np.array([600.0]), np.array([220.0]), 2022, config)[0] == pytest.approx(
        0.5 * 600 + 0.1 * 220 * 2.7 + 200)
    lines = pd.DataFrame({"player_id": [1, 1], "season": [2020, 2019], "level": "MLB", "PA": [220, 600],
                          "SO": [50, 120], "BB": [20, 50], "HR": [8, 20], "H": [55, 150], "2B": [10, 30], "3B": [1, 2]})
    proj = marcel(lines, None, 2021, "batter")
    assert proj.loc[1, "PA"] == pytest.approx(0.5 * 220 * 2.7 + 0.1 * 600 + 200)
    assert proj.loc[1, "evidence"] == pytest.approx((5 * 220 + 4 * 600) / 4)  # evidence is not scaled


def test_outcome_quantiles_are_the_same_in_blocks() -> None:
    """betabinom_ppf cuts a long table into blocks of similar n: the same numbers as row groups alone."""
    rng = np.random.default_rng(5)
    n, a, b = rng.integers(1, 700, 600), rng.uniform(0.5, 80, 600), rng.uniform(5, 4000, 600)
    q = np.array(R.QUANTILES)
    whole = R.betabinom_ppf(q, n, a, b)
    parts = np.vstack([R.betabinom_ppf(q, n[i:i + 100], a[i:i + 100], b[i:i + 100]) for i in range(0, 600, 100)])
    np.testing.assert_allclose(whole, parts, rtol=0, atol=1e-9)


def test_talent_parameters_of_their_own_travel_in_json_and_old_params_fall_back() -> None:
    """A talent block (k', D') round-trips; params without one (real leagues, older bundles) give the
    talent interval the outcome's (k, D), as before; a bad talent value names its field."""
    default = R.RangeParams.default()
    assert not default.has_talent("batter") and "talent" not in default.to_json()
    for kind in ("outcome", "talent"):
        np.testing.assert_array_equal(default.arrays("batter", kind)[1], default.arrays("batter")[1])
    data = default.to_json()
    data["talent"] = {"scale": {"batter": {s: 2.0 for s in ("SO", "BB", "HR", "H", "2B", "3B")}},
                      "drift": {"batter": {"SO": 150.0}}}
    params = R.RangeParams.from_json(data)
    assert params.has_talent("batter") and not params.has_talent("pitcher")
    prior, k_t, inv_t = params.arrays("batter", "talent")
    assert (k_t == 2.0).all() and inv_t[0] == pytest.approx(1 / 150) and (inv_t[1:] == 0).all()
    assert (params.arrays("batter")[1] == 1.0).all()  # the outcome interval's own k is untouched
    assert (params.arrays("pitcher", "talent")[1] == params.arrays("pitcher")[1]).all()  # no talent block: fallback
    back = R.RangeParams.from_json(params.to_json())
    assert back.to_json() == params.to_json()
    with pytest.raises(ValueError, match="kind"):
        params.arrays("batter", "season")
    data["talent"]["scale"]["batter"]["HR"] = 0.0
    with pytest.raises(HFMInputError, match=r"field 'talent.scale.batter.HR' is 0.0, not a positive number"):
        R.RangeParams.from_json(data)
    data["talent"]["scale"]["batter"]["HR"] = 1.0
    data["talent"]["drift"]["batter"]["HR"] = "far"
    with pytest.raises(HFMInputError, match=r"field 'talent.drift.batter.HR' is 'far'"):
        R.RangeParams.from_json(data)


def test_talent_interval_with_its_own_parameters_leaves_outcome_and_totals_alone() -> None:
    prior, scale = np.array([300.0]), np.array([0.5])
    center, evidence, opp = np.full((3, 1), 0.2), np.array([0.0, 600.0, 3000.0]), np.full(3, 600.0)
    shared = R.projection_ranges(center, evidence, opp, prior, scale)
    own = R.projection_ranges(center, evidence, opp, prior, scale,
                              talent=(prior, np.array([2.0]), np.array([1 / 200])))
    np.testing.assert_array_equal(own.outcome, shared.outcome)
    np.testing.assert_array_equal(own.total, shared.total)
    np.testing.assert_allclose(own.talent_sd[:, 0], np.sqrt(2.0 * 0.16 * (1 / (evidence + 301) + 1 / 200)))
    assert ((own.talent[:, 0, 3] - own.talent[:, 0, 0]) > (shared.talent[:, 0, 3] - shared.talent[:, 0, 0])).all()


def _spread(ratio_batter: list[float], edges: tuple[float, ...] = ()) -> PlayingTimeSpread:
    """A playing-time spread with the same ratio levels in every band of both types."""
    bands = tuple(tuple(ratio_batter) for _ in range(len(edges) + 1))
    return PlayingTimeSpread({pt: edges for pt in ("batter", "pitcher")}, {pt: bands for pt in ("batter", "pitcher")})


def test_mixture_quantiles_match_a_monte_carlo_draw() -> None:
    """The totals over a playing-time spread (a point mass at 0 and a spread above) against draws of
    r (one of the 20 levels), talent and the count, spread over its cell: quantiles within MC noise."""
    rng = np.random.default_rng(11)
    levels = np.sort(np.concatenate([np.zeros(6), rng.uniform(0.15, 1.5, 14)]))
    q = np.array(R.QUANTILES)
    for n0, center, var in ((520.0, 0.21, 0.0009), (260.0, 0.03, 0.0001), (640.0, 0.004, 4e-6)):
        a, b = R.beta_shape(np.array([center]), np.array([var]))
        got = R.mixture_ppf(q, np.array([n0]), levels[None, :], a, b)[0]
        size = 400_000
        n = np.rint(levels[rng.integers(0, 20, size)] * n0).astype(np.int64)
        draw = rng.binomial(n, rng.beta(a[0], b[0], size)) + rng.uniform(size=size) - 0.5
        want = np.quantile(draw, q)
        np.testing.assert_allclose(got, want, atol=max(0.02 * want[-1], 0.05))
    # one level at 1: the beta-binomial at the projection (for the exact reading, but for its PLATEAU_TOL
    # nudge: exactly its quantiles at q - PLATEAU_TOL)
    a, b = np.array([20.0, 3.0]), np.array([80.0, 500.0])
    np.testing.assert_array_equal(R.mixture_ppf_exact(q, np.array([300.0, 611.0]), np.ones((2, 1)), a, b),
                                  R.betabinom_ppf(q - R.PLATEAU_TOL, np.array([300, 611]), a, b))
    np.testing.assert_allclose(R.mixture_ppf_exact(q, np.array([300.0, 611.0]), np.ones((2, 1)), a, b),
                               R.betabinom_ppf(q, np.array([300, 611]), a, b), atol=1e-3)
    np.testing.assert_allclose(R.mixture_ppf(q, np.array([300.0, 611.0]), np.ones((2, 1)), a, b),
                               R.betabinom_ppf(q, np.array([300, 611]), a, b), atol=0.1)


def _band(zeros: int, p10: float, p50: float, p90: float) -> np.ndarray:
    """20 playing-time levels: `zeros` at 0, the rest through r's p10 / p50 / p90 (docs/ranges.md's bands)."""
    grid = np.array(PT_GRID)
    if zeros >= 19:
        return np.where(np.arange(20) < zeros, 0.0, max(p90, 0.3))
    up = np.interp(grid, [grid[zeros], 0.1, 0.5, 0.9, grid[-1]], [0.3 * max(p10, 0.05), max(p10, 0.05), max(p50, 0.1),
                                                                  max(p90, 0.2), 1.1 * max(p90, 0.2)])
    return np.where(np.arange(20) < zeros, 0.0, np.maximum.accumulate(up))


def test_mixture_quantiles_match_the_exact_mixture() -> None:
    """`mixture_ppf` (Edgeworth where a component is near normal, exact pmf tables where its counts are
    small, `mixture_ppf_exact` for what fits neither) against `mixture_ppf_exact` on a grid of realistic
    and extreme rows: levels of the fitted bands (docs/ranges.md), one level at 1, a ramp to 2, random
    levels, levels with tiny positive playing time; projections of 1 to 1,000 opportunities; rates from
    1e-4 (a 3B rate of 0.004 and a 0.3 SO rate among them) to 0.9; talent strengths a + b from 0.01 (as
    spread as a Beta gets) to 3,000. Every quantile within 0.5 count or 1% of its value, whichever is
    larger; or, in a gap of the mixture (no mass between two components, where the exact reading itself
    turns on rounding), a point whose exact CDF is within 1e-9 of the level."""
    rng = np.random.default_rng(3)
    bands = [_band(19, 0, 0, 0), _band(13, 0, 0, 0.86), _band(5, 0, 0.36, 1.42), _band(1, 0.26, 0.95, 1.26),
             _band(14, 0, 0, 1.24), _band(6, 0, 0.42, 1.6), _band(2, 0.08, 0.95, 1.7), np.ones(20), np.linspace(0, 2, 20),
             np.sort(rng.uniform(0, 1.5, 20)), np.array([0.0] * 10 + [0.01, 0.02, 0.05, 0.1, 0.3, 0.6, 0.9, 1.1, 1.3, 1.5])]
    grid = [(lv, n0, m, s) for lv in bands for n0 in (1, 2, 5, 30, 120, 250, 450, 600, 700, 1000)
            for m in (1e-4, 0.004, 0.03, 0.08, 0.22, 0.3, 0.6, 0.9) for s in (0.01, 3.0, 40.0, 170.0, 500.0, 3000.0)]
    levels = np.array([g[0] for g in grid])
    n0 = np.array([g[1] for g in grid], dtype=np.float64)
    m, s = np.array([g[2] for g in grid]), np.array([g[3] for g in grid])
    a, b = m * s, (1 - m) * s
    q = np.array(R.QUANTILES)
    got = R.mixture_ppf(q, n0, levels, a, b)
    want = R.mixture_ppf_exact(q, n0, levels, a, b)
    off = np.abs(got - want) > np.maximum(0.5, 0.01 * np.abs(want))
    for i, j in np.argwhere(off):  # a gap: the exact CDF of X + U - 1/2 at the point
        n = np.rint(levels[i] * n0[i]).astype(np.int64)
        pmf = R.betabinom_pmf(np.maximum(n, 0), np.full(len(n), a[i]), np.full(len(n), b[i])).mean(axis=0)
        cell = int(np.clip(np.floor(got[i, j] + 0.5), 0, len(pmf) - 1))
        cdf = pmf[:cell].sum() + pmf[cell] * np.clip(got[i, j] + 0.5 - cell, 0, 1)
        assert abs(cdf - q[j]) < 1e-9, (grid[i][1:], q[j], got[i], want[i])
    assert off.mean() < 0.001


def test_totals_with_a_playing_time_spread_cover_draws_from_the_model() -> None:
    """Players drawn from the model (talent from the Beta, r from a continuous distribution with a
    third at 0, the count at round(r n0)): the totals' 50% and 80% intervals, with the spread given as
    r's 20 quantile levels, cover the cell-credited totals near their nominal rates; held at the
    projection they do not."""
    rng = np.random.default_rng(5)
    size = 20_000
    r = np.where(rng.uniform(size=size) < 1 / 3, 0.0, rng.gamma(6.0, 1 / 6.0, size))
    spread = _spread([float(v) for v in np.quantile(r[:5000], PT_GRID)])
    draw = slice(5000, None)
    n0 = rng.uniform(150, 650, size)[draw]
    center = np.full((len(n0), 1), 0.08)
    evidence = rng.uniform(0, 2000, len(n0))
    prior, scale = np.array([300.0]), np.array([1.0])
    var = R.talent_variance(center[:, 0], evidence, prior, scale)
    a, b = R.beta_shape(center[:, 0], var)
    count = rng.binomial(np.rint(r[draw] * n0).astype(np.int64), rng.beta(a, b))
    levels = spread.levels("batter", n0)
    mixed = R.mixture_ppf(np.array(R.QUANTILES), n0, levels, a, b)
    fixed = R.betabinom_ppf(np.array(R.QUANTILES), np.rint(n0).astype(np.int64), a, b)
    for level, (lo, hi) in R.LEVELS.items():
        assert abs(R.covered(count, mixed[:, lo], mixed[:, hi]).mean() - level) < 0.02, level
        assert R.covered(count, fixed[:, lo], fixed[:, hi]).mean() < level - 0.15, level
    table = R.projection_ranges(center, evidence, n0, prior, scale, playing_time=levels)
    np.testing.assert_allclose(table.total[:, 0, :], np.clip(mixed, 0, None), atol=1e-12)
    # clip=False (what a calibration check reads): the mixture's own quantiles, some below 0 here; the
    # covered share of the clipped table is lower (a count of 0 gets only the half cell above 0)
    raw = R.projection_ranges(center, evidence, n0, prior, scale, playing_time=levels, clip=False)
    np.testing.assert_allclose(raw.total[:, 0, :], mixed, atol=1e-12)
    assert (raw.total < 0).any()
    shown = R.covered(count, table.total[:, 0, 0], table.total[:, 0, 3]).mean()
    assert shown < R.covered(count, raw.total[:, 0, 0], raw.total[:, 0, 3]).mean() - 0.01
    np.testing.assert_array_equal(raw.talent, table.talent)
    np.testing.assert_array_equal(raw.outcome, table.outcome)
    # the outcome rate stays at the projection
    np.testing.assert_array_equal(table.outcome, R.projection_ranges(center, evidence, n0, prior, scale).outcome)


def _model(width: int, slope: float = 0.8) -> OpportunityModel:
    """m = 300 + slope x (last season's opportunities - 300) (the first input; the rest weigh nothing)."""
    return OpportunityModel(mean=(300.0,) + (0.0,) * (width - 1), scale=(1.0,) * width,
                            coef=(slope,) + (0.0,) * (width - 1), intercept=300.0, age_fill=27.0, floor=10.0)


def test_a_spread_with_an_opportunity_model_bands_its_base_and_gives_levels_as_ratios_to_marcels() -> None:
    """With a model, the band and the levels follow its base m (levels r_k m / n0, so the totals'
    mixture and the opportunity quantiles are r_k m whatever n0 is); it needs the rows' inputs, travels
    in JSON, and a bad or missing model field is an error naming it."""
    inputs = {pt: PlayingTimeInputs(np.array([[600.0, 500.0, 0.0], [0.0, 650.0, 600.0], [0.0, 0.0, 0.0]]),
                                    np.array([27.0, np.nan, 35.0]), np.full((3, n), 0.1))
              for pt, n in (("batter", 6), ("pitcher", 4))}
    width = {pt: model_inputs(i, 27.0).shape[1] for pt, i in inputs.items()}
    assert width == {"batter": 24, "pitcher": 20}
    ratio = tuple(tuple(0.0 if k < 4 else 0.1 * k for k in range(20)) for _ in range(2))
    spread = PlayingTimeSpread({pt: (250.0,) for pt in width}, {pt: ratio for pt in width},
                               model={pt: _model(w) for pt, w in width.items()})
    n0 = np.array([550.0, 265.0, 200.0])
    base = spread.base("batter", n0, inputs["batter"])
    np.testing.assert_allclose(base, [540.0, 60.0, 60.0])
    assert list(spread.band("batter", base)) == [1, 0, 0]
    levels = spread.levels("batter", n0, inputs["batter"])
    # every level held at the most opportunities a season had: 1.9 x 540 = 1,026 PA becomes 778
    unheld = np.asarray(ratio)[[1, 0, 0]] * base[:, None]
    held = np.minimum(unheld, MOST_OPPORTUNITIES["batter"])
    assert (held < unheld).sum() == 5 and held.max() == 778.0
    np.testing.assert_allclose(levels * n0[:, None], held)
    np.testing.assert_allclose(spread.mean_opportunities("batter", n0, inputs["batter"]), held.mean(1))
    # the quantiles are those of the held levels (the line through them), not the unheld ones cut at 778
    quantiles = spread.opportunity_quantiles("batter", n0, R.QUANTILES, inputs["batter"])
    np.testing.assert_allclose(quantiles, level_quantiles(held, R.QUANTILES))
    cut = np.minimum(np.interp(R.QUANTILES, PT_GRID, ratio[1]) * base[0], MOST_OPPORTUNITIES["batter"])
    assert (quantiles[0] < cut - 1).any() and quantiles[0, -1] == 778.0
    np.testing.assert_allclose(quantiles[1:], np.interp(R.QUANTILES, PT_GRID, ratio[0])[None, :] * base[1:, None])
    # a spread without a model (a schema-1 bundle's bands of n0) is held the same way
    bands = PlayingTimeSpread({pt: (250.0,) for pt in width}, {pt: ratio for pt in width})
    n0 = np.array([600.0, 100.0])
    held = np.minimum(np.asarray(ratio)[[1, 0]] * n0[:, None], MOST_OPPORTUNITIES["batter"])
    assert held[0].max() == 778.0 and (held[1] == np.asarray(ratio[0]) * 100).all()
    np.testing.assert_allclose(bands.levels("batter", n0) * n0[:, None], held)
    np.testing.assert_allclose(bands.opportunity_quantiles("batter", n0, R.QUANTILES), level_quantiles(held, R.QUANTILES))
    with pytest.raises(HFMInputError, match="needs each row's inputs"):
        spread.levels("batter", n0)
    with pytest.raises(HFMInputError, match="reads 24 inputs, these rows give 20"):
        spread.levels("batter", n0, inputs["pitcher"])
    back = PlayingTimeSpread.from_json(spread.to_json())
    assert back == spread
    data = spread.to_json()
    del data["pitcher"]["model"]
    with pytest.raises(HFMInputError, match="field 'pitcher.model' missing"):
        PlayingTimeSpread.from_json(data)
    data = spread.to_json()
    data["batter"]["model"]["coef"][2] = "x"
    with pytest.raises(HFMInputError, match=r"^ranges.playing_time: field 'batter.model.coef' holds 'x'"):
        PlayingTimeSpread.from_json(data)
    data = spread.to_json()
    data["batter"]["model"]["coef"] = data["batter"]["model"]["coef"][:-1]
    with pytest.raises(HFMInputError, match=r"^ranges.playing_time: batter.model: model fields"):
        PlayingTimeSpread.from_json(data)
    data = spread.to_json()
    data["batter"]["model"], data["pitcher"]["model"] = data["pitcher"]["model"], data["batter"]["model"]
    with pytest.raises(HFMInputError, match="field 'batter.model' reads 20 inputs, a batter's are 24"):
        PlayingTimeSpread.from_json(data)
    assert spread.levels("batter", np.zeros(0), inputs["batter"].take(np.zeros(0, dtype=np.int64))).shape == (0, 20)


def test_a_spread_that_records_its_fit_seasons_most_holds_every_level_there() -> None:
    """`most` (the fit rows' most opportunities per type) replaces the 2001-2018 constant as the hold of
    the levels, their mean and their quantiles; it travels in JSON, and a bad or one-sided field is an
    error naming it."""
    ratio = tuple(tuple(0.0 if k < 4 else 0.1 * k for k in range(20)) for _ in range(2))
    types = ("batter", "pitcher")
    era = PlayingTimeSpread({pt: (250.0,) for pt in types}, {pt: ratio for pt in types},
                            most={"batter": 700.0, "pitcher": 951.0})
    old = PlayingTimeSpread({pt: (250.0,) for pt in types}, {pt: ratio for pt in types})
    assert era.hold("batter") == 700.0 and era.hold("pitcher") == 951.0
    assert old.hold("batter") == MOST_OPPORTUNITIES["batter"]
    n0 = np.array([600.0, 100.0, 380.0])  # 380: a top level of 722, between the two holds
    unheld = np.asarray(ratio)[[1, 0, 1]] * n0[:, None]
    for spread, most in ((era, 700.0), (old, 778.0)):
        held = np.minimum(unheld, most)
        assert held[0].max() == most
        np.testing.assert_allclose(spread.levels("batter", n0) * n0[:, None], held)
        np.testing.assert_allclose(spread.mean_opportunities("batter", n0), held.mean(1))
        np.testing.assert_allclose(spread.opportunity_quantiles("batter", n0, R.QUANTILES),
                                   level_quantiles(held, R.QUANTILES))
    assert (era.mean_opportunities("batter", n0) < old.mean_opportunities("batter", n0)).tolist() == [True, False, True]
    assert era.opportunity_quantiles("batter", n0, R.QUANTILES)[2, -1] < unheld[2].max() - 1  # held there only by 700
    assert PlayingTimeSpread.from_json(era.to_json()) == era and "most" not in old.to_json()["batter"]
    data = era.to_json()
    del data["pitcher"]["most"]
    with pytest.raises(HFMInputError, match="field 'pitcher.most' missing"):
        PlayingTimeSpread.from_json(data)
    data = era.to_json()
    data["batter"]["most"] = 0
    with pytest.raises(HFMInputError, match=r"^ranges.playing_time: field 'batter.most' missing or not a number above 0"):
        PlayingTimeSpread.from_json(data)
    data["batter"]["most"] = "lots"
    with pytest.raises(HFMInputError, match="field 'batter.most' holds 'lots', not a number"):
        PlayingTimeSpread.from_json(data)


def test_playing_time_travels_in_json_and_params_without_it_keep_the_old_totals() -> None:
    default = R.RangeParams.default()
    assert default.playing_time is None and "playing_time" not in default.to_json()
    spread = _spread([0.0] * 4 + [0.1 * k for k in range(16)], edges=(200.25, 400.0))
    params = R.RangeParams(default.prior, default.scale, "test", playing_time=spread)
    back = R.RangeParams.from_json(params.to_json())
    assert back.to_json() == params.to_json() and back.playing_time == spread
    assert list(spread.band("batter", np.array([200.0, 200.25, 399.0, 400.0, 700.0]))) == [0, 1, 1, 2, 2]
    opp = spread.opportunity_quantiles("pitcher", np.array([300.0]), R.QUANTILES)[0]
    np.testing.assert_allclose(opp, 300 * np.interp(R.QUANTILES, PT_GRID, spread.ratio["pitcher"][0]))
    center, evidence, n0 = np.full((2, 1), 0.2), np.array([0.0, 900.0]), np.array([210.0, 560.0])
    old = R.projection_ranges(center, evidence, n0, np.array([300.0]), np.array([1.0]))
    assert (old.total[:, 0, 0] > 0).all()  # held at the projection: no point mass at 0
    new = R.projection_ranges(center, evidence, n0, np.array([300.0]), np.array([1.0]),
                              playing_time=spread.levels("batter", n0))
    assert (new.total[:, 0, 0] == 0).all() and (new.total[:, 0, 3] > old.total[:, 0, 3]).all()
    data = params.to_json()
    data["playing_time"]["batter"]["ratio"][1][3] = -1.0
    with pytest.raises(HFMInputError, match=r"ranges: playing_time: field 'batter.ratio' holds a value"):
        R.RangeParams.from_json(data)
    data["playing_time"]["batter"]["ratio"] = data["playing_time"]["batter"]["ratio"][:2]
    with pytest.raises(HFMInputError, match=r"field 'batter.ratio' is not 3 bands x 20"):
        R.RangeParams.from_json(data)
    del data["playing_time"]["pitcher"]
    with pytest.raises(HFMInputError, match=r"field 'pitcher' missing"):
        R.RangeParams.from_json(data)


def test_a_flat_cdf_is_read_at_its_left_edge_whatever_the_batch():
    """A reliever who may start: 18 of the 20 playing-time levels at most 1.6 times his projection, 2 above
    3.5 times, so the total's CDF is flat at 0.9 between the two groups and every count there is a root.
    The full-size league's row whose 90% hits moved by 9.9 between a chunked and a whole-league run
    (docs/scale.md, 2026-12-06): read at the plateau's left edge, alone, in any batch and on either path."""
    levels = np.array([0.0, 0.0, 0.2047, 0.3026, 0.4262, 0.4684, 0.5003, 0.5508, 0.6295, 0.6706, 1.0575, 1.1202,
                       1.2617, 1.3431, 1.3953, 1.4730, 1.5250, 1.5961, 3.5969, 3.8634])
    n0, a, b = 619.8, 2420.18, 8150.75
    q = np.array(R.QUANTILES)
    alone = R.mixture_ppf(q, np.array([n0]), levels[None], np.array([a]), np.array([b]))[0]
    exact = R.mixture_ppf_exact(q, np.array([n0]), levels[None], np.array([a]), np.array([b]))[0]
    np.testing.assert_allclose(alone, exact, atol=0.05)
    rng = np.random.default_rng(1)
    for others in (3, 50, 400, 1200):
        n0s = np.r_[n0, rng.uniform(300, 900, others)]
        rows = np.vstack([levels, np.sort(rng.uniform(0, 4, (others, 20)), axis=1)])
        aa = np.r_[a, rng.uniform(50, 3000, others)]
        np.testing.assert_allclose(R.mixture_ppf(q, n0s, rows, aa, np.r_[b, aa[1:] * 3.5])[0], alone, atol=1e-6)
    # the left edge: where the lower 18 components' hits run out (their highest's mean + 5 sd), not in the gap
    top = round(levels[17] * n0) * a / (a + b)
    assert top < alone[-1] < top + 5 * np.sqrt(top), alone
