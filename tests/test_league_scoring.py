"""Scoring a league folder season by season and in chunks of players equals scoring it whole."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.league import load_league
from hfm_runtime.league_scoring import score_league
from hfm_runtime.scoring import History, Scorer


@pytest.fixture(scope="module")
def whole(tiny_bundle, tiny_league):
    league = load_league(tiny_league)
    return Scorer(tiny_bundle).score(History.from_league(league), max(league.seasons))


@pytest.mark.parametrize("chunk", [25, 10_000])
def test_chunked_league_scores_equal_the_whole_league(tiny_bundle, tiny_league, whole, chunk):
    lines: list[str] = []
    got = score_league(Scorer(tiny_bundle), tiny_league, chunk_players=chunk, log=lines.append)
    assert sum(line.startswith("scored") for line in lines) >= (4 if chunk == 25 else 2)  # several chunks per type
    assert list(got.columns) == list(whole.columns) and len(got) == len(whole)
    for col in whole.columns:
        a, b = got[col].to_numpy(), whole[col].to_numpy()
        if a.dtype.kind == "f":
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-6, equal_nan=True, err_msg=col)
        else:
            assert (pd.Series(a).astype(str) == pd.Series(b).astype(str)).all(), col


def test_chunked_scoring_of_named_players_and_dates(tiny_bundle, tiny_league):
    league = load_league(tiny_league)
    season = max(league.seasons)
    scorer = Scorer(tiny_bundle)
    ids = Scorer.default_players(History.from_league(league), season)[::9]
    as_of = pd.Timestamp(f"{season}-06-01")
    want = scorer.score(History.from_league(league), season, ids, as_of)
    got = score_league(scorer, tiny_league, season, ids, as_of, chunk_players=6)
    assert got["player_id"].tolist() == want["player_id"].tolist()
    np.testing.assert_allclose(got["rate_SO"].to_numpy(float), want["rate_SO"].to_numpy(float), atol=1e-6)
    with pytest.raises(ValueError, match="chunk_players"):
        score_league(scorer, tiny_league, chunk_players=0)
