"""Real Statcast in the loader: every vintage, every code, real-world row problems (property-based bad
input: tests/test_bad_input.py)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.seasons import NON_PA_EVENTS, PA_EVENTS, game_lines, plate_appearances
from hfm_runtime.statcast import (
    LEVEL_COLUMN,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    STATCAST_COLUMNS,
    StatcastWarning,
    load_pitches,
    read_pitch_chunks,
)

GAME_PK = 631614

# Every `description` Savant has used (pitch clock: automatic_ball/strike; old: hit_into_play_score).
DESCRIPTIONS = (
    "ball", "blocked_ball", "called_strike", "foul", "foul_bunt", "foul_pitchout", "foul_tip", "bunt_foul_tip",
    "hit_by_pitch", "hit_into_play", "hit_into_play_no_out", "hit_into_play_score", "intent_ball",
    "missed_bunt", "pitchout", "swinging_pitchout", "swinging_strike", "swinging_strike_blocked",
    "automatic_ball", "automatic_strike",
)
# Every `events` value Savant has used.
EVENTS = (
    "single", "double", "triple", "home_run", "walk", "intent_walk", "hit_by_pitch", "strikeout",
    "strikeout_double_play", "field_out", "force_out", "other_out", "batter_interference", "fielders_choice",
    "fielders_choice_out", "field_error", "grounded_into_double_play", "double_play", "triple_play", "sac_fly",
    "sac_fly_double_play", "sac_bunt", "sac_bunt_double_play", "catcher_interf", "caught_stealing_2b",
    "caught_stealing_3b", "caught_stealing_home", "pickoff_1b", "pickoff_2b", "pickoff_3b",
    "pickoff_caught_stealing_2b", "pickoff_caught_stealing_3b", "pickoff_caught_stealing_home",
    "pickoff_error_1b", "pickoff_error_2b", "pickoff_error_3b", "stolen_base_2b", "stolen_base_3b",
    "stolen_base_home", "runner_double_play", "wild_pitch", "passed_ball", "balk", "other_advance",
    "game_advisory", "truncated_pa", "ejection",
)
PITCH_TYPES = (
    "FF", "FA", "FT", "SI", "FC", "SL", "ST", "SV", "CU", "KC", "CS", "CH", "FS", "FO", "SC", "KN", "EP", "PO",
    "IN", "AB", "UN", None,
)


def raw_real(path: Path) -> pd.DataFrame:
    """The real file as pybaseball's frame (its index column back as the index)."""
    return pd.read_csv(path, index_col=0)


def test_real_2020_export_loads(real_statcast_csv: Path) -> None:
    header = real_statcast_csv.read_text().splitlines()[0].split(",")
    assert header[0] == "" and "delta_run_exp" not in header and len(header) == 90  # the shape in the issue
    pitches = load_pitches(real_statcast_csv)
    assert len(pitches) == 336 and (pitches["game_pk"] == GAME_PK).all()
    assert list(pitches.columns) == [*STATCAST_COLUMNS, LEVEL_COLUMN]
    assert pitches["delta_run_exp"].isna().all()  # optional, absent in 2020: missing
    assert pitches["release_speed"].notna().all() and pitches["plate_x"].notna().all()
    keys = pitches[["at_bat_number", "pitch_number"]].to_numpy()
    assert (np.lexsort(keys.T[::-1]) == np.arange(len(keys))).all()  # the file is in reverse order
    assert {"hit_into_play_no_out", "hit_into_play_score", "blocked_ball"} <= set(pitches["description"])
    assert "KC" in set(pitches["pitch_type"]) and pitches["inning"].max() == 10  # extra innings
    assert {656308, 646240}.issubset(set(pitches["batter"]))  # real MLBAM ids
    pas = plate_appearances(pitches)
    assert pas["PA"].sum() == pitches["events"].notna().sum() == 87
    assert set(pas.loc[pas["outcome"] == "OTHER", "PA"]) <= {1}


def test_pybaseball_frames_and_parquet_equal_the_csv(real_statcast_csv: Path, tmp_path: Path) -> None:
    expected = load_pitches(real_statcast_csv)
    raw = raw_real(real_statcast_csv)
    # what pybaseball's statcast() hands back: concatenated day frames, convert_dtypes, sorted descending
    with warnings.catch_warnings():  # pandas 3 deprecates the keyword pybaseball 2.2 passes
        warnings.simplefilter("ignore")
        frame = raw.convert_dtypes(convert_string=False)
    frame = frame.sort_values(["game_date", "game_pk", "at_bat_number", "pitch_number"], ascending=False)
    frame["game_date"] = pd.to_datetime(frame["game_date"])
    pd.testing.assert_frame_equal(load_pitches(frame), expected)
    frame.to_parquet(tmp_path / "frame.parquet")
    pd.testing.assert_frame_equal(load_pitches(tmp_path / "frame.parquet"), expected)
    # statcast_batter()/statcast_pitcher() frames carry the same columns, only fewer rows
    one = raw[raw["batter"] == 656308]
    assert set(load_pitches(one)["batter"]) == {656308}


