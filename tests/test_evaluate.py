"""Evaluation helpers: blend weights, weighted metrics, effective rank, baselines; and the targets."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hfm_train.evaluate import (
    BLEND_GRID, beats_marcel, context_mean, effective_rank, fit_blend_weights, weighted_metrics, weighted_std,
)
from hfm_train.examples import ExampleConfig, Examples, as_of_rows, build_examples


def examples(rates, marcel, weight, context_counts=None) -> Examples:
    n, s = rates.shape
    return Examples(
        player_type="batter" if s == 6 else "pitcher",
        table=pd.DataFrame({"player_id": np.arange(n)}), game_index=np.full((n, 1), -1),
        stat_features=np.zeros((n, 1), np.float32), archetype=np.zeros(n, np.int64), rates=rates,
        weight=weight, marcel=marcel,
        context_counts=np.zeros((n, s + 1)) if context_counts is None else context_counts,
        true_talent=np.full_like(rates, np.nan),
    )


def test_blend_weights_pick_the_grid_point_that_fits():
    rng = np.random.default_rng(0)
    n = 400
    marcel = np.full((n, 4), 0.2)
    signal = rng.normal(0, 0.02, (n, 4))
    # stat 0: the residual is right; stat 1: half right; stat 2: pure noise; stat 3: right but 3x too big
    rates = marcel + signal * [1, 0.5, 0, 1]
    residual = np.stack([signal[:, 0], signal[:, 1], rng.normal(0, 0.02, n), 3 * signal[:, 3]], 1)
    w = fit_blend_weights(residual, examples(rates, marcel, np.ones(n)))
    np.testing.assert_allclose(w, [1.0, 0.5, 0.0, 0.3])
    assert set(np.round(BLEND_GRID, 1)) == {round(0.1 * i, 1) for i in range(11)}


def test_weighted_metrics_match_numpy():
    rng = np.random.default_rng(1)
    p, t = rng.normal(size=50), rng.normal(size=50)
    m = weighted_metrics(p, t, np.ones(50))
    assert m["rmse"] == pytest.approx(np.sqrt(np.mean((p - t) ** 2)))
    assert m["corr"] == pytest.approx(np.corrcoef(p, t)[0, 1])
    # integer weights = repeated rows
    w = rng.integers(1, 4, 50)
    m = weighted_metrics(p, t, w.astype(float))
    assert m["corr"] == pytest.approx(np.corrcoef(np.repeat(p, w), np.repeat(t, w))[0, 1])
    assert weighted_std(p, w.astype(float)) == pytest.approx(np.repeat(p, w).std())
    # NaN truth (no true talent) is skipped
    t2 = t.copy()
    t2[:10] = np.nan
    assert weighted_metrics(p, t2, np.ones(50))["rmse"] == pytest.approx(np.sqrt(np.mean((p[10:] - t[10:]) ** 2)))


def test_effective_rank_detects_collapse():
    rng = np.random.default_rng(2)
    line = rng.normal(size=(200, 1)) @ rng.normal(size=(1, 16))
    assert effective_rank(line) == pytest.approx(1.0, abs=1e-3)
    full = rng.normal(size=(2000, 16))
    assert 14 < effective_rank(full) <= 16


def test_context_mean_is_shrunk_toward_the_league():
    counts = np.array([[0, 0, 0], [100, 30, 10], [1e6, 3e5, 1e5]], dtype=float)
    ex = examples(np.zeros((3, 2)), np.zeros((3, 2)), np.ones(3), counts)
    cm = context_mean(ex, np.array([0.2, 0.05]), shrink=100)
    np.testing.assert_allclose(cm[0], [0.2, 0.05])  # no context: the league rate
    np.testing.assert_allclose(cm[1], [(30 + 20) / 200, (10 + 5) / 200])
    np.testing.assert_allclose(cm[2], [0.3, 0.1], rtol=1e-3)


def test_beats_marcel_reads_the_card():
    card = {"pitcher": {"metrics": {
        "blend": {"SO": {"rmse_actual": 0.1}, "BB": {"rmse_actual": 0.2}},
        "marcel": {"SO": {"rmse_actual": 0.2}, "BB": {"rmse_actual": 0.2}},
    }}}
    assert beats_marcel(card) == {"pitcher": {"SO": True, "BB": False}}


def test_a_late_opening_seasons_examples_start_as_of_the_usual_opening_day():
    """As scoring projects it (seasons.opening_day_as_of): 2020, opened on July 23, as of the others' day."""
    days = ["2019-03-28", "2019-05-01", "2020-07-23", "2020-08-01", "2021-04-01", "2021-04-03"]
    lines = pd.DataFrame({"player_id": [7] * len(days), "game_date": pd.to_datetime(days),
                          "season": [int(d[:4]) for d in days]})
    rows = as_of_rows(lines, [2019, 2020, 2021], ExampleConfig(every_games=1))
    start = rows[rows["kind"] == "start"].set_index("season")["as_of_date"]
    assert start.to_dict() == {2019: pd.Timestamp("2019-03-28"), 2020: pd.Timestamp("2020-03-28"),
                               2021: pd.Timestamp("2021-04-01")}
    assert pd.Timestamp("2020-08-01") in set(rows.loc[rows["kind"] == "in_season", "as_of_date"])


