"""Fine-tuning: a tiny synthetic problem is learned, runs are deterministic and resumable, and a tiny
`hfm-train fit` on the tiny league writes a complete run folder that `hfm-train evaluate` reads back."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch
from click.testing import CliRunner

from hfm_runtime.context import GameEmbeddings
from hfm_runtime.featurize import PA_OUTCOMES, GameKeys
from hfm_runtime.targets import TARGET_STATS
from hfm_train.examples import Examples
from hfm_runtime.errors import HFMInputError
from hfm_runtime.profiles import ProfileConfig, feature_names, wide_feature_names
from hfm_train.finetune import FinetuneConfig, gain_z, evaluate_loss, finetune, predict

D, N_GAMES = 8, 12
SO = PA_OUTCOMES.index("SO")
OUT = PA_OUTCOMES.index("OUT")


def synthetic(n_players: int, seed: int) -> tuple[Examples, GameEmbeddings]:
    """Batters whose strikeout rate shows in their PA outcomes; Marcel knows only the league mean."""
    rng = np.random.default_rng(seed)
    p_so = rng.uniform(0.1, 0.4, n_players)
    n_pa = rng.integers(1, 6, (n_players, N_GAMES))
    outcome = np.concatenate([np.where(rng.random(n) < p, SO, OUT) for p, row in zip(p_so, n_pa) for n in row])
    emb = np.eye(D, dtype=np.float32)[outcome % D] + 0.1 * rng.standard_normal((len(outcome), D)).astype(np.float32)
    offsets = np.concatenate([[0], np.cumsum(n_pa.ravel())]).astype(np.int64)
    g = n_players * N_GAMES
    keys = GameKeys(
        game_pk=np.arange(g, dtype=np.int64), player_id=np.repeat(np.arange(n_players), N_GAMES).astype(np.int64),
        perspective=np.full(g, "batter", dtype=object),
        game_date=np.tile(np.datetime64("2020-04-01") + np.arange(N_GAMES) * 2, n_players),
        season=np.full(g, 2020, dtype=np.int64), level=np.full(g, "MLB", dtype=object),
    )
    games = GameEmbeddings(emb, outcome.astype(np.int64), offsets, keys)
    as_of = np.full(n_players, np.datetime64("2020-06-01"))
    stats = 6
    rates = np.full((n_players, stats), 0.05)
    rates[:, 0] = p_so
    table = pd.DataFrame({"player_id": np.arange(n_players), "season": 2020, "as_of_date": pd.to_datetime(as_of),
                          "kind": "start", "opp": 100.0})
    ex = Examples(
        player_type="batter", table=table,
        game_index=games.context_index(np.arange(n_players), "batter", as_of, 10),
        stat_features=np.zeros((n_players, 5), np.float32), archetype=np.zeros(n_players, np.int64),
        rates=rates, weight=np.full(n_players, 100.0), marcel=np.full((n_players, stats), 0.05) + [0.2, 0, 0, 0, 0, 0],
        context_counts=np.zeros((n_players, stats + 1)), true_talent=rates.copy(),
    )
    return ex, games


# wide=False: these tests are about the deep part's training loop (the wide path has tests of its own)
CONFIG = FinetuneConfig(epochs=12, batch_size=8, d_model=16, n_layers=1, n_heads=2, dropout=0.0, lr=3e-3, patience=12,
                        wide=False)


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: threads only add overhead on a shared 2-core machine
    yield
    torch.set_num_threads(threads)


def test_finetune_lowers_the_loss():
    ex, games = synthetic(96, seed=0)
    train, val = ex.take(np.arange(64)), ex.take(np.arange(64, 96))
    result = finetune(train, val, games, n_archetypes=1, config=CONFIG, progress=False, log=lambda s: None)
    first = result.history[0]
    assert min(h["train_loss"] for h in result.history[1:]) < 0.8 * first["train_loss"]
    # the untrained model predicts Marcel (zero residual): trained is better on the validation set too
    untrained = finetune(train, val, games, 1, FinetuneConfig(**{**CONFIG.__dict__, "epochs": 0}),
                         progress=False, log=lambda s: None).model
    assert evaluate_loss(result.model, val, games, "residual") < 0.8 * evaluate_loss(untrained, val, games, "residual")


def test_finetune_is_deterministic_and_resumes(tmp_path):
    ex, games = synthetic(24, seed=0)
    train, val = ex.take(np.arange(16)), ex.take(np.arange(16, 24))
    cfg = FinetuneConfig(**{**CONFIG.__dict__, "epochs": 3, "dropout": 0.1})
    quiet = {"progress": False, "log": lambda s: None}
    a = finetune(train, val, games, 1, cfg, **quiet).model.state_dict()
    b = finetune(train, val, games, 1, cfg, **quiet).model.state_dict()
    for k in a:
        torch.testing.assert_close(a[k], b[k], rtol=0, atol=0)
    # interrupted after 1 epoch, then resumed: the same as running 3 epochs straight
    ckpt = tmp_path / "ft.pt"
    half = FinetuneConfig(**{**cfg.__dict__, "epochs": 1})
    finetune(train, val, games, 1, half, checkpoint=ckpt, **quiet)
    state = torch.load(ckpt, weights_only=False)
    state["config"]["epochs"] = 3  # the same run, told to go on
    state["history"][0]["read_back"] = True  # a run that trained again from scratch would not carry it
    torch.save(state, ckpt)
    logs: list[str] = []
    c = finetune(train, val, games, 1, cfg, checkpoint=ckpt, resume=True, progress=False, log=logs.append)
    assert [h["epoch"] for h in c.history] == [1, 2, 3] and c.history[0].get("read_back") is True
    assert any(line.startswith(f"resumed batter fine-tuning from {ckpt} at epoch 1") for line in logs)
    for k in a:
        torch.testing.assert_close(a[k], c.model.state_dict()[k])


def with_profile_features(ex: Examples, seed: int) -> tuple[Examples, np.ndarray]:
    """The examples with a full-width stat-feature layout in which one Marcel-window column carries
    the strikeout rate (with noise) and one column outside the Marcel window carries it exactly."""
    rng = np.random.default_rng(seed)
    names = feature_names(ex.player_type)
    X = rng.standard_normal((len(ex), len(names))).astype(np.float32)
    so = (ex.rates[:, 0] - ex.rates[:, 0].mean()) / ex.rates[:, 0].std()
    wide_col, other_col = names.index("marcel_skill:whiff_rate"), names.index("rate:1yr:SO")
    X[:, wide_col] = so + 0.3 * rng.standard_normal(len(ex))
    X[:, other_col] = so
    out = {f: getattr(ex, f) for f in ex.__dataclass_fields__}
    out["stat_features"] = X
    return Examples(**out), np.array([wide_col, other_col])


def test_wide_path_is_a_frozen_ridge_on_the_marcel_window_columns():
    from sklearn.linear_model import RidgeCV
    from sklearn.preprocessing import StandardScaler

    ex, games = synthetic(120, seed=4)
    ex, (wide_col, other_col) = with_profile_features(ex, seed=4)
    cfg = FinetuneConfig(**{**CONFIG.__dict__, "wide": True, "epochs": 0})
    model = finetune(ex, None, games, 1, cfg, mode="absolute", progress=False, log=lambda s: None).model
    weight = model.wide.weight.detach().numpy()
    assert not model.wide.weight.requires_grad
    assert weight[0, wide_col] > 0.5 and weight[0, other_col] == 0.0  # only the Marcel-window columns
    cols = [feature_names("batter").index(n) for n in wide_feature_names("batter")]
    assert not weight[:, [c for c in range(weight.shape[1]) if c not in cols]].any()
    # the prediction is sklearn's ridge on those columns standardised on the examples, in real units
    z = (ex.rates[:, 0] - model.target_mean[0].item()) / model.target_scale[0].item()
    X = StandardScaler().fit_transform(ex.stat_features[:, cols].astype(float))
    ridge = RidgeCV(alphas=list(cfg.wide_alphas)).fit(X, z, sample_weight=ex.weight / ex.weight.mean())
    want = model.target_mean[0].item() + model.target_scale[0].item() * ridge.predict(X)
    np.testing.assert_allclose(predict(model, ex, games)["rates"][:, 0], want, atol=1e-5)


def test_the_wide_path_reads_the_examples_layout_where_the_width_is_ambiguous():
    """A batter's older seasons and putaway rate take as many columns as the late window: the wide path
    finds its columns from the examples' own layout (the identity's config), never by guessing."""
    ex, games = synthetic(120, seed=5)
    layout = ProfileConfig(putaway_rate=True, old_seasons=True)
    names = feature_names("batter", layout)
    assert len(names) == len(feature_names("batter", ProfileConfig(late_rates=True)))
    X = np.random.default_rng(5).standard_normal((len(ex), len(names))).astype(np.float32)
    X[:, names.index("old_shrunk:SO")] = (ex.rates[:, 0] - ex.rates[:, 0].mean()) / ex.rates[:, 0].std()
    fields = {f: getattr(ex, f) for f in ex.__dataclass_fields__}
    cfg = FinetuneConfig(**{**CONFIG.__dict__, "wide": True, "epochs": 0})
    with pytest.raises(HFMInputError, match="more than one layout"):
        finetune(Examples(**{**fields, "stat_features": X}), None, games, 1, cfg, mode="absolute",
                 progress=False, log=lambda s: None)
    model = finetune(Examples(**{**fields, "stat_features": X, "layout": layout}), None, games, 1, cfg,
                     mode="absolute", progress=False, log=lambda s: None).model
    assert model.wide.weight[0, names.index("old_shrunk:SO")] > 0.5


def test_the_pitchers_wide_path_can_be_fitted_on_other_kinds_of_examples():
    """FinetuneConfig.pitcher_wide_kinds: the examples the pitchers' wide path is fitted on (real
    leagues: every kind); the batters' keep wide_kinds."""
    ex, games = synthetic(120, seed=7)
    ex.table["kind"] = np.where(np.arange(120) < 60, "start", "in_season")
    ex.rates[60:, 0] = ex.rates[60:, 0].mean()  # the in-season rows' strikeout rate says nothing

    def wide_weight(player_type: str, **config) -> float:
        fields = {f: getattr(ex, f) for f in ex.__dataclass_fields__}
        n = len(TARGET_STATS[player_type])  # the pitchers' first four stats: SO first, as the batters'
        for f in ("rates", "marcel", "true_talent"):
            fields[f] = fields[f][:, :n]
        fields["context_counts"] = fields["context_counts"][:, :n + 1]
        typed = Examples(**{**fields, "player_type": player_type})
        typed, (col, _) = with_profile_features(typed, seed=7)
        cfg = FinetuneConfig(**{**CONFIG.__dict__, "wide": True, "epochs": 0, **config})
        model = finetune(typed, None, games, 1, cfg, mode="absolute", progress=False, log=lambda s: None).model
        return float(model.wide.weight[0, col])

    every = ("start", "in_season")
    start_only = wide_weight("pitcher")
    assert wide_weight("pitcher", pitcher_wide_kinds=every) == wide_weight("pitcher", wide_kinds=every)
    assert wide_weight("pitcher", pitcher_wide_kinds=every) < start_only - 0.03  # diluted by the flat rows
    assert wide_weight("batter", pitcher_wide_kinds=every) == wide_weight("batter")  # batters keep wide_kinds


