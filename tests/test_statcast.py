"""Statcast loader: formats, normalised dtypes, and one clear error per kind of bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.statcast import (LEVEL_COLUMN, STATCAST_COLUMNS, TEXT_DTYPE, StatcastWarning, load_pitches,
                                   read_pitch_chunks)


def make_pitches(plate_appearances: list[tuple]) -> pd.DataFrame:
    """Savant-shaped pitches from (game_pk, date, batter, pitcher, events, n_pitches) tuples.

    Each PA gets n_pitches pitches, `events` on the last one; at_bat_number counts up per game.
    """
    rows = []
    at_bat: dict[int, int] = {}
    for game_pk, day, batter, pitcher, events, n in plate_appearances:
        at_bat[game_pk] = at_bat.get(game_pk, 0) + 1
        for k in range(1, n + 1):
            last = k == n
            rows.append({
                "game_pk": game_pk, "game_date": day, "pitcher": pitcher, "batter": batter,
                "pitch_type": "FF" if k % 2 else "SL", "release_speed": 90.0 + k,
                "release_spin_rate": 2300.0, "release_extension": 6.2, "pfx_x": -0.5, "pfx_z": 1.2,
                "plate_x": 0.1, "plate_z": 2.5, "balls": 0, "strikes": min(k - 1, 2),
                "outs_when_up": 0, "inning": 1, "inning_topbot": "Top", "on_1b": np.nan,
                "on_2b": np.nan, "on_3b": np.nan, "stand": "R", "p_throws": "L",
                "description": "hit_into_play" if last else "ball", "type": "X" if last else "B",
                "events": events if last else None, "bb_type": None, "launch_speed": np.nan,
                "launch_angle": np.nan, "hit_distance_sc": np.nan,
                "estimated_woba_using_speedangle": np.nan, "delta_run_exp": 0.01,
                "at_bat_number": at_bat[game_pk], "pitch_number": k, "bat_score": 0,
                "fld_score": 0, "home_team": "AAA", "away_team": "BBB", "game_type": "R",
            })
    return pd.DataFrame(rows)


@pytest.fixture
def pitches() -> pd.DataFrame:
    return make_pitches([
        (2, "2024-04-02", 10, 20, "single", 3),
        (1, "2024-04-01", 10, 20, "strikeout", 3),
        (1, "2024-04-01", 11, 20, "walk", 4),
    ])


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_dataframe_is_normalised_and_sorted(pitches: pd.DataFrame) -> None:
    raw = pitches.assign(des="extra column", game_pk=pitches["game_pk"].astype(str))
    out = load_pitches(raw, level="AAA")
    assert list(out.columns) == [*STATCAST_COLUMNS, LEVEL_COLUMN]
    assert (out[LEVEL_COLUMN] == "AAA").all()
    for col, kind in STATCAST_COLUMNS.items():
        expected = {"int": "int64", "float": "float64", "date": "datetime64[ns]", "str": TEXT_DTYPE}[kind]
        if col in ("bat_score", "fld_score"):
            expected = "float64"  # optional ints: NaN allowed
        assert out[col].dtype == expected, col
    assert out.events.isna().sum() == len(out) - 3
    assert out.bb_type.isna().all()  # None in, missing out
    keys = out[["game_pk", "at_bat_number", "pitch_number"]].to_numpy()
    assert (np.lexsort(keys.T[::-1]) == np.arange(len(out))).all()
    assert out.game_pk.iloc[0] == 1 and out.game_date.iloc[0] == pd.Timestamp("2024-04-01")


def test_csv_gzip_parquet_list_and_folder_agree(pitches: pd.DataFrame, tmp_path: Path) -> None:
    expected = load_pitches(pitches)
    write_csv(pitches, tmp_path / "a.csv")
    with gzip.open(tmp_path / "b.csv.gz", "wt") as fh:
        pitches.to_csv(fh, index=False)
    pitches.to_parquet(tmp_path / "c.parquet")
    for name in ("a.csv", "b.csv.gz", "c.parquet"):
        pd.testing.assert_frame_equal(load_pitches(tmp_path / name), expected)
    # the same pitches from overlapping files: kept once, the repeats counted in a warning
    with pytest.warns(StatcastWarning, match=f"{len(expected)} duplicate pitch row"):
        both = load_pitches([tmp_path / "a.csv", tmp_path / "c.parquet"])
    pd.testing.assert_frame_equal(both, expected)
    with pytest.warns(StatcastWarning, match=f"{2 * len(expected)} duplicate"):
        assert len(load_pitches(tmp_path)) == len(expected)
    with pytest.warns(StatcastWarning, match="kept"):
        assert len(load_pitches(tmp_path, duplicates="warn")) == 3 * len(expected)


def test_spreadsheet_dates_and_unknown_codes(pitches: pd.DataFrame) -> None:
    raw = pitches.astype({"game_date": object, "pitch_type": object})
    raw.loc[raw["game_pk"] == raw["game_pk"].iloc[0], "game_date"] = "4/22/2024"  # a whole game's
    raw.loc[1, "pitch_type"] = "ZZ-never-seen"
    raw.loc[2, "pitch_type"] = ""  # empty text counts as missing
    raw["home_team"] = 147  # a code read as a number stays text
    out = load_pitches(raw)
    assert pd.Timestamp("2024-04-22") in set(out.game_date)
    assert "ZZ-never-seen" in set(out.pitch_type) and out.pitch_type.isna().sum() == 1
    assert (out.home_team == "147").all()


@pytest.mark.parametrize("dates, expected", [
    (["4/22/2024", "4/2/2024"], ["2024-04-22", "2024-04-02"]),  # month-first: 22 cannot be a month
    (["22.04.2024", "02.04.2024"], ["2024-04-22", "2024-04-02"]),  # day-first: the whole column
    (["3/3/24", "April 22, 2024"], ["2024-03-03", "2024-04-22"]),  # the same either way; a month by name
    (["22/04/2024 0:00", "03/09/2024 13:05"], ["2024-04-22", "2024-09-03"]),  # a spreadsheet's time of day
    (["4/22/99", "4/2/01"], ["1999-04-22", "2001-04-02"]),  # two-digit years as strptime's %y reads them
])
def test_day_and_month_numbers_are_read_in_the_order_the_column_shows(pitches, dates, expected) -> None:
    raw = pitches.groupby("game_pk").head(1).astype({"game_date": object})  # one row of each game
    raw["game_date"] = dates
    out = load_pitches(raw)
    assert sorted(out.game_date) == sorted(pd.to_datetime(expected))


@pytest.mark.parametrize("dates, row, problem", [
    (["03/09/2020", "03/09/2020"], 1, "could be read day-first or month-first"),  # March 9 or September 3?
    (["2020-09-03", "04/13/2020", "13/04/2020"], 3, "is day-first where other rows are month-first"),
    (["4/22/2024 0:00", "22/04/2024 0:00"], 2, "is day-first where other rows are month-first"),  # a time too
])
def test_dates_whose_day_and_month_cannot_be_told_apart_are_refused(pitches, dates, row, problem) -> None:
    raw = pitches.iloc[: len(dates)].astype({"game_date": object})
    raw["game_date"] = dates
    with pytest.raises(HFMInputError, match=f"column game_date: row {row}: '{dates[row - 1]}' {problem}"):
        load_pitches(raw)


def test_odd_but_readable_dates(pitches) -> None:
    """Several UTC offsets (pandas refuses them together), an offset after a day-first date and time,
    and a missing date as NaT in an object column: read at the wall-clock date, or said to be missing."""
    games = pitches.groupby("game_pk").head(1).astype({"game_date": object})
    for dates, expected in ((["2024-04-22T21:05:00-04:00", "2024-03-22T19:05:00-05:00"], ["2024-04-22", "2024-03-22"]),
                            (["22/04/2024 13:05:00+02:00", "03/09/2024 13:05:00+02:00"], ["2024-04-22", "2024-09-03"])):
        out = load_pitches(games.assign(game_date=dates))
        assert sorted(out.game_date) == sorted(pd.to_datetime(expected)), dates
    with pytest.raises(HFMInputError, match="column game_date: row 2: is missing"):
        load_pitches(games.assign(game_date=[pd.Timestamp("2024-04-22"), pd.NaT]))


def test_a_damaged_file_met_by_the_date_scan_is_one_clear_error(pitches, tmp_path) -> None:
    """The date order's scan reads the whole file's dates: damage past the chunks read so far is the
    reader's usual error, not a traceback (a review found an EOFError of a cut .csv.gz)."""
    import gzip

    raw = pitches.astype({"game_date": object}).assign(game_date="4/22/2024")
    rows = raw.to_csv(index=False).encode().split(b"\n", 1)
    data = rows[0] + b"\n" + rows[1] * 5000  # 50,000 rows: the first chunks read before the cut is met
    (tmp_path / "cut.csv.gz").write_bytes(gzip.compress(data)[:-30])
    with pytest.raises(HFMInputError, match=r"cut\.csv\.gz: cannot read as CSV"):
        list(read_pitch_chunks(tmp_path / "cut.csv.gz", chunk_rows=2))


