"""Stat profiles: horizons, no leakage, fallbacks, sources, feature layout, scaler."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.mle import MLETranslator
from hfm_runtime.profiles import (
    HORIZONS,
    FeatureScaler,
    LATE_DAYS,
    PlayerStatProfile,
    ProfileConfig,
    build_profiles,
    feature_matrix,
    feature_names,
    layout_config,
    layout_configs,
    prior_opportunities,
    profile_records,
    wide_feature_names,
)
from hfm_runtime.seasons import BATTING_COLUMNS, PITCHING_COLUMNS
from hfm_runtime.skills import SKILL_COUNTS, TYPE_RATES
from hfm_runtime.targets import OPPORTUNITY, TARGET_STATS

RAW = ProfileConfig(career_prior_opportunities=0.0)  # career rates unregressed, for exact checks
LEAGUE = {"SO": 0.2, "BB": 0.08, "HR": 0.03, "H": 0.23, "2B": 0.045, "3B": 0.005}


def line(pid, date, level="MLB", PA=4, SO=1, BB=0, HR=0, H=1, D=0, T=0, game_pk=None):
    """One batter game line with the columns of identity.player_lines (no skill events)."""
    row = dict.fromkeys((*BATTING_COLUMNS, *SKILL_COUNTS), 0)
    row.update(PA=PA, AB=PA - BB, H=H, **{"2B": D, "3B": T}, HR=HR, BB=BB, SO=SO)
    row["1B"] = H - D - T - HR
    ts = pd.Timestamp(date)
    return {"player_id": pid, "game_pk": game_pk or hash((pid, date, level)) % 10**9,
            "game_date": ts, "season": ts.year, "level": level, **row}


def players_df(ids, bats="R"):
    return pd.DataFrame({"player_id": ids, "birth_date": pd.Timestamp("1995-03-01"),
                         "bats": bats, "throws": "L"})


def as_of(pairs):
    return pd.DataFrame({"player_id": [p for p, _ in pairs],
                         "as_of_date": pd.to_datetime([d for _, d in pairs])})


def random_lines(rng, n_players=30, n_games=3000, levels=("MLB", "AAA")):
    days = pd.date_range("2019-04-01", "2023-09-30")
    days = days[(days.month >= 4) & (days.month <= 9)]
    pa = rng.integers(1, 6, n_games)
    so = rng.binomial(pa, 0.22)
    bb = rng.binomial(pa - so, 0.1)
    h = rng.binomial(pa - so - bb, 0.3)
    hr = rng.binomial(h, 0.15)
    d2 = rng.binomial(h - hr, 0.2)
    d3 = rng.binomial(h - hr - d2, 0.05)
    rows = [line(int(p), d, str(lv), int(a), int(b), int(c), int(e), int(f), int(g), int(i), game_pk=k)
            for k, (p, d, lv, a, b, c, e, f, g, i) in enumerate(zip(
                rng.integers(1, n_players + 1, n_games), rng.choice(days, n_games),
                rng.choice(levels, n_games), pa, so, bb, hr, h, d2, d3))]
    return pd.DataFrame(rows)


def naive_sums(lines, pid, asof, start):
    g = lines[(lines.player_id == pid) & (lines.game_date < asof)]
    if start is not None:
        g = g[g.game_date >= start]
    return g


def test_horizon_windows_match_naive_filtering():
    rng = np.random.default_rng(1)
    lines = random_lines(rng, levels=("MLB",))
    ao = as_of([(int(p), d) for p, d in zip(rng.integers(1, 33, 200),
                                            rng.choice(pd.date_range("2019-03-01", "2024-03-01"), 200))])
    prof = build_profiles(lines, players_df(range(1, 33)), ao, "batter", league=LEAGUE,
                          config=ProfileConfig(min_opportunities=tuple((h, 0) for h in HORIZONS),
                                              career_prior_opportunities=0.0))
    for i, (pid, d) in enumerate(zip(ao.player_id, ao.as_of_date)):
        starts = {"career": None, "3yr": d - pd.DateOffset(years=3), "1yr": d - pd.DateOffset(years=1),
                  "30d": d - pd.Timedelta(days=30)}
        longer = "league"
        for h, start in starts.items():
            g = naive_sums(lines, pid, d, start)
            assert prof.loc[i, f"{h}_opp"] == g.PA.sum()
            if g.PA.sum() > 0:
                for s in TARGET_STATS["batter"]:
                    assert prof.loc[i, f"{h}_{s}"] == pytest.approx(g[s].sum() / g.PA.sum())
                assert prof.loc[i, f"{h}_from"] == h
            else:  # empty even with no minimum: borrows the next longer horizon
                assert prof.loc[i, f"{h}_from"] == longer
            longer = prof.loc[i, f"{h}_from"]


def test_no_leakage_from_games_on_or_after_as_of_date():
    rng = np.random.default_rng(2)
    lines = random_lines(rng)
    mle = MLETranslator("batter").fit(lines)
    ao = as_of([(p, "2022-06-15") for p in range(1, 31)] + [(p, "2021-04-20") for p in range(1, 31)])
    before = build_profiles(lines, players_df(range(1, 31)), ao, "batter", mle=mle, league=LEAGUE)
    # Rewrite every game on or after 2021-04-20 (all of them for the second half of the as-of rows),
    # and add a huge game exactly on each as-of date: nothing may change for profiles before them.
    later = lines.game_date >= "2021-04-20"
    future = lines.copy()
    future.loc[later, ["PA", "SO", "HR"]] = future.loc[later, ["PA", "SO", "HR"]] * 7 + 3
    extra = pd.DataFrame([line(p, d, lv, PA=500, SO=400) for p in range(1, 31)
                          for d in ("2022-06-15", "2021-04-20") for lv in ("MLB", "AAA")])
    future = pd.concat([future, extra], ignore_index=True)
    after = build_profiles(future, players_df(range(1, 31)), ao, "batter", mle=mle, league=LEAGUE)
    early = ao.as_of_date == pd.Timestamp("2021-04-20")
    pd.testing.assert_frame_equal(before[early], after[early])
    assert not before[~early].equals(after[~early])  # the test can see a change when there is one


def test_thin_horizon_falls_back_to_next_longer_and_empty_career_to_league():
    lines = pd.DataFrame(
        [line(1, "2022-05-01", PA=200, SO=50, HR=10, H=60)]  # 3yr and 1yr windows as of 2023-04-10
        + [line(1, "2023-04-05", PA=4, SO=4, H=0)]  # a thin last 30 days
        + [line(2, "2018-05-01", PA=40, SO=4, H=12)]  # only career (thin 3yr)
    )
    ao = as_of([(1, "2023-04-10"), (2, "2023-04-10"), (3, "2023-04-10")])
    prof = build_profiles(lines, players_df([1, 2, 3]), ao, "batter", league=LEAGUE, config=RAW)
    p1, p2, p3 = profile_records(prof, "batter")
    assert p1.filled_from == {"career": "career", "3yr": "3yr", "1yr": "1yr", "30d": "1yr"}
    assert p1.opportunities["30d"] == 4
    assert p1.rates["30d"]["SO"] == pytest.approx(54 / 204) == p1.rates["1yr"]["SO"]
    assert p2.filled_from == {"career": "career", "3yr": "career", "1yr": "career", "30d": "career"}
    assert p2.rates["1yr"]["H"] == pytest.approx(12 / 40)
    assert set(p3.filled_from.values()) == {"league"} and p3.rates["30d"] == pytest.approx(LEAGUE)
    assert p3.source == "mlb" and p3.opportunities["career"] == 0
    assert p1.age == 28 and p1.hand == "R"  # born March 1995: 28 on June 30, 2023


def test_sources_and_mle_lines_for_players_under_the_threshold():
    aaa = [line(p, f"2022-0{m}-0{d}", "AAA", PA=4, SO=2, H=1) for p in (1, 2, 3) for m in (5, 6)
           for d in range(1, 10)]
    mlb = ([line(2, f"2022-07-0{d}", PA=4, SO=1, H=1) for d in range(1, 6)]  # 20 MLB PA
           + [line(3, f"2022-08-{d:02d}", PA=10, SO=1, H=3) for d in range(1, 26)])  # 250 MLB PA
    lines = pd.DataFrame(aaa + mlb)
    mle = MLETranslator("batter")
    mle.factors_ = {s: 0.5 for s in TARGET_STATS["batter"]}
    ao = as_of([(p, "2023-01-01") for p in (1, 2, 3, 4)])
    prof = build_profiles(lines, players_df([1, 2, 3, 4]), ao, "batter", mle=mle, league=LEAGUE, config=RAW)
    assert list(prof.source) == ["mle", "blended", "mlb", "mlb"]
    assert prof.loc[0, "career_SO"] == pytest.approx(0.5 * 2 / 4)  # translated AAA only
    assert prof.loc[1, "career_SO"] == pytest.approx((0.5 * 2 * 72 / 4 + 5) / (72 + 20))
    assert prof.loc[2, "career_SO"] == pytest.approx(25 / 250)  # enough MLB: AAA ignored
    assert prof.loc[1, "mlb_career_opp"] == 20 and prof.loc[1, "career_opp"] == 92
    no_mle = build_profiles(lines, players_df([1, 2, 3, 4]), ao, "batter", league=LEAGUE)
    assert list(no_mle.source) == ["mlb"] * 4 and no_mle.loc[0, "career_from"] == "league"


def test_feature_matrix_layout_is_float32_and_documented():
    rng = np.random.default_rng(3)
    lines = random_lines(rng)
    ao = as_of([(p, "2023-07-01") for p in range(1, 31)])
    prof = build_profiles(lines, players_df(range(1, 31), bats=["L", "R", "S"] * 10), ao, "batter",
                          mle=MLETranslator("batter").fit(lines), league=LEAGUE)
    X = feature_matrix(prof, "batter")
    names = feature_names("batter")
    assert X.dtype == np.float32 and X.shape == (30, len(names)) and len(set(names)) == len(names)
    col = {n: i for i, n in enumerate(names)}
    np.testing.assert_allclose(X[:, col["rate:1yr:HR"]], prof["1yr_HR"], rtol=1e-6)
    # sample sizes as full-season equivalents (2020 lines count x 162/60)
    np.testing.assert_allclose(X[:, col["log_opp:career"]], np.log1p(prof["career_opp_eq"]), rtol=1e-6)
    np.testing.assert_array_equal(X[:, [col["hand:L"], col["hand:R"], col["hand:S"]]].sum(1), 1)
    np.testing.assert_array_equal(X[:, col["hand:S"]], (prof.hand == "S").astype(np.float32))
    np.testing.assert_array_equal(X[:, [col[f"source:{s}"] for s in ("mlb", "mle", "blended")]].sum(1), 1)
    n_skills = len(TYPE_RATES["pitcher"])
    # blocks 1-9 of the docstring, then the Marcel window (10): 4 stats raw and shrunk, 3 years, AAA
    # share, age², skills
    marcel_block = 4 + 4 + 3 + 1 + 1 + 2 * n_skills
    assert len(feature_names("pitcher")) == 4 * 4 + 4 + 4 + 1 + 2 + 3 + 1 + 4 * n_skills + 4 + 4 + marcel_block
    assert feature_names("pitcher")[-marcel_block:] == wide_feature_names("pitcher")[1:]  # wide = age + block 10
    # with the window's detail (off by default): the 3 years' own shrunk rates and 2 per-game sizes
    # appended, so the default layout is its prefix
    detail = ProfileConfig(window_detail=True)
    assert feature_names("pitcher", detail)[:-14] == feature_names("pitcher")
    assert feature_names("pitcher", detail)[-marcel_block - 14:] == wide_feature_names("pitcher", detail)[1:]
    np.testing.assert_allclose(X[:, col["age2"]], (X[:, col["age"]] - 28) ** 2, rtol=1e-5)


def test_pitcher_profiles_use_bf_and_throws():
    row = dict.fromkeys((*PITCHING_COLUMNS, *SKILL_COUNTS), 0)
    row.update(BF=30, SO=9, BB=3, H=6, HR=1, outs=18)
    lines = pd.DataFrame([{"player_id": 7, "game_pk": 1, "game_date": pd.Timestamp("2022-05-01"),
                           "season": 2022, "level": "MLB", **row}])
    prof = build_profiles(lines, players_df([7]), as_of([(7, "2022-06-01")]), "pitcher", config=RAW)
    assert prof.loc[0, "hand"] == "L" and prof.loc[0, "career_opp"] == 30
    assert prof.loc[0, "career_SO"] == pytest.approx(0.3)
    assert OPPORTUNITY["pitcher"] == "BF"
    assert feature_matrix(prof, "pitcher").shape == (1, len(feature_names("pitcher")))


def test_bad_input_raises_clear_errors():
    lines = pd.DataFrame([line(1, "2022-05-01")])
    with pytest.raises(HFMInputError, match="missing column"):
        build_profiles(lines.drop(columns="SO"), players_df([1]), as_of([(1, "2023-01-01")]), "batter")
    with pytest.raises(HFMInputError, match="player_id 9"):
        build_profiles(lines, players_df([1]), as_of([(9, "2023-01-01")]), "batter")


def test_feature_scaler_standardises_and_round_trips_json():
    rng = np.random.default_rng(4)
    X = rng.normal(3, 2, size=(500, 5)).astype(np.float32)
    X[:, 2] = 1.0  # constant column: scale 1, not a division by zero
    sc = FeatureScaler(["a", "b", "c", "d", "e"]).fit(X)
    Z = sc.transform(X)
    assert Z.dtype == np.float32
    np.testing.assert_allclose(Z.mean(0), 0, atol=1e-5)
    np.testing.assert_allclose(Z.std(0), [1, 1, 0, 1, 1], atol=1e-5)
    back = FeatureScaler.from_json(sc.to_json())
    np.testing.assert_array_equal(back.transform(X), Z)
    with pytest.raises(HFMInputError):
        sc.transform(X[:, :4])
    with pytest.raises(HFMInputError):
        FeatureScaler.from_json({"mean": [0.0]})


def test_profile_record_round_trip():
    prof = build_profiles(pd.DataFrame([line(1, "2022-05-01", PA=100, SO=30)]), players_df([1]),
                          as_of([(1, "2022-05-20")]), "batter", league=LEAGUE, config=RAW)
    rec = PlayerStatProfile.from_row(prof.iloc[0], "batter")
    assert rec.rates["career"]["SO"] == pytest.approx(0.3) and rec.source == "mlb"
    assert rec.filled_from == {"career": "career", "3yr": "career", "1yr": "1yr", "30d": "30d"}
    assert rec.mlb_career_opportunities == 100


def test_career_rates_are_regressed_toward_the_league_by_prior_opportunities():
    lines = pd.DataFrame([line(1, "2022-05-01", PA=100, SO=40, H=30)])
    prof = build_profiles(lines, players_df([1]), as_of([(1, "2022-05-20")]), "batter", league=LEAGUE,
                          prior={"SO": 100.0})  # H uses the config default, 200
    assert prof.loc[0, "career_SO"] == pytest.approx((40 + 100 * 0.2) / 200)
    assert prof.loc[0, "career_H"] == pytest.approx((30 + 200 * 0.23) / 300)
    assert prof.loc[0, "1yr_SO"] == pytest.approx(0.4)  # shorter horizons stay raw


def test_prior_opportunities_grow_as_true_talent_spread_shrinks():
    rng = np.random.default_rng(5)
    rows = []
    for pid in range(300):  # SO talent varies a lot between players; HR talent not at all
        so, n = rng.uniform(0.1, 0.35), 400
        rows.append(line(pid, "2022-05-01", PA=n, SO=rng.binomial(n, so), HR=rng.binomial(n, 0.03),
                         H=rng.binomial(n, 0.2)))
    prior = prior_opportunities(pd.DataFrame(rows), "batter")
    var_so = 0.25**2 / 12
    assert prior["SO"] == pytest.approx(0.225 * 0.775 / var_so, rel=0.3)
    assert prior["HR"] > 1000


def test_one_player_calls_match_the_many_player_call():
    """The one-player path (a few lines, numpy shortcuts) gives the rows of the all-at-once call, and
    its calendar windows match pandas' DateOffset (Feb 29 included) and naive filtering."""
    rng = np.random.default_rng(6)
    lines = random_lines(rng)
    mle = MLETranslator("batter").fit(lines)
    days = [pd.Timestamp(d) for d in ("2020-02-29", "2021-03-01", "2022-07-15 13:30", "2023-02-28", "2024-02-29")]
    ao = as_of([(p, d) for p in range(1, 31) for d in days])
    players = players_df(range(1, 31), bats=["L", "R", "S"] * 10)
    kw = dict(mle=mle, league=LEAGUE, prior={"SO": 80.0})
    many = build_profiles(lines, players, ao, "batter", **kw)
    for i in range(0, len(ao), 7):
        row = ao.iloc[[i]].reset_index(drop=True)
        own = lines[lines.player_id == row.player_id[0]].reset_index(drop=True)
        one = build_profiles(own, players, row, "batter", **kw)
        # Translated AAA counts are summed in another order across players: last-bit differences only.
        pd.testing.assert_frame_equal(one, many.iloc[[i]].reset_index(drop=True), check_exact=False, rtol=1e-12)
        np.testing.assert_array_equal(feature_matrix(one, "batter"), feature_matrix(many, "batter")[[i]])

        # the windows on his MLB lines alone (every row above blends in AAA lines, source "blended")
        d, mlb = row.as_of_date[0], own[own.level == "MLB"]
        alone = build_profiles(mlb, players, row, "batter", **kw)
        assert alone.loc[0, "source"] == "mlb"
        for h, start in (("3yr", d - pd.DateOffset(years=3)), ("1yr", d - pd.DateOffset(years=1))):
            g = naive_sums(mlb, row.player_id[0], d.normalize(), start.normalize())
            assert alone.loc[0, f"{h}_opp"] == g.PA.sum()


