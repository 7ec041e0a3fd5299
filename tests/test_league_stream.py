"""fit's season-by-season data preparation equals the whole-league path it replaced."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.featurize import GameKeys, PitchFeaturizer
from hfm_runtime.identity import player_lines
from hfm_runtime.league import load_league
from hfm_runtime.targets import PLAYER_TYPES
from hfm_train.league_stream import league_seasons, merge_tables, prepare_league

ARRAYS = ("cat", "num", "pa_of_pitch", "pitch_offsets", "pa_offsets", "pa_outcome")


def assert_tables_equal(got, want) -> None:
    assert len(got) == len(want) and got.vocab_sizes == want.vocab_sizes
    for name in ARRAYS:
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype, name
        np.testing.assert_array_equal(a, b, err_msg=name)
    for f in fields(GameKeys):
        a, b = getattr(got.keys, f.name), getattr(want.keys, f.name)
        assert a.dtype == b.dtype, f.name
        np.testing.assert_array_equal(a, b, err_msg=f.name)


@pytest.fixture(scope="module")
def whole(tiny_league):
    league = load_league(tiny_league)
    fit_seasons = league.seasons[:-2]
    fit_pitches = league.pitches[league.pitches["game_date"].dt.year.isin(fit_seasons)]
    featurizer = PitchFeaturizer().fit(fit_pitches)
    return league, fit_seasons, featurizer, featurizer.transform(league.pitches)


def test_streamed_preparation_equals_the_whole_league_path(tiny_league, whole):
    league, fit_seasons, featurizer, table = whole
    laps = []
    data = prepare_league(tiny_league, league_seasons(tiny_league), fit_seasons, lap=laps.append)
    assert laps == ["fit featurizer", "featurize + lines"]
    assert data.featurizer.to_json() == featurizer.to_json()
    assert_tables_equal(data.table, table)
    for pt in PLAYER_TYPES:
        pd.testing.assert_frame_equal(data.lines[pt], player_lines(league, pt))
    assert data.league.pitches is None and data.league.seasons == league.seasons
    pd.testing.assert_frame_equal(data.league.players, league.players)
    pd.testing.assert_frame_equal(data.league.true_talent, league.true_talent)


def test_last_season_cuts_the_league(tiny_league):
    seasons = league_seasons(tiny_league)
    assert league_seasons(tiny_league, last_season=seasons[-2]) == seasons[:-1]


def test_merge_puts_games_in_contract_order(whole):
    league, _, featurizer, table = whole
    years = league.pitches["game_date"].dt.year
    parts = [featurizer.transform(league.pitches[years == s]) for s in reversed(league.seasons)]  # any order
    assert_tables_equal(merge_tables(parts), table)
    assert parts == []  # consumed: each season's arrays are freed once merged


def test_featurizer_fit_parts_equals_fit_on_the_concatenation(whole):
    league, *_ = whole
    years = league.pitches["game_date"].dt.year
    parts = [league.pitches[years == s] for s in league.seasons]
    assert PitchFeaturizer().fit_parts(iter(parts)).to_json() == PitchFeaturizer().fit(league.pitches).to_json()
