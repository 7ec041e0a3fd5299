"""Denoised training targets (hfm_train.denoise): closer to talent, cross-fitted by player."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.skills import SKILL_COUNTS
from hfm_runtime.errors import HFMInputError
from hfm_train.denoise import (DenoiseConfig, denoise_examples, denoise_rates, expected_rates, skill_design,
                                true_talent_targets)
from hfm_train.examples import Examples

COL = {c: i for i, c in enumerate(SKILL_COUNTS)}


def windows(n_players: int = 300, per_player: int = 2, seed: int = 0):
    """Stat 0's talent shows in the whiff rate; stats 1-5 vary between players but leave no trace
    in the skill counts. Returns (talent, actual rates, opportunities, skill counts, player ids)."""
    rng = np.random.default_rng(seed)
    talent = np.clip(rng.normal([.22, .08, .03, .23, .045, .005], [.05, .02, .01, .03, .01, .002],
                                (n_players, 6)), .002, .6)
    rows = np.repeat(np.arange(n_players), per_player)
    opp = rng.integers(40, 600, len(rows)).astype(float)
    actual = rng.binomial(opp[:, None].astype(int), talent[rows]) / opp[:, None]
    skills = np.zeros((len(rows), len(SKILL_COUNTS)))
    skills[:, COL["pitches"]] = 4 * opp
    skills[:, COL["swing"]] = 2 * opp
    skills[:, COL["whiff"]] = rng.binomial((2 * opp).astype(int), 0.05 + 0.6 * talent[rows, 0])
    return talent[rows], actual, opp, skills, rows


def as_examples(talent, actual, opp, skills, groups, idx=None) -> Examples:
    """The `windows` rows `idx` (default all) as batter Examples with empty model inputs."""
    idx = np.arange(len(opp)) if idx is None else idx
    n = len(idx)
    return Examples(
        player_type="batter", table=pd.DataFrame({"player_id": groups[idx]}),
        game_index=np.full((n, 1), -1), stat_features=np.zeros((n, 1), np.float32),
        archetype=np.zeros(n, np.int64), rates=actual[idx], weight=opp[idx], marcel=np.zeros((n, 6)),
        context_counts=np.zeros((n, 7)), true_talent=talent[idx], window_skills=skills[idx])


def rmse(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> np.ndarray:
    return np.sqrt((w[:, None] * (a - b) ** 2).sum(0) / w.sum())


def test_denoised_targets_are_closer_to_talent_than_the_actual_rates():
    talent, actual, opp, skills, groups = windows()
    out, report = denoise_rates(actual, opp, skills, groups, "batter", {}, {})
    before, after = rmse(actual, talent, opp), rmse(out, talent, opp)
    assert (after < before).all()
    assert after[0] < 0.8 * before[0]  # the stat the pitches speak to gains most
    assert len(report["mean_k"]) == 6 and all(0 <= k <= 1 for k in report["mean_k"])


def test_expected_rates_never_read_the_players_own_windows():
    _, actual, opp, skills, groups = windows(n_players=60)
    design = skill_design(skills, "batter", {}, {})
    x = expected_rates(design, actual, opp, groups, DenoiseConfig(folds=4))
    changed = actual.copy()
    changed[groups == 7] = 0.9  # one player's outcomes, wildly different
    x2 = expected_rates(design, changed, opp, groups, DenoiseConfig(folds=4))
    np.testing.assert_array_equal(x[groups == 7], x2[groups == 7])
    assert not np.allclose(x[groups != 7], x2[groups != 7])  # ...while the others' models did see it


def test_one_player_leaves_the_targets_as_they_were():
    _, actual, opp, skills, _ = windows(n_players=5)
    out, report = denoise_rates(actual, opp, skills, np.zeros(len(opp)), "batter", {}, {})
    np.testing.assert_array_equal(out, actual)
    assert report["mean_k"] == []


def test_denoise_examples_splits_back_and_touches_only_rates():
    data = windows(n_players=80)
    talent, actual, opp, skills, groups = data

    class Identity:
        skill_league, skill_prior = {}, {}

    train, val = as_examples(*data, np.arange(100)), as_examples(*data, np.arange(100, len(opp)))
    (t2, v2), _ = denoise_examples([train, val], Identity())
    assert len(t2) == len(train) and len(v2) == len(val)
    assert not np.allclose(t2.rates, train.rates)
    np.testing.assert_array_equal(v2.weight, val.weight)
    np.testing.assert_array_equal(v2.true_talent, val.true_talent)
    whole, _ = denoise_rates(actual, opp, skills, groups, "batter", {}, {})
    np.testing.assert_allclose(np.concatenate([t2.rates, v2.rates]), whole)
    with pytest.raises(ValueError, match="window skill counts"):
        denoise_examples([train.__class__(**{**train.__dict__, "window_skills": None})], Identity())


def test_true_talent_targets_replace_only_rates_and_refuse_a_league_without_talent():
    data = windows(n_players=10)
    talent, actual = data[:2]
    part = as_examples(*data)
    (out,) = true_talent_targets([part])
    np.testing.assert_array_equal(out.rates, talent)
    np.testing.assert_array_equal(out.weight, part.weight)
    np.testing.assert_array_equal(part.rates, actual)  # the input is left as it was
    talent = talent.copy()
    talent[3] = np.nan
    with pytest.raises(HFMInputError, match="1 of 20 batter examples have no true talent"):
        true_talent_targets([replace(part, true_talent=talent)])
