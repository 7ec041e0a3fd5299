"""`hfm-train import`: real Statcast files -> a league folder; players from the pitches and the register;
streaming; and import -> score (and import -> train -> export -> score) end to end."""

from __future__ import annotations

import contextlib
import io
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.league import load_league, read_players
from hfm_runtime.people import RoleConfig
from hfm_runtime.seasons import season_age
from hfm_runtime.statcast import load_pitches
from hfm_train.importer import ImportConfig, import_statcast
from hfm_train.savant import write_savant_csv
from clitools import run_cli

DEVERS, CHAVIS, PEREZ, BRASIER = 646240, 656308, 527048, 518489


def test_real_game_imports_with_names_birth_dates_and_hands(
    real_statcast_csv: Path, real_register_csv: Path, tmp_path: Path
) -> None:
    report = import_statcast({"MLB": [real_statcast_csv]}, tmp_path / "league", real_register_csv)
    meta = json.loads((tmp_path / "league" / "league.json").read_text())
    assert meta["source"] == "statcast" and meta["seasons"] == [2020] and meta["levels"] == ["MLB"]
    assert meta["pitches"] == {"MLB": {"2020": 336}} and report.total_pitches == 336
    assert not (tmp_path / "league" / "true_talent.parquet").exists()
    league = load_league(tmp_path / "league")
    assert league.true_talent is None
    pd.testing.assert_frame_equal(league.pitches, load_pitches(real_statcast_csv))
    players = league.players.set_index("player_id")
    assert len(players) == 31 and not players["age_imputed"].any()
    assert players.loc[DEVERS, ["name_first", "name_last"]].tolist() == ["Rafael", "Devers"]
    assert players.loc[DEVERS, "birth_date"] == pd.Timestamp("1996-10-24")
    assert players.loc[DEVERS, ["player_type", "bats"]].tolist() == ["batter", "L"]
    assert players.loc[PEREZ, ["player_type", "throws"]].tolist() == ["pitcher", "L"]
    assert players.loc[PEREZ, "bats"] is None and players.loc[DEVERS, "throws"] is None  # unknown, not guessed
    assert (players["player_type"] == "pitcher").sum() == 10


def test_import_reports_impossible_counts_and_games_on_two_dates(real_statcast_csv: Path, tmp_path: Path) -> None:
    raw = pd.read_csv(real_statcast_csv, index_col=0).reset_index(drop=True)
    raw.loc[[10, 11], "balls"] = 5
    raw.to_csv(tmp_path / "bad.csv")
    for rows in (None, 11):  # a chunk boundary between the two rows: counted across chunks
        report = import_statcast({"MLB": [tmp_path / "bad.csv"]}, tmp_path / f"league{rows}",
                                 config=ImportConfig(chunk_rows=rows))
        meta = json.loads((tmp_path / f"league{rows}" / "league.json").read_text())
        assert meta["pitches"] == {"MLB": {"2020": 334}}
        assert meta["impossible_counts_dropped"] == {"rows": 2, "ending_a_plate_appearance": 0,
                                                     "first": f"{tmp_path / 'bad.csv'}: row 11 (CSV line 12): balls 5, strikes "
                                                              f"{raw.loc[10, 'strikes']}"}
        assert "2 pitch rows with a count no pitch is thrown in" in report.summary()
        assert meta["games_on_two_dates"] == {"games": 0, "first": None}
    raw.loc[raw["inning"] >= 6, "game_date"] = "2020-09-04"  # a game resumed the next day
    raw.to_csv(tmp_path / "resumed.csv")
    report = import_statcast({"MLB": [tmp_path / "resumed.csv"]}, tmp_path / "resumed")
    meta = json.loads((tmp_path / "resumed" / "league.json").read_text())
    assert meta["games_on_two_dates"] == {"games": 1, "first": "game_pk 631614, 2020-09-03 to 2020-09-04"}
    assert "1 game (one game_pk) with rows on more than one date" in report.summary()
    assert (load_league(tmp_path / "resumed").pitches["game_date"] == pd.Timestamp("2020-09-03")).all()