def test_a_chunk_of_blank_dates_is_missing_not_a_crash(pitches, tmp_path) -> None:
    """A CSV chunk whose dates are all blank is read as numbers: it is "missing", as any blank date."""
    raw = pitches.astype({"game_date": object})
    raw.loc[raw.index[4:], "game_date"] = None
    write_csv(raw, tmp_path / "blank.csv")
    with pytest.raises(HFMInputError, match=r"column game_date: row 5 \(CSV line 6\): is missing \(required\)"):
        list(read_pitch_chunks(tmp_path / "blank.csv", chunk_rows=4))


@pytest.mark.parametrize("date", ["4/22/2999", "April 22, 2999", "22.04.1500", "2999-04-22", "13/13/2024"])
def test_a_date_out_of_range_is_refused_not_wrapped_around(pitches, date) -> None:
    """Years past 2262 do not fit pandas' nanoseconds: they once wrapped around to 1830 without a word."""
    raw = pitches.astype({"game_date": object})
    raw.loc[raw.index[3], "game_date"] = date
    with pytest.raises(HFMInputError, match=f"column game_date: row 4: '{date}' is not a date"):
        load_pitches(raw)


def test_a_file_read_in_chunks_takes_its_date_order_from_the_whole_file(pitches, tmp_path) -> None:
    """A chunk of days 1-12 alone cannot tell the order; the file's other dates can (a review found the
    tail chunk of a month-first file refused, and a file mixing the orders across chunks accepted)."""
    raw = pitches.astype({"game_date": object})
    first = (raw["game_pk"] == raw["game_pk"].iloc[0]).to_numpy()
    raw = pd.concat([raw[first], raw[~first]], ignore_index=True)  # one game, then the other
    first = np.sort(first)[::-1]
    for dates, expected in ((("9/28/2023", "10/1/2023"), ("2023-09-28", "2023-10-01")),  # month-first
                            (("28.09.2023", "01.10.2023"), ("2023-09-28", "2023-10-01"))):  # day-first
        raw["game_date"] = np.where(first, dates[0], dates[1])
        write_csv(raw, tmp_path / "dates.csv")
        chunks = list(read_pitch_chunks(tmp_path / "dates.csv", chunk_rows=int(first.sum())))
        assert len(chunks) > 1  # chunks holding only the second game: 10/1 alone cannot tell
        assert sorted(set(pd.concat(chunks)["game_date"])) == list(pd.to_datetime(expected))
    raw["game_date"] = np.where(first, "4/22/2024", "22/04/2024")  # each chunk one order: the file both
    write_csv(raw, tmp_path / "dates.csv")
    row = int(first.sum()) + 1
    with pytest.raises(HFMInputError, match=rf"dates\.csv: column game_date: row {row} \(CSV line {row + 1}\): "
                                            "'22/04/2024' is day-first where other rows are month-first"):
        list(read_pitch_chunks(tmp_path / "dates.csv", chunk_rows=int(first.sum())))


