"""Real-data machinery: history-only seasons, the season-length correction, typed players, the Lahman
comparison and the real-data report (on the tiny simulated run: the machinery, not the figures)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.errors import HFMInputError
from hfm_runtime.profiles import build_profiles, feature_matrix, feature_names
from hfm_runtime.skills import SKILL_COUNTS
from hfm_runtime.targets import season_scale
from hfm_train.examples import typed_players
from hfm_train.fit import split_seasons
from hfm_train.lahman_check import compare
from hfm_train.real_eval import for_json, format_report, mean_cut_draws, report_run, seasons_average


def test_history_only_seasons_are_never_targets():
    split = split_seasons(list(range(2013, 2022)), 3, (2020,))
    assert split == {"history": [2013, 2014, 2015, 2020], "train": [2016, 2017, 2018], "validation": [2019],
                     "test": [2021]}
    assert split_seasons(list(range(2011, 2020)), 3)["train"] == [2014, 2015, 2016, 2017]
    with pytest.raises(HFMInputError, match="history-only"):
        split_seasons(list(range(2015, 2021)), 3, (2020,))


def test_lahman_check_refuses_a_simulated_league_and_one_of_later_seasons(tiny_league, tmp_path):
    # a walkthrough got "3831 differ" on a simulated league and a traceback on a league of 2023 alone
    import json
    import shutil

    from click.testing import CliRunner

    from hfm_train.lahman_check import lahman_check_command

    register = tmp_path / "register.csv"
    register.write_text("key_retro,key_mlbam\n")
    result = CliRunner().invoke(lahman_check_command, ["--league", str(tiny_league), "--register", str(register)])
    assert isinstance(result.exception, HFMInputError) and "is a simulated league" in str(result.exception)
    later = tmp_path / "later"
    shutil.copytree(tiny_league, later)
    meta = json.loads((later / "league.json").read_text())
    (later / "league.json").write_text(json.dumps({**meta, "source": "statcast", "seasons": [2023]}))
    result = CliRunner().invoke(lahman_check_command, ["--league", str(later), "--register", str(register)])
    assert isinstance(result.exception, HFMInputError), result.output
    assert "holds 2023, none of them in the Lahman database this project reads (through 2021)" in str(result.exception)


def test_season_flags_name_what_the_league_lacks():
    # a walkthrough's --last-season 2021 on a 2010-2019 league tested 2019 without a word
    from hfm_train.fit import RunConfig, _whole_numbers, kept_seasons

    held = list(range(2010, 2020))
    assert kept_seasons(held, RunConfig(first_season=2008, last_season=2019)) == held  # before the league: nothing cut
    assert kept_seasons(held, RunConfig(first_season=2012, history_only=(2015,))) == held[2:]
    for flags, message in [
        ({"last_season": 2021}, r"--last-season 2021: the league holds 2010-2019"),
        ({"last_season": 2005}, r"--last-season 2005: the league holds 2010-2019"),
        ({"first_season": 2019, "last_season": 2015}, r"--first-season 2019 is after --last-season 2015"),
        ({"first_season": 2025}, r"--first-season 2025: the league holds 2010-2019"),
        ({"history_only": (2005,)}, r"--history-only 2005: not among the seasons kept \(2010-2019\)"),
        ({"history_only": (2019,)}, r"--history-only 2019: the last season kept is the test season"),
    ]:
        with pytest.raises(HFMInputError, match=message):
            kept_seasons(held, RunConfig(**flags))
    with pytest.raises(HFMInputError, match=r"the seasons kept are 2016-2019 \(4\): a fit needs 3 history"):
        split_seasons(held[6:], 3)
    with pytest.raises(HFMInputError, match=r"--history-only 'abc': expected whole numbers"):
        _whole_numbers("abc", "--history-only")


def test_a_short_season_counts_as_full_season_equivalents():
    """2020's 60 games: a player's 200 PA read as 540 in the sample-size features, his rates unchanged."""
    assert season_scale([2019, 2020]).tolist() == [1.0, 162 / 60]
    row = dict.fromkeys(SKILL_COUNTS, 0.0)
    lines = pd.DataFrame([
        {"player_id": 1, "game_date": pd.Timestamp("2020-08-01"), "season": 2020, "level": "MLB", "PA": 200,
         "SO": 50, "BB": 20, "HR": 5, "H": 45, "2B": 9, "3B": 1, **row, "pitches": 780.0, "pa_started": 200.0},
        {"player_id": 2, "game_date": pd.Timestamp("2019-08-01"), "season": 2019, "level": "MLB", "PA": 200,
         "SO": 50, "BB": 20, "HR": 5, "H": 45, "2B": 9, "3B": 1, **row, "pitches": 780.0, "pa_started": 200.0},
    ])
    players = pd.DataFrame({"player_id": [1, 2], "birth_date": pd.to_datetime(["1995-01-01"] * 2), "bats": "R"})
    as_of = pd.DataFrame({"player_id": [1, 2], "as_of_date": pd.to_datetime(["2021-04-01", "2020-04-01"])})
    prof = build_profiles(lines, players, as_of, "batter", league={s: 0.1 for s in ("SO", "BB", "HR", "H", "2B", "3B")})
    assert prof["1yr_opp"].tolist() == [200, 200] and prof["1yr_opp_eq"].tolist() == pytest.approx([540, 200])
    assert prof["1yr_SO"].tolist() == pytest.approx([0.25, 0.25])
    X = feature_matrix(prof, "batter")
    col = {n: j for j, n in enumerate(feature_names("batter"))}
    assert X[0, col["log_opp:1yr"]] == pytest.approx(np.log1p(540), rel=1e-6)
    assert X[0, col["log_opp_year:1"]] == pytest.approx(np.log1p(540), rel=1e-6)
    assert X[0, col["log_pitches:1yr"]] == pytest.approx(np.log1p(780 * 2.7), rel=1e-6)
    assert X[1, col["log_opp:1yr"]] == pytest.approx(np.log1p(200), rel=1e-6)


def _short_season_example():
    """Two batters with the same 200 PA, one in the 60-game 2020 (as of 2021), one in 2019 (as of 2020)."""
    row = dict.fromkeys(SKILL_COUNTS, 0.0)
    counts = {"level": "MLB", "PA": 200, "SO": 50, "BB": 20, "HR": 5, "H": 45, "2B": 9, "3B": 1, **row,
              "pitches": 780.0, "pa_started": 200.0}
    lines = pd.DataFrame([
        {"player_id": 1, "game_date": pd.Timestamp("2020-08-01"), "season": 2020, **counts},
        {"player_id": 2, "game_date": pd.Timestamp("2019-08-01"), "season": 2019, **counts},
    ])
    players = pd.DataFrame({"player_id": [1, 2], "birth_date": pd.to_datetime(["1995-01-01"] * 2), "bats": "R"})
    as_of = pd.DataFrame({"player_id": [1, 2], "as_of_date": pd.to_datetime(["2021-04-01", "2020-04-01"])})
    return lines, players, as_of, {s: 0.1 for s in ("SO", "BB", "HR", "H", "2B", "3B")}


def test_the_season_length_switch_off_counts_2020_as_it_was_played():
    """ProfileConfig.season_length_correction: off, 2020's 200 PA read as 200 in every sample-size
    feature; the default is on and builds exactly what the profile built before the switch existed."""
    from hfm_runtime.profiles import ProfileConfig

    lines, players, as_of, league = _short_season_example()
    assert ProfileConfig().season_length_correction is True
    default = build_profiles(lines, players, as_of, "batter", league=league)
    on = build_profiles(lines, players, as_of, "batter", league=league,
                        config=ProfileConfig(season_length_correction=True))
    off = build_profiles(lines, players, as_of, "batter", league=league,
                         config=ProfileConfig(season_length_correction=False))
    pd.testing.assert_frame_equal(default, on)
    assert off["1yr_opp_eq"].tolist() == [200, 200] and on["1yr_opp_eq"].tolist() == pytest.approx([540, 200])
    X_on, X_off = feature_matrix(on, "batter"), feature_matrix(off, "batter")
    col = {n: j for j, n in enumerate(feature_names("batter"))}
    for name in ("log_opp:1yr", "log_opp:3yr", "log_opp:career", "log_opp_year:1"):
        assert X_off[0, col[name]] == pytest.approx(np.log1p(200), rel=1e-6)
        assert X_on[0, col[name]] == pytest.approx(np.log1p(540), rel=1e-6)
    assert X_off[0, col["log_pitches:1yr"]] == pytest.approx(np.log1p(780), rel=1e-6)
    changed = sorted(n for n, j in col.items() if X_on[0, j] != X_off[0, j])
    assert changed and all(n.startswith(("log_opp:", "log_opp_year:", "log_pitches:", "log_n:")) for n in changed)
    np.testing.assert_array_equal(X_on[1], X_off[1])  # 2019 was a full season: nothing to correct


def test_an_identity_saved_without_the_season_length_switch_loads_as_on(tiny_run, tmp_path):
    """Runs and bundles written before the switch existed were fitted with the correction on, and read
    back so (a file without the key, below); a saved switch is read as it was saved. The packaged
    retrosheet bundle, re-exported on 2026-12-04 (with the late window), records it: on."""
    import json
    import shutil

    from hfm_runtime.bundle import packaged_bundle
    from hfm_runtime.identity import IDENTITY_DIR, IdentityModel

    packaged = packaged_bundle("retrosheet") / IDENTITY_DIR
    for pt in ("batter", "pitcher"):
        assert json.loads((packaged / f"identity_{pt}.json").read_text())["config"]["season_length_correction"] is True
        assert IdentityModel.load(packaged, pt).config.season_length_correction is True
    folder = tmp_path / "identity"
    shutil.copytree(tiny_run / IDENTITY_DIR, folder)
    path = folder / "identity_batter.json"
    meta = json.loads(path.read_text())
    assert meta["config"]["season_length_correction"] is True  # a run fitted now records it
    for saved, read in ((None, True), (False, False), (True, True)):
        if saved is None:
            meta["config"].pop("season_length_correction")
        else:
            meta["config"]["season_length_correction"] = saved
        path.write_text(json.dumps(meta))
        assert IdentityModel.load(folder, "batter").config.season_length_correction is read
    meta["config"]["season_length_correction"] = "off"
    path.write_text(json.dumps(meta))
    with pytest.raises(HFMInputError, match="season_length_correction"):
        IdentityModel.load(folder, "batter")


def test_set_profile_switch_reaches_the_fitted_identity(tiny_run, tiny_league, tmp_path, monkeypatch):
    """`hfm-train fit --set profile.season_length_correction=false` fits and saves the identity with the
    switch off (the run's config.json records RunConfig.profile), and that identity builds features
    with 2020 (a season of the tiny league) counted as played."""
    from click.testing import CliRunner

    import hfm_train.fit as fit
    from hfm_runtime.identity import IDENTITY_DIR, IdentityModel, build_identity, player_lines
    from hfm_runtime.league import load_league
    from hfm_runtime.profiles import ProfileConfig

    config = fit.apply_override(fit.RunConfig(), "profile.season_length_correction=false")
    assert config.to_json()["profile"]["season_length_correction"] is False
    for bad in ("profile.season_length_correction=off", "profile.season_length_correction=0"):
        with pytest.raises(HFMInputError, match="switch"):
            fit.apply_override(fit.RunConfig(), bad)

    class Stop(Exception):
        pass

    real = fit.fit_identity

    def fit_then_stop(*args, **kwargs):  # the identity is all this test needs of the fit
        real(*args, **kwargs)
        raise Stop

    monkeypatch.setattr(fit, "fit_identity", fit_then_stop)
    result = CliRunner().invoke(fit.fit_command, [
        "--league", str(tiny_league), "--runs-dir", str(tmp_path), "--name", "off", "--tiny", "--no-progress",
        "--level1-from", str(tiny_run), "--set", "profile.season_length_correction=false", "--device", "cpu"])
    assert isinstance(result.exception, Stop), result.output
    model = IdentityModel.load(tmp_path / ".off.work" / IDENTITY_DIR, "batter")
    assert model.config.season_length_correction is False
    lines = player_lines(load_league(tiny_league), "batter")
    ids = lines.loc[lines["season"] == 2020, "player_id"].unique()[:20]
    as_of = pd.DataFrame({"player_id": ids, "as_of_date": pd.Timestamp("2021-01-01")})
    players = load_league(tiny_league).players
    off = build_identity(lines, players, as_of, "batter", model).features
    model.config = ProfileConfig(season_length_correction=True)
    on = build_identity(lines, players, as_of, "batter", model).features
    col = feature_names("batter").index("log_opp:1yr")
    assert (on[:, col] > off[:, col]).all()  # the 2020 PA x 2.7 with the correction, as played without


def test_typed_players_keep_pitchers_out_of_the_batters():
    players = pd.DataFrame({"player_id": [1, 2, 3], "player_type": ["batter", "pitcher", "two_way"]})
    assert typed_players(players, "batter").tolist() == [1, 3]
    assert typed_players(players, "pitcher").tolist() == [2, 3]


def test_untyped_examples_ablation_lets_pitchers_batting_in(tiny_run, tiny_league):
    import json

    from hfm_runtime.identity import IDENTITY_DIR, IdentityModel, player_lines
    from hfm_runtime.league import load_league
    from hfm_train.examples import ExampleConfig, build_examples
    from hfm_train.pa_cache import load_pa_cache

    league = load_league(tiny_league)
    season = int(json.loads((tiny_run / "config.json").read_text())["seasons"]["test"][0])
    identity = IdentityModel.load(tiny_run / IDENTITY_DIR, "batter")
    games, lines = load_pa_cache(tiny_run / "pa_cache.npz"), player_lines(league, "batter")
    players = league.players.copy()
    batters = players.loc[players["player_type"] == "batter", "player_id"].to_numpy()
    players.loc[players["player_id"].isin(batters[:5]), "player_type"] = "pitcher"  # five batters typed away

    def ids(typed):
        ex = build_examples("batter", [season], lines, players, identity, games,
                            ExampleConfig(min_opportunities=5, typed_players=typed), kinds=("start",))
        return set(ex.table["player_id"].tolist())

    typed, every = ids(True), ids(False)
    assert typed < every and (every - typed) <= set(batters[:5].tolist())


def test_lahman_comparison_counts_a_one_sided_player_season_as_a_mismatch():
    idx = pd.MultiIndex.from_tuples([(1, 2019), (2, 2019)], names=["player_id", "season"])
    ours = {"batter": pd.DataFrame({"PA": [10, 5], "SO": [2, 1]}, index=idx),
            "pitcher": pd.DataFrame({"BF": [3], "SO": [1]}, index=idx[:1])}
    lahman = {"batter": pd.DataFrame({"PA": [10], "SO": [3]}, index=idx[:1]),
              "pitcher": pd.DataFrame({"BF": [3], "SO": [1]}, index=idx[:1])}
    report = compare(ours, lahman)
    assert report["batter"]["equal"] == {"PA": 0.5, "SO": 0.0} and report["batter"]["all_equal"] == 0.0
    assert report["pitcher"]["all_equal"] == 1.0 and report["batter"]["n"] == 2


def test_real_report_and_calibration_refuse_what_they_cannot_judge(tiny_run, tiny_league, tmp_path):
    # a walkthrough got a simulated run reported as a real season, a season counted twice, NaNs on the wrong
    # league, and no way past a moved league folder
    import json
    import shutil

    from click.testing import CliRunner

    from hfm_train.calibration import calibrate_run
    from hfm_train.real_eval import real_report_command

    runner = CliRunner()
    result = runner.invoke(real_report_command, [str(tiny_run)])
    assert result.exit_code == 2 and "trained on a simulated league" in result.output, result.output
    league = tmp_path / "league"  # the tiny league passed off as an imported one, then moved
    shutil.copytree(tiny_league, league)
    meta = json.loads((league / "league.json").read_text())
    (league / "league.json").write_text(json.dumps({**meta, "source": "statcast"}))
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "league": str(league), "training_data": {
        **config["training_data"], "source": "statcast"}}))  # and the run trained on it
    result = runner.invoke(real_report_command, [str(run), str(run)])
    assert result.exit_code == 2 and f"both test {config['seasons']['test'][0]}" in result.output, result.output
    moved = tmp_path / "moved"
    league.rename(moved)
    for call in (lambda: report_run(run, samples=20, min_opportunities=20), lambda: calibrate_run(run)):
        with pytest.raises(HFMInputError, match=r"no league folder there .*give --league with where it is now"):
            call()
    result = runner.invoke(real_report_command, [str(run), "--league", str(moved)])  # the tiny league's short seasons
    assert result.exit_code == 2 and "with at least 100 PA" in result.output and "too few" in result.output
    assert report_run(run, samples=20, min_opportunities=20, league=moved)["types"]
    assert calibrate_run(run, moved)["types"]
    # another league than the run's (more seasons in its window, or another source): refused, not reported
    wider = tmp_path / "wider"
    shutil.copytree(moved, wider)
    meta = json.loads((wider / "league.json").read_text())
    (wider / "league.json").write_text(json.dumps({**meta, "seasons": [min(meta["seasons"]) - 1, *meta["seasons"]]}))
    for call in (lambda: report_run(run, samples=20, min_opportunities=20, league=wider),
                 lambda: calibrate_run(run, wider)):
        with pytest.raises(HFMInputError, match=r"wider: statcast, seasons .* \(5\) in the run's window, where .* was "
                                                r"trained on statcast, seasons .* \(4\): give the league it was trained on"):
            call()
    other = tmp_path / "other"  # a league without the run's test season: another league, said so
    shutil.copytree(moved, other)
    test = config["seasons"]["test"][0]
    meta = json.loads((other / "league.json").read_text())
    (other / "league.json").write_text(json.dumps({**meta, "seasons": [y for y in meta["seasons"] if y != test],
                                                   "level_seasons": {lv: [y for y in v if y != test] for lv, v in
                                                                     meta.get("level_seasons", {}).items()}}))
    with pytest.raises(HFMInputError, match=r"seasons .* \(3\) in the run's window, .* give the league it was"):
        calibrate_run(run, other)


def test_real_report_on_a_finished_run(tiny_run):
    report = report_run(tiny_run, samples=50, min_opportunities=20)
    for pt, t in report["types"].items():
        assert t["players"] > 5
        assert {"blend", "marcel", "sequence_ridge", "stat_ridge", "league_mean", "pitch context off",
                "skill rates off"} <= set(t["rmse"])
        assert t["mean_cut_vs_marcel"]["marcel"] == 0.0
        assert "blend - sequence_ridge" in t["intervals"] and "pitch context off - blend" in t["intervals"]
        assert np.isfinite(t["correlation"]["blend"]) and np.isfinite(t["correlation"]["marcel"])
    for t in report["types"].values():  # the mean cut's interval holds its point value
        for name, (lo, _, hi) in t["mean_cut_interval"].items():
            point = t["mean_cut_vs_marcel"]["blend"] - t["mean_cut_vs_marcel"]["sequence_ridge"] if " - " in name \
                else t["mean_cut_vs_marcel"][name]
            assert lo <= point + 1e-9 and point - 1e-9 <= hi
    text = format_report([report])
    assert "Pearson r" in text and "sequence_ridge" in text and "The mean cut, 90%" in text
    assert "over the test seasons" not in text  # one season: no average
    import json
    assert "mean_cut_draws" not in json.dumps(for_json([report]))
    two = format_report([report, report])
    assert two.startswith("### batters, the mean cut over the test seasons")
    average = seasons_average([report, report])
    for pt, t in report["types"].items():  # two copies of one season average to it, draw for draw
        assert average[pt]["mean_cut"]["blend"] == pytest.approx(t["mean_cut_vs_marcel"]["blend"])
        assert average[pt]["interval"]["blend"] == pytest.approx(t["mean_cut_interval"]["blend"])


def test_reports_of_a_run_on_retrosheet_data_carry_its_notice(tiny_run, tmp_path):
    """Every work derived from Retrosheet's files carries its notice: the real-data report, the
    calibration report and the evaluation's HTML page, read from the run's training data (a walkthrough
    found none of the three carried it)."""
    import json
    import shutil

    from hfm_train.calibration import calibrate_run
    from hfm_train.calibration import format_report as calibration_report
    from hfm_train.retrosheet import NOTICE
    from hfm_train.run_report import run_report

    simulated = report_run(tiny_run, samples=20, min_opportunities=20)
    assert simulated["notice"] is None and "retrosheet.org" not in format_report([simulated])
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    config = json.loads((run / "config.json").read_text())
    config["training_data"] = {**config["training_data"], "notice": NOTICE}
    (run / "config.json").write_text(json.dumps(config))
    real = report_run(run, samples=20, min_opportunities=20, league=config["league"])
    assert real["notice"] == NOTICE and format_report([real, real]).startswith(f"> {NOTICE}\n\n###")
    calibration = calibrate_run(run)
    assert calibration_report(calibration).startswith(f"> {NOTICE}\n") and "retrosheet.org" not in \
        calibration_report(calibrate_run(tiny_run))
    card = json.loads((run / "model_card.json").read_text())
    assert "www.retrosheet.org" in run_report(card, None, "t", NOTICE) and "retrosheet.org" not in run_report(card, None, "t")


def test_studies_and_real_benchmarks_print_the_notice_of_their_data(tiny_run, tmp_path, capsys, monkeypatch):
    """The studies under benchmarks/studies and `make bench-real`'s summary are works derived from the
    leagues and runs they read: they print Retrosheet's notice first (they did not before 2026-12-07)."""
    import json
    import shutil
    from pathlib import Path

    from hfm_train.league_stream import data_notice
    from hfm_train.retrosheet import NOTICE

    league = tmp_path / "league"
    league.mkdir()
    (league / "league.json").write_text(json.dumps({"schema_version": 1, "source": "retrosheet", "seasons": [2019],
                                                    "levels": ["MLB"], "retrosheet": {"notice": NOTICE}}))
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run, ignore=shutil.ignore_patterns("*.pt", "*.npz", "*.onnx"))
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "training_data": {**config["training_data"], "notice": NOTICE}}))
    assert data_notice(league) == NOTICE and data_notice(run) == NOTICE and data_notice(tiny_run) is None
    root = Path(__file__).resolve().parent.parent / "benchmarks"
    for folder in (root, root / "studies"):
        monkeypatch.syspath_prepend(str(folder))
    from benchlib.summary import render
    from real_ridge_study import print_notice

    print_notice(tiny_run)
    assert capsys.readouterr().out == ""
    print_notice(league, run, tiny_run, None)  # one notice, however many of the paths carry it
    assert capsys.readouterr().out == f"> {NOTICE}\n\n"
    summary = render({"benchmarks": [], "hfm_setup": {"notice": NOTICE, "bundle": "b"}})
    assert summary.startswith(f"> {NOTICE}\n\n# Benchmark summary") and "- bundle: b" in summary
    assert "- notice" not in summary and "retrosheet.org" not in render({"benchmarks": [], "hfm_setup": {}})


