"""hfm_train.calibration: the ranges' parameters recovered from data made with known ones, the fit's
parameters carried run -> bundle -> score table, and `hfm-train calibration` on the tiny run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime import bundle as B
from hfm_runtime.errors import BundleError, HFMInputError
from hfm_runtime.marcel import MARCEL_CONFIGS
from hfm_runtime.playing_time import GRID
from hfm_runtime.ranges import RangeParams, beta_shape, talent_variance
from hfm_runtime.targets import TARGET_STATS
from hfm_train.calibration import (
    MAX_PRIOR, RANGE_ROWS, calibrate_run, fit_prior, fit_scale, fit_talent_scale, fit_type_from_rows, format_report,
    talent_coverage,
)
from hfm_train.playing_time import PlayingTimeConfig, _band_bounds, fit_playing_time, inputs_of, playing_time_rows


def test_prior_and_scale_are_recovered_from_lines_made_with_them() -> None:
    """Season lines drawn from a Beta talent distribution of strength R (talent variance lg(1-lg)/R): the
    method of moments gives R back; counts drawn around a centre with k times the talent variance: the
    coverage fit gives k back."""
    rng = np.random.default_rng(3)
    lg, strength, rows = 0.2, 150.0, 6000
    talent = rng.beta(lg * strength, (1 - lg) * strength, rows)
    pa = rng.integers(100, 700, rows)
    lines = pd.DataFrame({"player_id": np.arange(rows), "season": 2020 + np.arange(rows) % 3, "level": "MLB",
                          "BF": pa, "SO": rng.binomial(pa, talent), "BB": rng.binomial(pa, 0.08),
                          "HR": rng.binomial(pa, 0.03), "H": rng.binomial(pa, 0.23)})
    prior = fit_prior(lines, "pitcher", [2020, 2021, 2022])
    assert prior["SO"] == pytest.approx(strength, rel=0.12)
    assert prior["BB"] > 1000  # no talent spread: a strong prior (at most MAX_PRIOR)
    assert prior["BB"] <= MAX_PRIOR

    rows = 2500
    center = np.full(rows, lg)
    evidence = rng.uniform(0, 2000, rows)
    var = talent_variance(center, evidence, 300.0, 2.0)  # the truth: k = 2, no drift
    a, b = beta_shape(center, var)
    n = rng.integers(50, 400, rows)
    count = rng.binomial(n, rng.beta(a, b))
    k, drift, cover = fit_scale(center, evidence, n, count, 300.0)
    assert k == pytest.approx(2.0, rel=0.35) and (drift is None or drift >= 1500)
    assert abs(cover["0.8"] - 0.8) < 0.02 and abs(cover["0.5"] - 0.5) < 0.02


def _talent_rows(rng: np.random.Generator, rows: int, k: float, drift: float | None, prior: float = 300.0):
    """Projections, evidence and true talents drawn around them from the Beta with k times the talent
    variance (floor 1 / drift), and season counts drawn from the binomial at that talent."""
    center = rng.uniform(0.03, 0.3, rows)
    evidence = rng.uniform(0, 2000, rows)
    var = talent_variance(center, evidence, prior, k, 0.0 if drift is None else 1.0 / drift)
    a, b = beta_shape(center, var)
    truth = rng.beta(a, b)
    n = rng.integers(50, 700, rows)
    return center, evidence, truth, n, rng.binomial(n, truth)


def test_talent_scale_and_floor_are_recovered_from_true_talent() -> None:
    """True talents drawn around the projection with k' = 2.5 and a floor at D' = 150: the talent fit
    finds a k' and D' whose intervals cover 50% / 80% of fresh draws within each evidence third, where
    the same rows fitted without their floor (D' none) miss the long records."""
    rng = np.random.default_rng(11)
    center, evidence, truth, _, _ = _talent_rows(rng, 3000, 2.5, 150.0)
    k, drift, cover = fit_talent_scale(center, evidence, truth, 300.0)
    assert drift is not None and 100 <= drift <= 350, drift
    assert abs(cover["0.8"] - 0.8) < 0.02 and abs(cover["0.5"] - 0.5) < 0.02
    fresh_c, fresh_e, fresh_t, _, _ = _talent_rows(rng, 6000, 2.5, 150.0)
    var = talent_variance(fresh_c, fresh_e, 300.0, k, 1.0 / drift)
    long = fresh_e > np.quantile(fresh_e, 2 / 3)
    hit = talent_coverage(fresh_c, var, fresh_t)
    for level in (0.5, 0.8):
        assert abs(hit[level].mean() - level) < 0.025 and abs(hit[level][long].mean() - level) < 0.03
    no_floor = fit_talent_scale(center, evidence, truth, 300.0, drifts=(None,))
    var = talent_variance(fresh_c, fresh_e, 300.0, no_floor[0], 0.0)
    assert talent_coverage(fresh_c, var, fresh_t)[0.8][long].mean() < 0.75  # long records: too narrow


def test_talent_coverage_is_the_truth_between_the_beta_quantiles() -> None:
    from hfm_runtime.ranges import QUANTILES, beta_ppf

    rng = np.random.default_rng(5)
    center, evidence, truth, _, _ = _talent_rows(rng, 400, 1.0, None)
    var = talent_variance(center, evidence, 300.0, 0.7, 1 / 500)
    a, b = beta_shape(center, var)
    q = beta_ppf(np.array(QUANTILES)[None, :], a[:, None], b[:, None])
    hit = talent_coverage(center, var, truth)
    np.testing.assert_array_equal(hit[0.8], (truth >= q[:, 0]) & (truth <= q[:, 3]))
    np.testing.assert_array_equal(hit[0.5], (truth >= q[:, 1]) & (truth <= q[:, 2]))


def test_fit_rows_with_true_talent_give_a_talent_pair_per_stat_and_without_none() -> None:
    """Fit rows with the true talent (a simulated league), HR's drawn with four times the variance: a
    talent k' per stat that finds it and covers 80% on the rows. Without the truth (a real league)
    there is no talent pair (the talent interval keeps the outcome's), and the outcome fit is the same."""
    rng = np.random.default_rng(2)
    stats = ["SO", "BB", "HR", "H"]
    size = 1500
    evidence, n = rng.uniform(0, 2000, size), rng.integers(50, 700, size)  # one of each per row, as fit_rows
    frame = {"season": 2020, "player_id": np.arange(size), "evidence": evidence, "n": n}
    for s in stats:
        center = rng.uniform(0.03, 0.3, size)
        a, b = beta_shape(center, talent_variance(center, evidence, 300.0, 4.0 if s == "HR" else 1.0, 0.0))
        truth = rng.beta(a, b)
        frame[f"center_{s}"], frame[f"count_{s}"], frame[f"truth_{s}"] = center, rng.binomial(n, truth), truth
    rows = pd.DataFrame(frame)
    prior = {s: 300.0 for s in stats}
    scale, drift, t_scale, t_drift, report = fit_type_from_rows(rows, "pitcher", prior)
    assert set(t_scale) == set(stats) and set(report["talent_coverage_on_fit_rows"]) == set(stats)
    assert t_scale["HR"] == pytest.approx(4.0, rel=0.45) and t_scale["SO"] == pytest.approx(1.0, rel=0.45)
    for s in stats:
        assert abs(report["talent_coverage_on_fit_rows"][s]["0.8"] - 0.8) < 0.03
    unknown = rows.assign(**{f"truth_{s}": np.nan for s in stats})
    scale2, drift2, t_scale2, t_drift2, report2 = fit_type_from_rows(unknown, "pitcher", prior)
    assert t_scale2 is None and t_drift2 is None and "talent_coverage_on_fit_rows" not in report2
    assert scale2 == scale and drift2 == drift  # the outcome fit does not read the truth


@pytest.mark.slow
def test_the_run_fits_ranges_the_bundle_carries_and_the_calibration_reads(tiny_run: Path, tiny_bundle: Path,
                                                                          tmp_path: Path) -> None:
    blend = json.loads((tiny_run / "blend.json").read_text())
    params = RangeParams.from_json(blend["ranges"])
    assert params.source.startswith("fitted on seasons")
    test_season = json.loads((tiny_run / "config.json").read_text())["seasons"]["test"][0]
    assert test_season not in blend["ranges_fit"]["batter"]["seasons"]  # never the test season
    bundle = B.load_bundle(tiny_bundle)
    assert bundle.range_params.to_json() == params.to_json()
    # the tiny league is simulated: the talent interval has its own k' and D', fitted on the fit rows
    assert params.has_talent("batter") and params.has_talent("pitcher")
    assert "talent_coverage_on_fit_rows" in blend["ranges_fit"]["batter"]
    rows = pd.read_csv(tiny_run / RANGE_ROWS)
    assert set(rows["player_type"]) == {"batter", "pitcher"} and test_season not in set(rows["season"])
    assert np.isfinite(rows.loc[rows["player_type"] == "batter", "truth_SO"]).all()

    # a bundle whose ranges are broken is refused, naming the file and the field
    broken = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, broken)
    data = json.loads((broken / B.BLEND).read_text())
    data["ranges"]["prior"]["batter"]["HR"] = "many"
    (broken / B.BLEND).write_text(json.dumps(data))
    manifest = json.loads((broken / B.MANIFEST).read_text())
    B.write_manifest(broken, {k: v for k, v in manifest.items() if k not in ("format", "schema_version", "files")})
    with pytest.raises(BundleError, match=r"blend.json: ranges: field 'prior.batter.HR' is 'many'"):
        B.load_bundle(broken)

    report = calibrate_run(tiny_run)
    assert report["test_season"] == test_season
    assert report["params_source"].startswith("the run's")
    # the playing-time spread: fitted by the run on its training seasons, carried by the bundle, read here
    assert params.playing_time is not None and bundle.range_params.playing_time == params.playing_time
    assert "playing time" not in report["params_source"]  # the run's own, not fitted here
    for pt, r in report["types"].items():
        t = r["totals"]
        assert t["n_players"] >= r["n_players"] - t["n_no_play"] and t["n_blend"] > 0
        for s, row in t["stats"].items():
            for level in ("50", "80"):
                assert 0.0 <= row[f"with_cover_{level}"] <= 1.0
            assert row["with_width_80"] > row["with_width_50"] >= 0
    for pt, r in report["types"].items():
        assert r["n_players"] > 0
        for s, methods in r["stats"].items():
            for method in ("hfm", "baseline"):
                m = methods[method]
                for level in ("50", "80"):
                    assert 0.0 <= m[f"outcome_cover_{level}"] <= 1.0
                    assert m[f"outcome_score_{level}"] >= m[f"outcome_width_{level}"] >= 0
                assert m["outcome_width_80"] > m["outcome_width_50"]
                assert 0.0 <= m["talent_cover_80"] <= 1.0  # a simulated league: its true talent
    text = format_report(report)
    assert "| HFM | outcome 80% |" in text and "| baseline | talent 50% |" in text and "| totals | 80% |" in text
    refit = calibrate_run(tiny_run, scale_from="rows")  # the current code on the run's saved rows: the same
    assert {k: v for k, v in refit["params"].items() if k != "source"} == {
        k: v for k, v in report["params"].items() if k != "source"}
    shared = calibrate_run(tiny_run, talent="outcome")  # the talent interval with the outcome's k and D
    assert "talent" not in shared["params"] and shared["params_source"].endswith("(--talent outcome)")
    for pt, r in shared["types"].items():
        for s, methods in r["stats"].items():
            assert methods["hfm"]["outcome_cover_80"] == report["types"][pt]["stats"][s]["hfm"]["outcome_cover_80"]
    marcel_fit = calibrate_run(tiny_run, scale_from="marcel")
    assert marcel_fit["params_source"].startswith("fitted here from Marcel")