def test_import_names_players_the_register_lacks_and_columns_it_lacks(
    real_statcast_csv: Path, real_register_csv: Path, tmp_path: Path
) -> None:
    register = pd.read_csv(real_register_csv)
    register[register["key_mlbam"] != DEVERS].drop(columns="birth_day").to_csv(tmp_path / "reg.csv", index=False)
    from hfm_train.cli import main as train_main

    code, err = run_cli(train_main, ["hfm-train", "import", str(real_statcast_csv), "--register",
                                     str(tmp_path / "reg.csv"), "--out", str(tmp_path / "league"), "--no-progress"])
    assert code == 0 and "warning: " in err and "reg.csv: no column(s) birth_day" in err, err
    assert "from the year only" in err
    with pytest.warns(UserWarning, match="no column"):
        report = import_statcast({"MLB": [real_statcast_csv]}, tmp_path / "again", tmp_path / "reg.csv")
    assert f"not in the register (no name or birth date): 1 players, e.g. MLBAM ids {DEVERS}" in report.summary()
    meta = json.loads((tmp_path / "league" / "league.json").read_text())
    assert meta["players"]["not_in_register"] == {"players": 1, "first": [DEVERS]}


def test_missing_birth_dates_are_imputed_and_flagged(
    real_statcast_csv: Path, real_register_csv: Path, tmp_path: Path
) -> None:
    register = pd.read_csv(real_register_csv)
    register = register[register["key_mlbam"] != DEVERS]  # not in the register at all
    register.loc[register["key_mlbam"] == PEREZ, ["birth_month", "birth_day"]] = np.nan  # the year only
    import_statcast({"MLB": [real_statcast_csv]}, tmp_path / "league", register)
    raw = pd.read_csv(tmp_path / "league" / "players.csv").set_index("player_id")
    assert raw["age_imputed"].sum() == 2 and raw.loc[[DEVERS, PEREZ], "age_imputed"].all()
    players = load_league(tmp_path / "league").players.set_index("player_id")
    known = players[~players["age_imputed"] & (players["player_type"] == "batter")]
    median = float(np.round(np.median(season_age(known["birth_date"].to_numpy(), 2020))))
    assert season_age(players.loc[DEVERS, "birth_date"], 2020) == median  # the batters' median age
    assert players.loc[PEREZ, "birth_date"].year == 1991  # his birth year kept
    # a players.csv edited by hand with an empty birth date loads too: imputed and flagged on load
    edited = pd.read_csv(tmp_path / "league" / "players.csv", dtype=str, keep_default_na=False)
    edited.loc[edited["player_id"] == str(CHAVIS), ["birth_date", "age_imputed"]] = ["", "false"]
    edited = edited.drop(columns="age_imputed")
    edited.to_csv(tmp_path / "league" / "players.csv", index=False)
    reloaded = load_league(tmp_path / "league").players.set_index("player_id")
    assert reloaded.loc[CHAVIS, "age_imputed"] and season_age(reloaded.loc[CHAVIS, "birth_date"], 2020) == median
    assert reloaded["birth_date"].notna().all()


def two_way_game(real_statcast_csv: Path) -> pd.DataFrame:
    """The real game twice: in the second, Devers takes Perez's innings on the mound and Chavis mops up
    Brasier's."""
    raw = pd.read_csv(real_statcast_csv, index_col=0)
    second = raw.assign(game_pk=raw["game_pk"] + 1)
    second.loc[second["pitcher"] == PEREZ, "pitcher"] = DEVERS
    second.loc[second["pitcher"] == BRASIER, "pitcher"] = CHAVIS
    return pd.concat([raw, second])


def test_two_way_player_is_both_types(real_statcast_csv: Path, tmp_path: Path) -> None:
    from hfm_runtime.scoring import History

    two_way_game(real_statcast_csv).to_csv(tmp_path / "games.csv")
    roles = RoleConfig(two_way_min=5, two_way_share=0.25)
    import_statcast({"MLB": [tmp_path / "games.csv"]}, tmp_path / "league", config=ImportConfig(roles=roles))
    players = read_players(tmp_path / "league" / "players.csv").set_index("player_id")
    assert players.loc[DEVERS, ["player_type", "bats", "throws"]].tolist() == ["two_way", "L", "L"]
    assert players.loc[CHAVIS, "player_type"] == "batter"  # 3 batters faced in mop-up: still a batter
    assert players.loc[CHAVIS, "throws"] == "R"  # but we know how he throws
    history = History.from_league(load_league(tmp_path / "league"))
    assert history.player_type_of([DEVERS, CHAVIS, PEREZ]) == {
        DEVERS: ("batter", "pitcher"), CHAVIS: ("batter",), PEREZ: ("pitcher",)}
    derived = History.from_files(tmp_path / "games.csv")  # no players file: the default roles
    # the default thresholds (50 of each): 10 PA and 25 BF make him a pitcher only
    assert derived.player_type_of([DEVERS]) == {DEVERS: ("pitcher",)}