def test_feature_matrix_reads_a_table_or_its_columns_alike():
    from hfm_runtime.profiles import profile_columns

    rng = np.random.default_rng(8)
    lines = random_lines(rng)
    ao = as_of([(p, "2023-07-01") for p in range(1, 31)])
    columns = profile_columns(lines, players_df(range(1, 31)), ao, "batter", league=LEAGUE)
    table = build_profiles(lines, players_df(range(1, 31)), ao, "batter", league=LEAGUE)
    pd.testing.assert_frame_equal(pd.DataFrame(columns), table)
    np.testing.assert_array_equal(feature_matrix(columns, "batter"), feature_matrix(table, "batter"))


def test_season_age_numpy_dates_match_pandas():
    from hfm_runtime.seasons import season_age

    rng = np.random.default_rng(9)
    born = np.datetime64("1940-01-01", "ns") + rng.integers(0, 60 * 365, 500).astype("timedelta64[D]")
    born = born + rng.integers(0, 86_400, 500).astype("timedelta64[s]")
    seasons = rng.integers(1960, 2030, 500)
    index = pd.DatetimeIndex(born)
    expected = seasons - index.year.to_numpy() - (index.month.to_numpy() >= 7)
    np.testing.assert_array_equal(season_age(born, seasons), expected)
    np.testing.assert_array_equal(season_age(list(born.astype(str)), seasons), expected)  # pandas path
    with pytest.raises(HFMInputError, match="position 1"):
        season_age(np.array(["2000-01-01", "NaT"], dtype="datetime64[ns]"), 2020)


