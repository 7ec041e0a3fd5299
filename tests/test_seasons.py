"""Season aggregation: hand-counted events, every outcome mapped, and the simulated league's lines."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.featurize import PA_OUTCOMES
from hfm_runtime.seasons import (
    BATTING_COLUMNS,
    NON_PA_EVENTS,
    PA_EVENTS,
    PITCHING_COLUMNS,
    game_lines,
    plate_appearances,
    season_age,
    season_lines,
)
from hfm_runtime.statcast import load_pitches
from test_statcast import make_pitches

BATTER_A, BATTER_B, PITCHER_X, PITCHER_Y = 10, 11, 20, 21


@pytest.fixture
def pas() -> pd.DataFrame:
    events = [
        # game 1, 2023
        (1, "2023-05-01", BATTER_A, PITCHER_X, "single", 2),
        (1, "2023-05-01", BATTER_A, PITCHER_X, "home_run", 1),
        (1, "2023-05-01", BATTER_A, PITCHER_X, "intent_walk", 4),
        (1, "2023-05-01", BATTER_B, PITCHER_X, "strikeout_double_play", 3),
        (1, "2023-05-01", BATTER_B, PITCHER_X, "caught_stealing_2b", 1),  # not a PA, one out
        # game 2, 2024
        (2, "2024-06-01", BATTER_A, PITCHER_Y, "double", 2),
        (2, "2024-06-01", BATTER_A, PITCHER_Y, "sac_fly", 2),
        (2, "2024-06-01", BATTER_A, PITCHER_Y, "hit_by_pitch", 1),
        (2, "2024-06-01", BATTER_A, PITCHER_X, "triple", 1),
        (2, "2024-06-01", BATTER_B, PITCHER_X, "grounded_into_double_play", 2),
        (2, "2024-06-01", BATTER_B, PITCHER_X, "catcher_interf", 1),
        (2, "2024-06-01", BATTER_B, PITCHER_Y, "some_future_event", 1),  # unknown: a PA, OTHER
        # game 3, 2024
        (3, "2024-06-02", BATTER_A, PITCHER_Y, "walk", 5),
        (3, "2024-06-02", BATTER_A, PITCHER_Y, "field_error", 1),
        (3, "2024-06-02", BATTER_B, PITCHER_Y, "strikeout", 3),
    ]
    return plate_appearances(load_pitches(make_pitches(events)))


def line(lines: pd.DataFrame, player: int, season: int) -> dict[str, int]:
    row = lines[(lines.player_id == player) & (lines.season == season)]
    assert len(row) == 1
    return row.iloc[0].to_dict()


def test_plate_appearances_one_row_per_ending_pitch(pas: pd.DataFrame) -> None:
    assert len(pas) == 15
    assert set(pas.outcome) <= set(PA_OUTCOMES)
    assert pas.outcome.tolist()[:5] == ["1B", "HR", "BB", "SO", "OTHER"]
    unknown = pas[pas.game_pk.eq(2) & pas.batter.eq(BATTER_B) & pas.pitcher.eq(PITCHER_Y)].iloc[0]
    assert unknown.outcome == "OTHER" and unknown.PA == 1 and unknown.AB == 0
    assert pas.season.tolist() == [2023] * 5 + [2024] * 10
    assert (pas.level == "MLB").all()


def test_batting_season_lines_match_hand_count(pas: pd.DataFrame) -> None:
    lines = season_lines(pas, "batter")
    assert list(lines.columns) == ["player_id", "season", "level", *BATTING_COLUMNS]
    a23 = {"PA": 3, "AB": 2, "H": 2, "1B": 1, "2B": 0, "3B": 0, "HR": 1, "BB": 1, "IBB": 1, "HBP": 0,
           "SO": 0, "SF": 0}
    a24 = {"PA": 6, "AB": 3, "H": 2, "1B": 0, "2B": 1, "3B": 1, "HR": 0, "BB": 1, "IBB": 0, "HBP": 1,
           "SO": 0, "SF": 1}
    b23 = {"PA": 1, "AB": 1, "H": 0, "SO": 1, "BB": 0}
    b24 = {"PA": 4, "AB": 2, "H": 0, "SO": 1, "BB": 0, "HBP": 0, "SF": 0}
    for player, season, expected in ((BATTER_A, 2023, a23), (BATTER_A, 2024, a24),
                                     (BATTER_B, 2023, b23), (BATTER_B, 2024, b24)):
        got = line(lines, player, season)
        assert {k: got[k] for k in expected} == expected, (player, season)


def test_pitching_season_lines_match_hand_count(pas: pd.DataFrame) -> None:
    lines = season_lines(pas, "pitcher")
    assert list(lines.columns) == ["player_id", "season", "level", *PITCHING_COLUMNS]
    # X 2023: 1B, HR, IBB, K-DP (2 outs), caught stealing (1 out, no batter faced)
    assert line(lines, PITCHER_X, 2023) == {
        "player_id": PITCHER_X, "season": 2023, "level": "MLB", "BF": 4, "outs": 3, "H": 2, "2B": 0,
        "3B": 0, "HR": 1, "BB": 1, "IBB": 1, "HBP": 0, "SO": 1}
    # X 2024: 3B, GIDP, catcher's interference
    x24 = line(lines, PITCHER_X, 2024)
    assert (x24["BF"], x24["outs"], x24["H"], x24["3B"]) == (3, 2, 1, 1)
    # Y 2024: 2B, SF, HBP, unknown, BB, error, K
    y24 = line(lines, PITCHER_Y, 2024)
    assert (y24["BF"], y24["outs"], y24["H"], y24["BB"], y24["HBP"], y24["SO"]) == (7, 2, 1, 1, 1, 1)


def test_game_lines_roll_up_to_season_lines(pas: pd.DataFrame) -> None:
    for player_type in ("batter", "pitcher"):
        games = game_lines(pas, player_type)
        assert games.groupby(["player_id", "season"]).size().max() >= 2  # a season of two games rolls up
        pd.testing.assert_frame_equal(season_lines(games, player_type), season_lines(pas, player_type))
    batter_games = game_lines(pas, "batter")
    assert len(batter_games) == 6  # A and B in each of 3 games


def test_every_pa_event_is_a_known_outcome() -> None:
    events = [(1, "2024-05-01", 1, 2, e, 1) for e in [*PA_EVENTS, *NON_PA_EVENTS]]
    pas = plate_appearances(load_pitches(make_pitches(events)))
    events = pd.Series([e for *_, e, _ in events])
    assert (pas.PA == events.isin(PA_EVENTS).astype(int)).all()
    assert set(pas.outcome) <= set(PA_OUTCOMES) - {"<PAD>"}
    # PA = AB + BB + HBP + SF + SH + CI: exactly one of them for each PA event, none otherwise
    no_ab = events.isin(["sac_bunt", "sac_bunt_double_play", "catcher_interf"]).astype(int)
    assert (pas.PA == pas.AB + pas.BB + pas.HBP + pas.SF + no_ab).all()
    assert (pas.H == pas["1B"] + pas["2B"] + pas["3B"] + pas.HR).all()
    assert (pas.outs[~events.isin(PA_EVENTS)] == events[~events.isin(PA_EVENTS)].map(NON_PA_EVENTS)).all()


def test_season_age_is_age_on_june_30() -> None:
    assert season_age("1995-06-30", 2024) == 29
    assert season_age("1995-07-01", 2024) == 28
    born = pd.Series(pd.to_datetime(["1990-01-15", "1990-12-31"]), index=[7, 8])
    ages = season_age(born, 2020)
    assert ages.to_dict() == {7: 30, 8: 29}
    assert season_age(born.to_numpy(), np.array([2020, 2021])).tolist() == [30, 30]


def test_tiny_league_season_lines_match_events(tiny_league: Path) -> None:
    from hfm_runtime.league import load_league

    league = load_league(tiny_league)
    ended = league.pitches[league.pitches.events.notna()].assign(
        season=lambda f: f.game_date.dt.year
    )
    assert set(ended.events) <= set(PA_EVENTS) | set(NON_PA_EVENTS)  # the simulator speaks Statcast
    pas = plate_appearances(league.pitches)
    for player_type, opportunity in (("batter", "PA"), ("pitcher", "BF")):
        lines = season_lines(pas, player_type).set_index(["player_id", "season", "level"])
        counted = ended.groupby([player_type, "season", "level"]).events.value_counts().unstack(
            fill_value=0
        )
        counted.index = counted.index.set_names(["player_id", "season", "level"])
        counted = counted.reindex(lines.index, fill_value=0)

        def n(*names: str) -> pd.Series:
            return sum((counted[e] if e in counted else 0) for e in names)

        assert (lines["SO"] == n("strikeout", "strikeout_double_play")).all()
        assert (lines["BB"] == n("walk", "intent_walk")).all()
        assert (lines["HR"] == n("home_run")).all()
        assert (lines["H"] == n("single", "double", "triple", "home_run")).all()
        assert (lines["2B"] == n("double")).all() and (lines["3B"] == n("triple")).all()
        assert (lines[opportunity] == n(*PA_EVENTS) + n(*(set(counted) - set(PA_EVENTS)
                                                          - set(NON_PA_EVENTS)))).all()
        assert lines[opportunity].sum() == int(ended.events.isin(PA_EVENTS).sum())
        assert set(lines.index.get_level_values("level")) <= set(league.levels)


def test_group_sum_is_pandas_groupby_sum(tiny_league: Path) -> None:
    """group_sum sums int64 counts in numpy; it must give exactly pandas' groupby, any input size."""
    from hfm_runtime.league import load_league
    from hfm_runtime.seasons import GAME_KEYS, group_sum

    pas = plate_appearances(load_league(tiny_league).pitches)
    games = pd.DataFrame({"player_id": pas["batter"], **{k: pas[k] for k in GAME_KEYS[1:]}, "PA": pas["PA"],
                          "HR": pas["HR"]})
    holes = games.copy()  # missing keys are dropped, as pandas does
    holes.loc[holes.index[::7], "level"] = np.nan
    holes.loc[holes.index[3::11], "game_date"] = pd.NaT
    floats = games.astype({"HR": "float64"})  # not int64: summed by pandas itself
    for frame in (games, games.iloc[::-1], games.iloc[:5], games.iloc[:0], holes, floats):
        for keys in (list(GAME_KEYS), ["player_id", "season", "level"], ["level"]):
            frame_ = frame[[*keys, "PA", "HR"]]
            expected = frame_.groupby(keys, sort=True, as_index=False).sum()
            got = pd.DataFrame(group_sum({c: frame_[c] for c in frame_.columns}, keys))
            pd.testing.assert_frame_equal(got, expected, check_exact=True)
    rows = np.arange(0, len(games), 3)
    pd.testing.assert_frame_equal(
        pd.DataFrame(group_sum({c: games[c] for c in games.columns}, GAME_KEYS, rows)),
        games.iloc[rows].groupby(list(GAME_KEYS), sort=True, as_index=False).sum(), check_exact=True,
    )
