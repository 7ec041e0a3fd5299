"""The blend's opening-day mix with the sequence ridge (hfm_train.mix, hfm_runtime.ridge): chosen
without the test season, evaluated, exported, and scored by the runtime as the fit computed it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hfm_runtime.bundle import load_bundle, write_manifest
from hfm_runtime.errors import BundleError, HFMInputError
from hfm_runtime.identity import player_lines
from hfm_runtime.league import load_league
from hfm_runtime.ridge import RidgeModel
from hfm_runtime.scoring import History, Scorer, plausible_range
from hfm_runtime.seasons import season_age
from hfm_runtime.skills import POSITION_GAMES
from hfm_runtime.store import PlayerStore
from hfm_runtime.targets import TARGET_STATS
from hfm_train.baselines import AggregateRidge, RidgeConfig, season_sums
from hfm_train.mix import MIX_GRID

pytestmark = pytest.mark.slow  # a tiny fit of its own


@pytest.fixture(scope="module")
def mix_run(tiny_league: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hfm_train.fit import RunConfig, apply_override, fit_run

    config = apply_override(RunConfig.tiny(name="mix", league=str(tiny_league)), 'mix.player_types=["batter"]')
    return fit_run(config, tmp_path_factory.mktemp("mix_runs"), progress=False, log=lambda *args: None)


@pytest.fixture(scope="module")
def mix_bundle(mix_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hfm_export.export import export_run

    out = tmp_path_factory.mktemp("mix_bundle") / "bundle"
    export_run(mix_run, out)
    return out


def _ages(league, ids: np.ndarray, season: int) -> np.ndarray:
    births = league.players.drop_duplicates("player_id").set_index("player_id")["birth_date"].reindex(ids)
    return np.array([season_age(b, season) if pd.notna(b) else np.nan for b in births], dtype=np.float64)


def test_the_runtime_ridge_projects_what_the_fitted_one_does(tiny_league: Path):
    league = load_league(tiny_league)
    last = max(league.seasons)
    for pt, config in (("batter", RidgeConfig(old_seasons=True, speed_rates=True)), ("pitcher", RidgeConfig())):
        lines = player_lines(league, pt)
        sums = season_sums(lines[lines["season"] < last], pt)
        fitted = AggregateRidge(pt, config).fit(sums, league.players, sorted(sums["season"].unique()))
        ids = np.array(sorted(lines.loc[lines["season"] == last - 1, "player_id"].unique())[:40] + [10**9])  # + nobody
        want = fitted.predict(sums, league.players, ids, last)
        model = RidgeModel.from_json(json.loads(json.dumps(fitted.to_model().to_json())))
        got = model.predict_lines(lines, ids, last, _ages(league, ids, last))
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
        assert np.isfinite(got).all()


def test_the_ridge_reads_position_shares_and_an_unknown_window_as_the_league(tiny_league: Path):
    """RidgeConfig.positions: a batter's share of his window's games at each position; a window with
    no position on its rows (a file without them) gets the training rows' mean shares, never zeros;
    the runtime's ridge (through its JSON) projects what the fitted one does."""
    league = load_league(tiny_league)
    last = max(league.seasons)
    pitches = league.pitches.copy()
    where = np.array([2.0, 3.0, 6.0, 8.0, 9.0, 10.0])  # C, 1B, SS, CF, RF, DH
    pitches["batter_position"] = where[pitches["batter"].to_numpy() % len(where)]
    lines = player_lines(pitches, "batter")
    ids = np.array(sorted(lines.loc[lines["season"] == last - 1, "player_id"].unique())[:40])
    unknown = ids[0]
    lines.loc[lines["player_id"] == unknown, list(POSITION_GAMES)] = 0.0
    sums = season_sums(lines[lines["season"] < last], "batter")
    fitted = AggregateRidge("batter", RidgeConfig(positions=True)).fit(sums, league.players,
                                                                       sorted(sums["season"].unique()))
    X = fitted._features(sums, league.players, pd.DataFrame({"player_id": ids, "season": last}))
    shares = X[list(POSITION_GAMES)]
    for i, pid in enumerate(ids):
        if pid == unknown:
            assert shares.iloc[i].to_dict() == pytest.approx(fitted.position_league_)
        else:
            column = {2: "pos_c", 3: "pos_1b", 6: "pos_ss", 8: "pos_cf", 9: "pos_corner", 10: "pos_dh"}[int(where[pid % 6])]
            assert shares.iloc[i][column] == 1.0 and shares.iloc[i].sum() == 1.0
    assert sum(fitted.position_league_.values()) == pytest.approx(1.0) and fitted.position_league_["pos_2b"] == 0.0
    model = RidgeModel.from_json(json.loads(json.dumps(fitted.to_model().to_json())))
    got = model.predict_lines(lines, ids, last, _ages(league, ids, last))
    np.testing.assert_allclose(got, fitted.predict(sums, league.players, ids, last), rtol=0, atol=1e-12)
    without = AggregateRidge("batter", RidgeConfig()).fit(sums, league.players, sorted(sums["season"].unique()))
    assert not np.allclose(got, without.predict(sums, league.players, ids, last))  # the shares are read
    with pytest.raises(HFMInputError, match="lack the position games"):
        model.predict_lines(lines.drop(columns="pos_dh"), ids, last, _ages(league, ids, last))