def test_calendar_windows_match_pandas_date_offset():
    from hfm_runtime.profiles import _days, _years_before

    dates = pd.date_range("1968-01-01", "2028-12-31", freq="D") + pd.Timedelta(hours=7)
    values = dates.to_numpy()
    for years in (1, 3):
        expected = _days(pd.Series(dates) - pd.DateOffset(years=years))
        np.testing.assert_array_equal(_years_before(values, _days(values), years), expected)


def test_skill_rates_per_horizon_are_shrunk_window_sums():
    rng = np.random.default_rng(7)
    lines = random_lines(rng, levels=("MLB",))
    lines["swing"] = rng.integers(5, 20, len(lines))
    lines["whiff"] = rng.binomial(lines["swing"], 0.25)
    lines["speed_n"] = rng.integers(0, 4, len(lines))
    # fewer with an angle too: the 2009-2018 extract joined to Retrosheet has speeds only
    lines["tracked"] = np.minimum(lines["speed_n"], rng.integers(0, 2, len(lines)))
    lines["ls_sum"] = lines["speed_n"] * rng.normal(89, 5, len(lines))
    lines["pitches"] = lines["swing"] * 2
    league, prior = {"whiff_rate": 0.22, "launch_speed": 88.0}, {"whiff_rate": 40.0, "launch_speed": 20.0}
    ao = as_of([(int(p), d) for p, d in zip(rng.integers(1, 31, 60),
                                            rng.choice(pd.date_range("2020-03-01", "2024-03-01"), 60))])
    prof = build_profiles(lines, players_df(range(1, 31)), ao, "batter", league=LEAGUE,
                          skill_league=league, skill_prior=prior)
    X = feature_matrix(prof, "batter")
    col = {n: i for i, n in enumerate(feature_names("batter"))}
    for i, (pid, d) in enumerate(zip(ao.player_id, ao.as_of_date)):
        for h, start in {"career": None, "1yr": d - pd.DateOffset(years=1), "30d": d - pd.Timedelta(days=30)}.items():
            g = naive_sums(lines, pid, d, start)
            want = (g.whiff.sum() + 40.0 * 0.22) / (g.swing.sum() + 40.0)
            assert prof.loc[i, f"{h}_skill_whiff_rate"] == pytest.approx(want)
            assert prof.loc[i, f"{h}_skill_launch_speed"] == pytest.approx((g.ls_sum.sum() + 20 * 88.0) / (g.speed_n.sum() + 20))
            assert prof.loc[i, f"{h}_pitches"] == g.pitches.sum()
            assert prof.loc[i, f"{h}_tracked"] == g.speed_n.sum()  # balls the launch-speed rates rest on
        assert X[i, col["skill:1yr:whiff_rate"]] == pytest.approx(prof.loc[i, "1yr_skill_whiff_rate"], rel=1e-6)
        # as full-season equivalents: a 2020 game's pitches count x 162/60
        eq = prof.loc[i, "30d_opp_eq"] / prof.loc[i, "30d_opp"] if prof.loc[i, "30d_opp"] > 0 else 1.0
        assert X[i, col["log_pitches:30d"]] == pytest.approx(np.log1p(prof.loc[i, "30d_pitches"] * eq), rel=1e-6)
    # skills the window never saw sit at the league rate (no prior given: 0 stands in)
    assert (prof["career_skill_chase_rate"] == 0.0).all()