def test_examples_targets_context_and_marcel_on_the_tiny_league(tiny_league, tmp_path):
    from hfm_runtime.context import GameEmbeddings
    from hfm_runtime.featurize import PitchFeaturizer
    from hfm_runtime.identity import IdentityModel, player_lines
    from hfm_runtime.league import load_league
    from hfm_runtime.marcel import marcel
    from hfm_runtime.seasons import season_lines
    from hfm_train.archetypes import ArchetypeConfig, fit_identity

    league = load_league(tiny_league)
    s = league.seasons
    table = PitchFeaturizer().fit(league.pitches).transform(league.pitches, perspectives=("batter",))
    games = GameEmbeddings(np.zeros((int(table.pa_offsets[-1]), 2), np.float32), table.pa_outcome,
                           table.pa_offsets, table.keys)
    lines = player_lines(league, "batter")
    fit_identity({"batter": lines}, league.players, s[:2], tmp_path, ArchetypeConfig(k_range=(3,), n_init=1))
    ident = IdentityModel.load(tmp_path / "identity", "batter")
    cfg = ExampleConfig(max_games=5, every_games=4, min_opportunities=1)
    ex = build_examples("batter", [s[2]], lines, league.players, ident, games, cfg, league.true_talent)
    assert set(ex.table["kind"]) == {"start", "in_season"}
    # the identity's config travels with the features, so no one reads their layout from the width
    assert ex.layout == ident.config and ex.take(np.arange(3)).layout == ident.config
    assert Examples.concat([ex, ex]).layout == ident.config

    # one in-season example, recomputed by hand
    i = int(np.flatnonzero(ex.table["kind"] == "in_season")[0])
    pid, as_of = ex.table.loc[i, "player_id"], ex.table.loc[i, "as_of_date"]
    mine = lines[(lines["player_id"] == pid) & (lines["level"] == "MLB") & (lines["season"] == s[2])]
    window = mine[mine["game_date"] >= as_of]
    want = window[["SO", "BB", "HR", "H", "2B", "3B"]].sum().to_numpy() / window["PA"].sum()
    np.testing.assert_allclose(ex.rates[i], want)
    assert ex.weight[i] == window["PA"].sum()
    ctx = ex.game_index[i][ex.game_index[i] >= 0]
    assert len(ctx) == min(5, int(((games.keys.player_id == pid) & (games.keys.game_date < np.datetime64(as_of, "D"))).sum()))
    assert (games.keys.player_id[ctx] == pid).all() and (games.keys.game_date[ctx] < np.datetime64(as_of, "D")).all()
    m = marcel(season_lines(lines, "batter"), None, s[2], "batter", player_ids=[pid])
    # Marcel with ages: only the age factor differs from the age-less projection
    assert ex.marcel[i] == pytest.approx(m.loc[pid, ["SO", "BB", "HR", "H", "2B", "3B"]].to_numpy(), rel=0.1)
    np.testing.assert_allclose(ex.targets("residual"), ex.rates - ex.marcel)
    assert np.isfinite(ex.true_talent).all()

    nxt = build_examples("batter", [s[2]], lines, league.players, ident, games,
                         ExampleConfig(max_games=5, window="next_games", next_games=3, min_opportunities=1))
    assert (nxt.weight <= ex.weight.max()).all() and nxt.weight.max() <= 3 * 7