def test_todays_column_set_loads(real_statcast_csv: Path, tmp_path: Path) -> None:
    """A current export: delta_run_exp, bat tracking and more columns, duplicated columns gone."""
    raw = raw_real(real_statcast_csv).drop(columns=["pitcher.1", "fielder_2.1"])
    rng = np.random.default_rng(0)
    raw["delta_run_exp"] = rng.normal(0, 0.1, len(raw)).round(3)
    for col in ("bat_speed", "swing_length", "arm_angle", "estimated_slg_using_speedangle", "age_bat"):
        raw[col] = rng.normal(50, 5, len(raw))
    raw.to_csv(tmp_path / "today.csv", index=False)  # Savant's own CSV: no index column
    pitches = load_pitches(tmp_path / "today.csv")
    assert pitches["delta_run_exp"].notna().all()
    base = load_pitches(real_statcast_csv)
    pd.testing.assert_frame_equal(pitches.drop(columns="delta_run_exp"), base.drop(columns="delta_run_exp"))


def test_only_the_required_columns_are_required(real_statcast_csv: Path) -> None:
    raw = raw_real(real_statcast_csv)
    minimal = raw[list(REQUIRED_COLUMNS)]
    pitches = load_pitches(minimal)
    for col in OPTIONAL_COLUMNS:
        assert pitches[col].isna().all(), col
    for col in ("game_pk", "events", "stand"):
        with pytest.raises(HFMInputError, match=f"missing column\\(s\\) {col}"):
            load_pitches(minimal.drop(columns=[col]))


def test_every_savant_code_loads_and_counts(real_statcast_csv: Path) -> None:
    raw = raw_real(real_statcast_csv).reset_index(drop=True)
    raw["description"] = [DESCRIPTIONS[i % len(DESCRIPTIONS)] for i in range(len(raw))]
    raw["pitch_type"] = [PITCH_TYPES[i % len(PITCH_TYPES)] for i in range(len(raw))]
    ends = np.flatnonzero(raw["events"].notna().to_numpy())
    codes = [*EVENTS, "a_code_from_2031"]
    raw.loc[ends, "events"] = [codes[i % len(codes)] for i in range(len(ends))]
    pitches = load_pitches(raw)
    assert set(DESCRIPTIONS) <= set(pitches["description"])
    assert set(PITCH_TYPES) - {None} <= set(pitches["pitch_type"].dropna())
    pas = plate_appearances(pitches)
    assert len(pas) == len(ends)
    by_event = pitches.loc[pitches["events"].notna(), "events"].to_numpy()
    for event, row in zip(by_event, pas.itertuples()):
        if event in NON_PA_EVENTS:  # caught stealing, truncated_pa, ...: no PA, the outs still count
            assert row.PA == 0 and row.outs == NON_PA_EVENTS[event], event
        elif event in PA_EVENTS:
            assert row.PA == 1 and row.outcome == PA_EVENTS[event][0], event
        else:  # a code Savant adds later: a PA with outcome OTHER, never a crash
            assert row.PA == 1 and row.outcome == "OTHER"
    assert all(e in PA_EVENTS or e in NON_PA_EVENTS for e in EVENTS)  # every real code is mapped


def test_game_types_regular_season_by_default(real_statcast_csv: Path) -> None:
    raw = raw_real(real_statcast_csv)
    spring = raw.assign(game_pk=raw["game_pk"] + 1, game_type="S")
    playoff = raw.assign(game_pk=raw["game_pk"] + 2, game_type="F")
    mixed = pd.concat([spring, raw, playoff])
    assert set(load_pitches(mixed)["game_pk"]) == {GAME_PK}
    kept = load_pitches(mixed, game_types=("R", "F", "D", "L", "W"))
    assert set(kept["game_pk"]) == {GAME_PK, GAME_PK + 2}
    assert len(load_pitches(mixed, game_types=None)) == 3 * len(raw)
    assert len(load_pitches(raw.drop(columns="game_type"))) == len(raw)  # no column: regular season
    blank = raw.assign(game_type=None)
    assert len(load_pitches(blank)) == len(raw)
    with pytest.raises(HFMInputError, match="no rows of game_type R .*336 of game_type S"):
        load_pitches(spring)