def test_marcel_shrunk_rates_regress_by_each_stats_prior_and_the_effective_sample():
    """(n_eff rate + k league) / (n_eff + k), n_eff = (sum w n)^2 / sum w^2 n over the 5/4/3 years."""
    rows = [line(1, "2021-06-01", PA=400, SO=100, HR=20, H=100),   # 3 years back: weight 3
            line(1, "2023-06-01", PA=100, SO=10, HR=1, H=30),      # last year: weight 5
            line(2, "2023-06-01", PA=4, SO=1, H=1)]
    lines = pd.DataFrame(rows)
    prior = {"SO": 50.0, "BB": 100.0, "HR": 300.0, "H": 900.0, "2B": 500.0, "3B": 2000.0}
    prof = build_profiles(lines, players_df([1, 2, 3]), as_of([(1, "2024-04-01"), (2, "2024-04-01"),
                                                              (3, "2024-04-01")]),
                          "batter", league=LEAGUE, prior=prior)
    wn, w2n = 5 * 100 + 3 * 400, 25 * 100 + 9 * 400
    n_eff = wn * wn / w2n
    for s, count in (("SO", (10, 100)), ("HR", (1, 20)), ("H", (30, 100))):
        raw = (5 * count[0] + 3 * count[1]) / wn
        assert prof.loc[0, f"marcel_{s}"] == pytest.approx(raw)
        want = (n_eff * raw + prior[s] * LEAGUE[s]) / (n_eff + prior[s])
        assert prof.loc[0, f"marcel_shrunk_{s}"] == pytest.approx(want)
    # a stat with a weak prior keeps more of its own rate than one with a strong prior
    keep = {s: (prof.loc[0, f"marcel_shrunk_{s}"] - LEAGUE[s]) / (prof.loc[0, f"marcel_{s}"] - LEAGUE[s])
            for s in ("SO", "H")}
    assert keep["SO"] > 0.9 > 0.7 > keep["H"] > 0
    # four PA are nearly all league; no games at all is the league rate exactly
    assert prof.loc[1, "marcel_shrunk_SO"] == pytest.approx((4 * 0.25 + 50 * LEAGUE["SO"]) / 54)
    assert prof.loc[2, "marcel_shrunk_HR"] == pytest.approx(LEAGUE["HR"])
    X = feature_matrix(prof, "batter")
    col = feature_names("batter").index("marcel_shrunk:H")
    np.testing.assert_allclose(X[:, col], prof["marcel_shrunk_H"], rtol=1e-6)