@pytest.mark.slow
def test_model_card_has_baselines_intervals_and_predictions(tiny_run):
    """The tiny run's card sets the model beside the ridge baselines and the ceiling, with paired
    intervals; test_predictions.csv holds every method's projection; `compare` reads them back."""
    import json

    from hfm_train.evaluate import compare_runs

    card = json.loads((tiny_run / "model_card.json").read_text())
    for pt, r in card["evaluation"].items():
        assert {"statcast_ridge", "stat_ridge", "prev_true_talent", "marcel", "blend"} <= set(r["metrics"])
        assert set(r["mean_cut_vs_marcel"]) == {"true", "actual"}
        lo, mid, hi = r["intervals"]["blend - statcast_ridge"]["true"]["SO"]
        assert lo <= mid <= hi
        assert "predictions" not in r  # moved to test_predictions.csv
    preds = pd.read_csv(tiny_run / "test_predictions.csv")
    assert {"player_type", "player_id", "stat", "weight", "blend", "statcast_ridge", "actual", "true_talent"} <= set(preds)
    assert len(preds) == sum(r["n_players"] * len(r["true_spread"]) for r in card["evaluation"].values())
    text = compare_runs([tiny_run], against=tiny_run)
    assert "mean RMSE cut vs Marcel" in text and "[+0.0, +0.0]" in text  # a run against itself: no difference


@pytest.mark.slow
def test_in_season_evaluation_writes_its_own_card(tiny_run, tmp_path):
    """`hfm-train evaluate --kind in_season`: every 4th game of each test player (the tiny config),
    rest-of-season targets, in model_card_in_season.json; the opening-day card is left as it was."""
    import json
    import shutil

    from click.testing import CliRunner

    from hfm_train.cli import cli

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    before = (run / "model_card.json").read_text()
    result = CliRunner().invoke(cli, ["evaluate", "--run", str(run), "--kind", "in_season"])
    assert result.exit_code == 0, result.output
    assert (run / "model_card.json").read_text() == before
    card = json.loads((run / "model_card_in_season.json").read_text())
    assert card["kind"] == "in_season"
    preds = pd.read_csv(run / "test_predictions_in_season.csv")
    assert preds["as_of_date"].notna().all()
    per_player = preds[preds["stat"] == "SO"].groupby(["player_type", "player_id"]).size()
    assert per_player.max() > 1  # several as-of dates per player
    assert card["evaluation"]["batter"]["n_players"] == len(per_player["batter"])  # players, not rows

    # the fair in-season bar: Marcel with the season so far counted, one row checked by hand
    assert "blend - marcel_to_date" in card["evaluation"]["batter"]["intervals"]
    from hfm_runtime.marcel import marcel
    from hfm_runtime.seasons import season_age, season_lines
    from hfm_train.league_stream import league_lines, league_seasons

    season = card["seasons"]["test"]
    path = json.loads((run / "config.json").read_text())["league"]
    league, lines = league_lines(path, league_seasons(path))
    batters = lines["batter"]
    so = preds[(preds["stat"] == "SO") & (preds["player_type"] == "batter")]
    row = so[so["marcel_to_date"] != so["marcel"]].iloc[0]
    mlb = batters[(batters["level"] == "MLB") & (batters["season"] == season)]
    before = mlb[pd.to_datetime(mlb["game_date"]) < pd.Timestamp(row["as_of_date"])]
    done = before.groupby("player_id")[["PA", "SO", "BB", "HR", "H", "2B", "3B"]].sum()
    league_now = done.drop(columns="PA").sum() / done["PA"].sum()
    birth = league.players.drop_duplicates("player_id").set_index("player_id").loc[row["player_id"], "birth_date"]
    ages = pd.Series([float(season_age(birth, season))], index=[row["player_id"]])
    direct = marcel(season_lines(batters, "batter"), ages, season, "batter", player_ids=[row["player_id"]],
                    to_date=done, to_date_league=league_now)
    assert row["marcel_to_date"] == pytest.approx(direct.loc[row["player_id"], "SO"])
    assert (so["marcel_to_date"] != so["marcel"]).mean() > 0.5  # most as-of dates follow games played