def test_overlapping_downloads_are_deduplicated_with_a_count(real_statcast_csv: Path, tmp_path: Path) -> None:
    raw = raw_real(real_statcast_csv)
    first, second = raw.iloc[:200], raw.iloc[150:]  # two downloads sharing 50 pitches
    first.to_csv(tmp_path / "a.csv")
    second.to_csv(tmp_path / "b.csv")
    with pytest.warns(StatcastWarning, match="50 duplicate pitch row"):
        dropped = load_pitches(tmp_path)  # the default drops them
    pd.testing.assert_frame_equal(dropped, load_pitches(real_statcast_csv))
    with pytest.warns(StatcastWarning, match="50 duplicate .* kept"):
        assert len(load_pitches(tmp_path, duplicates="warn")) == len(raw) + 50
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_pitches(tmp_path, duplicates="keep")) == len(raw) + 50


def test_rows_with_an_impossible_count_are_dropped_counted_and_named(real_statcast_csv: Path, tmp_path: Path) -> None:
    # Savant's exports hold a few such rows (pybaseball issue #419): four balls and more before a pitch
    raw = raw_real(real_statcast_csv).reset_index(drop=True)
    ends = raw["events"].notna().to_numpy()
    first, other = np.flatnonzero(~ends)[[3, 30]]  # mid-plate-appearance pitches
    last = int(np.flatnonzero(ends)[5])  # a plate appearance's last pitch
    bad = raw.copy()
    bad.loc[first, "balls"], bad.loc[last, "strikes"], bad.loc[other, "balls"] = 4, 3, -1
    bad.to_csv(tmp_path / "bad.csv")
    with pytest.warns(StatcastWarning, match=rf"3 pitch rows with a count no pitch is thrown in .* dropped, 1 of them "
                                             rf"ending a plate appearance .*first: .*bad.csv: row {first + 1} "
                                             rf"\(CSV line {first + 2}\): balls 4, strikes"):
        pitches = load_pitches(tmp_path / "bad.csv")
    assert first < min(last, other)
    clean = load_pitches(raw.drop(index=[first, last, other]))
    pd.testing.assert_frame_equal(pitches, clean)
    assert pitches["balls"].between(0, 3).all() and pitches["strikes"].between(0, 2).all()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_pitches(real_statcast_csv)  # the real game has none
    with pytest.raises(HFMInputError, match=r"<DataFrame>: no rows of game_type R \(336 pitch rows with a count no "
                                            r"pitch is thrown in"):
        load_pitches(raw.assign(balls=4))  # every row dropped: the error says why


def test_a_game_on_two_dates_takes_its_first(real_statcast_csv: Path) -> None:
    # Savant dates a resumed game by the day it began; rows of one game_pk on two dates would be two games
    raw = raw_real(real_statcast_csv)
    late = raw["inning"] >= 6
    resumed = raw.assign(game_date=np.where(late, "2020-09-04", raw["game_date"]))
    with pytest.warns(StatcastWarning, match=r"1 game \(one game_pk\) with rows on more than one date: each dated "
                                             r"by its first.*game_pk 631614, 2020-09-03 to 2020-09-04"):
        pitches = load_pitches(resumed)
    pd.testing.assert_frame_equal(pitches, load_pitches(raw))
    games = game_lines(plate_appearances(pitches), "batter")
    assert games.groupby("player_id").size().max() == 1


def test_doubleheader_is_two_games(real_statcast_csv: Path) -> None:
    raw = raw_real(real_statcast_csv)
    nightcap = raw.assign(game_pk=GAME_PK + 1)  # same day, same teams, its own game_pk
    pitches = load_pitches(pd.concat([raw, nightcap]))
    games = game_lines(plate_appearances(pitches), "batter")
    devers = games[games["player_id"] == 646240]
    assert len(devers) == 2 and devers["game_date"].nunique() == 1
    assert devers["PA"].tolist() == [devers["PA"].iloc[0]] * 2