def test_playing_time_rows_take_the_score_tables_players_and_count_a_season_not_played_as_0() -> None:
    """Rows for a season: everyone with an MLB line in the three seasons before, typed by the players
    table; Marcel's projection from the two seasons before, the window's opportunities as full-season
    equivalents (2020 x 162/60), the age from the birth date and Marcel's rates; the actual
    opportunities, 0 when absent."""
    stats = {"SO": 100, "BB": 50, "HR": 20, "H": 140, "2B": 30, "3B": 3}
    batting = pd.DataFrame({"player_id": [1, 1, 2, 3, 1], "season": [2018, 2019, 2018, 2017, 2021],
                            "level": "MLB", "PA": [600, 500, 300, 100, 450], **stats})
    pitching = pd.DataFrame({"player_id": [9, 9], "season": [2020, 2021], "level": "MLB", "BF": [700, 650],
                             "SO": 150, "BB": 50, "HR": 20, "H": 150})
    players = pd.DataFrame({"player_id": [1, 2, 3, 9], "player_type": ["batter", "batter", "batter", "pitcher"],
                            "birth_date": pd.to_datetime(["1990-03-01", None, None, None])})
    rows = playing_time_rows({"batter": batting, "pitcher": pitching}, players, [2021])
    b = rows["batter"].set_index("player_id")
    assert list(b.index) == [1, 2]  # 3's only line is outside the window; 9 is a pitcher
    assert b.loc[1, "projected"] == pytest.approx(0.5 * 0 + 0.1 * 500 + MARCEL_CONFIGS["batter"].playing_time_base)
    assert list(b.loc[1, ["opp_1", "opp_2", "opp_3"]]) == [0.0, 500.0, 600.0]
    assert b.loc[1, "age"] == 31 and np.isnan(b.loc[2, "age"])
    assert 0.15 < b.loc[1, "m_SO"] < 0.2 and set(c for c in b.columns if c.startswith("m_")) == {f"m_{s}" for s in stats}
    assert b.loc[1, "actual"] == 450 and b.loc[2, "actual"] == 0.0  # 2 did not play in 2021
    p = rows["pitcher"].set_index("player_id")
    assert list(p.index) == [9] and p.loc[9, "actual"] == 650 and p.loc[9, "opp_1"] == pytest.approx(700 * 162 / 60)
    # 2020's 60 games count as a full season in the window
    assert p.loc[9, "projected"] == pytest.approx(0.5 * 700 * 162 / 60 + MARCEL_CONFIGS["pitcher"].playing_time_base)


