"""The ridge baselines and the paired bootstrap intervals of the evaluation."""

from __future__ import annotations

import json

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.skills import SKILL_COUNTS, TYPE_RATES
from hfm_train.baselines import AggregateRidge, RidgeConfig, previous_true_talent, ridge_baselines, season_sums
from hfm_train.evaluate import paired_bootstrap, weighted_rmse


def synthetic_sums(rng, n_players=300, seasons=range(2015, 2023)) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """Batter season sums where each player's whiff rate sets his strikeout rate; talent drifts a little."""
    talent = rng.normal(0.0, 1.0, n_players)
    rows = []
    for s in seasons:
        talent = talent + rng.normal(0, 0.2, n_players)
        whiff = 0.22 + 0.04 * talent
        so = 0.20 + 0.05 * talent
        for pid in range(n_players):
            pa = int(rng.integers(50, 600))
            swings = pa * 2
            row = dict.fromkeys(SKILL_COUNTS, 0.0)
            row.update(swing=swings, whiff=rng.binomial(swings, whiff[pid]), pitches=pa * 4)
            rows.append({"player_id": pid, "season": s, "level": "MLB", "PA": pa, "games": pa // 4 + 1, "SO": rng.binomial(pa, so[pid]),
                         "BB": rng.binomial(pa, 0.08), "HR": rng.binomial(pa, 0.03), "H": rng.binomial(pa, 0.23),
                         "2B": rng.binomial(pa, 0.045), "3B": rng.binomial(pa, 0.005), **row})
    players = pd.DataFrame({"player_id": range(n_players), "birth_date": pd.Timestamp("1994-05-01")})
    return pd.DataFrame(rows), players, 0.20 + 0.05 * talent


def test_statcast_ridge_reads_the_skill_that_carries_the_talent():
    rng = np.random.default_rng(0)
    sums, players, so_next = synthetic_sums(rng)
    seasons = list(range(2016, 2022))
    history = sums[sums["season"] < 2022]
    with_skills = AggregateRidge("batter").fit(history, players, seasons)
    without = AggregateRidge("batter", RidgeConfig(skills=False)).fit(history, players, seasons)
    ids = np.arange(300)
    truth = so_next[:, None]
    err = {name: weighted_rmse(m.predict(history, players, ids, 2022)[:, :1], truth, np.ones(300))[0]
           for name, m in (("skills", with_skills), ("outcomes", without))}
    assert err["skills"] < 0.9 * err["outcomes"]
    assert "skill_whiff_rate" in with_skills.columns_ and "skill_whiff_rate" not in without.columns_


def test_a_player_with_no_history_gets_league_features():
    rng = np.random.default_rng(1)
    sums, players, _ = synthetic_sums(rng, n_players=60)
    model = AggregateRidge("batter").fit(sums[sums["season"] < 2022], players, list(range(2016, 2022)))
    X = model._features(sums[sums["season"] < 2022], players, pd.DataFrame({"player_id": [999], "season": [2022]}))
    assert X.loc[0, "rate_SO"] == pytest.approx(model.league_["SO"]) and X.loc[0, "log_opp_1"] == 0
    assert X.loc[0, "skill_whiff_rate"] == pytest.approx(model.skill_league_["whiff_rate"])
    assert "shrunk1_SO" not in X  # the window's detail is off by default
    detail = AggregateRidge("batter", RidgeConfig(window_detail=True)).fit(sums[sums["season"] < 2022], players,
                                                                           list(range(2016, 2022)))
    Xd = detail._features(sums[sums["season"] < 2022], players, pd.DataFrame({"player_id": [999], "season": [2022]}))
    assert Xd.loc[0, "shrunk1_SO"] == pytest.approx(detail.league_["SO"]) and Xd.loc[0, "log_per_game"] == 0
    assert np.isnan(X.loc[0, "age"])  # not in the players table: the median age is filled at predict time
    assert np.isfinite(model.predict(sums[sums["season"] < 2022], players, np.array([999]), 2022)).all()


def test_fit_refuses_too_little_history():
    rng = np.random.default_rng(2)
    sums, players, _ = synthetic_sums(rng, n_players=5, seasons=range(2020, 2022))
    with pytest.raises(Exception, match="training player-seasons"):
        AggregateRidge("batter").fit(sums, players, [2021])