def test_history_derives_players_and_imputes_ages(real_statcast_csv: Path, real_register_csv: Path) -> None:
    from hfm_runtime.register import read_register
    from hfm_runtime.scoring import History

    pitches = load_pitches(real_statcast_csv)
    derived = History(pitches)  # no players table: derived from the pitches, every age imputed
    assert derived.players["birth_date"].notna().all() and derived.players["age_imputed"].all()
    assert derived.player_type_of([DEVERS, PEREZ]) == {DEVERS: ("batter",), PEREZ: ("pitcher",)}
    assert derived.age_imputed([DEVERS, 1]).tolist() == [True, False]  # 1: not in the table
    named = History.from_files(real_statcast_csv, register=real_register_csv)
    assert not named.players["age_imputed"].any()
    players = named.players.copy()
    players.loc[players["player_id"] == DEVERS, "birth_date"] = pd.NaT  # a players table with a gap
    patched = History(pitches, players)
    row = patched.players.set_index("player_id").loc[DEVERS]
    assert row["age_imputed"] and pd.notna(row["birth_date"])
    assert len(read_register(real_register_csv)) == 31


def savant_files(league_dir: Path, out: Path, split_season: int | None = None) -> dict[str, list[Path]]:
    """A simulated league written as real downloads would be: one Savant CSV per level and season
    (seasons up to 2020 in the 2020 layout without delta_run_exp, later ones in today's), MLB with
    pybaseball's index column, spring-training rows, and `split_season` in two overlapping files."""
    league = load_league(league_dir)
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[Path]] = {"MLB": [], "AAA": []}
    for (level, season), pitches in league.pitches.groupby(["level", league.pitches["game_date"].dt.year]):
        pitches = pitches.drop(columns="level")
        vintage = "2020" if season <= 2020 else "today"
        if level == "MLB":
            first = pitches[pitches["game_pk"] == pitches["game_pk"].min()]
            spring = first.assign(game_pk=first["game_pk"] + 5_000_000, game_type="S",
                                  game_date=first["game_date"] - pd.Timedelta(days=20))
            pitches = pd.concat([spring, pitches])
        if level == "MLB" and season == split_season:
            half = len(pitches) // 2
            files[level].append(write_savant_csv(pitches.iloc[: half + 300], out / f"{level}_{season}_a.csv", vintage))
            files[level].append(write_savant_csv(pitches.iloc[half:], out / f"{level}_{season}_b.csv.gz", vintage))
        else:
            files[level].append(write_savant_csv(pitches, out / f"{level}_{season}.csv", vintage,
                                                 pybaseball_index=level == "MLB"))
    return files


def test_streamed_import_reproduces_the_league(tiny_league: Path, tmp_path: Path) -> None:
    files = savant_files(tiny_league, tmp_path / "savant", split_season=2019)
    aaa_2018 = [p for p in files["AAA"] if "2018" in p.name]
    files["AAA"] = [p for p in files["AAA"] if p not in aaa_2018]  # AAA lacks a season
    small = import_statcast(files, tmp_path / "small", config=ImportConfig(chunk_rows=997))
    big = import_statcast(files, tmp_path / "big", config=ImportConfig(chunk_rows=10**7))
    assert small.counts.duplicates == big.counts.duplicates == 300  # the overlap of the split season
    assert small.counts.other_game_types == big.counts.other_game_types and small.counts.other_game_types["S"] > 0
    for name in sorted(p.relative_to(tmp_path / "small") for p in (tmp_path / "small").rglob("*.*")):
        if name.suffix == ".parquet":
            pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "small" / name),
                                          pd.read_parquet(tmp_path / "big" / name))
    assert (tmp_path / "small" / "players.csv").read_text() == (tmp_path / "big" / "players.csv").read_text()
    meta = json.loads((tmp_path / "small" / "league.json").read_text())
    assert meta["level_seasons"]["AAA"] == [2019, 2020, 2021] and meta["seasons"] == [2018, 2019, 2020, 2021]
    got, want = load_league(tmp_path / "small"), load_league(tiny_league)
    expected = want.pitches[~((want.pitches["level"] == "AAA") & (want.pitches["game_date"].dt.year == 2018))]
    expected = expected.reset_index(drop=True).copy()
    expected.loc[expected["game_date"].dt.year <= 2020, "delta_run_exp"] = np.nan  # the 2020 layout lacks it
    pd.testing.assert_frame_equal(got.pitches, expected, check_dtype=False)
    kinds = got.players.set_index("player_id")["player_type"]
    sim = want.players.set_index("player_id")["player_type"]
    common = kinds.index.intersection(sim.index)
    assert len(common) == len(kinds) and (kinds[common] == sim[common]).all()  # roles = the simulator's
    hands = got.players.set_index("player_id")
    batters = sim.index[sim == "batter"].intersection(hands.index)
    assert (hands.loc[batters, "bats"] == want.players.set_index("player_id").loc[batters, "bats"]).mean() > 0.95
    assert hands["age_imputed"].all()  # no register: every age imputed, none refused