def _playing_time_frames(rng: np.random.Generator, size: int = 3000) -> dict[str, pd.DataFrame]:
    """Rows drawn from a known playing-time law: a player's expected opportunities follow last season's
    (more than Marcel's half) and fall past 28; one in ten does not play."""
    frames = {}
    for pt in ("batter", "pitcher"):
        window = rng.choice([0.0, 1.0], (size, 3), p=[0.3, 0.7]) * rng.uniform(50, 700, (size, 3))
        age = rng.uniform(22, 38, size)
        mean = np.maximum(0.8 * window[:, 0] + 0.2 * window[:, 1] - 25.0 * np.maximum(age - 28, 0) + 40, 0.0)
        actual = np.where(rng.uniform(size=size) < 0.1, 0.0, mean * rng.gamma(8.0, 1 / 8.0, size))
        frame = pd.DataFrame({"season": 2018, "player_id": np.arange(size),
                              "projected": 0.5 * window[:, 0] + 0.1 * window[:, 1] + MARCEL_CONFIGS[pt].playing_time_base,
                              "opp_1": window[:, 0], "opp_2": window[:, 1], "opp_3": window[:, 2], "age": age,
                              "actual": actual, "mean": mean})
        for stat in TARGET_STATS[pt]:
            frame[f"m_{stat}"] = rng.uniform(0.01, 0.3, size)
        frames[pt] = frame
    return frames


