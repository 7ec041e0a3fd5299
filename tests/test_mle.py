"""MLE translation: factors from players at both levels, translation, JSON, and call-ups on the simulator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.mle import MLETranslator
from hfm_runtime.seasons import PITCHING_COLUMNS
from hfm_runtime.targets import TARGET_STATS


def season_line(pid, season, level, bf, rates):
    row = dict.fromkeys(PITCHING_COLUMNS, 0.0)
    row["BF"] = bf
    row.update({s: r * bf for s, r in rates.items()})
    return {"player_id": pid, "season": season, "level": level, **row}


def test_fit_recovers_known_factors_weighted_by_harmonic_mean():
    true = {"SO": 0.8, "BB": 1.25, "HR": 1.5, "H": 1.1}
    rng = np.random.default_rng(0)
    rows = []
    for pid in range(40):
        aaa = {s: rng.uniform(0.02, 0.3) for s in true}
        rows.append(season_line(pid, 2021, "AAA", rng.integers(50, 600), aaa))
        rows.append(season_line(pid, 2021 + pid % 2, "MLB", rng.integers(5, 600),
                                {s: aaa[s] * f for s, f in true.items()}))
    # A pair two seasons apart (ignored) with absurd rates, and an MLB-only player (ignored).
    rows.append(season_line(99, 2018, "AAA", 500, dict.fromkeys(true, 0.01)))
    rows.append(season_line(99, 2020, "MLB", 500, dict.fromkeys(true, 0.5)))
    rows.append(season_line(100, 2021, "MLB", 500, dict.fromkeys(true, 0.5)))
    mle = MLETranslator("pitcher").fit(pd.DataFrame(rows))
    assert mle.factors_ == pytest.approx(true)
    assert mle.n_pairs_ == 40


def test_weights_favour_pairs_with_more_opportunities_on_both_sides():
    rows = [season_line(1, 2021, "AAA", 500, dict.fromkeys(TARGET_STATS["pitcher"], 0.1)),
            season_line(1, 2021, "MLB", 500, dict.fromkeys(TARGET_STATS["pitcher"], 0.1)),  # w = 500
            season_line(2, 2021, "AAA", 500, dict.fromkeys(TARGET_STATS["pitcher"], 0.1)),
            season_line(2, 2021, "MLB", 10, dict.fromkeys(TARGET_STATS["pitcher"], 0.3))]  # w ~ 19.6
    mle = MLETranslator("pitcher").fit(pd.DataFrame(rows))
    w2 = 2 * 500 * 10 / 510
    assert mle.factors_["SO"] == pytest.approx((500 * 0.1 + w2 * 0.3) / ((500 + w2) * 0.1))


def test_transform_scales_only_aaa_target_counts_and_round_trips_json():
    rows = pd.DataFrame([season_line(1, 2021, "AAA", 100, {"SO": 0.2, "BB": 0.1, "HR": 0.02, "H": 0.25}),
                         season_line(1, 2021, "MLB", 100, {"SO": 0.2, "BB": 0.1, "HR": 0.02, "H": 0.25})])
    mle = MLETranslator("pitcher")
    mle.factors_ = {"SO": 0.5, "BB": 2.0, "HR": 1.0, "H": 1.5}
    out = mle.transform(rows)
    assert out.loc[0, "SO"] == pytest.approx(10) and out.loc[0, "BB"] == pytest.approx(20)
    assert out.loc[1, "SO"] == pytest.approx(20) and out.loc[0, "BF"] == 100 and out.loc[0, "IBB"] == 0
    assert rows.loc[0, "SO"] == pytest.approx(20)  # input untouched
    back = MLETranslator.from_json(mle.to_json())
    assert back.factors_ == mle.factors_
    pd.testing.assert_frame_equal(back.transform(rows), out)


def test_errors():
    lonely = pd.DataFrame([season_line(1, 2021, "AAA", 100, {"SO": 0.2, "BB": 0.1, "HR": 0.0, "H": 0.2})])
    with pytest.raises(HFMInputError, match="no pitcher played at both"):
        MLETranslator("pitcher").fit(lonely)
    with pytest.raises(HFMInputError, match="missing column"):
        MLETranslator("pitcher").fit(lonely.drop(columns="HR"))
    with pytest.raises(HFMInputError, match="not fitted"):
        MLETranslator("pitcher").transform(lonely)
    with pytest.raises(HFMInputError, match="do not match"):
        MLETranslator.from_json({"player_type": "batter", "max_season_gap": 1, "n_pairs": 1, "weight": 1.0,
                                 "factors": {"SO": 1.0}})


def test_mle_profiles_of_call_ups_beat_the_league_mean_on_the_tiny_league(tiny_league):
    """Batters' strikeout rate, the stat the tiny league has signal for (its other stats are
    noise-limited at ~50 PA a season; the default league's figures are in the closing note)."""
    from hfm_runtime.identity import player_lines
    from hfm_runtime.league import load_league
    from hfm_train.archetypes import ArchetypeConfig, evaluate_mle_callups, fit_identity_type

    league = load_league(tiny_league)
    lines = player_lines(league, "batter")
    fitted = fit_identity_type(lines, league.players, "batter", league.seasons,
                               ArchetypeConfig(n_init=1))
    assert fitted.model.mle is not None and all(f > 0 for f in fitted.model.mle.factors_.values())
    ev = evaluate_mle_callups(lines, league.players, league.true_talent, fitted.model, min_aaa_opportunities=0)
    assert ev.loc["SO", "n"] >= 10
    assert ev.loc["SO", "rmse_mle"] < 0.95 * ev.loc["SO", "rmse_league"]