def test_import_cli_errors_leave_the_old_folder(real_statcast_csv: Path, tmp_path: Path) -> None:
    from hfm_train.cli import main as train_main

    out = tmp_path / "league"
    code, err = run_cli(train_main, ["hfm-train", "import", str(real_statcast_csv), "--out", str(out), "--no-progress"])
    assert code == 0, err
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    bad = pd.read_csv(real_statcast_csv, index_col=0).astype({"inning": object})
    bad.iloc[40, bad.columns.get_loc("inning")] = "ninth"
    bad.to_csv(tmp_path / "bad.csv")
    cases = {
        (str(tmp_path / "bad.csv"),): "bad.csv: column inning: row 41 (CSV line 42): 'ninth' is not a number",
        (str(real_statcast_csv), "--game-types", "X"): "--game-types: 'X'",
        (str(real_statcast_csv), "--game-types", "S"): "no rows of game_type S (left out 336 of game_type R; see --game-types)",
        (str(real_statcast_csv), "--level", "../x", str(real_statcast_csv)): "is not a level name",
        (str(tmp_path / "nothing.csv"),): "nothing.csv: no such file",
        (str(real_statcast_csv), "--register", str(tmp_path / "bad.csv")): "bad.csv: missing column(s) key_mlbam",
    }
    for args, message in cases.items():
        code, err = run_cli(train_main, ["hfm-train", "import", *args, "--out", str(out), "--no-progress"])
        assert code == 2 and err.count("\n") == 1 and err.startswith("error: ") and message in err, (args, err)
        assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_register_reader_rules(real_register_csv: Path, tmp_path: Path) -> None:
    from hfm_runtime.register import RegisterWarning, read_register

    raw = pd.read_csv(real_register_csv)
    raw.loc[0, "birth_day"] = 31
    raw.loc[0, "birth_month"] = 2  # no February 31: the year is kept, the date marked incomplete
    pybaseball_style = raw[["name_last", "name_first", "key_mlbam"]].copy()  # chadwick_register() today
    pybaseball_style.loc[len(pybaseball_style)] = ["Nobody", "No", -1]  # pybaseball's "no MLBAM id"
    reg = read_register(raw).set_index("player_id")
    first = reg.loc[int(raw.loc[0, "key_mlbam"])]
    assert not first["birth_date_complete"] and first["birth_date"].year == int(raw.loc[0, "birth_year"])
    assert reg["birth_date_complete"].sum() == len(raw) - 1
    with pytest.warns(RegisterWarning, match=r"no column\(s\) birth_year, birth_month, birth_day \(the Chadwick "
                                             r"register's are .*\): no birth dates \(every age imputed\); birth dates "
                                             r"from the year only"):
        names_only = read_register(pybaseball_style)
    assert len(names_only) == len(raw) and names_only["birth_date"].isna().all()
    raw = raw.astype({"birth_month": object})
    raw.loc[3, "birth_month"] = "May"
    raw.to_csv(tmp_path / "reg.csv", index=False)
    with pytest.raises(HFMInputError, match=r"reg.csv: column birth_month: row 4 \(CSV line 5\): 'May'"):
        read_register(tmp_path / "reg.csv")


# --- end to end -------------------------------------------------------------------------------------
def score_csv(argv: list[str]) -> pd.DataFrame:
    from hfm_runtime.cli import main as score_main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        score_main(argv)
    return pd.read_csv(io.StringIO(out.getvalue()))