def test_the_deep_part_must_beat_the_wide_path_significantly():
    rng = np.random.default_rng(5)
    players = np.repeat(np.arange(50), 3)  # three examples per player: they count as one
    base = rng.uniform(1.0, 2.0, len(players))
    assert abs(gain_z(base, base - 0.001 * rng.standard_normal(len(players)), players)) < 3  # noise
    assert gain_z(base, base - 0.2 - 0.01 * rng.standard_normal(len(players)), players) > 100
    assert gain_z(base, base + 0.1, players) < -100  # worse for every player
    # in training: a validation set the deep part cannot improve keeps epoch 0 (the wide path alone)
    ex, games = synthetic(80, seed=6)
    ex, _ = with_profile_features(ex, seed=6)
    ex.rates[:, 1:] = 0.05 + 0.01 * rng.standard_normal((len(ex), 5))  # the other stats: pure noise
    cfg = FinetuneConfig(**{**CONFIG.__dict__, "wide": True, "epochs": 3, "deep_gate_z": 1e6})
    result = finetune(ex.take(np.arange(60)), ex.take(np.arange(60, 80)), games, 1, cfg, mode="absolute",
                      progress=False, log=lambda s: None)
    assert result.best_epoch == 0 and result.history[0]["epoch"] == 0
    assert len(result.history) > 1 and all(np.isfinite(h["gate_z"]) for h in result.history[1:])  # each epoch's z
    assert not any(p.abs().sum() > 0 for p in result.model.head.parameters())  # the deep head never moved


