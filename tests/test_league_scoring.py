"""Scoring a league folder season by season and in chunks of players equals scoring it whole."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.league import load_league
from hfm_runtime.league_scoring import _chunks, league_pitches, score_league
from hfm_runtime.scoring import History, Scorer, SeasonGapWarning


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


def test_an_earlier_season_scored_in_chunks_equals_the_whole_league(tiny_bundle, tiny_league):
    """Projecting a season before the league's last reads no later season's pitches in its chunks
    (2x faster for 2010 from 2000-2021) and scores as the History of the whole league does."""
    league = load_league(tiny_league)
    season = sorted(league.seasons)[-2]
    scorer = Scorer(tiny_bundle)
    want = scorer.score(History.from_league(league), season)
    got = score_league(scorer, tiny_league, season, chunk_players=9)
    assert len(got) == len(want) > 0 and got["player_id"].tolist() == want["player_id"].tolist()
    for col in ("rate_SO", "rate_BB", "marcel_SO", "proj_H", "opportunities_mean"):
        np.testing.assert_allclose(got[col].to_numpy(float), want[col].to_numpy(float), atol=1e-6, err_msg=col)
    assert (got["flag"] == want["flag"]).all() and (got["archetype"] == want["archetype"]).all()


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


def test_the_module_command_scores_in_season_too(tiny_bundle, tiny_league, tmp_path, capsys):
    """`python -m hfm_runtime.league_scoring` takes --as-of and --season-end as hfm-score does (a
    walkthrough found it could project only as of opening day)."""
    from hfm_runtime.league_scoring import main

    league = load_league(tiny_league)
    season = max(league.seasons)
    out = tmp_path / "table.csv"
    main(["--bundle", str(tiny_bundle), "--league", str(tiny_league), "--as-of", f"{season}-06-01",
          "--season-end", f"{season}-10-01", "--out", str(out)])
    got = pd.read_csv(out)
    want = Scorer(tiny_bundle).score(History.from_league(league), season, as_of=f"{season}-06-01",
                                     season_end=f"{season}-10-01")
    assert (got["as_of_date"] == f"{season}-06-01").all() and (got["opportunities_to_date"] > 0).any()
    np.testing.assert_allclose(got["proj_SO"].to_numpy(float), want["proj_SO"].to_numpy(float), rtol=1e-6)


@pytest.mark.parametrize("args, message", [
    (["--out", "FOLDER"], "a folder; give a file's path"), (["--chunk-players", "0"], "--chunk-players must be at least 1"),
])
def test_the_module_command_refuses_bad_options_before_scoring(tiny_league, tmp_path, capsys, monkeypatch, args,
                                                               message):
    from hfm_runtime import league_scoring

    monkeypatch.setattr(league_scoring, "Scorer", lambda *a, **k: pytest.fail("scored before the check"))
    args = [str(tmp_path) if a == "FOLDER" else a for a in args]
    with pytest.raises(SystemExit) as exit_info:
        league_scoring.main(["--bundle", "b", "--league", str(tiny_league), "--out", str(tmp_path / "t.csv"), *args])
    assert exit_info.value.code == 2 and message in capsys.readouterr().err
    assert not list(tmp_path.glob("*.tmp"))


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
    # the ranges too: a season total's quantile in a flat stretch of its CDF once moved with the batch
    numbers = [c for c in a.columns if c.split("_")[0] in ("marcel", "model", "rate", "proj", "talent", "outcome", "total")]
    assert any(c.startswith("total_p90_") for c in numbers)
    np.testing.assert_allclose(a[numbers].to_numpy(float), b[numbers].to_numpy(float), atol=1e-6)


def test_hfm_score_names_a_damaged_league_file(tiny_bundle, tiny_league, tmp_path, capsys):
    import shutil

    from hfm_runtime.cli import main

    league = tmp_path / "league"
    shutil.copytree(tiny_league, league)
    damaged = sorted(league.glob("pitches/MLB/*.parquet"))[0]
    damaged.write_bytes(damaged.read_bytes()[:-100])  # cut short: no footer
    for budget in ("20000", str(10**9)):  # chunked (the footers are counted first) and whole
        with pytest.raises(SystemExit):
            main(["--bundle", str(tiny_bundle), "--league", str(league), "--format", "csv", "--chunk-pitches", budget])
        err = capsys.readouterr().err
        assert f"{damaged}: cannot read as PARQUET" in err and "Traceback" not in err, err


@pytest.fixture(scope="module")
def charged_league(tiny_league, tmp_path_factory):
    """The tiny league with Retrosheet's `responsible_*` columns: each reliever's first plate appearance
    charged to the pitcher before him (a walk charged to the pitcher who left) and every 10th plate
    appearance of a half-inning to its previous batter, so some plate appearances belong to a player
    whose own rows do not hold their last pitch; and where that first plate appearance reached two
    strikes before its last pitch, the pitches up to the first two-strike one thrown by the pitcher
    before (a change during the plate appearance)."""
    import shutil

    root = tmp_path_factory.mktemp("charged") / "league"
    shutil.copytree(tiny_league, root)
    for path in sorted(root.glob("pitches/*/*.parquet")):
        p = pd.read_parquet(path)
        ended = p["events"].notna().to_numpy()
        half = p["game_pk"].astype(str) + p["inning_topbot"].astype(str)
        pas = p[ended].assign(half=half[ended])
        before_p = pas.groupby("half")["pitcher"].shift(1)
        before_b = pas.groupby("half")["batter"].shift(1)
        new_pitcher = before_p.notna() & (before_p != pas["pitcher"])
        nth = pas.groupby("half").cumcount() % 10 == 9
        p["responsible_pitcher"] = np.nan
        p["responsible_batter"] = np.nan
        p.loc[pas.index[new_pitcher.to_numpy()], "responsible_pitcher"] = before_p[new_pitcher].to_numpy(float)
        p.loc[pas.index[nth.to_numpy()], "responsible_batter"] = before_b[nth].to_numpy(float)
        pa_key = p["game_pk"].astype(str) + "/" + p["at_bat_number"].astype(str)
        for row, previous in zip(pas.index[new_pitcher.to_numpy()], before_p[new_pitcher].to_numpy()):
            rows = p.index[pa_key == pa_key[row]]
            two = rows[(p.loc[rows, "strikes"] == 2).to_numpy() & (rows != row)]
            if len(two):  # the reliever came in after the first two-strike pitch
                p.loc[rows[rows <= two[0]], "pitcher"] = int(previous)
        p.to_parquet(path, index=False)
    return root


def test_plate_appearances_charged_to_a_player_in_another_chunk_count_for_him(tiny_bundle, tiny_league, charged_league):
    from hfm_runtime.identity import player_lines
    from hfm_runtime.marcel import league_rates
    from hfm_runtime.seasons import charged_rows
    from hfm_runtime.store import PlayerStore

    league = load_league(charged_league)
    pitches, season = league.pitches, max(league.seasons)
    # the test means something: picking rows by the pitcher column alone loses plate appearances
    pitchers = pitches["pitcher"].unique()[:40]
    by_column = player_lines(pitches[pitches["pitcher"].isin(pitchers)], "pitcher")
    charged = player_lines(pitches[charged_rows(pitches, "pitcher", pitchers)], "pitcher")
    lost = (charged[charged["player_id"].isin(pitchers)].groupby("player_id")["BF"].sum()
            - by_column[by_column["player_id"].isin(pitchers)].groupby("player_id")["BF"].sum())
    assert (lost > 0).sum() >= 5 and (lost >= 0).all()
    scorer = Scorer(tiny_bundle)
    whole = scorer.score(History.from_league(league), season)
    plain = scorer.score(History.from_league(load_league(tiny_league)), season)
    assert (whole["marcel_SO"].to_numpy() != plain["marcel_SO"].to_numpy()).any()  # the credits moved Marcel
    got = score_league(Scorer(tiny_bundle), charged_league, chunk_players=7)
    assert got["player_id"].tolist() == whole["player_id"].tolist()
    numbers = [c for c in whole.columns if c.split("_")[0] in ("marcel", "model", "rate", "proj", "evidence")]
    np.testing.assert_allclose(got[numbers].to_numpy(float), whole[numbers].to_numpy(float), atol=1e-6)
    # a store of some players' rows (`only`) holds their lines alone, charged plate appearances included
    rates = {pt: league_rates(History.from_league(league).lines(pt), pt) for pt in ("batter", "pitcher")}
    some = [int(i) for i in lost.index[lost > 0][:3]]
    store = PlayerStore.build(scorer, pitches[charged_rows(pitches, "pitcher", some)], league.players,
                              league=rates, only=some)
    assert sorted(store._lines["pitcher"]) == sorted(some)
    as_of = pd.Timestamp(pitches["game_date"].max()) + pd.Timedelta(days=1)  # the store keeps the last games
    mine = scorer.score(store, season, some, as_of=as_of)
    want = scorer.score(History.from_league(league), season, some, as_of=as_of)
    want = want.set_index(["player_id", "player_type"]).loc[[(i, "pitcher") for i in some]]
    np.testing.assert_allclose(mine[["marcel_SO", "rate_SO"]].to_numpy(float),
                               want[["marcel_SO", "rate_SO"]].to_numpy(float), atol=1e-6)


def test_chunked_scoring_before_the_data_and_of_a_player_the_table_does_not_type(tiny_bundle, tiny_league, tmp_path):
    """What the chunks' season cut must not change (a review found both): a season before the league's
    first (no season to read: a traceback) and a player missing from players.csv who pitched only after
    the projected season (the rows say whether he pitched: his row was dropped)."""
    import shutil

    league = load_league(tiny_league)
    seasons = sorted(league.seasons)
    scorer = Scorer(tiny_bundle)
    veteran = int(league.players["player_id"].iloc[0])
    with pytest.warns(SeasonGapWarning, match="lies outside this data's MLB seasons"):
        early = score_league(scorer, tiny_league, seasons[0] - 1, [veteran], chunk_players=5)
    assert early["flag"].tolist() == ["league_rate"]
    pitchers = league.pitches.groupby("pitcher")["game_date"].min()
    late = int(pitchers[pitchers.dt.year == seasons[-1]].index[0])  # pitched first in the last season
    copy = tmp_path / "league"
    shutil.copytree(tiny_league, copy)
    players = pd.read_csv(copy / "players.csv")
    players[players["player_id"] != late].to_csv(copy / "players.csv", index=False)
    season, ids = seasons[-2], [late, veteran]
    want = scorer.score(History.from_league(load_league(copy)), season, ids)
    got = score_league(scorer, copy, season, ids, chunk_players=5)
    assert sorted(zip(got["player_id"], got["player_type"], got["flag"])) == \
        sorted(zip(want["player_id"], want["player_type"], want["flag"]))
    assert (late, "pitcher", "unknown_player") in set(zip(got["player_id"], got["player_type"], got["flag"]))