def error_for(frame: pd.DataFrame, path: Path) -> str:
    if path.suffix == ".parquet":
        frame.to_parquet(path)
    else:
        write_csv(frame, path)
    with pytest.raises(HFMInputError) as info:
        load_pitches(path)
    return str(info.value)


@pytest.mark.parametrize(
    "column, value, problem",
    [
        ("release_speed", "fast", "is not a number"),
        ("game_date", "yesterday", "is not a date"),
        ("batter", None, "is missing"),
        ("stand", None, "is missing"),
        ("balls", 1.5, "is not a whole number"),
    ],
)
def test_bad_value_names_file_column_and_line(
    pitches: pd.DataFrame, tmp_path: Path, column: str, value: object, problem: str
) -> None:
    bad = pitches.astype({column: object})
    bad.loc[4, column] = value  # 5th data row = CSV line 6
    message = error_for(bad, tmp_path / "bad.csv")
    assert str(tmp_path / "bad.csv") in message
    assert f"column {column}" in message and "row 5 (CSV line 6)" in message and problem in message


def test_bad_value_in_parquet_names_row(pitches: pd.DataFrame, tmp_path: Path) -> None:
    bad = pitches.assign(release_speed=pitches["release_speed"].astype(str))
    bad.loc[2, "release_speed"] = "fast"
    message = error_for(bad, tmp_path / "bad.parquet")
    assert "bad.parquet: column release_speed: row 3: 'fast' is not a number" in message


def test_missing_columns_named(pitches: pd.DataFrame, tmp_path: Path) -> None:
    for path in (tmp_path / "m.csv", tmp_path / "m.parquet"):
        message = error_for(pitches.drop(columns=["pfx_x", "events"]), path)
        assert str(path) in message and "missing column(s) pfx_x, events" in message
    with pytest.raises(HFMInputError, match="<DataFrame>: missing column"):
        load_pitches(pitches.drop(columns=["game_pk"]))