def test_window_detail_is_each_years_shrunk_rate_and_opportunities_per_game():
    """The Marcel window's detail (ProfileConfig.window_detail, an experiment off by default): year k's
    own rates shrunk by the stat's prior, (x + k lg) / (n + k), and log1p of opportunities per game,
    last year's and the 5/4/3-weighted window's; off, the columns are absent and the rest is
    bit-identical."""
    lines = pd.DataFrame([line(1, "2022-05-01", PA=4, SO=2), line(1, "2022-05-02", PA=5, SO=1),
                          line(1, "2021-06-01", PA=3, SO=0)])
    prior = {"SO": 50.0, "BB": 80.0, "HR": 150.0, "H": 200.0, "2B": 300.0, "3B": 900.0}
    kwargs = dict(league=LEAGUE, prior=prior)
    ao = as_of([(1, "2023-04-01")])
    detail = ProfileConfig(window_detail=True)
    on = build_profiles(lines, players_df([1]), ao, "batter", config=detail, **kwargs)
    X = feature_matrix(on, "batter", detail)
    col = {n: i for i, n in enumerate(feature_names("batter", detail))}
    assert X[0, col["marcel_shrunk_y1:SO"]] == pytest.approx((3 + 50 * LEAGUE["SO"]) / (9 + 50), rel=1e-6)
    assert X[0, col["marcel_shrunk_y2:SO"]] == pytest.approx((0 + 50 * LEAGUE["SO"]) / (3 + 50), rel=1e-6)
    assert X[0, col["marcel_shrunk_y3:SO"]] == pytest.approx(LEAGUE["SO"], rel=1e-6)  # an empty year: the league
    assert X[0, col["log_per_game:1"]] == pytest.approx(np.log1p(4.5), rel=1e-6)
    assert X[0, col["log_per_game"]] == pytest.approx(np.log1p((5 * 9 + 4 * 3) / (5 * 2 + 4 * 1)), rel=1e-6)
    X_off = feature_matrix(build_profiles(lines, players_df([1]), ao, "batter", **kwargs), "batter")
    np.testing.assert_array_equal(X_off, X[:, :X_off.shape[1]])


