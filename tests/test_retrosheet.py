"""Retrosheet in: three real games (tests/data/retrosheet, with Retrosheet's notice) parsed into
Statcast-shaped rows, counted as the official box score counts them, imported alone and beside
Statcast, and bad input refused with one clear error."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.league import load_league
from hfm_runtime.seasons import plate_appearances
from hfm_runtime.statcast import load_pitches
from hfm_train.importer import ImportConfig, import_statcast
from hfm_train.retrosheet import NOTICE, game_pk, is_retrosheet, parse_season, retro_to_mlbam

from clitools import run_cli
from hfm_train.cli import main as hfm_train

DATA = Path(__file__).parent / "data" / "retrosheet"
REGISTER = DATA / "chadwick_register_retro.csv"
STATCAST_GAME = Path(__file__).parent / "data" / "statcast-real" / "statcast_2020-09-03_game631614.csv"


@pytest.fixture(scope="module")
def ids() -> dict[str, int]:
    return retro_to_mlbam(REGISTER)


@pytest.fixture(scope="module")
def season_2019(ids):
    frame, counts = parse_season(DATA / "2019", ids)
    return load_pitches(frame, level=None), counts


def box_lines(folder: Path, ids: dict[str, int]) -> dict[str, pd.DataFrame]:
    """Per player and game, the counts of Chadwick's own box score (chadwickpy's port of cwbox)."""
    from chadwickpy.book import scorebook_read
    from chadwickpy.box import box_create

    rows = {"batter": [], "pitcher": []}
    for path in folder.glob("*.EV?"):
        for game in scorebook_read(path.read_bytes()):
            box, pk = box_create(game), game_pk(game.game_id)
            for team in (0, 1):
                for slot in range(10):
                    player = box.slots[slot][team]
                    while player is not None and player.prev is not None:  # the slot's first player
                        player = player.prev
                    while player is not None:
                        b = player.batting
                        if b.pa:
                            rows["batter"].append({"player_id": ids[player.player_id], "game_pk": pk, "PA": b.pa,
                                                   "SO": b.so, "BB": b.bb, "IBB": b.ibb, "HBP": b.hp, "H": b.h,
                                                   "2B": b.b2, "3B": b.b3, "HR": b.hr})
                        player = player.next
                pitcher = box.pitchers[team]
                while pitcher is not None and pitcher.prev is not None:
                    pitcher = pitcher.prev
                while pitcher is not None:
                    p = pitcher.pitching
                    rows["pitcher"].append({"player_id": ids[pitcher.player_id], "game_pk": pk, "BF": p.bf,
                                            "SO": p.so, "BB": p.bb, "IBB": p.ibb, "HBP": p.hb, "H": p.h, "HR": p.hr})
                    pitcher = pitcher.next
    return {side: pd.DataFrame(r).groupby(["player_id", "game_pk"]).sum() for side, r in rows.items()}


def test_rows_are_statcast_shaped(season_2019):
    pitches, counts = season_2019
    assert counts.games == 2 and counts.plate_appearances > 140 and not counts.unknown_hand
    assert pitches["game_pk"].unique().tolist() == [game_pk("ARI201908060"), game_pk("ARI201908200")]
    assert str(pitches["game_date"].iloc[0].date()) == "2019-08-06"
    assert set(pitches["home_team"]) == {"AZ"} and pitches["level"].eq("MLB").all()
    # tracking columns are missing, never zero
    for col in ("release_speed", "plate_x", "launch_speed", "estimated_woba_using_speedangle", "delta_run_exp"):
        assert pitches[col].isna().all()
    assert pitches["pitch_type"].isna().all()
    # every PA ends on exactly one pitch with an event; counts start at 0-0 and stay in range
    for (_, ab), pa in pitches.groupby(["game_pk", "at_bat_number"]):
        assert pa["events"].notna().sum() == 1 and pd.notna(pa["events"].iloc[-1])
        assert pa["pitch_number"].tolist() == list(range(1, len(pa) + 1))
        assert (pa["balls"].iloc[0], pa["strikes"].iloc[0]) == (0, 0) or pa["description"].iloc[0] == "no_pitch"
    assert pitches["balls"].between(0, 3).all() and pitches["strikes"].between(0, 2).all()
    in_play = pitches["description"] == "hit_into_play"
    assert pitches.loc[in_play & pitches["events"].notna(), "bb_type"].notna().mean() > 0.9
    assert pitches.loc[~in_play, "bb_type"].isna().all()
    # hit_location: the play's first fielder (`53/G` -> 5, `S7/L` -> 7); none off a ball in play or
    # on a home run over the fence
    loc = pitches["hit_location"]
    assert loc[~in_play].isna().all() and loc.dropna().between(1, 9).all()
    assert loc[in_play & pitches["events"].isin(["field_out", "single"])].notna().all()
    assert loc[pitches["events"] == "home_run"].isna().all()
    first = pitches[in_play & pitches["events"].notna()].iloc[:4]  # the file's first plays
    assert first["hit_location"].fillna(0).tolist() == [0, 5.0, 4.0, 7.0]  # HR/8/F, 53/G, 43/G+, S7/L
    assert set(pitches["stand"]) <= {"L", "R"} and set(pitches["p_throws"]) <= {"L", "R"}


def test_counts_equal_the_official_box_score(season_2019, ids):
    """Per player and game, what hfm_runtime.seasons counts from the rows equals Chadwick's box score,
    the responsibility rules included (a walk after a pitching change in a 2-0 count is charged to
    the pitcher replaced; a strikeout begun by the batter replaced is his)."""
    pitches, _ = season_2019
    pas = plate_appearances(pitches)
    box = box_lines(DATA / "2019", ids)
    stats = ["SO", "BB", "IBB", "HBP", "H", "2B", "3B", "HR"]  # as plate_appearances counts them
    for side, opp in (("batter", "PA"), ("pitcher", "BF")):
        ours = pas.rename(columns={side: "player_id", "PA": opp}).groupby(["player_id", "game_pk"])[[opp, *stats]].sum()
        ours = ours.loc[ours[opp] > 0, [c for c in ours.columns if c in box[side].columns]]
        assert len(ours.columns) >= 7, ours.columns  # the box score's columns, compared
        expected = box[side][ours.columns]
        pd.testing.assert_frame_equal(ours.sort_index(), expected[expected[opp] > 0].sort_index(), check_dtype=False)
    charged = pitches[pitches["responsible_pitcher"].notna() & (pitches["responsible_pitcher"] != pitches["pitcher"])]
    assert charged["events"].tolist() == ["walk"]
    struck = pitches[pitches["responsible_batter"].notna() & (pitches["responsible_batter"] != pitches["batter"])]
    assert struck["events"].tolist() == ["strikeout"]


def test_format_detected_and_zip_reads_like_the_folder(tmp_path, season_2019, ids):
    archive = tmp_path / "2019eve.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in (DATA / "2019").iterdir():
            z.write(f, f.name)
    assert is_retrosheet(archive) and is_retrosheet(DATA / "2019")
    assert not is_retrosheet(STATCAST_GAME) and not is_retrosheet(DATA)
    frame, _ = parse_season(archive, ids)
    pd.testing.assert_frame_equal(load_pitches(frame, level=None), season_2019[0])


def test_import_writes_a_league_with_the_notice(tmp_path):
    out = tmp_path / "league"
    code, err = run_cli(hfm_train, ["hfm-train", "import", str(DATA / "2019"), str(DATA / "2020"), "--register",
                                    str(REGISTER), "--out", str(out), "--no-progress", "--workers", "1"])
    assert code == 0, err
    meta = json.loads((out / "league.json").read_text())
    assert meta["source"] == "retrosheet" and meta["seasons"] == [2019, 2020]
    assert meta["retrosheet"]["notice"] == NOTICE and meta["retrosheet"]["parse"]["games"] == 3
    league = load_league(out)
    assert league.players["name_last"].notna().all() and not league.players["age_imputed"].any()
    kinds = set(league.players["player_type"])
    assert {"batter", "pitcher"} <= kinds
    # a folder of Retrosheet's season zips, beside the register and a README: those seasons, the same league
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    for season in ("2019", "2020"):
        with zipfile.ZipFile(downloads / f"{season}eve.zip", "w") as z:
            for f in (DATA / season).iterdir():
                z.write(f, f.name)
    shutil.copy(REGISTER, downloads)
    (downloads / "README.md").write_text("notes\n")
    (downloads / "statcast_2019.csv.bz2").write_bytes(b"")  # named as not read, as any Statcast-like file
    again, said = tmp_path / "again", []
    import_statcast({"MLB": [downloads]}, again, REGISTER, ImportConfig(workers=2), log=said.append)
    assert f"{downloads}: read as its Retrosheet seasons (<YEAR>eve.zip); not read: chadwick_register_retro.csv, " \
        "statcast_2019.csv.bz2 (name Statcast files on their own)" in said
    for season in (2019, 2020):
        pd.testing.assert_frame_equal(pd.read_parquet(again / "pitches" / "MLB" / f"{season}.parquet"),
                                      pd.read_parquet(out / "pitches" / "MLB" / f"{season}.parquet"))


def test_statcast_is_preferred_for_a_game_both_hold(tmp_path, ids):
    report = import_statcast({"MLB": [DATA / "2020", STATCAST_GAME]}, tmp_path / "league", REGISTER)
    assert report.replaced == 1 and "www.retrosheet.org" in report.summary()
    league = load_league(tmp_path / "league")
    assert league.pitches["game_pk"].unique().tolist() == [631614]  # the Statcast game's rows only
    assert league.pitches["release_speed"].notna().any()
    meta = json.loads((tmp_path / "league" / "league.json").read_text())
    assert meta["source"] == "statcast" and meta["retrosheet_games_replaced"] == 1


def test_a_batters_own_statcast_rows_do_not_take_the_game_from_everyone_else(tmp_path, ids):
    """A statcast_batter() file holds one batter's pitches of a game Retrosheet holds whole: before
    2026-12-07 its rows replaced the game, and 20 batters and 10 pitchers lost it (a walkthrough).
    Now Retrosheet's whole game is kept, counted; Statcast rows without a home team are refused in a
    season Retrosheet's games are in (their games cannot be found: they counted twice); and the
    Python API (load_pitches of both, as `hfm-score --pitches` reads them) keeps one copy too."""
    from hfm_runtime.statcast import StatcastWarning, load_pitches

    raw = pd.read_csv(STATCAST_GAME)
    devers = raw[raw["batter"] == 646240]
    devers.to_csv(tmp_path / "devers.csv", index=False)
    whole = import_statcast({"MLB": [DATA / "2020"]}, tmp_path / "retro", REGISTER)
    part = import_statcast({"MLB": [DATA / "2020", tmp_path / "devers.csv"]}, tmp_path / "part", REGISTER)
    assert (whole.replaced, part.replaced, part.partial) == (0, 0, 1)
    assert "1 Statcast game held in part left out: Retrosheet's whole copy kept" in part.summary()
    assert json.loads((tmp_path / "part" / "league.json").read_text())["statcast_games_in_part"] == 1
    pd.testing.assert_frame_equal(load_league(tmp_path / "part").pitches, load_league(tmp_path / "retro").pitches)
    # one team's pitches in two overlapping downloads: repeated rows do not make a half look whole
    half = raw[raw["inning_topbot"] == "Top"]
    for name in ("aug15_sep05.csv", "sep01_sep10.csv"):
        half.to_csv(tmp_path / name, index=False)
    halves = import_statcast({"MLB": [DATA / "2020", tmp_path / "aug15_sep05.csv", tmp_path / "sep01_sep10.csv"]},
                             tmp_path / "halves", REGISTER)
    assert (halves.replaced, halves.partial) == (0, 1)
    raw.drop(columns="home_team").to_csv(tmp_path / "no_home.csv", index=False)
    with pytest.raises(HFMInputError, match=r"season 2020: Statcast rows without home_team in 2020.*counts twice"):
        import_statcast({"MLB": [DATA / "2020", tmp_path / "no_home.csv"]}, tmp_path / "no_home", REGISTER)
    retro_rows = tmp_path / "retro" / "pitches" / "MLB" / "2020.parquet"
    with pytest.warns(StatcastWarning, match="1 kept as Statcast's, 0 as Retrosheet's"):
        both = load_pitches([retro_rows, STATCAST_GAME])
    assert both["game_pk"].unique().tolist() == [631614]
    with pytest.warns(StatcastWarning, match="0 kept as Statcast's, 1 as Retrosheet's"):
        kept = load_pitches([retro_rows, tmp_path / "devers.csv"])
    pd.testing.assert_frame_equal(kept, load_pitches(retro_rows))
    with warnings.catch_warnings():  # AAA rows beside Retrosheet's MLB season: nothing to match, nothing to say
        warnings.simplefilter("error", StatcastWarning)
        assert len(load_pitches({"MLB": retro_rows, "AAA": STATCAST_GAME})) == len(kept) + len(raw)


def test_a_doubleheader_pairs_each_statcast_game_with_the_retrosheet_game_it_copies(tmp_path, ids):
    """statcast.one_copy_per_game pairs the games of one date and park by the plate appearances they
    share, not by game_pk order (a review: a makeup game's MLBAM id may be the lower, and the two games'
    sizes then judged each Statcast copy a part of the wrong game). Repeated rows count once."""
    from hfm_runtime.statcast import one_copy_per_game

    import_statcast({"MLB": [DATA / "2020"]}, tmp_path / "retro", REGISTER)
    retro = pd.read_parquet(tmp_path / "retro" / "pitches" / "MLB" / "2020.parquet")
    statcast = load_pitches(STATCAST_GAME)

    def other(game: pd.DataFrame, pk_shift: int) -> pd.DataFrame:  # the day's other game: other players
        return game.assign(game_pk=game["game_pk"] + pk_shift, batter=game["batter"] + 5_000_000,
                           pitcher=game["pitcher"] + 5_000_000).iloc[: len(game) * 3 // 4]  # and shorter
    # Statcast's game 2 has the lower game_pk; both of Retrosheet's are whole in Statcast
    frame = pd.concat([retro, other(retro, 1), statcast, other(statcast, -1), statcast.iloc[:40]],
                      ignore_index=True)
    kept, dropped = one_copy_per_game(frame)
    assert (dropped.replaced, dropped.partial) == (2, 0)
    assert sorted(kept["game_pk"].unique().tolist()) == [631613, 631614]
    # Statcast's game 2 a part only (one half-inning): Retrosheet's game 2 kept whole, game 1 Statcast's
    part = other(statcast, -1)
    kept, dropped = one_copy_per_game(pd.concat([retro, other(retro, 1), statcast, part.iloc[:20]],
                                                ignore_index=True))
    assert (dropped.replaced, dropped.partial) == (1, 1)
    assert sorted(kept["game_pk"].unique().tolist()) == [631614, int(retro["game_pk"].iloc[0]) + 1]


def test_which_games_are_the_other_sources_copies():
    """hfm_runtime.statcast.pair_copies, which the import, load_pitches and the PlayerStore follow: on
    one date and park each Statcast game is paired with the Retrosheet game it shares the most plate
    appearances with (each Retrosheet game once, whatever the game_pk order), whole where it holds at
    least WHOLE_COPY of them; a game that shares none is another game."""
    from hfm_runtime.statcast import RETROSHEET_GAME_PK_MIN as R, WHOLE_COPY, pair_copies

    game1, game2 = np.arange(0, 80, dtype=np.uint64), np.arange(100, 160, dtype=np.uint64)
    assert WHOLE_COPY == 0.9
    plays = {R + 1: game1, R + 2: game2, 631_614: game2, 631_615: game1[:72], 631_616: game1[:71],
             631_617: np.arange(500, 510, dtype=np.uint64)}
    # the lower Statcast id copies game 2; 72 of game 1's 80 plate appearances is whole, 71 a part
    assert pair_copies([631_614, 631_615], [R + 1, R + 2], plays) == [(631_614, R + 2, True), (631_615, R + 1, True)]
    assert pair_copies([631_616], [R + 2, R + 1], plays) == [(631_616, R + 1, False)]
    assert pair_copies([631_617], [R + 1, R + 2], plays) == []
    assert pair_copies([631_615, 631_616], [R + 1], plays) == [(631_615, R + 1, True)]  # game 1 paired once
    # a doubleheader's games share a plate appearance (a reliever facing the same batter in both): no pair
    # with the other game, whichever game the day's list gives first (a review: game 2 was held twice)
    shared = np.append(game2, game1[0])
    plays = {R + 1: game1, R + 2: shared, 700: game1, 600: shared}
    assert pair_copies([600], [R + 1], plays) == [] and pair_copies([700], [R + 2], plays) == []
    assert pair_copies([700, 600], [R + 2, R + 1], plays) == [(700, R + 1, True), (600, R + 2, True)]


def test_a_play_chadwick_reads_in_part_is_listed_with_its_file_and_line(tmp_path, ids):
    season = tmp_path / "2019"
    shutil.copytree(DATA / "2019", season)
    events = season / "2019ARI.EVN"
    text = events.read_text()
    line = text[:text.index(",S8/G+")].count("\n") + 1
    events.write_text(text.replace(",S8/G+", ",K+QQ", 1))  # QQ: no advance Chadwick knows; K read, kept
    _, counts = parse_season(season, ids)
    assert counts.partly_parsed == [f"2019ARI.EVN line {line}: ARI201908060: K+QQ"]


def test_bad_input_is_one_clear_error(tmp_path, ids):
    from hfm_train.importer import _spool_retrosheet

    season = tmp_path / "2019"
    shutil.copytree(DATA / "2019", season)
    # one season given twice: both named (a walkthrough's zip and its extracted copy)
    with pytest.raises(HFMInputError, match=rf"Retrosheet season 2019 given twice: {DATA / '2019'} and {season}"):
        _spool_retrosheet([DATA / "2019", season], ids, tmp_path / "spool", None, None, print, False)
    events = season / "2019ARI.EVN"
    text = events.read_text()
    # an unknown event code
    events.write_text(text.replace(",S8/G", ",Z8/G", 1))
    line = text[:text.index(",S8/G")].count("\n") + 1  # the error names the damaged play's line
    with pytest.raises(HFMInputError, match=rf"2019ARI\.EVN: line {line}: game ARI201908060: cannot parse play 'Z8/G"):
        parse_season(season, ids)
    # a player missing from the register: named at his first start or sub record (a pitcher of record is
    # named earlier, on info,wp: chafa001 on line 26, entering on line 99)
    events.write_text(text)

    def enters(player: str) -> int:
        return next(i for i, record in enumerate(text.splitlines(), start=1)
                    if record.split(",")[:2] in (["start", player], ["sub", player]))

    for player in ("lambj001", "chafa001"):
        with pytest.raises(HFMInputError, match=rf"line {enters(player)}: game ARI201908060: player '{player}' is not "
                                                r"in the register"):
            parse_season(season, {k: v for k, v in ids.items() if k != player})
    # damage chadwickpy would read past without a word: each its own error, naming the file and the line or game
    lines = text.splitlines(keepends=True)
    play = next(i for i, line in enumerate(lines) if line.startswith("play,") and ",S8/G" in line)
    cut_play = lines[play].split(",")
    damaged = {
        "a line that is no record": (text.replace("\nplay,", "\n\x00\xffgarbage\nplay,", 1),
                                     r"2019ARI\.EVN: line \d+: not a Retrosheet record"),
        "a play line cut short": ("".join(lines[:play] + [",".join(cut_play[:4]) + "\n"] + lines[play + 1:]),
                                  r"2019ARI\.EVN: line \d+: a play record with 4 fields, expected 7"),
        "a file ending inside a game": ("".join(lines[:play + 1]),
                                        r"2019ARI\.EVN: game ARI201908060: no data records after its plays"),
        # a field out of range: chadwickpy reads "x" as -1 (an inning of -1 was written) or indexes past a
        # two-team table (a traceback)
        "an inning that is no number": ("".join(lines[:play] + [",".join(["play", "x"] + cut_play[2:])] + lines[play + 1:]),
                                        r"2019ARI\.EVN: line \d+: a play record whose inning is 'x', not one of 1-99"),
        "a half-inning past 1": ("".join(lines[:play] + [",".join(cut_play[:2] + ["5"] + cut_play[3:])] + lines[play + 1:]),
                                 r"2019ARI\.EVN: line \d+: a play record whose team is '5', not one of 0-1"),
        "a fielding position that is no number": (
            text.replace(next(line for line in lines if line.startswith("start,")),
                         next(line for line in lines if line.startswith("start,")).rsplit(",", 1)[0] + ",x\n", 1),
            r"2019ARI\.EVN: line \d+: a start record whose fielding position is 'x', not one of 1-12"),
    }
    for what, (bad, message) in damaged.items():
        events.write_text(bad, encoding="latin-1")
        with pytest.raises(HFMInputError, match=message):
            parse_season(season, ids)
    # the team list or a roster missing (every player's hand comes from them), or a team the list lacks
    events.write_text(text)
    team_list = (season / "TEAM2019").read_text()
    for name in ("TEAM2019", "COL2019.ROS"):
        kept = (season / name).read_bytes()
        (season / name).unlink()
        with pytest.raises(HFMInputError, match=rf"2019: no {name.replace('.', '[.]')} \((the team list|a team's roster)"):
            parse_season(season, ids)
        (season / name).write_bytes(kept)
    (season / "TEAM2019").write_text("".join(line for line in team_list.splitlines(keepends=True)
                                             if not line.startswith("COL,")))
    with pytest.raises(HFMInputError, match=r"2019ARI\.EVN: game ARI\d+: team 'COL' is not in the season's team"):
        parse_season(season, ids)
    (season / "TEAM2019").write_text(team_list)
    # what a later release may add (a record type, a pitch code) is read past and counted, with an example
    events.write_text(text)
    clean, clean_counts = parse_season(season, ids)
    with_z = ",".join(cut_play[:5] + ["BZ" + cut_play[5]] + cut_play[6:])
    events.write_text("".join(lines[:play] + ["bogus,1,2,3\n", with_z] + lines[play + 1:]))
    frame, counts = parse_season(season, ids)
    assert counts.other_records == {"bogus": 1} and counts.unknown_pitch_codes == {"Z": 1}
    assert counts.unknown_pitch_examples["Z"].startswith("ARI201908060: BZ")
    assert counts.pitches == clean_counts.pitches + 1  # the B, not the Z
    assert counts.to_json()["unknown_pitch_codes"] == {"Z": 1}
    events.write_text(text)
    # a plate appearance over two play lines (a steal between pitches): the later line repeats the sequence,
    # and its unknown code is counted once
    split = tmp_path / "2020"
    shutil.copytree(DATA / "2020", split)
    boston = split / "2020BOS.EVA"
    original = boston.read_text(encoding="latin-1")
    assert "play,2,1,dalbb001,01,C>B,SB2\n" in original and "play,2,1,dalbb001,22,C>B.S*BS,K\n" in original
    boston.write_text(original.replace("dalbb001,01,C>B,SB2", "dalbb001,01,CZ>B,SB2")
                      .replace("dalbb001,22,C>B.S*BS,K", "dalbb001,22,CZ>B.S*BS,K"), encoding="latin-1")
    _, split_counts = parse_season(split, ids)
    assert split_counts.unknown_pitch_codes == {"Z": 1}
    # a zip whose data will not inflate (its bytes damaged, its length whole)
    archive = tmp_path / "damaged" / "2019eve.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.write(events, events.name)
    raw = bytearray(archive.read_bytes())
    raw[100:150] = bytes(50)
    archive.write_bytes(bytes(raw))
    code, err = run_cli(hfm_train, ["hfm-train", "import", str(archive), "--register", str(REGISTER),
                                    "--out", str(tmp_path / "x")])
    assert code == 2 and "2019eve.zip: cannot read as a Retrosheet zip or folder" in err and "Traceback" not in err, err
    # a truncated zip
    archive = tmp_path / "2019eve.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(events, events.name)
    archive.write_bytes(archive.read_bytes()[:200])
    code, err = run_cli(hfm_train, ["hfm-train", "import", str(archive), "--register", str(REGISTER),
                                    "--out", str(tmp_path / "x")])
    assert code == 2 and "2019eve.zip" in err and "Traceback" not in err
    # no register
    code, err = run_cli(hfm_train, ["hfm-train", "import", str(DATA / "2019"), "--out", str(tmp_path / "x")])
    assert code == 2 and "--register" in err
    # a register that maps one Retrosheet id to two MLBAM ids: which one a play means cannot be known
    register = pd.read_csv(REGISTER, dtype=object)
    twice = pd.concat([register, register.iloc[[0]].assign(key_mlbam="999999")], ignore_index=True)
    twice.to_csv(tmp_path / "twice.csv", index=False)
    key = register["key_retro"].iloc[0]
    with pytest.raises(HFMInputError, match=rf"twice\.csv: key_retro '{key}' has more than one key_mlbam \(\d+, 999999\)"):
        retro_to_mlbam(tmp_path / "twice.csv")
    # game types: Retrosheet's event files are the regular season's, which --game-types S would leave out
    code, err = run_cli(hfm_train, ["hfm-train", "import", str(DATA / "2019"), "--register", str(REGISTER),
                                    "--game-types", "S", "--out", str(tmp_path / "x")])
    assert code == 2 and "regular-season games only (game type R), which --game-types S leaves out" in err, err
    # a path that leads nowhere: said so, not "unknown file type"
    code, err = run_cli(hfm_train, ["hfm-train", "import", str(tmp_path / "nope" / "2019eve.zip"), "--register",
                                    str(REGISTER), "--out", str(tmp_path / "x")])
    assert code == 2 and "2019eve.zip: no such file or folder" in err and "unknown file type" not in err
    assert not (tmp_path / "x").exists()


def test_a_foul_tip_on_a_bunt_is_a_pitch_and_a_strike(tmp_path, ids):
    """Retrosheet's `O` (a foul tip on a bunt) is Statcast's bunt_foul_tip: a strike in any count, never dropped."""
    season = tmp_path / "2019"
    shutil.copytree(DATA / "2019", season)
    events = season / "2019ARI.EVN"
    text = events.read_text()
    play = next(line for line in text.splitlines() if line.startswith("play,") and line.split(",")[5].startswith("C"))
    fields = play.split(",")
    events.write_text(text.replace(play, ",".join(fields[:5] + ["O" + fields[5][1:]] + fields[6:]), 1))
    clean, _ = parse_season(DATA / "2019", ids)
    frame, _ = parse_season(season, ids)
    assert len(frame) == len(clean)
    changed = np.flatnonzero(frame["description"].astype(str).to_numpy() != clean["description"].astype(str).to_numpy())
    assert len(changed) == 1 and frame["description"].iloc[changed[0]] == "bunt_foul_tip"
    assert clean["description"].iloc[changed[0]] == "called_strike" and frame["type"].iloc[changed[0]] == "S"
    # the count after it moves as after the called strike it replaced
    assert frame[["balls", "strikes"]].equals(clean[["balls", "strikes"]])


def test_batter_position_is_his_place_in_the_lineup(season_2019, ids):
    """Each starter's first pitch seen carries the position of his `start` record (DH 10); a pinch
    hitter bats at 11 (Retrosheet's numbering, kept: hfm_runtime.statcast)."""
    pitches, _ = season_2019
    assert pitches["batter_position"].between(1, 11).all()
    starts = {}
    for path in (DATA / "2019").glob("*.EV?"):
        pk = None
        for line in path.read_text(encoding="latin-1").splitlines():
            rec = line.split(",")
            if rec[0] == "id":
                pk = game_pk(rec[1])
            elif rec[0] == "start":
                starts[(pk, ids[rec[1]])] = float(rec[-1])
    first = pitches.groupby(["game_pk", "batter"], sort=False)["batter_position"].first()
    assert len(starts) == 2 * 2 * 9  # two games, two teams, nine starters each (the pitcher bats: no DH in an NL park)
    assert all(first[key] == pos for key, pos in starts.items() if key in first.index)
    assert all(key in first.index for key in starts)  # every starter batted
    assert (pitches["batter_position"] == 11).any()  # a pinch hitter


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_parse_workers_exit_when_the_import_is_killed(tmp_path):
    """A killed import runs none of its cleanup: its idle parse workers notice it gone and exit, rather
    than wait for work forever."""
    script = tmp_path / "parent.py"
    script.write_text(textwrap.dedent("""
        import multiprocessing, os, time
        from concurrent.futures import ProcessPoolExecutor
        from functools import partial
        from hfm_train.retrosheet import _exit_with_parent
        pool = ProcessPoolExecutor(2, initializer=partial(_exit_with_parent, 0.05))
        [f.result() for f in [pool.submit(time.sleep, 0.2) for _ in range(2)]]
        print(" ".join(str(p.pid) for p in multiprocessing.active_children()), flush=True)
        time.sleep(60)
    """))
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert workers
    parent.kill()
    parent.wait()

    def alive(pid: int) -> bool:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except (FileNotFoundError, ProcessLookupError):
            return False

    deadline = time.monotonic() + 15
    while any(map(alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:  # never leave them behind, even when the test fails
        subprocess.run(["kill", "-9", str(pid)], check=False)
    assert not left