def test_the_fit_chooses_lam_on_the_grid_and_evaluates_the_mix(mix_run: Path):
    blend = json.loads((mix_run / "blend.json").read_text())
    stats = list(TARGET_STATS["batter"])
    assert set(blend["mix"]) == {"batter"} and list(blend["mix"]["batter"]) == stats
    lam = np.array([blend["mix"]["batter"][s] for s in stats])
    assert np.isin(lam, MIX_GRID).all()
    # the choice: the grid point of least out-of-fold error, per stat
    rmse = blend["mix_fit"]["batter"]["rmse"]
    for j, s in enumerate(stats):
        best = min(rmse, key=lambda g: rmse[g][s])
        assert rmse[best][s] == rmse[f"{lam[j]:.1f}"][s]
    assert max(blend["mix_fit"]["batter"]["seasons"]) < json.loads((mix_run / "config.json").read_text())[
        "seasons"]["test"][0]
    assert (mix_run / "ridge_batter.json").is_file() and not (mix_run / "ridge_pitcher.json").exists()
    preds = pd.read_csv(mix_run / "test_predictions.csv")
    b = preds[preds["player_type"] == "batter"]
    lam_row = b["stat"].map(dict(zip(stats, lam))).to_numpy()
    np.testing.assert_allclose(b["blend"], (1 - lam_row) * b["blend:no_ridge_mix"] + lam_row * b["statcast_ridge"],
                               rtol=0, atol=1e-12)
    p = preds[preds["player_type"] == "pitcher"]
    assert "blend:no_ridge_mix" not in p.dropna(axis=1, how="all").columns  # the pitchers' blend alone
    card = json.loads((mix_run / "model_card.json").read_text())["evaluation"]
    assert "blend:no_ridge_mix - blend" in card["batter"]["intervals"] and "mix" not in card["pitcher"]


