"""Where each age comes from (issue #23 item 4): exact / birth_year / imputed, through the register, the
derived players table, players.csv (written, read back, and files from before age_source) and the
import summary."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.league import read_players, write_players
from hfm_runtime.people import age_sources, impute_birth_dates, players_from_pitches
from hfm_runtime.register import read_register
from hfm_runtime.statcast import load_pitches

DEVERS, PEREZ, CHAVIS = 646240, 527048, 656308


def players_csv(path: Path, rows: list[dict]) -> Path:
    base = {"name_first": "A", "name_last": "B", "bats": "R", "throws": "R", "player_type": "batter"}
    pd.DataFrame([{**base, **r} for r in rows]).to_csv(path, index=False)
    return path


def register_with_gaps(real_register_csv: Path) -> pd.DataFrame:
    """The real game's register rows, Devers left out (no birth data), Perez with the year only."""
    register = pd.read_csv(real_register_csv)
    register = register[register["key_mlbam"] != DEVERS]
    register.loc[register["key_mlbam"] == PEREZ, ["birth_month", "birth_day"]] = np.nan
    return register


def test_derived_players_say_where_each_age_comes_from(real_statcast_csv: Path, real_register_csv: Path):
    players = players_from_pitches(load_pitches(real_statcast_csv), read_register(register_with_gaps(real_register_csv)))
    source = players.set_index("player_id")["age_source"]
    assert source[DEVERS] == "imputed" and source[PEREZ] == "birth_year"
    assert (source.drop([DEVERS, PEREZ]) == "exact").all()
    imputed = players.set_index("player_id")["age_imputed"]
    assert imputed[DEVERS] and imputed[PEREZ] and not imputed.drop([DEVERS, PEREZ]).any()
    assert players.set_index("player_id").loc[PEREZ, "birth_date"] == pd.Timestamp("1991-07-01")  # year only: July 1


def test_players_csv_round_trip_and_files_from_before_age_source(tmp_path: Path):
    rows = [
        {"player_id": 1, "birth_date": "1990-03-04", "age_imputed": "false"},
        {"player_id": 2, "birth_date": "1991-07-01", "age_imputed": "true"},  # a year-only register date
        {"player_id": 3, "birth_date": "1995-01-01", "age_imputed": "true"},  # an imputed date (January 1)
        {"player_id": 4, "birth_date": "", "age_imputed": "false"},  # emptied by hand: imputed on load
    ]
    old = read_players(players_csv(tmp_path / "old.csv", rows)).set_index("player_id")
    assert old["age_source"].tolist() == ["exact", "birth_year", "imputed", "imputed"]
    assert old["age_imputed"].tolist() == [False, True, True, True]
    # without either column: exact where the date is given
    bare = read_players(players_csv(tmp_path / "bare.csv", [{k: v for k, v in r.items() if k != "age_imputed"}
                                                            for r in rows]))
    assert bare["age_source"].tolist() == ["exact", "exact", "exact", "imputed"]
    # written: both columns, agreeing; read back: the same
    write_players(old.reset_index(), tmp_path / "new.csv")
    raw = pd.read_csv(tmp_path / "new.csv", dtype=str, keep_default_na=False)
    assert raw["age_source"].tolist() == ["exact", "birth_year", "imputed", "imputed"]
    assert raw["age_imputed"].tolist() == ["false", "true", "true", "true"]
    again = read_players(tmp_path / "new.csv")
    assert again["age_source"].tolist() == old["age_source"].tolist()
    # age_source alone (no age_imputed column) is read as it says, empty cells from the date
    only = read_players(players_csv(tmp_path / "only.csv", [
        {"player_id": 1, "birth_date": "1990-03-04", "age_source": "birth_year"},
        {"player_id": 2, "birth_date": "1990-03-04", "age_source": ""}]))
    assert only["age_source"].tolist() == ["birth_year", "exact"] and only["age_imputed"].tolist() == [True, False]


@pytest.mark.parametrize("row, message", [
    ({"age_source": "guessed", "age_imputed": "true"}, r"column age_source: row 1 \(CSV line 2\): 'guessed' is not one of"),
    ({"age_source": "exact", "age_imputed": "true"}, r"column age_source: row 1 \(CSV line 2\): 'exact' contradicts "
                                                     r"column age_imputed"),
    ({"age_source": "imputed", "age_imputed": "false"}, "contradicts column age_imputed"),
])
def test_bad_age_source_cells_are_errors_naming_the_row(tmp_path: Path, row: dict, message: str):
    with pytest.raises(HFMInputError, match=message):
        read_players(players_csv(tmp_path / "p.csv", [{"player_id": 1, "birth_date": "1990-03-04", **row}]))


def test_imputed_dates_are_imputed_ages_whatever_the_caller_said():
    players = pd.DataFrame({"player_id": [1, 2, 3], "birth_date": pd.to_datetime(["1990-03-04", None, "1991-07-01"]),
                            "player_type": "batter", "age_source": ["exact", "exact", "birth_year"]})
    out = impute_birth_dates(players, pd.Series({1: 2020, 2: 2020, 3: 2020}))
    assert out["age_source"].tolist() == ["exact", "imputed", "birth_year"]
    assert out["age_imputed"].tolist() == [False, True, True]
    # a caller who only sets age_imputed (the older API) is heard
    assert age_sources(out.assign(age_imputed=False)).tolist() == ["exact", "exact", "exact"]


def test_import_summary_counts_each_age_source(real_statcast_csv: Path, real_register_csv: Path, tmp_path: Path):
    from hfm_train.importer import import_statcast

    report = import_statcast({"MLB": [real_statcast_csv]}, tmp_path / "league", register_with_gaps(real_register_csv))
    summary = report.summary()
    assert ("ages: 29 from a full birth date, 1 from the birth year only (July 1 assumed), 1 imputed (no birth data)"
            in summary), summary
    raw = pd.read_csv(tmp_path / "league" / "players.csv").set_index("player_id")
    assert raw.loc[DEVERS, "age_source"] == "imputed" and raw.loc[PEREZ, "age_source"] == "birth_year"