def test_empty_and_unreadable_files(pitches: pd.DataFrame, tmp_path: Path) -> None:
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "junk.csv.gz").write_text("not gzip")
    (tmp_path / "junk.parquet").write_text("not parquet")
    (tmp_path / "notes.txt").write_text("hello")
    write_csv(pitches.iloc[:0], tmp_path / "header_only.csv")
    cases = {
        "empty.csv": "file is empty",
        "header_only.csv": "no rows",
        "junk.csv.gz": "cannot read as CSV",
        "junk.parquet": "cannot read as PARQUET",
        "notes.txt": "unknown file type",
        "absent.csv": "no such file",
    }
    for name, problem in cases.items():
        with pytest.raises(HFMInputError) as info:
            load_pitches(tmp_path / name)
        assert name in str(info.value) and problem in str(info.value)
    with pytest.raises(HFMInputError, match="no Statcast files"):
        load_pitches([])
    # a Retrosheet season given as Statcast: said how it comes in, file or folder
    (tmp_path / "2019eve").mkdir()
    (tmp_path / "2019eve" / "2019ARI.EVN").write_text("id,ARI201904010\n")
    for given in (tmp_path / "2019eve", tmp_path / "2019eve" / "2019ARI.EVN"):
        with pytest.raises(HFMInputError, match=r"a Retrosheet season is imported first: hfm-train import"):
            load_pitches(given)


# --- league folder ---------------------------------------------------------------------------------


def test_load_league_reads_every_level_and_season(tiny_league: Path) -> None:
    from hfm_runtime.league import load_league

    league = load_league(tiny_league)
    assert set(league.pitches[LEVEL_COLUMN]) == {"MLB", "AAA"} == set(league.levels)
    assert sorted(league.pitches.game_date.dt.year.unique()) == league.seasons
    assert list(league.pitches.columns) == [*STATCAST_COLUMNS, LEVEL_COLUMN]
    assert league.pitches.game_pk.is_monotonic_increasing
    assert league.players.player_id.dtype == "int64"
    assert league.players.birth_date.dtype == "datetime64[ns]"
    assert set(league.pitches.batter) <= set(league.players.player_id)
    assert league.true_talent is not None and {"player_id", "season", "SO"} <= set(league.true_talent)
    only = load_league(tiny_league, seasons=league.seasons[-1:], levels=["MLB"])
    assert set(only.pitches[LEVEL_COLUMN]) == {"MLB"} and only.seasons == league.seasons[-1:]


@pytest.mark.parametrize(
    "damage, problem",
    [
        ("no folder", "no such league folder"),
        ("league.json garbled", "league.json: not valid JSON"),
        ("schema 99", "field 'schema_version' is 99"),
        ("source bogus", "field 'source' is 'bogus', expected 'statcast', 'retrosheet'"),
        ("pitch file gone", "does not exist"),
        ("players column gone", "players.csv: missing column(s) birth_date"),
        ("players bad date", "players.csv: column birth_date: row 2 (CSV line 3)"),
    ],
)
def test_broken_league_folder_is_a_clear_error(
    tiny_league: Path, tmp_path: Path, damage: str, problem: str
) -> None:
    import json
    import shutil

    from hfm_runtime.league import load_league

    league = tmp_path / "league"
    if damage != "no folder":
        shutil.copytree(tiny_league, league)
    meta = league / "league.json"
    if damage == "league.json garbled":
        meta.write_text("{not json")
    elif damage == "schema 99":
        meta.write_text(json.dumps({**json.loads(meta.read_text()), "schema_version": 99}))
    elif damage == "source bogus":  # read as an imported (real) league before
        meta.write_text(json.dumps({**json.loads(meta.read_text()), "source": "bogus"}))
    elif damage == "pitch file gone":
        next((league / "pitches" / "AAA").glob("*.parquet")).unlink()
    elif damage.startswith("players"):
        players = pd.read_csv(league / "players.csv", dtype=str)
        if damage == "players column gone":
            players = players.drop(columns=["birth_date"])
        else:
            players.loc[1, "birth_date"] = "someday"
        players.to_csv(league / "players.csv", index=False)
    with pytest.raises(HFMInputError) as info:
        load_league(league)
    assert problem in str(info.value)


def test_a_missing_path_says_so_before_its_type_and_a_retrosheet_zip_points_to_the_import(tmp_path: Path) -> None:
    from hfm_runtime.league import load_league

    with pytest.raises(HFMInputError, match="2019eve.zip: no such file$"):
        load_pitches(tmp_path / "2019eve.zip")
    (tmp_path / "2019eve.zip").write_bytes(b"PK")
    with pytest.raises(HFMInputError, match="hfm-train import FILE --register"):
        load_pitches(tmp_path / "2019eve.zip")
    with pytest.raises(HFMInputError, match="a file, not a league folder.*hfm-train import"):
        load_league(tmp_path / "2019eve.zip")