def test_speed_rates_are_the_windows_shrunk_rates_appended_last_and_found_by_width():
    """ProfileConfig.speed_rates (batters; off by default): the Marcel window's infield-hit and
    double-play rates shrunk like its other skill rates, with their samples, after every other column;
    the default layout stays a prefix of every layout, and `layout_config` finds each by its width, or
    refuses a width that two layouts share."""
    for pt in ("batter", "pitcher"):
        base = feature_names(pt)
        layouts = [feature_names(pt, config) for config in layout_configs()]
        for config, names in zip(layout_configs(), layouts):
            assert names[:len(base)] == base and len(set(names)) == len(names)
            if sum(other != names and len(other) == len(names) for other in layouts):
                with pytest.raises(HFMInputError, match="more than one layout"):
                    layout_config(pt, len(names))
            else:
                assert feature_names(pt, layout_config(pt, len(names))) == names
    # a batter's old seasons and putaway rate (7 + 2 columns) are as wide as the late window (9)
    with pytest.raises(HFMInputError, match="more than one layout"):
        layout_config("batter", len(feature_names("batter", ProfileConfig(late_rates=True))))
    assert layout_config("pitcher", len(feature_names("pitcher", ProfileConfig(late_rates=True)))).late_rates
    speed = ProfileConfig(speed_rates=True)
    assert feature_names("pitcher", speed) == feature_names("pitcher")
    assert feature_names("batter", speed)[len(feature_names("batter")):] == [
        "marcel_skill:if_hit_rate", "marcel_skill:gidp_rate", "log_n:if_hit_rate", "log_n:gidp_rate"]
    lines = pd.DataFrame([line(1, "2022-05-01"), line(1, "2021-05-01"), line(2, "2022-05-01")])
    lines.loc[lines.player_id == 1, ["gb_fielded", "if_hit", "dp_chance", "gidp"]] = [10, 3, 4, 2]
    skill_league, skill_prior = {"if_hit_rate": 0.07, "gidp_rate": 0.1}, {"if_hit_rate": 20.0, "gidp_rate": 30.0}
    ao = as_of([(1, "2023-04-01"), (2, "2023-04-01")])
    prof = build_profiles(lines, players_df([1, 2]), ao, "batter", league=LEAGUE, config=speed,
                          skill_league=skill_league, skill_prior=skill_prior)
    X = feature_matrix(prof, "batter", speed)
    col = {n: i for i, n in enumerate(feature_names("batter", speed))}
    # 5 x the 2022 line + 4 x the 2021 one, against 12 x the per-season prior events
    assert X[0, col["marcel_skill:if_hit_rate"]] == pytest.approx((9 * 3 + 12 * 20 * 0.07) / (9 * 10 + 12 * 20), rel=1e-6)
    assert X[0, col["marcel_skill:gidp_rate"]] == pytest.approx((9 * 2 + 12 * 30 * 0.1) / (9 * 4 + 12 * 30), rel=1e-6)
    # no fielded ground ball (a source without hit_location): the league rate and a zero sample
    assert X[1, col["marcel_skill:if_hit_rate"]] == pytest.approx(0.07) and X[1, col["log_n:if_hit_rate"]] == 0
    X_off = feature_matrix(build_profiles(lines, players_df([1, 2]), ao, "batter", league=LEAGUE,
                                          skill_league=skill_league, skill_prior=skill_prior), "batter")
    np.testing.assert_array_equal(X_off, X[:, :X_off.shape[1]])


