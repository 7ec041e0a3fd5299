"""Marcel formulas checked against hand-computed numbers (one, two, three and no prior seasons)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.marcel import MARCEL_CONFIGS, TO_DATE_WEIGHT, league_rates, marcel, season_so_far
from hfm_runtime.targets import TARGET_STATS

BATTING = ["player_id", "season", "level", "PA", "SO", "HR", "BB", "H", "2B", "3B"]


def batting_lines() -> pd.DataFrame:
    rows = [
        (1, 2023, "MLB", 600, 120, 30), (1, 2022, "MLB", 500, 100, 20), (1, 2021, "MLB", 400, 80, 10),
        (2, 2023, "MLB", 100, 30, 1),
        (3, 2022, "MLB", 300, 60, 9), (3, 2021, "MLB", 200, 50, 4),
        (4, 2023, "AAA", 500, 100, 20),  # minor-league line: not Marcel evidence
        (1, 2019, "MLB", 650, 10, 60),  # outside the 3-season window
    ]
    # BB/H/2B/3B are a fixed share of PA so that they stay out of the way
    return pd.DataFrame(
        [(*r, r[3] // 10, r[3] // 4, r[3] // 20, r[3] // 100) for r in rows], columns=BATTING
    )


AGES = pd.Series({1: 31, 2: 24, 3: 29, 4: 22, 5: 29})
LG_SO = {2023: 150 / 700, 2022: 160 / 800, 2021: 130 / 600}  # MLB lines only
LG_HR = {2023: 31 / 700, 2022: 29 / 800, 2021: 14 / 600}


def test_league_rates_use_mlb_lines_only() -> None:
    rates = league_rates(batting_lines(), "batter")
    for season in (2021, 2022, 2023):
        assert rates.loc[season, "SO"] == pytest.approx(LG_SO[season])
        assert rates.loc[season, "HR"] == pytest.approx(LG_HR[season])


def test_batters_hand_computed() -> None:
    proj = marcel(batting_lines(), AGES, 2024, "batter", player_ids=[1, 2, 3, 4, 5])
    assert list(proj.columns[:7]) == ["PA", *TARGET_STATS["batter"]]

    # three seasons, age 31: a = -0.006; SO (worsening) divided, HR (improving) multiplied
    wpa = 5 * 600 + 4 * 500 + 3 * 400
    lg_so = (5 * 600 * LG_SO[2023] + 4 * 500 * LG_SO[2022] + 3 * 400 * LG_SO[2021]) / wpa
    lg_hr = (5 * 600 * LG_HR[2023] + 4 * 500 * LG_HR[2022] + 3 * 400 * LG_HR[2021]) / wpa
    so = (5 * 120 + 4 * 100 + 3 * 80 + 1200 * lg_so) / (wpa + 1200) / 0.994
    hr = (5 * 30 + 4 * 20 + 3 * 10 + 1200 * lg_hr) / (wpa + 1200) * 0.994
    assert proj.loc[1, ["SO", "HR"]].tolist() == pytest.approx([so, hr])
    assert proj.loc[1, "PA"] == pytest.approx(0.5 * 600 + 0.1 * 500 + 200)
    assert proj.loc[1, "reliability"] == pytest.approx(wpa / (wpa + 1200))

    # one season, age 24: a = +0.030
    so = (5 * 30 + 1200 * LG_SO[2023]) / (5 * 100 + 1200) / 1.03
    assert proj.loc[2, "SO"] == pytest.approx(so)
    assert proj.loc[2, "PA"] == pytest.approx(0.5 * 100 + 200)

    # two seasons, none last year, age 29: no age change; playing time from the year before only
    lg_so = (4 * 300 * LG_SO[2022] + 3 * 200 * LG_SO[2021]) / (4 * 300 + 3 * 200)
    so = (4 * 60 + 3 * 50 + 1200 * lg_so) / (4 * 300 + 3 * 200 + 1200)
    assert proj.loc[3, "SO"] == pytest.approx(so)
    assert proj.loc[3, "PA"] == pytest.approx(0.1 * 300 + 200)

    # no MLB history (4 only has AAA, 5 nothing): weighted league rate, base playing time, flagged
    plain_so = (5 * LG_SO[2023] + 4 * LG_SO[2022] + 3 * LG_SO[2021]) / 12
    assert proj.loc[5, "SO"] == pytest.approx(plain_so)
    assert proj.loc[4, "SO"] == pytest.approx(plain_so / 1.042)  # age 22: a = 7 * 0.006
    assert proj.loc[[4, 5], "PA"].tolist() == [200, 200]
    assert proj.n_seasons.tolist() == [3, 1, 2, 0, 0]
    assert proj.no_history.tolist() == [False, False, False, True, True]


def test_in_season_the_season_so_far_is_the_newest_season_of_the_window() -> None:
    stats = list(TARGET_STATS["batter"])
    so_far = pd.DataFrame({"PA": [200.0, 50.0], **{s: [0.0, 0.0] for s in stats}}, index=[1, 5])
    so_far.loc[1, ["SO", "HR"]], so_far.loc[5, ["SO", "HR"]] = [60.0, 12.0], [20.0, 1.0]
    league_now = pd.Series({s: 0.05 for s in stats} | {"SO": 0.25, "HR": 0.04})
    proj = marcel(batting_lines(), AGES, 2024, "batter", player_ids=[1, 3, 5], to_date=so_far,
                  to_date_league=league_now)
    w0 = TO_DATE_WEIGHT
    # player 1: three seasons and 200 PA so far; lg_p weighs the season so far's league rate too
    wpa = 5 * 600 + 4 * 500 + 3 * 400
    lg_so = (5 * 600 * LG_SO[2023] + 4 * 500 * LG_SO[2022] + 3 * 400 * LG_SO[2021] + w0 * 200 * 0.25) / (wpa + w0 * 200)
    so = (5 * 120 + 4 * 100 + 3 * 80 + w0 * 60 + 1200 * lg_so) / (wpa + w0 * 200 + 1200) / 0.994
    assert proj.loc[1, "SO"] == pytest.approx(so)
    assert proj.loc[1, "reliability"] == pytest.approx((wpa + w0 * 200) / (wpa + w0 * 200 + 1200))
    assert proj.loc[1, "PA"] == pytest.approx(0.5 * 600 + 0.1 * 500 + 200)  # the opening day's playing time
    # player 3: nothing so far, so the opening day's projection
    assert proj.loc[3, "SO"] == pytest.approx(marcel(batting_lines(), AGES, 2024, "batter", player_ids=[3]).loc[3, "SO"])
    # player 5: no history, 50 PA so far regressed toward this season's league rate alone
    hr = (w0 * 1 + 1200 * 0.04) / (w0 * 50 + 1200)
    assert proj.loc[5, "HR"] == pytest.approx(hr) and proj.loc[5, "n_seasons"] == 0
    with pytest.raises(HFMInputError, match="to_date_league"):
        marcel(batting_lines(), AGES, 2024, "batter", player_ids=[1], to_date=so_far)
    # the opening day's sums and the season so far give the same rates, to the bit (what the score
    # table's marcel_to_date_<S> reads, without the window's lines)
    base = marcel(batting_lines(), AGES, 2024, "batter", player_ids=[1, 3, 5])
    assert base.loc[1, "weighted_opportunities"] == wpa and base.loc[5, "weighted_opportunities"] == 0
    now = so_far.reindex([1, 3, 5]).fillna(0.0)
    again = season_so_far("batter", base["weighted_opportunities"].to_numpy(), base[[f"weighted_{s}" for s in stats]].to_numpy(),
                          base[[f"prior_{s}" for s in stats]].to_numpy(), base["age"].to_numpy(), now["PA"].to_numpy(),
                          now[stats].to_numpy(), league_now[stats].to_numpy())
    np.testing.assert_array_equal(again, proj[stats].to_numpy())


def test_default_players_are_those_with_mlb_history() -> None:
    proj = marcel(batting_lines(), None, 2024, "batter")
    assert proj.index.tolist() == [1, 2, 3]
    assert proj.age.isna().all()  # no ages: no age adjustment
    so = (5 * 30 + 1200 * LG_SO[2023]) / (5 * 100 + 1200)
    assert proj.loc[2, "SO"] == pytest.approx(so)


def test_pitchers_regress_with_their_constant_and_age_the_other_way() -> None:
    lines = pd.DataFrame(
        [(7, 2023, 400, 100, 40, 10, 90), (8, 2023, 800, 160, 80, 30, 200)],
        columns=["player_id", "season", "BF", "SO", "BB", "HR", "H"],
    )
    proj = marcel(lines, {7: 27, 8: 33}, 2024, "pitcher")
    config = MARCEL_CONFIGS["pitcher"]
    lg_so, lg_bb = 260 / 1200, 120 / 1200
    so7 = (5 * 100 + config.regression * lg_so) / (5 * 400 + config.regression) * 1.012
    bb7 = (5 * 40 + config.regression * lg_bb) / (5 * 400 + config.regression) / 1.012
    so8 = (5 * 160 + config.regression * lg_so) / (5 * 800 + config.regression) * 0.988
    assert proj.loc[7, ["SO", "BB"]].tolist() == pytest.approx([so7, bb7])
    assert proj.loc[8, "SO"] == pytest.approx(so8)
    assert proj.loc[7, "BF"] == pytest.approx(0.5 * 400 + config.playing_time_base)
    assert list(proj.columns[:5]) == ["BF", *TARGET_STATS["pitcher"]]
    # the window's opportunities (full-season equivalents, the newest first), last: the playing-time model's
    assert [c for c in proj.columns if c.startswith("opp_")] == ["opp_1", "opp_2", "opp_3"] and proj.loc[7, "opp_1"] == 400 and proj.loc[7, "opp_2"] == 0


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(HFMInputError, match="no MLB batter lines in seasons"):
        marcel(batting_lines(), None, 2030, "batter")
    with pytest.raises(HFMInputError, match="lack column"):
        marcel(batting_lines().drop(columns=["HR"]), None, 2024, "batter")


def test_marcel_beats_league_mean_against_simulated_true_talent(tiny_league) -> None:
    from hfm_train.marcel_report import league_report

    report = league_report(tiny_league)
    for player_type, table in report.items():
        assert list(table.index) == list(TARGET_STATS[player_type])
        assert table["n"].iloc[0] >= 10
        assert table.loc["SO", "marcel_rmse"] < table.loc["SO", "league_mean_rmse"], player_type
        assert (table.marcel_rmse / table.league_mean_rmse).mean() < 1.0, player_type
        # three years of regressed history beat one noisy season as an estimate of talent
        assert (table.marcel_rmse < table.observed_rmse).all(), player_type


def test_marcel_command_projects_from_statcast_files(tmp_path) -> None:
    from click.testing import CliRunner

    from hfm_train.marcel_report import marcel_command
    from test_statcast import make_pitches

    events = ["strikeout", "single", "walk", "home_run", "field_out"]
    pas = [(season * 10 + g, f"{season}-05-0{g}", 10 + (i % 2), 20, events[i % 5], 2)
           for season in (2022, 2023) for g in range(1, 4) for i in range(10)]
    make_pitches(pas).to_csv(tmp_path / "savant.csv", index=False)
    result = CliRunner().invoke(
        marcel_command, ["--statcast", str(tmp_path / "savant.csv"), "--out", str(tmp_path / "p.csv")]
    )
    assert result.exit_code == 0, result.output
    projections = pd.read_csv(tmp_path / "p.csv")
    assert set(projections.season) == {2024}
    assert set(projections.player_id) == {10, 11, 20}
    batter = projections[projections.player_id == 10].iloc[0]
    assert batter.n_seasons == 2 and 0 < batter.SO < 1
