"""Graph 2 (identity + Level 2 + Level 3 + head): shapes, masking, conditioning, ONNX export."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hfm_train.model.grn import GatedResidualNetwork
from hfm_train.model.hfm import GRAPH2_INPUTS, GameProjectionModel, ModelConfig

B, T, A, D, F, K = 3, 5, 4, 16, 10, 6


def make_model(seed: int = 0, **kw) -> GameProjectionModel:
    torch.manual_seed(seed)
    cfg = ModelConfig.build(d_pa=D, n_stat_features=F, n_archetypes=K, n_targets=4, d_model=32, **kw)
    model = GameProjectionModel(cfg)
    # a zero-initialised head would make every output equal: randomise it for the tests
    torch.nn.init.normal_(model.head.weight, std=0.5)
    torch.nn.init.normal_(model.level2.outcome_bias.weight, std=1.0)
    return model.eval()


def make_inputs(seed: int = 1) -> dict[str, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    pa_mask = torch.zeros(B, T, A, dtype=torch.bool)
    game_mask = torch.zeros(B, T, dtype=torch.bool)
    game_mask[0, :] = True  # full context
    game_mask[1, :2] = True  # two games
    game_mask[2, :1] = True  # a single game ...
    pa_mask[0, :, :] = True
    pa_mask[1, :2, :3] = True
    pa_mask[2, 0, :1] = True  # ... with a single PA
    outcome = torch.randint(1, 10, (B, T, A), generator=g) * pa_mask
    days = torch.cumsum(torch.rand(B, T, generator=g) * 3, 1) * game_mask
    return {
        "pa_emb": torch.randn(B, T, A, D, generator=g) * pa_mask[..., None],
        "pa_mask": pa_mask,
        "pa_outcome": outcome,
        "game_mask": game_mask,
        "game_days": days - days[:, :1],
        "stat_features": torch.randn(B, F, generator=g),
        "archetype": torch.randint(0, K, (B,), generator=g),
    }


def run(model, inputs):
    with torch.no_grad():
        return model(*(inputs[k] for k in GRAPH2_INPUTS))


def test_shapes_and_no_nan_on_tiny_contexts():
    rates, game_emb = run(make_model(), make_inputs())
    assert rates.shape == (B, 4) and game_emb.shape == (B, T, 32)
    assert torch.isfinite(rates).all() and torch.isfinite(game_emb).all()


def test_player_with_no_games_gets_a_finite_projection():
    inputs = make_inputs()
    inputs["game_mask"][:] = False
    inputs["pa_mask"][:] = False
    rates, _ = run(make_model(), inputs)
    assert torch.isfinite(rates).all()


def test_padding_games_and_pas_do_not_change_outputs():
    model, inputs = make_model(), make_inputs()
    rates, game_emb = run(model, inputs)
    noisy = {k: v.clone() for k, v in inputs.items()}
    pad_pa = ~inputs["pa_mask"]
    noisy["pa_emb"][pad_pa] = torch.randn(int(pad_pa.sum()), D) * 100
    noisy["pa_outcome"][pad_pa] = 7
    noisy["game_days"][~inputs["game_mask"]] = 123.0
    rates2, game_emb2 = run(model, noisy)
    torch.testing.assert_close(rates, rates2)
    real = inputs["pa_mask"].any(-1)
    torch.testing.assert_close(game_emb[real], game_emb2[real])


def test_no_attention_across_games_at_level2():
    """Changing one game's PAs changes that game's embedding only."""
    model, inputs = make_model(), make_inputs()
    _, game_emb = run(model, inputs)
    changed = {k: v.clone() for k, v in inputs.items()}
    changed["pa_emb"][0, 2] += 1.0
    _, game_emb2 = run(model, changed)
    assert not torch.allclose(game_emb[0, 2], game_emb2[0, 2])
    keep = torch.ones(T, dtype=torch.bool)
    keep[2] = False
    torch.testing.assert_close(game_emb[0, keep], game_emb2[0, keep])
    torch.testing.assert_close(game_emb[1:], game_emb2[1:])


def test_identity_conditions_the_output():
    model, inputs = make_model(), make_inputs()
    rates, game_emb = run(model, inputs)
    other = dict(inputs, stat_features=inputs["stat_features"] + 1.0)
    rates2, game_emb2 = run(model, other)
    assert not torch.allclose(rates, rates2) and not torch.allclose(game_emb, game_emb2)
    other = dict(inputs, archetype=(inputs["archetype"] + 1) % K)
    rates3, _ = run(model, other)
    assert not torch.allclose(rates, rates3)


def test_outcome_bias_matters():
    model, inputs = make_model(), make_inputs()
    _, game_emb = run(model, inputs)
    other = dict(inputs, pa_outcome=torch.where(inputs["pa_mask"], 8, 0))
    _, game_emb2 = run(model, other)
    assert not torch.allclose(game_emb[0], game_emb2[0])
    with torch.no_grad():
        model.level2.outcome_bias.weight.zero_()
    _, a = run(model, inputs)
    _, b = run(model, other)
    torch.testing.assert_close(a, b)  # with the bias at zero the outcome ids carry nothing


def test_stat_dropout_is_per_example_and_training_only():
    model = make_model(stat_dropout=0.5)
    x = torch.randn(200, F)
    arch = torch.zeros(200, dtype=torch.long)
    model.identity.train()
    torch.manual_seed(0)
    ident = model.identity(x, arch)[:, :64]
    zero_rep = model.identity.stat_mlp(torch.zeros(1, F))
    dropped = torch.isclose(ident, zero_rep.expand_as(ident)).all(1)
    assert 50 < int(dropped.sum()) < 150
    model.identity.eval()
    torch.testing.assert_close(model.identity(x, arch), model.identity(x, arch))
    assert not torch.isclose(model.identity(x, arch)[:, :64], zero_rep.expand(200, -1)).all(1).any()


def test_grn_context_and_gate():
    torch.manual_seed(0)
    grn = GatedResidualNetwork(8, 16, 8, d_context=4)
    x, c = torch.randn(5, 8), torch.randn(5, 4)
    assert grn(x, c).shape == (5, 8)
    assert not torch.allclose(grn(x, c), grn(x, c + 1))
    with pytest.raises(ValueError):
        grn(x)


# The quick TorchScript exporter checks the model's own graph against ONNX Runtime here; the product
# exports with dynamo=True (hfm_export.onnx_graph, tests/test_export.py), so its deprecation is no news.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_onnx_export_matches_torch_with_dynamic_axes(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    model, inputs = make_model(), make_inputs()
    path = tmp_path / "g2.onnx"
    dyn = {
        "pa_emb": {0: "players", 1: "games", 2: "pas"}, "pa_mask": {0: "players", 1: "games", 2: "pas"},
        "pa_outcome": {0: "players", 1: "games", 2: "pas"}, "game_mask": {0: "players", 1: "games"},
        "game_days": {0: "players", 1: "games"}, "stat_features": {0: "players"}, "archetype": {0: "players"},
        "rates": {0: "players"}, "game_emb": {0: "players", 1: "games"},
    }
    torch.onnx.export(
        model, tuple(inputs[k] for k in GRAPH2_INPUTS), str(path), input_names=list(GRAPH2_INPUTS),
        output_names=["rates", "game_emb"], dynamic_axes=dyn, dynamo=False,
    )
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    # other sizes than the export's: 2 players, 7 games, 3 PAs
    g = torch.Generator().manual_seed(5)
    other = {
        "pa_emb": torch.randn(2, 7, 3, D, generator=g), "pa_mask": torch.rand(2, 7, 3, generator=g) > 0.3,
        "pa_outcome": torch.randint(0, 10, (2, 7, 3), generator=g), "game_mask": torch.rand(2, 7, generator=g) > 0.2,
        "game_days": torch.rand(2, 7, generator=g) * 50, "stat_features": torch.randn(2, F, generator=g),
        "archetype": torch.randint(0, K, (2,), generator=g),
    }
    for feed in (inputs, other):
        want = run(model, feed)
        got = sess.run(None, {k: v.numpy() for k, v in feed.items()})
        np.testing.assert_allclose(got[0], want[0].numpy(), rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(got[1], want[1].numpy(), rtol=1e-4, atol=1e-5)
