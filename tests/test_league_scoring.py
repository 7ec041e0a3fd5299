"""Scoring a league folder season by season and in chunks of players equals scoring it whole."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.league import load_league
from hfm_runtime.league_scoring import _chunks, league_pitches, score_league
from hfm_runtime.scoring import History, Scorer


@pytest.fixture(scope="module")
def whole(tiny_bundle, tiny_league):
    league = load_league(tiny_league)
    return Scorer(tiny_bundle).score(History.from_league(league), max(league.seasons))


@pytest.mark.parametrize("chunk", [{"chunk_players": 25}, {"chunk_players": 10_000}, {"chunk_pitches": 20_000}])
def test_chunked_league_scores_equal_the_whole_league(tiny_bundle, tiny_league, whole, chunk):
    lines: list[str] = []
    got = score_league(Scorer(tiny_bundle), tiny_league, log=lines.append, **chunk)
    scored = [line for line in lines if line.startswith("scored")]
    assert len(scored) >= (2 if chunk.get("chunk_players") == 10_000 else 4)  # several chunks per type
    if "chunk_pitches" in chunk:  # each chunk within the budget (a chunk's rows are its players' own pitches)
        held = [int(line.split("(")[1].split()[0].replace(",", "")) for line in scored]
        assert max(held) <= 20_000 and sum(held) > 20_000, held
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


def test_chunks_respect_both_budgets():
    ids, load = np.arange(6), np.array([5, 5, 20, 1, 1, 1])
    assert [c.tolist() for c in _chunks(ids, load, 10, 100)] == [[0, 1], [2], [3, 4, 5]]  # 20 > 10: alone
    assert [c.tolist() for c in _chunks(ids, load, 100, 2)] == [[0, 1], [2, 3], [4, 5]]
    assert _chunks(ids[:0], load[:0], 10, 10) == []


def test_hfm_score_chunks_a_league_of_more_pitches_than_the_budget(tiny_bundle, tiny_league, tmp_path, capsys):
    from hfm_runtime.cli import main

    assert league_pitches(tiny_league) == len(load_league(tiny_league).pitches)
    out = {}
    for name, budget in (("whole", 10**9), ("chunked", 20_000)):
        main(["--bundle", str(tiny_bundle), "--league", str(tiny_league), "--format", "csv",
              "--chunk-pitches", str(budget), "--out", str(tmp_path / f"{name}.csv")])
        out[name] = (pd.read_csv(tmp_path / f"{name}.csv"), capsys.readouterr().err)
    assert "scored" not in out["whole"][1] and "scored pitchers" in out["chunked"][1]  # progress on stderr
    a, b = out["chunked"][0], out["whole"][0]
    assert a["player_id"].tolist() == b["player_id"].tolist() and (a["flag"] == b["flag"]).all()
    numbers = [c for c in a.columns if c.split("_")[0] in ("marcel", "model", "rate", "proj")]
    np.testing.assert_allclose(a[numbers].to_numpy(float), b[numbers].to_numpy(float), atol=1e-6)