@pytest.mark.slow
def test_real_exports_import_and_score(
    real_statcast_csv: Path, real_register_csv: Path, tiny_bundle: Path, tmp_path: Path
) -> None:
    """The real 2020 game and a today's-layout export -> hfm-train import -> hfm-score, real ids out."""
    from hfm_train.cli import main as train_main

    raw = pd.read_csv(real_statcast_csv, index_col=0)
    today = raw.drop(columns=["pitcher.1", "fielder_2.1"]).assign(
        delta_run_exp=0.01, bat_speed=70.0, swing_length=7.2, game_pk=raw["game_pk"] + 1,
        game_date="2021-06-01")  # a game of 2021 in today's Savant layout
    today.to_csv(tmp_path / "statcast_2021.csv", index=False)
    ids = set(raw["batter"]) | set(raw["pitcher"])
    for sources, season in (([real_statcast_csv], 2021), ([real_statcast_csv, tmp_path / "statcast_2021.csv"], 2022)):
        out = tmp_path / f"league_{season}"
        code, err = run_cli(train_main, ["hfm-train", "import", *map(str, sources), "--register",
                                         str(real_register_csv), "--out", str(out), "--no-progress"])
        assert code == 0, err
        table = score_csv(["--bundle", str(tiny_bundle), "--league", str(out), "--season", str(season),
                           "--format", "csv"])
        assert set(table["player_id"]) == ids  # the real MLBAM ids, every player of the game
        assert (table["flag"] == "model").all() and not table["age_imputed"].any()
        assert "Rafael Devers" in set(table["name"])
        assert np.isfinite(table.loc[table["player_type"] == "batter", "rate_SO"]).all()
    # the files directly, no people file: players derived, ages imputed and flagged
    direct = score_csv(["--bundle", str(tiny_bundle), "--pitches", str(real_statcast_csv),
                        str(tmp_path / "statcast_2021.csv"), "--season", "2022", "--format", "csv"])
    assert set(direct["player_id"]) == ids and direct["age_imputed"].all() and (direct["flag"] == "model").all()
    # Marcel's age adjustment reads the imputed age: the same dates given as known ones score the same,
    # ten years older scores differently
    from hfm_runtime.scoring import History, PipelineAdapter, Scorer

    scorer = Scorer(tiny_bundle)
    derived = History.from_files([real_statcast_csv, tmp_path / "statcast_2021.csv"])
    marcel = [c for c in direct.columns if c.startswith("marcel_")]
    known = derived.players.assign(age_imputed=False)
    same = scorer.score(History(derived.pitches, known), 2022)
    pd.testing.assert_frame_equal(same[marcel].reset_index(drop=True), direct[marcel], check_dtype=False)
    older = known.assign(birth_date=known["birth_date"] - pd.DateOffset(years=10))
    assert not np.allclose(scorer.score(History(derived.pitches, older), 2022)["marcel_SO"], direct["marcel_SO"])
    # a two-way player gets a row of each type, in hfm-score and in the pipeline adapter
    two_way_game(real_statcast_csv).to_csv(tmp_path / "two_way.csv")
    import_statcast({"MLB": [tmp_path / "two_way.csv"]}, tmp_path / "two_way",
                    config=ImportConfig(roles=RoleConfig(two_way_min=5)))
    table = score_csv(["--bundle", str(tiny_bundle), "--league", str(tmp_path / "two_way"), "--season", "2021",
                       "--format", "csv"])
    assert sorted(table.loc[table["player_id"] == DEVERS, "player_type"]) == ["batter", "pitcher"]
    history = History.from_league(load_league(tmp_path / "two_way"))
    adapter = PipelineAdapter(scorer, history, 2021)
    as_pitcher, as_batter = adapter.adjust_projections([
        {"player_id": DEVERS, "player_type": "pitcher", "SO": 0.2}, {"player_id": DEVERS, "SO": 0.2}])
    assert as_pitcher["hfm_flag"] == as_batter["hfm_flag"] == "model"
    assert as_pitcher["hfm_adjustment"]["SO"] != as_batter["hfm_adjustment"]["SO"]