def test_previous_true_talent_fills_the_unknown_with_the_league_mean():
    talent = pd.DataFrame({"player_id": [1, 2], "season": 2021, "player_type": "pitcher", "level": "MLB",
                           "SO": [0.2, 0.3], "BB": [0.1, 0.05], "HR": [0.03, 0.02], "H": [0.2, 0.25]})
    out, missing = previous_true_talent(talent, "pitcher", np.array([2, 7]), 2022)
    np.testing.assert_allclose(out[0], [0.3, 0.05, 0.02, 0.25])
    np.testing.assert_allclose(out[1], [0.25, 0.075, 0.025, 0.225])
    assert missing == 1


def test_paired_bootstrap_intervals():
    rng = np.random.default_rng(3)
    truth = rng.normal(0.2, 0.03, (200, 2))
    good = truth + rng.normal(0, 0.005, truth.shape)
    bad = truth + rng.normal(0, 0.02, truth.shape)
    w = rng.integers(100, 600, 200).astype(float)
    iv = paired_bootstrap(good, bad, truth, w, n_samples=300)
    assert iv.shape == (2, 3) and (iv[:, 2] < 0).all() and (iv[:, 0] <= iv[:, 1]).all()
    same = paired_bootstrap(good, good, truth, w, n_samples=50)
    np.testing.assert_array_equal(same, 0.0)
    # one row per player: resampling players is resampling rows
    np.testing.assert_array_equal(paired_bootstrap(good, bad, truth, w, n_samples=300, groups=np.arange(200)), iv)


def test_paired_bootstrap_resamples_whole_players():
    """Ten rows per player (in-season as-of dates) are one draw, not ten: the interval is as wide as
    that of one row per player, and much wider than treating the 2,000 rows as independent."""
    rng = np.random.default_rng(4)
    truth = rng.normal(0.2, 0.03, (200, 1))
    a, b = truth + rng.normal(0, 0.01, truth.shape), truth + rng.normal(0, 0.01, truth.shape)
    w = np.ones(200)
    rep = lambda x: np.repeat(x, 10, axis=0)  # noqa: E731
    width = lambda iv: float(iv[0, 2] - iv[0, 0])  # noqa: E731
    one = width(paired_bootstrap(a, b, truth, w, n_samples=400))
    rows = width(paired_bootstrap(rep(a), rep(b), rep(truth), rep(w), n_samples=400))
    players = width(paired_bootstrap(rep(a), rep(b), rep(truth), rep(w), n_samples=400, groups=np.repeat(np.arange(200), 10)))
    assert players > 2 * rows and 0.7 * one < players < 1.4 * one


@pytest.mark.slow
def test_ridge_baselines_on_the_tiny_league(tiny_league: Path):
    from hfm_runtime.identity import player_lines
    from hfm_runtime.league import load_league

    league = load_league(tiny_league)
    last = max(league.seasons)
    for pt, n_stats in (("batter", 6), ("pitcher", 4)):
        lines = player_lines(league, pt)
        assert set(SKILL_COUNTS) <= set(season_sums(lines, pt).columns)
        ids = np.unique(lines.loc[(lines["season"] == last) & (lines["level"] == "MLB"), "player_id"])
        out = ridge_baselines(lines, league.players, pt, ids, last)
        assert set(out) == {"statcast_ridge", "stat_ridge", "statcast_ridge_denoised"}
        for p in out.values():
            assert p.shape == (len(ids), n_stats) and np.isfinite(p).all()
        assert not np.allclose(out["statcast_ridge_denoised"], out["statcast_ridge"])  # other targets