def test_mean_cut_draws_resample_players_for_every_method_alike():
    rng = np.random.default_rng(1)
    truth = rng.uniform(0.1, 0.3, (200, 3))
    weight = rng.uniform(100, 600, 200)
    marcel = truth + rng.normal(0, 0.03, truth.shape)
    draws = mean_cut_draws({"marcel": marcel, "blend": truth, "sequence_ridge": marcel}, truth, weight, 100)
    assert np.all(draws["blend"] == 1.0)  # no error: the whole of Marcel's cut on every resample
    assert np.all(draws["sequence_ridge"] == 0.0) and np.all(draws["blend - sequence_ridge"] == 1.0)
    half = {"marcel": marcel, "blend": (marcel + truth) / 2, "sequence_ridge": marcel}
    assert np.allclose(mean_cut_draws(half, truth, weight, 50)["blend"], 0.5)  # half of every error
    noisy = {"marcel": marcel, "blend": truth + rng.normal(0, 0.03, truth.shape), "sequence_ridge": marcel}
    spread = mean_cut_draws(noisy, truth, weight, 200)["blend"]
    assert spread.std() > 0.005 and abs(spread.mean()) < 0.05  # as good as Marcel, up to the resample


def test_real_report_sets_a_retrained_ablation_beside_the_run(tiny_run, tmp_path):
    import json
    import shutil

    import click

    other = tmp_path / "other"
    shutil.copytree(tiny_run, other)
    preds = pd.read_csv(other / "test_predictions.csv")
    away = np.where(preds["blend"] >= preds["actual"], 1.0, -1.0)
    preds["blend"] = preds["blend"] + 0.05 * away  # further from what happened, for every player and stat
    preds.to_csv(other / "test_predictions.csv", index=False)
    report = report_run(tiny_run, samples=50, min_opportunities=20, ablation_runs={"shifted": other})
    for t in report["types"].values():
        lo, _, hi = np.array(t["intervals"]["shifted (retrained) - blend"]).T
        assert (lo > 0).all() and (hi > 0).all()  # worse everywhere, and the interval says so
        assert t["rmse"]["shifted (retrained)"] != t["rmse"]["blend"]
    config = json.loads((other / "config.json").read_text())
    config["seasons"]["test"] = [1900]
    (other / "config.json").write_text(json.dumps(config))
    with pytest.raises(click.UsageError, match="test season 1900"):
        report_run(tiny_run, samples=50, min_opportunities=20, ablation_runs={"shifted": other})