def test_chunks_equal_the_whole_file_and_errors_name_the_file_row(real_statcast_csv: Path, tmp_path: Path) -> None:
    raw = raw_real(real_statcast_csv)
    whole = pd.concat(list(read_pitch_chunks(real_statcast_csv)), ignore_index=True)
    chunked = pd.concat(list(read_pitch_chunks(real_statcast_csv, chunk_rows=50)), ignore_index=True)
    pd.testing.assert_frame_equal(chunked, whole)
    bad = raw.astype({"release_speed": object, "game_type": object}).reset_index(drop=True)
    bad.loc[3, "game_type"] = "S"  # left out before the bad row: numbering stays the file's
    bad.loc[249, "release_speed"] = "fast"
    bad.to_csv(tmp_path / "bad.csv")
    for rows in (None, 100, 7):
        with pytest.raises(HFMInputError) as info:
            list(read_pitch_chunks(tmp_path / "bad.csv", chunk_rows=rows))
        assert "column release_speed: row 250 (CSV line 251): 'fast' is not a number" in str(info.value)


@pytest.mark.parametrize("column, value, problem", [
    ("stand", "X", "is not one of L, R"),
    ("p_throws", "S", "is not one of L, R"),
    ("batter", -5, "is not a positive id"),
    ("game_pk", 1e30, "is not a positive id"),
    ("description", None, "is missing (required)"),
])
def test_real_world_bad_values(real_statcast_csv: Path, tmp_path: Path, column: str, value, problem: str) -> None:
    raw = raw_real(real_statcast_csv).reset_index(drop=True).astype({column: object})
    raw.loc[10, column] = value
    raw.to_csv(tmp_path / "bad.csv")
    with pytest.raises(HFMInputError) as info:
        load_pitches(tmp_path / "bad.csv")
    assert f"bad.csv: column {column}: row 11 (CSV line 12)" in str(info.value) and problem in str(info.value)


def test_batter_position_comes_from_the_fielders_of_his_team(real_statcast_csv: Path) -> None:
    """Savant has no batter's position; the loader reads it off fielder_2 .. fielder_9 of the half
    innings his team fields (one of the first nine batters named nowhere: the DH; a later one: a
    pinch hitter), and leaves it unknown where those rows are not in the file."""
    pitches = load_pitches(real_statcast_csv)
    by = pitches.groupby("batter")["batter_position"].agg(["min", "max"])
    assert (by["min"] == by["max"]).all() and by["min"].between(2, 11).all()
    assert by.loc[502110, "min"] == 10  # J.D. Martinez, the DH: named by no fielder column, in the lineup
    assert by.loc[642133, "min"] == 11  # named by none either, first up in the 9th: a pinch hitter
    assert by.loc[646240, "min"] == 5 and by.loc[543877, "min"] == 2  # Devers at third, Vazquez catching
    raw = raw_real(real_statcast_csv)
    top = load_pitches(raw[raw["inning_topbot"] == "Top"])  # the away team bats; its fielding rows are gone
    assert top["batter_position"].isna().all()
    given = load_pitches(raw.assign(batter_position=4.0))  # a file's own column wins
    assert (given["batter_position"] == 4.0).all()


def test_repeated_rows_do_not_vote_on_positions(real_statcast_csv: Path) -> None:
    """50 rows of the game given twice (overlapping downloads) are dropped as duplicates, and do not
    count twice before that: a walkthrough saw Jonathan Villar (542340) move from second base to
    shortstop, and his projection with him."""
    raw = raw_real(real_statcast_csv)
    want = load_pitches(raw)
    with pytest.warns(UserWarning, match="50 duplicate pitch row"):
        got = load_pitches(pd.concat([raw, raw.iloc[:50]]))
    pd.testing.assert_frame_equal(got, want)
    kept = load_pitches(pd.concat([raw, raw.iloc[:50]]), duplicates="keep")
    position = want.groupby("batter")["batter_position"].first()
    assert (kept.groupby("batter")["batter_position"].first() == position).all() and position[542340] == 4


def test_a_pitcher_who_bats_is_at_position_one(real_statcast_csv: Path) -> None:
    """Savant names the fielding team's pitcher in `pitcher`, not in a fielder column: a pitcher
    batting (an NL park, a two-way player) is position 1, as Retrosheet writes him, not a DH."""
    raw = raw_real(real_statcast_csv)
    starter = int(raw.loc[raw["inning_topbot"] == "Top", "pitcher"].iloc[-1])  # the home team's first pitcher
    home_dh = raw["batter"] == 502110  # J.D. Martinez bats for the home team
    pitches = load_pitches(raw.assign(batter=raw["batter"].where(~home_dh, starter)))
    assert (pitches.loc[pitches["batter"] == starter, "batter_position"] == 1).all()


