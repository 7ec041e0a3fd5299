"""The in-season rule of hfm_runtime.playing_time: the season's start and share gone, the rest of the
season's opportunities and their levels (docs/score-table.md, "In season"). Numbers worked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.playing_time import (FULL_SEASON_DAYS, GRID, N_LEVELS, PlayingTimeSpread, SeasonToDate,
                                      level_quantiles, rest_levels, season_elapsed, season_starts)


def test_a_season_starts_on_its_first_full_day_not_a_series_abroad():
    days = ["2019-03-20", "2019-03-20", "2019-03-21"] + ["2019-03-28"] * 15 + ["2018-03-29"] * 13 + ["2017-04-02"] * 3
    pks = [1, 1, 2, *range(10, 25), *range(30, 43), 50, 51, 52]  # game 1's two rows count once
    starts = season_starts(np.array(days, dtype="datetime64[D]"), np.array(pks))
    # 2017: never 4 games a day here while other seasons have such days: not started yet (left out)
    assert starts == {2019: pd.Timestamp("2019-03-28"), 2018: pd.Timestamp("2018-03-29")}
    # a player's own games (never 4 a day in any season): each season from its first day
    own = season_starts(np.array(["2019-03-20", "2019-03-29", "2017-04-02"], dtype="datetime64[D]"), np.array([1, 2, 3]))
    assert own == {2019: pd.Timestamp("2019-03-20"), 2017: pd.Timestamp("2017-04-02")}
    # a season held in part (one team's game a day for three weeks) beside whole ones: started at its
    # first game; it was never in season before, its games read as a series abroad
    team = [str(d) for d in np.arange(np.datetime64("2020-07-24"), np.datetime64("2020-08-14"))]
    part = season_starts(np.array(days + team, dtype="datetime64[D]"), np.array(pks + list(range(100, 100 + len(team)))))
    assert part == {2019: pd.Timestamp("2019-03-28"), 2018: pd.Timestamp("2018-03-29"), 2020: pd.Timestamp("2020-07-24")}
    # Sydney 2014 and the opening night after it: the morning of the first full day, not started (a
    # review found a rule of the games' span, 8 days here, starting it on March 22)
    sydney = ["2014-03-22", "2014-03-23", "2014-03-30"]
    early = season_starts(np.array(days + sydney, dtype="datetime64[D]"), np.array(pks + [200, 201, 202]))
    assert 2014 not in early and early[2019] == pd.Timestamp("2019-03-28")


def test_a_series_abroad_does_not_end_the_opening_day():
    """As of the home opening day after a series abroad (Tokyo 2019), every player is projected as of
    opening day (the mix, whole-season totals), in season from the day after."""
    from hfm_runtime.scoring import _before_opening_day
    from hfm_runtime.seasons import last_opening_day, projection_date

    openings = {2019: pd.Timestamp("2019-03-20"), 2018: pd.Timestamp("2018-03-29")}
    starts = {2019: pd.Timestamp("2019-03-28"), 2018: pd.Timestamp("2018-03-29")}
    assert last_opening_day(openings, starts, 2019) == pd.Timestamp("2019-03-28")
    assert last_opening_day(openings, {}, 2019) == pd.Timestamp("2019-03-20")  # no start known: the first game
    assert last_opening_day(openings, starts, 2020) is None
    assert projection_date(openings, 2019) == pd.Timestamp("2019-03-20")  # the default date: its first game

    class Inputs:  # what the scorer's rule reads of a History or a store
        def opening_days(self):
            return openings

        def season_starts(self):
            return starts

    for day, opening_day in (("2019-03-20", True), ("2019-03-25", True), ("2019-03-28", True), ("2019-03-29", False),
                             ("2018-03-29", True), ("2018-03-30", False), ("2020-06-01", True)):
        assert _before_opening_day(Inputs(), pd.Timestamp(day).year, pd.Timestamp(day)) == opening_day, day
    # the morning of the home opening day, as a daily pipeline has it: the games abroad held and no full
    # day yet, so 2019 has not started (a review found its start taken as the first game abroad then)
    held = ["2019-03-20", "2019-03-21"] + ["2018-03-29"] * 13
    starts = season_starts(np.array(held, dtype="datetime64[D]"), np.array([1, 2, *range(30, 43)]))
    assert starts == {2018: pd.Timestamp("2018-03-29")}
    assert last_opening_day(openings, starts, 2019) == pd.Timestamp("2019-12-31")
    for day in ("2019-03-28", "2019-03-29"):
        assert _before_opening_day(Inputs(), 2019, pd.Timestamp(day)), day


def test_the_share_gone_is_read_off_the_calendar_and_ends_with_the_longest_season():
    lengths = np.asarray(FULL_SEASON_DAYS, float)
    assert season_elapsed("2019-03-28", "2019-03-28", 2019)[0] == 0.0
    e, share = season_elapsed("2019-03-28", "2019-06-27", 2019)  # 91 days
    assert e == pytest.approx(91 * np.mean(1 / lengths)) and e == pytest.approx(91 / 183.0, abs=1e-4)
    assert share == pytest.approx(20 * np.mean(1 / lengths))  # RECENT_DAYS
    late = season_elapsed("2019-03-28", pd.Timestamp("2019-03-28") + pd.Timedelta(days=186), 2019)[0]
    assert 0.99 < late < 1.0  # the 189-day season of 2001 is still going
    assert season_elapsed("2019-03-28", pd.Timestamp("2019-03-28") + pd.Timedelta(days=189), 2019)[0] == 1.0
    # a 60-game season: the same calendar scaled by 60/162
    assert season_elapsed("2020-07-24", "2020-08-23", 2020)[0] == pytest.approx(30 * np.mean(162 / (60 * lengths)))


def test_the_rest_of_the_season_blends_his_pace_with_the_opening_days_expectation():
    # half the season gone; 300 PA so far, 60 in the last 20 days (RECENT_DAYS), about 0.11 of the season
    to_date = SeasonToDate(np.array([300.0, 0.0]), np.array([60.0, 0.0]), np.zeros((2, 0)), 0.5, 0.11, 162)
    full = np.array([500.0, 400.0])
    pace = 0.5 * 300 / 0.5 + 0.5 * 60 / 0.11  # the season's and the last 20 days'
    w = 0.5 / (0.5 + 0.2)
    np.testing.assert_allclose(to_date.rest_base(full), [0.5 * (w * pace + (1 - w) * 500), 0.5 * (1 - w) * 400])
    # nothing gone: the opening day's; all gone: nothing
    assert SeasonToDate(np.zeros(1), np.zeros(1), np.zeros((1, 0)), 0.0, 0.0, 162).rest_base(full[:1])[0] == 500
    assert SeasonToDate(np.ones(1), np.ones(1), np.zeros((1, 0)), 1.0, 0.2, 162).rest_base(full[:1])[0] == 0
    # a 60-game season: the opening day's full-season equivalents scaled to its games
    short = SeasonToDate(np.zeros(1), np.zeros(1), np.zeros((1, 0)), 0.0, 0.0, 60)
    assert short.rest_base(full[:1])[0] == pytest.approx(500 * 60 / 162)


def test_a_player_called_up_is_on_pace_from_his_first_game():
    # 2019 from March 28; as of 2019-06-27 (91 days); a batter up since June 7 (71 days in): 60 PA, 45
    # of them in the last 20 days (RECENT_DAYS); a veteran with no first game given; one with no game at all
    lengths = np.asarray(FULL_SEASON_DAYS, float)
    first = np.array(["2019-06-07", "NaT", "NaT"], dtype="datetime64[D]")
    to_date = SeasonToDate.at(np.array([60.0, 300.0, 0.0]), np.array([45.0, 90.0, 0.0]), np.zeros((3, 0)), 2019,
                              "2019-03-28", "2019-06-27", first)
    e, share = season_elapsed("2019-03-28", "2019-06-27", 2019)
    up = (91 - 71) * np.mean(1 / lengths)  # 20 days up, as a share of the season (all before its shortest end)
    np.testing.assert_allclose(to_date.played, [up, e, e])
    np.testing.assert_allclose(to_date.recent_played, [20 * np.mean(1 / lengths), share, share])
    full = np.array([60.0, 500.0, 400.0])
    pace = 0.5 * 60 / up + 0.5 * 45 / up  # both from his first game
    w_new = up / (up + 0.1)  # REST_K_NEW for a player with no MLB record
    vet = 0.5 * 300 / e + 0.5 * 90 / share
    w = e / (e + 0.2)
    np.testing.assert_allclose(to_date.rest_base(full, new=np.array([True, False, False])),
                               [(1 - e) * (w_new * pace + (1 - w_new) * 60), (1 - e) * (w * vet + (1 - w) * 500),
                                (1 - e) * (1 - w) * 400])
    # a player with an MLB record (or none marked new) is on pace from the season's start, with REST_K,
    # whatever his first game, and so is anyone without a first game given
    old = (1 - e) * (w * (0.5 * 60 / e + 0.5 * 45 / share) + (1 - w) * 60)
    assert to_date.rest_base(full)[0] == pytest.approx(old)
    assert to_date.rest_base(full, new=np.array([False, False, False]))[0] == pytest.approx(old)
    plain = SeasonToDate.at(np.array([60.0]), np.array([45.0]), np.zeros((1, 0)), 2019, "2019-03-28", "2019-06-27")
    assert plain.rest_base(full[:1])[0] == pytest.approx(old)
    w_no_first = e / (e + 0.1)
    assert plain.rest_base(full[:1], new=np.array([True]))[0] == pytest.approx(
        (1 - e) * (w_no_first * (0.5 * 60 / e + 0.5 * 45 / share) + (1 - w_no_first) * 60))
    # a player marked new who has not played keeps the rule (nothing measured him)
    none = SeasonToDate.at(np.zeros(1), np.zeros(1), np.zeros((1, 0)), 2019, "2019-03-28", "2019-06-27",
                           np.array(["NaT"], dtype="datetime64[D]"))
    assert none.rest_base(np.array([400.0]), new=np.array([True]))[0] == pytest.approx((1 - e) * (1 - w) * 400)
    # near the end the calendar's lengths part: up 20 days to day 185, past the shortest seasons' ends
    late = SeasonToDate.at(np.ones(1), np.ones(1), np.zeros((1, 0)), 2019, "2019-03-28",
                           pd.Timestamp("2019-03-28") + pd.Timedelta(days=185),
                           np.array([np.datetime64("2019-03-28") + 165], dtype="datetime64[D]"))
    expected = np.mean((np.minimum(185, lengths) - np.minimum(165, lengths)) / lengths)
    assert late.played[0] == pytest.approx(expected) and expected < 20 * np.mean(1 / lengths)
    # a 60-game season: the same calendar scaled by 60/162
    short = SeasonToDate.at(np.ones(1), np.ones(1), np.zeros((1, 0)), 2020, "2020-07-24", "2020-08-23",
                            np.array(["2020-08-13"], dtype="datetime64[D]"))
    assert short.played[0] == pytest.approx(10 * np.mean(162 / (60 * lengths)))
    # a game abroad before the season's start counts from the start
    abroad = SeasonToDate.at(np.ones(1), np.ones(1), np.zeros((1, 0)), 2019, "2019-03-28", "2019-06-27",
                             np.array(["2019-03-20"], dtype="datetime64[D]"))
    assert abroad.played[0] == pytest.approx(e) and abroad.recent_played[0] == pytest.approx(share)


def test_games_before_the_seasons_start_count_in_the_totals_not_in_the_pace():
    """A series abroad a week before the home openers (Tokyo 2019: Seattle and Oakland on March 20-21):
    its plate appearances are the player's but not of the days the pace counts from the start, so a
    walkthrough found Mitch Haniger's expected playing time up 75 PA a day after the start, 53 of them
    from Tokyo. Summed on the History path and on a store, and by hand."""
    from hfm_runtime.scoring import season_to_date

    # two batters: one with 11 PA in Tokyo and 5 at home, one with 5 at home; as of 2019-03-30
    lines = pd.DataFrame({
        "player_id": [1, 1, 1, 2], "game_date": pd.to_datetime(["2019-03-20", "2019-03-21", "2019-03-28", "2019-03-28"]),
        "season": 2019, "level": "MLB", "PA": [5, 6, 5, 5], "SO": [1, 2, 1, 1], "BB": 0, "HR": 0, "H": 1, "2B": 0,
        "3B": 0})
    start, as_of = pd.Timestamp("2019-03-28"), pd.Timestamp("2019-03-30")
    to_date = season_to_date(lines, "batter", np.array([1, 2]), 2019, as_of, start)
    np.testing.assert_array_equal(to_date.opportunities, [16, 5])  # the totals keep Tokyo
    np.testing.assert_array_equal(to_date.early, [11, 0])
    np.testing.assert_array_equal(to_date.recent, [5, 5])  # the recent days since the start only
    np.testing.assert_array_equal(to_date.counts[:, 0], [4, 1])
    full = np.array([600.0, 600.0])
    base = to_date.rest_base(full)
    assert base[0] == pytest.approx(base[1])  # the same games since the start: the same rest
    e, share = to_date.elapsed, to_date.recent_share
    pace = 0.5 * 5 / e + 0.5 * 5 / share
    assert base[0] == pytest.approx((1 - e) * (e / (e + 0.2) * pace + (1 - e / (e + 0.2)) * 600))
    without = SeasonToDate(to_date.opportunities, to_date.recent, to_date.counts, e, share, 162)
    assert without.rest_base(full)[0] > base[0] + 10  # as it was: Tokyo's 11 PA over two days' share


def test_a_season_end_from_the_schedule_gives_the_season_its_own_length():
    # 2018 from March 29 to its last scheduled day, October 1: 187 days; as of September 1 (156 days in)
    e, share = season_elapsed("2018-03-29", "2018-09-01", 2018, "2018-10-01")
    assert e == pytest.approx(156 / 187) and share == pytest.approx(20 / 187)
    assert season_elapsed("2018-03-29", "2018-09-01", 2018)[0] == pytest.approx(156 * np.mean(1 / np.asarray(FULL_SEASON_DAYS, float)))
    assert season_elapsed("2018-03-29", "2018-10-05", 2018, "2018-10-01")[0] == 1.0  # over
    # a player up since June 1 (64 days in): his share since then on the same calendar
    to_date = SeasonToDate.at(np.ones(1), np.ones(1), np.zeros((1, 0)), 2018, "2018-03-29", "2018-09-01",
                              np.array(["2018-06-01"], dtype="datetime64[D]"), "2018-10-01")
    assert to_date.elapsed == pytest.approx(156 / 187)
    assert to_date.played[0] == pytest.approx((156 - 64) / 187) and to_date.recent_played[0] == pytest.approx(20 / 187)
    with pytest.raises(HFMInputError, match="before the season's start"):
        season_elapsed("2018-03-29", "2018-09-01", 2018, "2018-03-01")


def spread() -> PlayingTimeSpread:
    """Two bands split at 300: a part-timer's (mostly 0, a long tail) and a regular's (tight)."""
    low = np.r_[np.zeros(10), np.linspace(0.5, 4.0, 10)]
    high = np.linspace(0.8, 1.1, N_LEVELS)
    return PlayingTimeSpread({pt: (300.0,) for pt in ("batter", "pitcher")},
                             {pt: (tuple(low), tuple(high)) for pt in ("batter", "pitcher")})


def test_the_rests_levels_come_from_the_band_of_his_full_season_pace():
    bands = spread()
    low, high = (np.asarray(b) for b in bands.ratio["batter"])
    mid = SeasonToDate(np.zeros(2), np.zeros(2), np.zeros((2, 0)), 0.5, 0.15, 162)
    # a rest of 100 at mid-season is a 200 pace (the part-timers' band), of 200 a 400 pace (the regulars')
    got = mid.levels(bands, "batter", np.array([100.0, 200.0]))
    np.testing.assert_allclose(got, rest_levels(np.stack([low, high])))
    np.testing.assert_allclose(got.mean(axis=1), 1.0)
    assert got[0, 0] == 0 and got[0, -1] > 3 and np.ptp(got[1]) < 0.4
    # the power draws the levels toward their mean and keeps a 0 at 0
    assert np.ptp(got[1]) < np.ptp(high / high.mean())
    # a 60-game season: a rest of 100 at mid-season is a 200 pace of 60 games, 540 of 162: a regular
    short = SeasonToDate(np.zeros(1), np.zeros(1), np.zeros((1, 0)), 0.5, 0.4, 60)
    np.testing.assert_allclose(short.levels(bands, "batter", np.array([100.0])), rest_levels(high[None, :]))
    assert mid.levels(None, "batter", np.array([100.0, 5.0])).tolist() == [[1.0], [1.0]]  # no spread
    # no level holds more than the rest of the season at the most any player had: 778 PA x (1 - e)
    capped = mid.levels(bands, "batter", np.array([380.0]))
    assert capped.max() * 380 == pytest.approx(778 * 0.5) and capped.mean() < 1
    np.testing.assert_allclose(capped, np.minimum(rest_levels(high[None, :]), 389 / 380))
    # a spread that records its fit seasons' most holds there instead: 700 PA, 600 BF x (1 - e)
    era = PlayingTimeSpread(bands.edges, bands.ratio, most={"batter": 700.0, "pitcher": 600.0})
    np.testing.assert_allclose(mid.levels(era, "batter", np.array([380.0])),
                               np.minimum(rest_levels(high[None, :]), 350 / 380))
    np.testing.assert_allclose(mid.levels(era, "pitcher", np.array([380.0])),
                               np.minimum(rest_levels(high[None, :]), 300 / 380))
    assert mid.levels(era, "pitcher", np.array([380.0])).max() < mid.levels(bands, "pitcher", np.array([380.0])).max()


def test_level_quantiles_interpolate_between_the_equally_likely_levels():
    levels = np.linspace(0.0, 1.9, N_LEVELS)[None, :]
    q = level_quantiles(levels, [0.1, 0.5, 0.9])
    np.testing.assert_allclose(q[0], np.interp([0.1, 0.5, 0.9], GRID, levels[0]))
    assert q[0, 1] == pytest.approx(0.95)