def test_fit_on_a_real_league_takes_the_real_data_settings(tiny_league, tmp_path, monkeypatch):
    """`hfm-train fit` on an imported league trains on the windows' own outcomes with the late window and
    the batters' speed rates on and the wide path alone (fit.REAL_DATA_SETTINGS); an option or a --set still overrides them, a
    simulated league keeps the defaults, and a fit that would train nothing is refused."""
    import json

    from click.testing import CliRunner

    import hfm_train.fit as fit

    seen = []
    monkeypatch.setattr(fit, "fit_run", lambda config, *args, **kwargs: seen.append(config))
    meta = json.loads((tiny_league / "league.json").read_text())
    real = {}
    for source in ("retrosheet", "statcast"):
        real[source] = tmp_path / source
        real[source].mkdir()
        (real[source] / "league.json").write_text(json.dumps({**meta, "source": source}))
    for league, extra in ((real["retrosheet"], []), (real["statcast"], []),
                          (real["retrosheet"], ["--set", "profile.late_rates=false", "--epochs", "5"]),
                          (tiny_league, [])):
        result = CliRunner().invoke(fit.fit_command, ["--league", str(league), "--tiny", "--device", "cpu", *extra])
        assert result.exit_code == 0, result.output
    (retrosheet, statcast, overridden, simulated) = seen
    settings = lambda c: (c.denoise.enabled, c.profile.late_rates, c.finetune.epochs,  # noqa: E731
                          c.finetune.pitcher_wide_kinds, c.profile.speed_rates)
    every_kind = ("start", "in_season")
    assert settings(retrosheet) == settings(statcast) == (False, True, 0, every_kind, True)
    assert settings(overridden) == (False, False, 5, every_kind, True)
    assert settings(simulated) == (True, False, fit.RunConfig.tiny().finetune.epochs, None, False)
    assert simulated.finetune.epochs > 0
    refused = CliRunner().invoke(fit.fit_command, ["--league", str(real["retrosheet"]), "--tiny", "--no-wide"])
    assert refused.exit_code != 0 and "nothing would train" in refused.output and len(seen) == 4
    # the batters' older seasons need 6 history seasons besides train, validation and test: a league of
    # fewer leaves them out (a walkthrough's 6 seasons: near-constant in training, far out at scoring)
    # unless --set asks for them
    assert len(meta["seasons"]) < 9 and not retrosheet.profile.old_seasons
    assert "profile.old_seasons off" in CliRunner().invoke(fit.fit_command, ["--league", str(real["retrosheet"]),
                                                                             "--tiny"]).output
    kept = CliRunner().invoke(fit.fit_command, ["--league", str(real["retrosheet"]), "--tiny",
                                                "--set", "profile.old_seasons=true"])
    assert kept.exit_code == 0 and seen[-1].profile.old_seasons
    many = {**meta, "source": "retrosheet", "seasons": list(range(2000, 2010))}
    (real["retrosheet"] / "league.json").write_text(json.dumps(many))
    assert CliRunner().invoke(fit.fit_command, ["--league", str(real["retrosheet"]), "--tiny"]).exit_code == 0
    assert seen[-1].profile.old_seasons  # 10 seasons: on, as REAL_DATA_SETTINGS says