def test_speed_rates_are_read_only_when_asked_and_only_where_measured():
    rng = np.random.default_rng(3)
    sums, players, _ = synthetic_sums(rng, n_players=60)
    speed = rng.uniform(0.03, 0.12, 60)
    sums["gb_fielded"] = (sums["PA"] * 0.3).round()
    sums["if_hit"] = rng.binomial(sums["gb_fielded"].astype(int), speed[sums["player_id"]])
    sums["dp_chance"] = (sums["PA"] * 0.2).round()
    sums["gidp"] = rng.binomial(sums["dp_chance"].astype(int), 0.1)
    history, seasons = sums[sums["season"] < 2022], list(range(2016, 2022))
    rows = pd.DataFrame({"player_id": [0, 999], "season": [2022, 2022]})
    plain = AggregateRidge("batter").fit(history, players, seasons)
    assert "skill_if_hit_rate" not in plain._features(history, players, rows)
    fast = AggregateRidge("batter", RidgeConfig(speed_rates=True)).fit(history, players, seasons)
    X = fast._features(history, players, rows)
    league = fast.skill_league_["if_hit_rate"]
    assert X.loc[1, "skill_if_hit_rate"] == pytest.approx(league) and X.loc[1, "log_n_if_hit_rate"] == 0
    assert X.loc[0, "skill_if_hit_rate"] != pytest.approx(league) and X.loc[0, "log_n_gidp_rate"] > 0
    # no fielder recorded anywhere: the infield-hit rate is never measured, so it is left out, not fitted as 0
    blind = AggregateRidge("batter", RidgeConfig(speed_rates=True)).fit(
        history.assign(gb_fielded=0.0, if_hit=0.0), players, seasons)
    assert "if_hit_rate" not in blind.skill_league_ and "gidp_rate" in blind.skill_league_
    assert AggregateRidge("pitcher", RidgeConfig(speed_rates=True))._rates() == TYPE_RATES["pitcher"]


def test_old_seasons_are_t4_to_t6_shrunk_and_read_by_batters_only():
    """RidgeConfig.old_seasons: seasons t-4..t-6 summed (t-7 and the window's excluded), each stat
    shrunk by its prior, and log1p of their opportunities; a pitcher's ridge reads nothing more."""
    rng = np.random.default_rng(6)
    sums, players, _ = synthetic_sums(rng, n_players=60, seasons=range(2012, 2023))
    history, seasons = sums[sums["season"] < 2022], list(range(2016, 2022))
    rows = pd.DataFrame({"player_id": [0, 999], "season": [2022, 2022]})
    ridge = AggregateRidge("batter", RidgeConfig(old_seasons=True)).fit(history, players, seasons)
    X = ridge._features(history, players, rows)
    old = history[(history["player_id"] == 0) & history["season"].between(2016, 2018)]
    k, league = ridge.prior_k_["SO"], ridge.league_["SO"]
    assert X.loc[0, "old_shrunk_SO"] == pytest.approx((old["SO"].sum() + k * league) / (old["PA"].sum() + k), rel=1e-9)
    assert X.loc[0, "log_old_opp"] == pytest.approx(np.log1p(old["PA"].sum()), rel=1e-9)
    assert X.loc[1, "old_shrunk_SO"] == pytest.approx(league) and X.loc[1, "log_old_opp"] == 0
    plain = AggregateRidge("batter").fit(history, players, seasons)._features(history, players, rows)
    pd.testing.assert_frame_equal(plain, X[plain.columns])
    pitchers = history.rename(columns={"PA": "BF"}).drop(columns=["2B", "3B"])
    pitcher = AggregateRidge("pitcher", RidgeConfig(old_seasons=True)).fit(pitchers, players, seasons)
    assert "log_old_opp" not in pitcher._features(pitchers, players, rows)


def _window_skill(ridge: AggregateRidge, history: pd.DataFrame, rate: str, num: str, den: str) -> tuple[float, float]:
    """(player 0's `rate` for 2022 as the ridge should read it: the 5/4/3-weighted `num` over `den` of
    2019-2021, shrunk by 12 x the per-season prior events toward the league rate; that league rate)."""
    w = history[history["player_id"] == 0].set_index("season").reindex([2021, 2020, 2019]).fillna(0.0)
    weights = np.array([5.0, 4.0, 3.0])
    k, league = ridge.skill_prior_[rate] * 12, ridge.skill_league_[rate]
    return (weights @ w[num].to_numpy() + k * league) / (weights @ w[den].to_numpy() + k), league


