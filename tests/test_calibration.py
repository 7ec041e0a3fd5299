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
from hfm_runtime.errors import BundleError
from hfm_runtime.ranges import RangeParams, beta_shape, talent_variance
from hfm_train.calibration import MAX_PRIOR, calibrate_run, fit_prior, fit_scale, format_report


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
    assert "| HFM | outcome 80% |" in text and "| baseline | talent 50% |" in text
    marcel_fit = calibrate_run(tiny_run, scale_from="marcel")
    assert marcel_fit["params_source"].startswith("fitted here from Marcel")