@pytest.mark.slow
def test_train_export_and_score_on_an_imported_league(
    tiny_league: Path, real_statcast_csv: Path, real_register_csv: Path, tmp_path: Path
) -> None:
    """Savant-layout files of the tiny simulated league plus the real game -> import (MLB and --level AAA)
    -> the tiny model trained without true talent -> exported -> hfm-score with the real ids."""
    from hfm_export.export import export_run
    from hfm_train.cli import main as train_main
    from hfm_train.fit import RunConfig, fit_run

    clock = time.perf_counter()
    files = savant_files(tiny_league, tmp_path / "savant")
    real_ids = set(pd.read_csv(real_statcast_csv, usecols=["batter", "pitcher"]).stack())
    sim_ids = set(pd.read_csv(tiny_league / "players.csv")["player_id"])
    assert not real_ids & sim_ids
    argv = ["hfm-train", "import", *map(str, files["MLB"]), str(real_statcast_csv)]
    for path in files["AAA"]:
        argv += ["--level", "AAA", str(path)]
    code, err = run_cli(train_main, [*argv, "--register", str(real_register_csv), "--out", str(tmp_path / "league"),
                                     "--no-progress"])
    assert code == 0, err
    league = tmp_path / "league"
    timings = {"import": time.perf_counter() - clock}
    run = fit_run(RunConfig.tiny(name="imported", league=str(league)), tmp_path / "runs", progress=False,
                  log=lambda *a: None)
    timings["fit"] = time.perf_counter() - clock - sum(timings.values())
    card = json.loads((run / "model_card.json").read_text())
    assert card["evaluation"]["batter"]["n_players"] > 0
    bundle = tmp_path / "bundle"
    export_run(run, bundle)
    timings["export"] = time.perf_counter() - clock - sum(timings.values())
    table = score_csv(["--bundle", str(bundle), "--league", str(league), "--format", "csv"])  # the test season
    late = score_csv(["--bundle", str(bundle), "--league", str(league), "--season", "2021",
                      "--players", ",".join(map(str, sorted(real_ids))), "--format", "csv"])
    timings["score"] = time.perf_counter() - clock - sum(timings.values())
    print("import -> fit -> export -> score on an imported league: "
          + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
    assert len(table) > 0 and (table["flag"] == "model").mean() > 0.5
    assert set(late["player_id"]) == real_ids and (late["n_games"] >= 1).all()
    assert list(late.columns)[:8] == [
        "player_id", "name", "player_type", "season", "as_of_date", "flag", "fallback", "age_imputed"]


def test_events_names_hfm_does_not_know_are_counted_and_warned_of(
    real_statcast_csv: Path, real_register_csv: Path, tmp_path: Path
) -> None:
    """'Strikeout' for 'strikeout' (a hand-edited file): each such plate appearance counts with no
    outcome, as before, but the import, a History and a store's append now say so (a walkthrough's
    Chavis projected at 0 strikeouts, the league's rate being 0, without a word)."""
    import warnings

    from hfm_runtime.scoring import History
    from hfm_runtime.statcast import StatcastWarning

    raw = pd.read_csv(real_statcast_csv)
    strikeouts = int((raw["events"] == "strikeout").sum())
    raw["events"] = raw["events"].replace({"strikeout": "Strikeout"})
    raw.to_csv(tmp_path / "edited.csv", index=False)
    report = import_statcast({"MLB": [tmp_path / "edited.csv"]}, tmp_path / "league", real_register_csv)
    assert strikeouts > 0 and report.unknown_events == {"Strikeout": strikeouts}
    assert f"{strikeouts} plate appearances end in an `events` name HFM does not know ('Strikeout' " \
           f"({strikeouts}))" in report.summary()
    assert json.loads((tmp_path / "league" / "league.json").read_text())["unknown_events"] == {"Strikeout": strikeouts}
    pitches = load_league(tmp_path / "league").pitches
    with pytest.warns(StatcastWarning, match="'Strikeout'"):
        History(pitches)
    with pytest.warns(StatcastWarning, match="'Strikeout'") as said:  # where the caller is, not the library
        History.from_files(tmp_path / "edited.csv", register=real_register_csv)
    assert [w.filename for w in said] == [__file__]
    with warnings.catch_warnings():
        warnings.simplefilter("error", StatcastWarning)
        History(load_pitches(real_statcast_csv))  # the file as Savant wrote it: nothing to say
    clean = import_statcast({"MLB": [real_statcast_csv]}, tmp_path / "clean", real_register_csv)
    assert clean.unknown_events == {} and "does not know" not in clean.summary()
