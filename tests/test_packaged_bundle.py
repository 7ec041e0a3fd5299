"""The bundle trained on real MLB seasons that ships with the runtime (hfm_runtime/bundles/retrosheet):
it loads, says what it was trained on, scores real players from Retrosheet and from Statcast, and
reads a Statcast file's tracking columns not at all (it was trained without them)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.bundle import load_bundle, packaged_bundle
from hfm_runtime.featurize import INPUT_GROUPS
from hfm_runtime.people import players_from_pitches
from hfm_runtime.playing_time import MOST_OPPORTUNITIES, PlayingTimeSpread
from hfm_runtime.register import read_register
from hfm_runtime.scoring import History, Scorer, ScorerOptions
from hfm_runtime.statcast import load_pitches
from hfm_runtime.targets import TARGET_STATS
from hfm_train.importer import import_statcast

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer("retrosheet", ScorerOptions(threads=1))


def test_it_loads_and_names_its_training_data():
    bundle = load_bundle("retrosheet")
    assert bundle is not None and packaged_bundle("retrosheet").is_dir()
    data = bundle.manifest["training_data"]
    assert data["source"] == "retrosheet" and "www.retrosheet.org" in data["notice"]
    assert data["input_groups"] == [] and max(data["seasons"]) <= 2021
    # its playing-time levels hold at its last five fit seasons' most (2015-2019), not 2003's workloads
    spread = PlayingTimeSpread.from_json(bundle.blend["ranges"]["playing_time"])
    assert spread.most is not None and spread.hold("pitcher") < MOST_OPPORTUNITIES["pitcher"] - 100


def test_a_data_folder_of_the_same_name_does_not_hide_it(tmp_path, monkeypatch):
    """`--bundle retrosheet` from a folder holding a `retrosheet/` data folder (a likely place to work
    from) still means the packaged bundle; a bundle folder of that name would be read instead."""
    (tmp_path / "retrosheet").mkdir()
    (tmp_path / "retrosheet" / "2019eve.zip").write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    assert load_bundle("retrosheet").manifest["training_data"]["source"] == "retrosheet"


def test_scores_real_players_from_retrosheet(tmp_path, scorer):
    import_statcast({"MLB": [DATA / "retrosheet" / "2019", DATA / "retrosheet" / "2020"]}, tmp_path / "league",
                    DATA / "retrosheet" / "chadwick_register_retro.csv")
    from hfm_runtime.league import load_league

    table = scorer.score(History.from_league(load_league(tmp_path / "league")), season=2021)
    assert len(table) > 50 and (table["flag"] == "model").any()
    for pt, rows in table[table["flag"] == "model"].groupby("player_type"):
        assert np.isfinite(rows[[f"rate_{s}" for s in TARGET_STATS[pt]]].to_numpy(np.float64)).all()
    hold = PlayingTimeSpread.from_json(scorer.bundle.blend["ranges"]["playing_time"]).hold
    for pt, rows in table.groupby("player_type"):
        assert (rows["opportunities_p90"] <= hold(pt) + 1e-9).all()


def test_a_statcast_files_tracking_is_not_read(scorer):
    """The same real game with and without its tracking columns scores the same, and the bundle's
    featurizer (fitted on Retrosheet seasons: no tracking input group) gives the same pitch inputs."""
    csv = DATA / "statcast-real" / "statcast_2020-09-03_game631614.csv"
    pitches = load_pitches(csv)
    blank = pitches.copy()
    for names in INPUT_GROUPS.values():
        for name in names:
            blank[name] = pd.Series([np.nan] * len(blank), dtype=blank[name].dtype)
    players = players_from_pitches(pitches, read_register(DATA / "statcast-real" / "chadwick_register_game631614.csv"))
    a = scorer.score(History(pitches, players), season=2021)
    b = scorer.score(History(blank, players), season=2021)
    assert (a["flag"] == "model").any()
    assert not scorer.featurizer.input_groups_
    with_tracking, without = scorer.featurizer.transform(pitches), scorer.featurizer.transform(blank)
    np.testing.assert_array_equal(with_tracking.num, without.num)
    np.testing.assert_array_equal(with_tracking.cat, without.cat)
    rates = [c for c in a.columns if c.startswith(("rate_", "model_", "adj_"))]
    np.testing.assert_allclose(a[rates].to_numpy(np.float64), b[rates].to_numpy(np.float64), equal_nan=True)


def test_a_file_too_small_for_a_league_mean_is_warned_of(capsys, tmp_path):
    """Marcel counts his league rates from the data given: one game's pitches (`hfm-score --pitches`,
    `hfm-train marcel --statcast`) make a league of 87 plate appearances, and both say so; whole
    seasons do not; a store counts its own games, and says so when they are as few."""
    from click.testing import CliRunner

    from hfm_runtime.cli import main as score_main
    from hfm_runtime.marcel import SEASON_PA, thin_league_note
    from hfm_train.marcel_report import marcel_command

    csv = DATA / "statcast-real" / "statcast_2020-09-03_game631614.csv"
    register = DATA / "statcast-real" / "chadwick_register_game631614.csv"
    score_main(["--bundle", "retrosheet", "--pitches", str(csv), "--register", str(register), "--season", "2021"])
    err = capsys.readouterr().err
    assert "warning: --pitches: Marcel's league rates" in err and "87 MLB plate appearances of 2020" in err
    score_main(["--bundle", "retrosheet", "--pitches", str(csv), "--register", str(register), "--season", "2021",
                "--store", str(tmp_path / "state")])
    err = capsys.readouterr().err
    assert "warning: --store: Marcel's league rates are counted from the store's games alone" in err
    assert "87 MLB plate appearances of 2020" in err and "--pitches: Marcel" not in err
    import_statcast({"MLB": [csv]}, tmp_path / "league", register)  # a league of that one game says so too
    score_main(["--bundle", "retrosheet", "--league", str(tmp_path / "league"), "--season", "2021"])
    err = capsys.readouterr().err
    assert "warning: --league: Marcel's league rates are counted from this league's games alone" in err
    assert "87 MLB plate appearances of 2020" in err and "import the league again with whole seasons" in err
    result = CliRunner().invoke(marcel_command, ["--statcast", str(csv), "--register", str(register)])
    assert result.exit_code == 0 and "warning: --statcast: Marcel's league rates" in result.output
    lines = pd.DataFrame({"season": [2019, 2020, 2020], "level": "MLB", "PA": [SEASON_PA, SEASON_PA * 0.2, 1000.0]})
    assert "38,000 MLB plate appearances of 2020" in thin_league_note(lines, 2021, "x")
    assert thin_league_note(lines[lines["season"] == 2019], 2021, "x") is None


def test_files_read_as_another_level_are_named_when_no_player_has_an_mlb_line(capsys):
    from hfm_runtime.cli import main as score_main

    csv = DATA / "statcast-real" / "statcast_2020-09-03_game631614.csv"
    register = DATA / "statcast-real" / "chadwick_register_game631614.csv"
    with pytest.raises(SystemExit) as exit_info:
        score_main(["--bundle", "retrosheet", "--pitches", str(csv), "--register", str(register), "--season", "2021",
                    "--level", "AAA"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "(its --pitches files were read as --level AAA, not MLB)" in err, err
    assert "read them as --level MLB" in err and "--season 2021" not in err  # never the season asked


def test_data_without_fielding_positions_is_warned_of(capsys, tmp_path):
    """The bundle's batter ridge reads where each batter fielded. A Savant file without its fielder
    columns, a store built from it, and a league folder imported before the import wrote
    `batter_position` (scored whole or in chunks) hold none, and hfm-score says so; the same data with
    them does not, and neither does a projection the ridge does not go into (in season)."""
    from hfm_runtime.cli import main as score_main

    csv = DATA / "statcast-real" / "statcast_2020-09-03_game631614.csv"
    register = DATA / "statcast-real" / "chadwick_register_game631614.csv"
    frame = pd.read_csv(csv)
    fielders = [f"fielder_{i}" for i in range(2, 10)]
    assert set(fielders) <= set(frame.columns)
    blank = tmp_path / "no_fielders.csv"
    frame.drop(columns=fielders).to_csv(blank, index=False)
    note = "warning: the bundle's batter ridge reads where each batter fielded"
    for path, warned in ((csv, False), (blank, True)):
        score_main(["--bundle", "retrosheet", "--pitches", str(path), "--register", str(register), "--season", "2021"])
        assert (note in capsys.readouterr().err) is warned, path
    for path, warned in ((csv, False), (blank, True)):
        score_main(["--bundle", "retrosheet", "--pitches", str(path), "--register", str(register), "--season", "2021",
                    "--store", str(tmp_path / f"state_{warned}")])
        assert (note + ", and the store's games hold" in capsys.readouterr().err) is warned, path

    league = tmp_path / "league"
    import_statcast({"MLB": [DATA / "retrosheet" / "2019", DATA / "retrosheet" / "2020"]}, league,
                    DATA / "retrosheet" / "chadwick_register_retro.csv")
    for chunks in ([], ["--chunk-pitches", "1000"]):
        score_main(["--bundle", "retrosheet", "--league", str(league), "--season", "2021", *chunks])
        assert note not in capsys.readouterr().err, chunks
    for f in (league / "pitches" / "MLB").glob("*.parquet"):  # as an import before 2026-12-06 wrote it
        pd.read_parquet(f).drop(columns=["batter_position"]).to_parquet(f)
    for chunks in ([], ["--chunk-pitches", "1000"]):
        score_main(["--bundle", "retrosheet", "--league", str(league), "--season", "2021", *chunks])
        assert note + ", and the league's pitches hold" in capsys.readouterr().err, chunks
        score_main(["--bundle", "retrosheet", "--league", str(league), "--season", "2020", "--as-of", "2020-12-01",
                    *chunks])  # in season: no row takes the ridge in
        assert note not in capsys.readouterr().err, chunks