def test_cross_validation_can_hold_out_only_the_last_seasons():
    from hfm_train.evaluate import cross_validated_blend

    ex, games = synthetic(60, seed=3)
    ex.table["season"] = np.repeat([2018, 2019, 2020], 20)
    cfg = FinetuneConfig(**{**CONFIG.__dict__, "epochs": 2})
    every, report_all, _ = cross_validated_blend(ex, games, 1, cfg, "absolute", 2)
    last, report, residual = cross_validated_blend(ex, games, 1, cfg, "absolute", 2, held_out=[2020])
    assert sorted(report_all["per_season"]) == [2018, 2019, 2020] and list(report["per_season"]) == [2020]
    assert not residual[:40].any() and residual[40:].any()  # out-of-fold residuals only where held out
    assert list(last) == list(report["per_season"][2020].values())  # the weights of that one fold


@pytest.mark.slow
def test_tiny_hfm_train_writes_a_complete_run_folder(tiny_league, tmp_path):
    from hfm_train.cli import cli

    runner = CliRunner()
    res = runner.invoke(cli, ["fit", "--tiny", "--league", str(tiny_league), "--runs-dir", str(tmp_path),
                              "--name", "t", "--no-progress", "--epochs", "2", "--threads", "1",
                              "--unfreeze-epochs", "2"])
    assert res.exit_code == 0, res.output + repr(res.exception)
    run = tmp_path / "t"
    for f in ("config.json", "featurizer.json", "level1.pt", "batter/model.pt", "pitcher/model.pt",
              "batter/model.json", "pitcher/model.json", "identity/identity_batter.json",
              "identity/archetypes_pitcher.npz", "blend.json", "model_card.json", "pa_cache.npz"):
        assert (run / f).is_file(), f
    assert (run / "batter/level1.pt").is_file() and (run / "pitcher/pa_cache.npz").is_file()  # unfrozen: each type keeps its own tuned Level 1
    assert not (tmp_path / ".t.work").exists()
    card = json.loads((run / "model_card.json").read_text())
    assert set(card["evaluation"]) == {"batter", "pitcher"}
    assert card["evaluation"]["pitcher"]["metrics"]["blend"]["SO"]["rmse_actual"] > 0
    blend = json.loads((run / "blend.json").read_text())
    assert all(0.0 <= w <= 1.0 for w in blend["batter"].values())
    seasons = json.loads((run / "config.json").read_text())["seasons"]  # one CV fold per train/validation season
    assert sorted(map(int, blend["cross_validation"]["pitcher"]["per_season"])) == seasons["train"] + seasons["validation"]
    res = runner.invoke(cli, ["evaluate", "--run", str(run)])
    assert res.exit_code == 0, res.output + repr(res.exception)
    assert "blend beats Marcel" in res.output
    again = json.loads((run / "model_card.json").read_text())
    for pt in ("batter", "pitcher"):
        for stat, m in card["evaluation"][pt]["metrics"]["blend"].items():
            assert again["evaluation"][pt]["metrics"]["blend"][stat] == pytest.approx(m), (pt, stat)
