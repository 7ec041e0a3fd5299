"""Statcast skill counts: per-pitch definitions, per-game sums, empirical-Bayes priors, shrunk rates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.skills import (
    DEFAULT_PRIOR_EVENTS, POSITION_GAMES, SKILL_COUNTS, SKILL_RATES, SPEED_RATES, TYPE_RATES, pitch_skill_counts,
    skill_lines,
    skill_priors, skill_rates, type_rates, with_skills,
)


def pitches(rows: list[dict]) -> pd.DataFrame:
    """Pitch rows with every column the skill counts read (defaults: a located take, no contact)."""
    base = {"game_pk": 1, "game_date": pd.Timestamp("2023-05-01"), "batter": 10, "pitcher": 20,
            "description": "ball", "events": None, "bb_type": None, "pitch_type": "FF", "plate_x": 0.0,
            "plate_z": 2.5, "pfx_x": -0.5, "pfx_z": 1.2, "launch_speed": np.nan, "launch_angle": np.nan,
            "estimated_woba_using_speedangle": np.nan, "release_speed": 95.0, "release_spin_rate": 2300.0,
            "release_extension": 6.5, "level": "MLB", "balls": 0, "strikes": 0, "pitch_number": 1,
            "hit_location": np.nan, "on_1b": np.nan, "outs_when_up": 0}
    return pd.DataFrame([{**base, "at_bat_number": i + 1, **r} for i, r in enumerate(rows)])  # a PA each


def counts(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(pitch_skill_counts(frame), columns=list(SKILL_COUNTS))


def test_plate_discipline_definitions():
    c = counts(pitches([
        {"plate_x": 0.0, "plate_z": 2.5, "description": "swinging_strike"},   # zone swing, whiff
        {"plate_x": 1.2, "plate_z": 2.5, "description": "foul"},              # chase, contact
        {"plate_x": 1.2, "plate_z": 2.5, "description": "ball"},              # take outside
        {"plate_x": 0.5, "plate_z": 1.0, "description": "foul_tip"},          # chase, whiff (a foul tip)
        {"plate_x": np.nan, "plate_z": np.nan, "description": "called_strike"},  # not located
    ]))
    assert c["pitches"].sum() == 5 and c["located"].sum() == 4 and c["zone"].sum() == 1
    assert c["z_swing"].sum() == 1 and c["o_swing"].sum() == 2
    assert c["swing"].sum() == 3 and c["whiff"].sum() == 2
    np.testing.assert_allclose(c["edge_sum"], [0.0, 1.2 - 0.83, 1.2 - 0.83, 0.5, 0.0])


def test_sequence_counts_need_no_tracking():
    """What Retrosheet's untracked pitch sequences allow: one PA 1-0, 1-1, 1-2, 2-2, 3-2 -> strikeout,
    one first-pitch line drive, and a PA with no pitch sequence (a placeholder row)."""
    untracked = {"plate_x": np.nan, "plate_z": np.nan, "pitch_type": None, "release_speed": np.nan,
                 "release_spin_rate": np.nan, "release_extension": np.nan, "pfx_x": np.nan, "pfx_z": np.nan}
    rows = [dict(at_bat_number=1, pitch_number=i + 1, balls=b, strikes=k, description=d, events=e, **untracked)
            for i, (b, k, d, e) in enumerate([(0, 0, "ball", None), (1, 0, "called_strike", None),
                                               (1, 1, "foul", None), (1, 2, "ball", None), (2, 2, "ball", None),
                                               (3, 2, "foul", None), (3, 2, "swinging_strike", "strikeout")])]
    rows.append(dict(at_bat_number=2, description="hit_into_play", bb_type="line_drive", events="single", **untracked))
    rows.append(dict(at_bat_number=3, description="no_pitch", events="intent_walk", **untracked))
    c = counts(pitches(rows))
    assert c["pitches"].sum() == 8 and c["pa_started"].sum() == 2 and c["pa_ended"].sum() == 3
    assert c["called"].sum() == 1 and c["foul"].sum() == 2 and c["first_strike"].sum() == 1
    assert c["two_strike"].sum() == 1 and c["three_ball"].sum() == 1  # each PA counted once
    assert c["pa_pitches_sum"].sum() == 7 + 1 + 0 and c["pa_pitches_sq"].sum() == 49 + 1
    assert c["ld"].sum() == 1 and c["bip"].sum() == 1 and c["located"].sum() == 0
    rates = skill_rates(c.sum(), ("pitches_per_pa", "two_strike_rate", "foul_rate"))
    assert rates["pitches_per_pa"] == pytest.approx(8 / 3) and rates["two_strike_rate"] == pytest.approx(0.5)


def test_a_rate_never_measured_where_fitted_is_absent():
    """Fitted on untracked seasons, zone rate has no league rate; scoring tracked data then reports it
    absent (0 from 0 events), not the value the data holds."""
    season = pd.DataFrame({c: [0.0] * 20 for c in SKILL_COUNTS})
    season["pitches"], season["swing"], season["whiff"] = 100.0, 50.0, np.linspace(5, 20, 20)
    league, prior = skill_priors(season, ("zone_rate", "whiff_rate"))
    assert "zone_rate" not in league and "zone_rate" not in prior and "whiff_rate" in league
    tracked = {c: np.array([10.0]) for c in SKILL_COUNTS}
    out = skill_rates(tracked, ("zone_rate", "whiff_rate"), league, prior)
    assert out["zone_rate"][0] == 0.0 and out["zone_rate_n"][0] == 0.0 and out["whiff_rate_n"][0] == 10.0


def test_batted_ball_definitions_and_barrels():
    c = counts(pitches([
        {"description": "hit_into_play", "launch_speed": 98.0, "launch_angle": 27.0, "bb_type": "fly_ball",
         "events": "home_run", "estimated_woba_using_speedangle": 1.5},          # barrel at the threshold
        {"description": "hit_into_play", "launch_speed": 98.0, "launch_angle": 20.0, "bb_type": "line_drive",
         "events": "single"},                                                   # too low for 98 mph
        {"description": "hit_into_play", "launch_speed": 116.0, "launch_angle": 9.0, "bb_type": "ground_ball",
         "events": "single"},                                                   # barrel window 8-50 at 116
        {"description": "hit_into_play", "launch_speed": 80.0, "launch_angle": -10.0, "bb_type": "ground_ball",
         "events": "field_out"},
        {"description": "hit_into_play_no_out", "launch_speed": np.nan, "launch_angle": np.nan,
         "bb_type": "ground_ball", "events": "single"},                         # untracked ball in play
    ]))
    assert c["tracked"].sum() == c["speed_n"].sum() == 4 and c["bip"].sum() == 5
    assert list(c["barrel"]) == [1, 0, 1, 0, 0]
    assert list(c["hard"]) == [1, 1, 1, 0, 0] and list(c["sweet"]) == [1, 1, 1, 0, 0]
    assert c["gb"].sum() == 3 and c["gb_hit"].sum() == 2
    assert c["ls_sum"].sum() == pytest.approx(98 + 98 + 116 + 80)
    assert c["ls_sq"].sum() == pytest.approx(98 ** 2 * 2 + 116 ** 2 + 80 ** 2)
    assert c["xwoba_n"].sum() == 1 and c["xwoba_sum"].sum() == pytest.approx(1.5)


def test_speed_counts_read_the_fielder_and_double_play_chances():
    x = {"description": "hit_into_play", "bb_type": "ground_ball"}
    c = counts(pitches([
        {**x, "events": "single", "hit_location": 6.0},                       # an infield hit
        {**x, "events": "single", "hit_location": 8.0},                       # through to center
        {**x, "events": "field_out", "hit_location": 4.0, "on_1b": 7.0},      # a chance, no double play
        {**x, "events": "grounded_into_double_play", "hit_location": 6.0, "on_1b": 7.0, "outs_when_up": 1},
        {**x, "events": "single", "hit_location": np.nan},                    # no fielder recorded
        {"description": "ball", "events": "walk", "on_1b": 7.0, "outs_when_up": 2},  # two outs: no chance
        {"description": "hit_into_play", "bb_type": "line_drive", "events": "single", "hit_location": 6.0},
    ]))
    assert c["gb"].sum() == 5 and c["gb_fielded"].sum() == 4 and c["if_hit"].sum() == 1
    assert c["dp_chance"].sum() == 2 and c["gidp"].sum() == 1
    rates = skill_rates(c.sum(), ("if_hit_rate", "gidp_rate"))
    assert rates["if_hit_rate"] == pytest.approx(1 / 4) and rates["gidp_rate"] == pytest.approx(1 / 2)
    # a source without hit_location (all missing): no fielded ground ball, so the rate is absent, never 0
    none = counts(pitches([{**x, "events": "single"}]))
    assert none["gb"].sum() == 1 and none["gb_fielded"].sum() == 0
    assert type_rates("batter", True)[-2:] == SPEED_RATES and type_rates("pitcher", True) == TYPE_RATES["pitcher"]


def test_pitch_physics_by_pitch_group():
    c = counts(pitches([
        {"pitch_type": "FF", "release_speed": 96.0, "release_spin_rate": 2400.0},
        {"pitch_type": "SI", "release_speed": np.nan, "release_spin_rate": 2100.0},
        {"pitch_type": "SL", "release_speed": 86.0, "release_spin_rate": 2500.0, "pfx_x": 0.3, "pfx_z": 0.4},
        {"pitch_type": "CH", "release_speed": 86.0, "release_spin_rate": 1800.0},
        {"pitch_type": None, "release_speed": 90.0, "release_spin_rate": np.nan},
    ]))
    assert c["fb"].sum() == 1 and c["fb_velo_sum"].sum() == pytest.approx(96.0)
    assert c["fb_spin_n"].sum() == 2 and c["fb_spin_sum"].sum() == pytest.approx(4500.0)
    assert c["brk_n"].sum() == 1 and c["brk_spin_sum"].sum() == pytest.approx(2500.0)
    assert c["brk_break_sum"].sum() == pytest.approx(0.5)
    assert c["spin_n"].sum() == 4


def test_skill_lines_sum_each_players_games_from_his_side():
    frame = pitches([
        {"game_pk": 1, "batter": 10, "pitcher": 20, "description": "swinging_strike"},
        {"game_pk": 1, "batter": 11, "pitcher": 20, "description": "foul"},
        {"game_pk": 2, "batter": 10, "pitcher": 21, "description": "ball", "game_date": pd.Timestamp("2023-05-02")},
    ])
    bat = skill_lines(frame, "batter").set_index(["player_id", "game_pk"])
    assert bat.loc[(10, 1), "whiff"] == 1 and bat.loc[(10, 2), "pitches"] == 1 and bat.loc[(11, 1), "swing"] == 1
    pit = skill_lines(frame, "pitcher").set_index(["player_id", "game_pk"])
    assert pit.loc[(20, 1), "pitches"] == 2 and pit.loc[(20, 1), "swing"] == 2
    assert list(bat.columns[:3]) == ["game_date", "season", "level"]
    # joined to game lines: a game on one side only gets zeros on the other
    game = pd.DataFrame({"player_id": [10, 12], "game_pk": [1, 3], "game_date": pd.to_datetime(["2023-05-01"] * 2),
                         "season": 2023, "level": "MLB", "PA": [1, 4]})
    both = with_skills(game, skill_lines(frame, "batter")).set_index(["player_id", "game_pk"])
    assert both.loc[(10, 1), "PA"] == 1 and both.loc[(10, 1), "whiff"] == 1
    assert both.loc[(10, 2), "PA"] == 0 and both.loc[(12, 3), "pitches"] == 0
    assert both["PA"].dtype == np.int64 and len(both) == 4


def test_with_skills_equals_an_outer_merge_filled_with_zeros():
    """The numpy join is the pandas outer merge it replaced, row for row and dtype for dtype, with games
    on one side only, unsorted input and an empty side."""
    rng = np.random.default_rng(5)
    keys = pd.DataFrame({"player_id": rng.integers(1, 6, 60), "game_pk": rng.integers(1, 40, 60)}).drop_duplicates()
    keys["game_date"] = pd.Timestamp("2023-04-01") + pd.to_timedelta(keys["game_pk"] * 2, "D")
    keys["season"], keys["level"] = 2023, np.where(keys["game_pk"] % 3 == 0, "AAA", "MLB")
    game = keys.sample(frac=0.8, random_state=1).assign(PA=lambda f: rng.integers(1, 6, len(f)), H=1.5)
    skills = keys.sample(frac=0.7, random_state=2).assign(**{c: rng.random(1)[0] for c in SKILL_COUNTS})

    def merged(g: pd.DataFrame, s: pd.DataFrame) -> pd.DataFrame:
        out = g.merge(s, on=["player_id", "game_pk"], how="outer", suffixes=("", "_s"))
        for k in ("game_date", "season", "level"):
            out[k] = out[k].where(out[k].notna(), out[f"{k}_s"])
        out = out.drop(columns=[f"{k}_s" for k in ("game_date", "season", "level")])
        counts = [c for c in out.columns if c not in ("player_id", "game_pk", "game_date", "season", "level")]
        out[counts] = out[counts].fillna(0)
        out["PA"], out["season"] = out["PA"].astype(np.int64), out["season"].astype(np.int64)
        return out.sort_values(["player_id", "game_date", "game_pk"]).reset_index(drop=True)

    for g, s in ((game, skills), (game.iloc[:0], skills), (game, skills.iloc[:0])):
        pd.testing.assert_frame_equal(with_skills(g, s), merged(g, s))
        # either side as its dict of columns (what identity.player_lines passes): the same frame
        as_dict = {c: g[c].to_numpy() for c in g.columns}
        pd.testing.assert_frame_equal(with_skills(as_dict, dict(s.items())), merged(g, s))
    with pytest.raises(ValueError, match="unique"):
        with_skills(pd.concat([game, game.iloc[:1]]), skills)


def test_skill_priors_recover_the_true_spread():
    rng = np.random.default_rng(0)
    n = rng.integers(100, 600, 3000).astype(float)
    p = np.clip(rng.normal(0.25, 0.04, len(n)), 0.01, 0.99)  # true spread 0.04: k = p(1-p)/0.04^2 ~ 117
    sums = pd.DataFrame({c: np.zeros(len(n)) for c in SKILL_COUNTS})
    sums["swing"], sums["whiff"] = n, rng.binomial(n.astype(int), p)
    league, prior = skill_priors(sums, ("whiff_rate",))
    assert league["whiff_rate"] == pytest.approx(0.25, abs=0.005)
    assert prior["whiff_rate"] == pytest.approx(0.25 * 0.75 / 0.04 ** 2, rel=0.2)
    # a mean-type rate: per-event noise from the squared sums
    mean = rng.normal(89.0, 3.0, len(n))  # true spread 3 mph, per-event sd 13: k = 169 / 9 ~ 19
    events = [rng.normal(m, 13.0, int(k)) for m, k in zip(mean, n)]
    sums["speed_n"] = n  # launch speed's denominator: balls in play with a speed
    sums["ls_sum"] = [e.sum() for e in events]
    sums["ls_sq"] = [(e ** 2).sum() for e in events]
    league, prior = skill_priors(sums, ("launch_speed",))
    assert league["launch_speed"] == pytest.approx(89.0, abs=0.2)
    assert prior["launch_speed"] == pytest.approx(13.0 ** 2 / 3.0 ** 2, rel=0.2)
    # too few player-seasons to estimate a spread: the pooled rate and the default prior
    league, prior = skill_priors(sums.head(5), ("whiff_rate",))
    assert prior["whiff_rate"] == DEFAULT_PRIOR_EVENTS
    assert league["whiff_rate"] == pytest.approx(sums.head(5)["whiff"].sum() / sums.head(5)["swing"].sum())


def test_skill_rates_shrink_by_prior_events():
    sums = {c: np.array([0.0, 30.0]) for c in SKILL_COUNTS}
    sums["swing"], sums["whiff"] = np.array([0.0, 100.0]), np.array([0.0, 40.0])
    raw = skill_rates(sums, ("whiff_rate",))
    assert np.isnan(raw["whiff_rate"][0]) and raw["whiff_rate"][1] == pytest.approx(0.4)
    shrunk = skill_rates(sums, ("whiff_rate",), {"whiff_rate": 0.2}, {"whiff_rate": 100.0})
    np.testing.assert_allclose(shrunk["whiff_rate"], [0.2, (40 + 20) / 200])
    np.testing.assert_allclose(shrunk["whiff_rate_n"], [0.0, 100.0])


def test_every_type_rate_is_defined():
    for pt, names in TYPE_RATES.items():
        for name in names:
            num, den = SKILL_RATES[name]
            assert num in SKILL_COUNTS and (den in SKILL_COUNTS or den == "o_pitch"), (pt, name)


def test_skill_lines_sums_as_reduceat_over_the_sorted_rows_to_the_bit():
    """skill_lines sums one count column at a time; the reference is np.add.reduceat over the stacked
    [N, K] counts sorted by (player, game), as it summed before: equal to the bit (fractional values,
    games of more than 8 pitches, where numpy's pairwise summation blocks), whether the pitch columns
    are passed in (shared by both sides) or computed."""
    from hfm_runtime.skills import pitch_skill_columns

    rng = np.random.default_rng(5)
    n = 600  # rows in pitch order: 6 games, players on both sides interleaved, fractional values to sum
    frame = pitches([{
        "game_pk": int(g), "batter": int(rng.integers(10, 18)), "pitcher": int(rng.integers(20, 24)),
        "description": str(rng.choice(["ball", "foul", "hit_into_play", "swinging_strike", "called_strike"])),
        "bb_type": str(rng.choice(["ground_ball", "line_drive", "fly_ball"])),
        "launch_speed": float(rng.uniform(60, 115)), "launch_angle": float(rng.uniform(-40, 60)),
        "estimated_woba_using_speedangle": float(rng.uniform(0, 2)), "release_speed": float(rng.uniform(75, 100)),
        "release_spin_rate": float(rng.uniform(1500, 3000)), "plate_x": float(rng.normal(0, 1)),
        "plate_z": float(rng.normal(2.5, 1)), "pitch_number": int(rng.integers(1, 7)),
    } for g in np.sort(rng.integers(1, 7, n))])
    for pt in ("batter", "pitcher"):
        counts = pitch_skill_counts(frame)
        player, game = frame[pt].to_numpy(np.int64), frame["game_pk"].to_numpy(np.int64)
        order = np.lexsort((game, player))
        p, g = player[order], game[order]
        start = np.flatnonzero(np.r_[True, (p[1:] != p[:-1]) | (g[1:] != g[:-1])])
        want = np.add.reduceat(counts[order], start, axis=0)
        for got in (skill_lines(frame, pt), skill_lines(frame, pt, pitch_skill_columns(frame))):
            np.testing.assert_array_equal(got[list(SKILL_COUNTS)].to_numpy(np.float64).view(np.int64),
                                          want.view(np.int64))


def test_position_games_count_each_game_once_per_position():
    """A batter's POSITION_GAMES: one per game at each position he batted from; a pinch hitter who
    stays in to field counts at his position only; a game of pinch hitting alone is its own kind; a game
    with no position on his rows is unknown (every count 0)."""
    frame = pitches([
        {"game_pk": 1, "batter": 10, "batter_position": 2.0},
        {"game_pk": 1, "batter": 10, "batter_position": 2.0},  # his second plate appearance: still one game
        {"game_pk": 1, "batter": 11, "batter_position": 11.0},  # pinch hit, then played first base
        {"game_pk": 1, "batter": 11, "batter_position": 3.0},
        {"game_pk": 2, "batter": 10, "batter_position": 11.0},  # a pinch hitter only
        {"game_pk": 2, "batter": 11, "batter_position": 10.0},  # DH
        {"game_pk": 2, "batter": 12, "batter_position": 7.0},
        {"game_pk": 2, "batter": 13, "batter_position": np.nan},
    ])
    bat = skill_lines(frame, "batter").set_index(["player_id", "game_pk"])[list(POSITION_GAMES)]
    assert bat.loc[(10, 1)].to_dict() == {**dict.fromkeys(POSITION_GAMES, 0.0), "pos_c": 1.0}
    assert bat.loc[(11, 1)].to_dict() == {**dict.fromkeys(POSITION_GAMES, 0.0), "pos_1b": 1.0}
    assert bat.loc[(10, 2), "pos_ph"] == 1 and bat.loc[(10, 2), "pos_dh"] == 0
    assert bat.loc[(11, 2), "pos_dh"] == 1 and bat.loc[(11, 2), "pos_ph"] == 0 and bat.loc[(12, 2), "pos_corner"] == 1
    assert (bat.loc[(13, 2)] == 0).all()
    assert set(POSITION_GAMES).isdisjoint(skill_lines(frame, "pitcher").columns)  # batters' lines only
    assert (skill_lines(frame.drop(columns="batter_position"), "batter")[list(POSITION_GAMES)] == 0).all().all()


def test_platoon_pa_counts_plate_appearances_ended_with_the_batter_opposite_the_pitchers_hand():
    """platoon_pa: a left-handed batter against a right-hander (or the reverse) has the platoon
    advantage; a same-handed plate appearance does not; only a plate appearance's last pitch counts;
    a row without a hand counts nothing, and so does a file without the columns."""
    frame = pitches([
        {"stand": "L", "p_throws": "R", "events": "single", "description": "hit_into_play"},
        {"stand": "R", "p_throws": "R", "events": "strikeout", "description": "swinging_strike"},
        {"stand": "R", "p_throws": "L", "events": None},  # not the last pitch: no plate appearance yet
        {"stand": "R", "p_throws": "L", "events": "walk"},
        {"stand": None, "p_throws": "L", "events": "walk"},
    ])
    c = counts(frame)
    assert c["platoon_pa"].tolist() == [1, 0, 0, 1, 0] and c["pa_ended"].sum() == 4
    assert counts(frame.drop(columns=["stand", "p_throws"]))["platoon_pa"].sum() == 0
    assert SKILL_RATES["platoon_share"] == ("platoon_pa", "pa_ended")