def test_playing_time_bands_merge_a_band_that_ties_leave_too_small() -> None:
    """Many rows at one base (the model's floor, a tie above it) would leave a band empty or under
    min_rows between interpolated cuts: such a band joins its smaller neighbour."""
    rng = np.random.default_rng(4)
    base = np.concatenate([np.full(400, 10.0), np.full(310, 250.0), rng.uniform(11, 600, 290)])
    config = PlayingTimeConfig(bands=10, min_rows=30)
    bounds = _band_bounds(base, config)
    counts = np.bincount(np.searchsorted(np.asarray(bounds), base, side="right"), minlength=len(bounds) + 1)
    assert (counts >= 30).all() and counts.sum() == len(base) and len(bounds) >= 3
    assert (np.diff(bounds) > 0).all()
    with pytest.raises(HFMInputError, match=r"alpha 0.0 \(> 0\)"):
        PlayingTimeConfig(alpha=0.0)


def test_playing_time_fit_learns_the_expected_opportunities_and_the_ratio_quantiles_per_band() -> None:
    """Rows drawn with a known law: the fitted base follows the expected opportunities (age included),
    the bands hold equal rows of that base and their ratio quantiles are the rows' own; the spread's
    mean opportunities on fresh rows come closer to the truth than Marcel's projection; too few rows
    for a type is an error naming it."""
    rng = np.random.default_rng(2)
    frames = _playing_time_frames(rng)
    spread = fit_playing_time(frames, PlayingTimeConfig(bands=5))
    fresh = _playing_time_frames(rng, 2000)
    for pt, frame in frames.items():
        base = spread.model[pt].predict(inputs_of(frame, pt))
        assert np.corrcoef(base, frame["mean"])[0, 1] > 0.95
        band = spread.band(pt, base)
        assert len(spread.edges[pt]) == 4 and np.ptp(np.bincount(band)) <= 2  # equal rows
        ratio = frame["actual"].to_numpy() / base
        for b in range(5):
            np.testing.assert_allclose(spread.ratio[pt][b], np.maximum.accumulate(np.quantile(ratio[band == b], GRID)))
        assert sum(spread.rows[pt]) == len(frame)
        assert spread.most[pt] == frame["actual"].max()  # the hold: the most a fit row had
        test = fresh[pt]
        n0 = test["projected"].to_numpy()
        expected = spread.mean_opportunities(pt, n0, inputs_of(test, pt))
        truth = 0.9 * test["mean"].to_numpy()  # one in ten does not play
        assert np.abs(expected - truth).mean() < 0.5 * np.abs(n0 - truth).mean()
        old, young = test["age"].to_numpy() > 35, test["age"].to_numpy() < 27
        assert expected[old].mean() < expected[young].mean()  # Marcel's projection does not see age
    with pytest.raises(HFMInputError, match="10 pitcher rows, fewer than min_rows 30"):
        fit_playing_time({"batter": frames["batter"], "pitcher": frames["pitcher"].head(10)})
    # the hold is the most of the last five fit seasons: a heavier workload a sixth season back is not read
    old = {pt: f.assign(season=2012, actual=f["actual"] + 300.0) for pt, f in frames.items()}
    five = {pt: f.assign(season=2014 + np.arange(len(f)) % 5) for pt, f in frames.items()}  # 2014-2018
    six = {pt: pd.concat([old[pt], five[pt]]) for pt in frames}
    assert fit_playing_time(six, PlayingTimeConfig(bands=5)).most == {pt: frames[pt]["actual"].max() for pt in frames}
    assert fit_playing_time(six, PlayingTimeConfig(bands=5, most_seasons=6)).most == {
        pt: old[pt]["actual"].max() for pt in frames}
    # seasons, not years: with 2013-2016 and 2018 held (2017 left out), the last five reach 2013
    gap = {pt: pd.concat([old[pt].assign(season=2013), five[pt].replace({"season": {2017: 2016}})]) for pt in frames}
    assert fit_playing_time(gap, PlayingTimeConfig(bands=5)).most == {pt: old[pt]["actual"].max() for pt in frames}