def test_putaway_rate_divides_the_windows_strikeouts_by_its_two_strike_pas():
    rng = np.random.default_rng(4)
    sums, players, _ = synthetic_sums(rng, n_players=60)
    sums["two_strike"] = np.maximum(sums["SO"] * 2.5, 1.0).round()
    history, seasons = sums[sums["season"] < 2022], list(range(2016, 2022))
    rows = pd.DataFrame({"player_id": [0, 999], "season": [2022, 2022]})
    ridge = AggregateRidge("batter", RidgeConfig(putaway_rate=True)).fit(history, players, seasons)
    assert ridge._rates()[-1] == "putaway_rate" and "if_hit_rate" not in ridge._rates()
    X = ridge._features(history, players, rows)
    # player 0: the 5/4/3-weighted SO over two-strike PAs, shrunk by 12 x the per-season prior events
    expected, league = _window_skill(ridge, history, "putaway_rate", "SO", "two_strike")
    assert X.loc[0, "skill_putaway_rate"] == pytest.approx(expected, rel=1e-9)
    assert X.loc[1, "skill_putaway_rate"] == pytest.approx(league) and X.loc[1, "log_n_putaway_rate"] == 0
    assert AggregateRidge("pitcher", RidgeConfig(putaway_rate=True))._rates() == TYPE_RATES["pitcher"]


def test_platoon_share_is_the_windows_platoon_pas_per_pa_shrunk_after_the_putaway_rate():
    """RidgeConfig.platoon (batters; off by default): skills.PLATOON_RATES in the 5/4/3 window, shrunk
    like every skill rate, read last; a pitcher's ridge reads nothing more."""
    rng = np.random.default_rng(5)
    sums, players, _ = synthetic_sums(rng, n_players=60)
    sums["pa_ended"] = sums["PA"]
    sums["platoon_pa"] = (sums["PA"] * rng.uniform(0.3, 0.9, len(sums))).round()
    history, seasons = sums[sums["season"] < 2022], list(range(2016, 2022))
    rows = pd.DataFrame({"player_id": [0, 999], "season": [2022, 2022]})
    ridge = AggregateRidge("batter", RidgeConfig(putaway_rate=True, platoon=True)).fit(history, players, seasons)
    assert ridge._rates()[-2:] == ("putaway_rate", "platoon_share")
    X = ridge._features(history, players, rows)
    expected, league = _window_skill(ridge, history, "platoon_share", "platoon_pa", "pa_ended")
    assert X.loc[0, "skill_platoon_share"] == pytest.approx(expected, rel=1e-9)
    assert X.loc[1, "skill_platoon_share"] == pytest.approx(league) and 0.3 < league < 0.9
    assert AggregateRidge("pitcher", RidgeConfig(platoon=True))._rates() == TYPE_RATES["pitcher"]
    # the runtime's ridge, from its JSON, projects as the fit does
    from hfm_runtime.ridge import RidgeModel

    from hfm_runtime.seasons import season_age

    model = RidgeModel.from_json(json.loads(json.dumps(ridge.to_model().to_json())), "test")
    assert model.config.platoon
    birth = players.drop_duplicates("player_id").set_index("player_id")["birth_date"].reindex([0])
    ages = np.r_[np.asarray(season_age(birth.to_numpy(), np.array([2022])), float), np.nan]
    np.testing.assert_allclose(model.predict(history, np.array([0, 999]), 2022, ages),
                               ridge.predict(history, players, np.array([0, 999]), 2022), rtol=1e-10)


def test_the_runs_sequence_ridge_reads_what_its_profile_switches_on():
    """sequence_ridge_config carries every ridge switch of the profile, and a real league's fit turns
    the batters' positions and platoon share on, the wide path's platoon share too
    (hfm_train.fit.REAL_DATA_SETTINGS)."""
    from hfm_runtime.profiles import ProfileConfig
    from hfm_train.baselines import sequence_ridge_config
    from hfm_train.fit import REAL_DATA_SETTINGS

    on = ProfileConfig(speed_rates=True, putaway_rate=True, old_seasons=True, positions=True, platoon=True)
    assert sequence_ridge_config(on) == RidgeConfig(speed_rates=True, putaway_rate=True, old_seasons=True,
                                                    positions=True, platoon=True)
    assert sequence_ridge_config(ProfileConfig()) == RidgeConfig()
    assert {"profile.positions=true", "profile.platoon=true", "profile.wide_platoon=true"} <= set(REAL_DATA_SETTINGS)