def test_the_scorer_mixes_opening_day_projections_only(mix_bundle: Path, tiny_league: Path):
    scorer = Scorer(mix_bundle)
    bundle = scorer.bundle
    league = load_league(tiny_league)
    history = History.from_league(league)
    season = max(league.seasons) + 1
    table = scorer.score(history, season)
    rows = table[(table["player_type"] == "batter") & (table["flag"] == "model")].reset_index(drop=True)
    assert len(rows) > 10
    stats = list(TARGET_STATS["batter"])
    lam = bundle.mix_weights("batter")
    assert (lam > 0).any()  # else this test would compare the blend with itself
    w = np.array([bundle.blend_weights("batter")[s] for s in stats])
    low, high = plausible_range(bundle, "batter")

    def mixed_rates(rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """(the blended rates, the mixed ones) the bundle's rule gives these rows."""
        marcel = rows[[f"marcel_{s}" for s in stats]].to_numpy()
        own = np.clip(rows[[f"model_{s}" for s in stats]].to_numpy(), low, high)  # an absolute-mode bundle
        blended = np.clip(marcel + w * (own - marcel), low, high)
        ids = rows["player_id"].to_numpy(np.int64)
        ridge = bundle.ridges["batter"].predict_lines(history.game_lines("batter"), ids, season, rows["age"].to_numpy())
        return blended, np.clip(np.where(lam > 0, (1 - lam) * blended + lam * ridge, blended), low, high)

    blended, want = mixed_rates(rows)
    np.testing.assert_allclose(rows[[f"rate_{s}" for s in stats]].to_numpy(), want, rtol=0, atol=1e-9)
    assert (np.abs(want - blended).max(axis=0)[lam > 0] > 0).all()  # the mix moved every stat it weighs
    # a later date before any game of the season (the history holds none): still mixed
    march = scorer.score(history, season, as_of=pd.Timestamp(season, 3, 1))
    m = march[(march["player_type"] == "batter") & (march["flag"] == "model")].reset_index(drop=True)
    np.testing.assert_allclose(m[[f"rate_{s}" for s in stats]].to_numpy(), mixed_rates(m)[1], rtol=0, atol=1e-9)
    # pitchers: no mix in the bundle
    assert bundle.mix_weights("pitcher") is None and "pitcher" not in bundle.ridges
    # in season (after the season's first game): the blend alone
    p = league.pitches
    last = season - 1
    opening = pd.Timestamp(p.loc[p["game_date"].dt.year == last, "game_date"].min())
    inseason = scorer.score(history, last, as_of=opening + pd.Timedelta(days=30))
    r = inseason[(inseason["player_type"] == "batter") & (inseason["flag"] == "model")]
    m, own = r[[f"marcel_{s}" for s in stats]].to_numpy(), np.clip(r[[f"model_{s}" for s in stats]].to_numpy(), low, high)
    np.testing.assert_allclose(r[[f"rate_{s}" for s in stats]].to_numpy(), np.clip(m + w * (own - m), low, high),
                               rtol=0, atol=1e-9)


def test_a_store_mixes_as_a_history_does(mix_bundle: Path, tiny_league: Path):
    scorer = Scorer(mix_bundle)
    league = load_league(tiny_league)
    season = max(league.seasons) + 1
    want = scorer.score(History.from_league(league), season)
    got = scorer.score(PlayerStore.build(scorer, league.pitches, league.players), season)
    cols = [f"rate_{s}" for s in TARGET_STATS["batter"]]
    a = want[want["player_type"] == "batter"].set_index("player_id")[cols].sort_index()
    b = got[got["player_type"] == "batter"].set_index("player_id")[cols].sort_index()
    np.testing.assert_allclose(b.to_numpy(), a.to_numpy(), rtol=0, atol=1e-9)


def test_a_bundle_refuses_a_bad_mix(mix_bundle: Path, tmp_path: Path):
    copy = Path(shutil.copytree(mix_bundle, tmp_path / "bundle"))
    manifest = json.loads((copy / "manifest.json").read_text())
    fields = {k: v for k, v in manifest.items() if k not in ("format", "schema_version", "files")}
    blend = json.loads((copy / "blend.json").read_text())
    blend["mix"]["batter"]["SO"] = 1.5
    (copy / "blend.json").write_text(json.dumps(blend))
    write_manifest(copy, fields)
    with pytest.raises(BundleError, match=r"blend\.json: field 'mix\.batter' must give every target stat a lam"):
        load_bundle(copy)
    blend["mix"]["batter"]["SO"] = 0.5
    (copy / "blend.json").write_text(json.dumps(blend))
    ridge = json.loads((copy / "ridge_batter.json").read_text())
    ridge["coef"] = ridge["coef"][:-1]  # a stat short
    (copy / "ridge_batter.json").write_text(json.dumps(ridge))
    write_manifest(copy, fields)
    with pytest.raises(BundleError, match=r"ridge_batter\.json: shapes do not match"):
        load_bundle(copy)


def test_an_unknown_player_type_in_the_mix_is_refused():
    from hfm_runtime.errors import HFMInputError
    from hfm_train.fit import RunConfig, apply_override

    with pytest.raises(HFMInputError, match=r"mix\.player_types: unknown player type\(s\) batters"):
        apply_override(RunConfig(), 'mix.player_types=["batters"]')


def test_hfm_score_says_which_projections_are_mixed(mix_bundle: Path, tiny_bundle: Path, tiny_league: Path, capsys):
    from hfm_runtime.cli import main, mix_line

    line = mix_line(load_bundle(mix_bundle))
    lam = json.loads((mix_bundle / "blend.json").read_text())["mix"]["batter"]
    assert line.startswith("opening-day projections of batters (lam SO ") and line.endswith("\n")
    assert f"3B {lam['3B']:.1f})" in line and "pitchers" not in line and "includes it" in line
    assert mix_line(load_bundle(tiny_bundle)) == ""
    # the printed table's second line says whether its rows hold the mix: at opening day yes, in season no
    season = max(load_league(tiny_league).seasons)
    for as_of, says in ((f"{season}-01-15", "includes it"), (f"{season}-08-01", "no row of this table holds it")):
        main(["--bundle", str(mix_bundle), "--league", str(tiny_league), "--season", str(season), "--as-of", as_of])
        assert says in capsys.readouterr().out.splitlines()[1], as_of
    # what the brackets hold, per --show; with csv the line goes to stderr and stdout stays the table
    opening = f"{season}-01-15"
    for show, says in (("ranges", "the rates and their intervals include it"),
                       ("totals", "the totals and their intervals include it")):
        main(["--bundle", str(mix_bundle), "--league", str(tiny_league), "--season", str(season), "--as-of", opening,
              "--show", show])
        assert says in capsys.readouterr().out.splitlines()[1], show
    main(["--bundle", str(mix_bundle), "--league", str(tiny_league), "--season", str(season), "--as-of", opening,
          "--format", "csv"])
    out = capsys.readouterr()
    assert out.out.startswith("player_id,") and "rate_*, adj_*, proj_* and range columns include it" in out.err
    lines = out.err.splitlines()
    assert lines[[i for i, x in enumerate(lines) if x.startswith("training data:")][0] + 1].startswith("opening-day")