def test_putaway_rate_is_the_windows_strikeouts_per_two_strike_pa_shrunk_after_the_speed_rates():
    """ProfileConfig.putaway_rate (batters; off by default): the Marcel window's SO over plate
    appearances that reached two strikes, shrunk by its prior like the other skill rates, with its
    sample, right after the speed rates; pitchers' layouts do not change."""
    both = ProfileConfig(speed_rates=True, putaway_rate=True)
    assert feature_names("pitcher", ProfileConfig(putaway_rate=True)) == feature_names("pitcher")
    assert feature_names("batter", both)[len(feature_names("batter", ProfileConfig(speed_rates=True))):] == [
        "marcel_skill:putaway_rate", "log_n:putaway_rate"]
    lines = pd.DataFrame([line(1, "2022-05-01", SO=2), line(1, "2021-05-01", SO=1), line(2, "2022-05-01")])
    lines.loc[lines.player_id == 1, "two_strike"] = [3, 2]
    skill_league, skill_prior = {"putaway_rate": 0.4}, {"putaway_rate": 50.0}
    config = ProfileConfig(putaway_rate=True)
    prof = build_profiles(lines, players_df([1, 2]), as_of([(1, "2023-04-01"), (2, "2023-04-01")]), "batter",
                          league=LEAGUE, config=config, skill_league=skill_league, skill_prior=skill_prior)
    X = feature_matrix(prof, "batter", config)
    col = {n: i for i, n in enumerate(feature_names("batter", config))}
    # (5 x 2 + 4 x 1 strikeouts + 12 x the prior's) / (5 x 3 + 4 x 2 two-strike PAs + 12 x 50)
    assert X[0, col["marcel_skill:putaway_rate"]] == pytest.approx((14 + 12 * 50 * 0.4) / (23 + 12 * 50), rel=1e-6)
    assert X[0, col["log_n:putaway_rate"]] > 0
    # a strikeout without a two-strike count in the window (player 2's line has none): league rate, no sample
    assert X[1, col["marcel_skill:putaway_rate"]] == pytest.approx(
        (5 * 1 + 12 * 50 * 0.4) / (12 * 50), rel=1e-6) and X[1, col["log_n:putaway_rate"]] == 0


def test_wide_platoon_is_the_windows_platoon_share_shrunk_after_the_putaway_rate():
    """ProfileConfig.wide_platoon (batters; off by default): the Marcel window's plate appearances with
    the platoon advantage per plate appearance, 5/4/3-weighted and shrunk by its prior like the other
    skill rates, with its sample, right after the putaway rate, so the wide path reads it; `platoon`
    alone (the ridge's switch) leaves the profile's layout as it is; pitchers' layouts do not change."""
    assert feature_names("pitcher", ProfileConfig(wide_platoon=True)) == feature_names("pitcher")
    assert feature_names("batter", ProfileConfig(platoon=True)) == feature_names("batter")
    both = ProfileConfig(putaway_rate=True, wide_platoon=True)
    tail = ["marcel_skill:platoon_share", "log_n:platoon_share"]
    assert feature_names("batter", both)[len(feature_names("batter", ProfileConfig(putaway_rate=True))):] == tail
    assert wide_feature_names("batter", both)[-2:] == tail
    lines = pd.DataFrame([line(1, "2022-05-01"), line(1, "2021-05-01"), line(2, "2022-05-01")])
    lines["pa_ended"] = [4.0, 5.0, 0.0]
    lines["platoon_pa"] = [3.0, 1.0, 0.0]
    skill_league, skill_prior = {"platoon_share": 0.55}, {"platoon_share": 20.0}
    config = ProfileConfig(wide_platoon=True)
    ao = as_of([(1, "2023-04-01"), (2, "2023-04-01")])
    prof = build_profiles(lines, players_df([1, 2]), ao, "batter", league=LEAGUE, config=config,
                          skill_league=skill_league, skill_prior=skill_prior)
    X = feature_matrix(prof, "batter", config)
    col = {n: i for i, n in enumerate(feature_names("batter", config))}
    # (5 x 3 + 4 x 1 platoon PAs + 12 x the prior's) / (5 x 4 + 4 x 5 PAs + 12 x 20)
    assert X[0, col["marcel_skill:platoon_share"]] == pytest.approx((19 + 12 * 20 * 0.55) / (40 + 12 * 20), rel=1e-6)
    assert X[0, col["log_n:platoon_share"]] > 0
    # no plate appearance ended in the window: the league share (from the prior) and no sample
    assert X[1, col["marcel_skill:platoon_share"]] == pytest.approx(0.55) and X[1, col["log_n:platoon_share"]] == 0
    # ... and without a prior the unmeasured rate is filled with the league share, not left NaN or 0
    raw = feature_matrix(build_profiles(lines, players_df([1, 2]), ao, "batter", league=LEAGUE, config=config,
                                        skill_league=skill_league, skill_prior={}), "batter", config)
    assert raw[0, col["marcel_skill:platoon_share"]] == pytest.approx(19 / 40, rel=1e-6)
    assert raw[1, col["marcel_skill:platoon_share"]] == pytest.approx(0.55)
    X_off = feature_matrix(build_profiles(lines, players_df([1, 2]), ao, "batter", league=LEAGUE,
                                          skill_league=skill_league, skill_prior=skill_prior), "batter")
    np.testing.assert_array_equal(X_off, X[:, :X_off.shape[1]])