@pytest.mark.parametrize("level", ["mlb", "MLB ", " AAA", "Mlb", ""])
def test_a_level_name_that_would_count_no_game_as_mlb_is_refused(real_statcast_csv: Path, level: str) -> None:
    """load_pitches(level="mlb") loaded every game as a level no season line reads as major-league:
    Marcel then read none of the data, and every player came back at the bundle's league rates."""
    with pytest.raises(HFMInputError, match="level"):
        load_pitches(real_statcast_csv, level=level)
    assert (load_pitches(real_statcast_csv, level="AA")["level"] == "AA").all()  # other levels keep their name


def test_a_players_table_from_python_is_typed_as_read_players_types_it() -> None:
    """people.checked_players: text ids and ISO dates converted (a str column too, whose dates pandas
    would otherwise read in the order its first value suggests), a time zone dropped, and a date or id
    that is none refused naming the row."""
    from hfm_runtime.people import checked_players

    typed = pd.DataFrame({"player_id": np.array([1, 2], np.int64),
                          "birth_date": pd.to_datetime(["1995-03-01", None]).astype("datetime64[ns]")})
    assert checked_players(typed) is typed  # nothing to convert: not copied
    for born in (pd.Series(["1995-03-01", None], dtype="str"), pd.Series(["1995-03-01", None], dtype=object),
                 typed["birth_date"].dt.tz_localize("UTC"), typed["birth_date"].astype("datetime64[s]")):
        got = checked_players(pd.DataFrame({"player_id": pd.Series(["1", "2"], dtype="str"), "birth_date": born}))
        pd.testing.assert_frame_equal(got, typed)
    with pytest.raises(HFMInputError, match=r"column birth_date: row 1: '01/03/1995' is not a YYYY-MM-DD"):
        checked_players(pd.DataFrame({"player_id": [1, 2], "birth_date": pd.Series(["01/03/1995", "1995-03-01"],
                                                                                   dtype="str")}))
    with pytest.raises(HFMInputError, match=r"column player_id: row 2: '2.5' is not an integer id"):
        checked_players(pd.DataFrame({"player_id": ["1", "2.5"], "birth_date": [None, None]}))


def test_rows_that_did_not_come_through_load_pitches_are_refused(real_statcast_csv: Path) -> None:
    """A raw pybaseball frame given a `level` by hand: its text dates made scoring fail on a comparison,
    and its fielder columns never became batter_position (the store took it and moved 21 batters' rates)."""
    from hfm_runtime.scoring import History

    raw = pd.read_csv(real_statcast_csv).assign(level="MLB")
    with pytest.raises(HFMInputError, match=r"column game_date holds .*, not dates: load the rows with"):
        History(raw)
    with pytest.raises(HFMInputError, match=r"Savant columns fielder_2, .* present .*load the rows with"):
        History(raw.assign(game_date=pd.to_datetime(raw["game_date"])))
    History(load_pitches(real_statcast_csv))  # as load_pitches returns them: taken


def test_scoring_in_season_from_a_few_players_games_is_warned_of(real_statcast_csv: Path) -> None:
    """In season the season's start and its league rates so far come from the data: a file of one
    player's games made the season begin on his debut and regressed him toward himself (a walkthrough).
    hfm-score now says so where the days since the start hold fewer than START_GAMES games each."""
    from hfm_runtime.cli import _thin_season_note
    from hfm_runtime.scoring import History

    game = load_pitches(real_statcast_csv)
    day = pd.Timestamp("2020-09-04")
    note = _thin_season_note(History(game), 2020, day, "--pitches")
    assert len(note) == 1 and "the season's start (2020-09-03)" in note[0] and "1 MLB game on 1 day" in note[0]
    # five games that day: a league's slate (teams renamed so each is its own game), and no note
    slate = pd.concat([game.assign(game_pk=game["game_pk"] + k, home_team=f"H{k}", away_team=f"A{k}",
                                   batter=game["batter"] + 10_000_000 * k, pitcher=game["pitcher"] + 10_000_000 * k)
                       for k in range(5)], ignore_index=True)
    assert _thin_season_note(History(slate), 2020, day, "--pitches") == []
    assert _thin_season_note(History(game), 2020, pd.Timestamp("2020-09-03"), "--pitches") == []  # not in season


def test_a_register_among_the_pitch_files_is_named_as_one(real_statcast_csv: Path, real_register_csv: Path) -> None:
    """A download folder holds the register beside the pitches: it was refused with 32 missing columns."""
    with pytest.raises(HFMInputError, match=r"chadwick_register_game631614.csv: a Chadwick register .*--register"):
        load_pitches([real_statcast_csv, real_register_csv])