def test_old_seasons_are_the_three_years_before_the_window_shrunk_and_only_for_batters():
    """ProfileConfig.old_seasons (batters; off by default): the lines of [as-of - 6 years, as-of - 3
    years), each target stat's rate shrunk by its prior, (x + k lg) / (n + k), and log1p of their
    opportunities, after the batters' rate groups; pitchers' layouts do not change; off, the rest is
    bit-identical."""
    old = ProfileConfig(old_seasons=True)
    assert feature_names("pitcher", old) == feature_names("pitcher")
    tail = [*(f"old_shrunk:{s}" for s in TARGET_STATS["batter"]), "log_old_opp"]
    assert feature_names("batter", old)[len(feature_names("batter")):] == tail
    assert wide_feature_names("batter", old)[-len(tail):] == tail
    both = ProfileConfig(putaway_rate=True, old_seasons=True)
    assert feature_names("batter", both)[len(feature_names("batter", ProfileConfig(putaway_rate=True))):] == tail
    # 2022 and 2021 are the window's; 2019 and 2018 (AAA too) the older seasons; 2016 is too old
    lines = pd.DataFrame([line(1, "2022-05-01", PA=4, SO=2), line(1, "2021-05-01", PA=5, SO=1),
                          line(1, "2019-05-01", PA=6, SO=3), line(1, "2018-05-01", PA=4, SO=0, level="AAA"),
                          line(1, "2016-05-01", PA=9, SO=9)])
    prior = {"SO": 50.0, "BB": 80.0, "HR": 150.0, "H": 200.0, "2B": 300.0, "3B": 900.0}
    kwargs = dict(league=LEAGUE, prior=prior)
    ao = as_of([(1, "2023-04-01")])
    X = feature_matrix(build_profiles(lines, players_df([1]), ao, "batter", config=old, **kwargs), "batter", old)
    col = {n: i for i, n in enumerate(feature_names("batter", old))}
    assert X[0, col["old_shrunk:SO"]] == pytest.approx((3 + 0 + 50 * LEAGUE["SO"]) / (10 + 50), rel=1e-6)
    assert X[0, col["old_shrunk:H"]] == pytest.approx((2 + 200 * LEAGUE["H"]) / (10 + 200), rel=1e-6)
    assert X[0, col["log_old_opp"]] == pytest.approx(np.log1p(10), rel=1e-6)
    X_off = feature_matrix(build_profiles(lines, players_df([1]), ao, "batter", **kwargs), "batter")
    np.testing.assert_array_equal(X_off, X[:, :X_off.shape[1]])
    # nothing before the window: the league rates and no opportunities
    young = feature_matrix(build_profiles(lines, players_df([1]), as_of([(1, "2019-04-01")]), "batter",
                                          config=old, **kwargs), "batter", old)
    assert young[0, col["old_shrunk:SO"]] == pytest.approx(LEAGUE["SO"]) and young[0, col["log_old_opp"]] == 0


def test_late_rates_read_the_mlb_games_of_the_last_late_days_shrunk_and_appended_last():
    """ProfileConfig.late_rates (off by default): the MLB games of the LATE_DAYS days before the as-of
    date (not older ones, not AAA), outcome rates shrunk by the career priors, whiff and swing rates
    shrunk by their skill priors, and log1p of the opportunities, after every other column."""
    late = ProfileConfig(late_rates=True)
    for pt in ("batter", "pitcher"):
        extra = feature_names(pt, late)[len(feature_names(pt)):]
        assert extra == [*(f"late_shrunk:{s}" for s in TARGET_STATS[pt]), "late_skill:whiff_rate",
                         "late_skill:swing_rate", "log_late_opp"]
    asof = pd.Timestamp("2023-04-01")
    inside, outside = asof - pd.Timedelta(days=LATE_DAYS - 1), asof - pd.Timedelta(days=LATE_DAYS + 1)
    lines = pd.DataFrame([line(1, inside, PA=10, SO=4), line(1, outside, PA=10, SO=0),
                          line(1, inside + pd.Timedelta(days=1), level="AAA", PA=10, SO=0), line(2, outside)])
    lines.loc[0, ["pitches", "swing", "whiff"]] = [40, 20, 5]
    skill_league, skill_prior = {"whiff_rate": 0.25, "swing_rate": 0.45}, {"whiff_rate": 50.0, "swing_rate": 100.0}
    kwargs = dict(league=LEAGUE, prior={s: 200.0 for s in LEAGUE}, skill_league=skill_league, skill_prior=skill_prior)
    ao = as_of([(1, str(asof.date())), (2, str(asof.date()))])
    X = feature_matrix(build_profiles(lines, players_df([1, 2]), ao, "batter", config=late, **kwargs), "batter", late)
    col = {n: i for i, n in enumerate(feature_names("batter", late))}
    assert X[0, col["late_shrunk:SO"]] == pytest.approx((4 + 200 * 0.2) / (10 + 200), rel=1e-6)
    assert X[0, col["late_skill:whiff_rate"]] == pytest.approx((5 + 50 * 0.25) / (20 + 50), rel=1e-6)
    assert X[0, col["late_skill:swing_rate"]] == pytest.approx((20 + 100 * 0.45) / (40 + 100), rel=1e-6)
    assert X[0, col["log_late_opp"]] == pytest.approx(np.log1p(10), rel=1e-6)
    # nothing in the window: the league rates and a zero sample
    assert X[1, col["late_shrunk:SO"]] == pytest.approx(0.2) and X[1, col["log_late_opp"]] == 0
    assert X[1, col["late_skill:whiff_rate"]] == pytest.approx(0.25)
    X_off = feature_matrix(build_profiles(lines, players_df([1, 2]), ao, "batter", **kwargs), "batter")
    np.testing.assert_array_equal(X_off, X[:, :X_off.shape[1]])
