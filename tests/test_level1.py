"""Level 1 (PitchEncoder): shapes, masking, pooling, padding invariance, degenerate games."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from hfm_runtime.featurize import PITCH_CATEGORICALS, PITCH_NUMERICS
from hfm_train.model import Level1Config, PitchEncoder, pool_pa

VOCAB = (9, 11, 13, 6, 14, 26, 12, 6, 4, 4)


@pytest.fixture()
def encoder() -> PitchEncoder:
    torch.manual_seed(0)
    return PitchEncoder(Level1Config(vocab_sizes=VOCAB, d_model=16, n_layers=2, n_heads=2, d_ff=32)).eval()


def make_batch(lengths, pas_per_game, p=None, seed=0):
    """Random games: game i has lengths[i] pitches split evenly into pas_per_game[i] PAs."""
    rng = np.random.default_rng(seed)
    g, p = len(lengths), p or max(max(lengths), 1)
    a = max(max(pas_per_game), 1)
    cat = np.zeros((g, p, len(PITCH_CATEGORICALS)), np.int64)
    num = np.zeros((g, p, len(PITCH_NUMERICS)), np.float32)
    pitch_mask = np.zeros((g, p), bool)
    pa_of_pitch = np.zeros((g, p), np.int64)
    pa_mask = np.zeros((g, a), bool)
    for i, (n, k) in enumerate(zip(lengths, pas_per_game)):
        cat[i, :n] = rng.integers(1, np.array(VOCAB), (n, len(VOCAB)))
        num[i, :n] = rng.normal(size=(n, len(PITCH_NUMERICS)))
        pitch_mask[i, :n] = True
        pa_of_pitch[i, :n] = np.arange(n) * k // max(n, 1)
        pa_mask[i, :k] = True
    return [torch.from_numpy(x) for x in (cat, num, pitch_mask, pa_of_pitch, pa_mask)]


@torch.no_grad()
def test_shapes(encoder):
    out = encoder(*make_batch([7, 3, 12], [3, 1, 4]))
    assert out.shape == (3, 4, 16) and out.dtype == torch.float32
    assert (out[1, 1:] == 0).all() and (out[0, 3] == 0).all()  # padding PAs are zero


@torch.no_grad()
def test_padding_invariance(encoder):
    alone = encoder(*make_batch([7], [3]))
    padded = encoder(*make_batch([7, 20, 0], [3, 5, 0], p=30))  # more pitches, PAs, games of padding
    torch.testing.assert_close(padded[0, :3], alone[0], atol=1e-5, rtol=1e-5)


@torch.no_grad()
def test_no_attention_across_games(encoder):
    batch = make_batch([9, 9], [3, 3])
    before = encoder(*batch)
    cat, num = batch[0].clone(), batch[1].clone()
    cat[1] = torch.flip(cat[1], dims=[0])
    num[1] = num[1] * -3.0
    after = encoder(cat, num, *batch[2:])
    torch.testing.assert_close(after[0], before[0])
    assert not torch.allclose(after[1], before[1])


def test_pool_pa_is_the_mean_per_pa():
    states = torch.arange(2 * 5 * 3, dtype=torch.float32).reshape(2, 5, 3)
    pa_of_pitch = torch.tensor([[0, 0, 1, 1, 1], [0, 1, 1, 0, 0]])
    pitch_mask = torch.tensor([[True] * 5, [True, True, True, False, False]])
    pa_mask = torch.tensor([[True, True, False], [True, True, False]])
    out = pool_pa(states, pa_of_pitch, pitch_mask, pa_mask)
    expected = torch.stack([
        torch.stack([states[0, :2].mean(0), states[0, 2:].mean(0), torch.zeros(3)]),
        torch.stack([states[1, 0], states[1, 1:3].mean(0), torch.zeros(3)]),  # padding pitches excluded
    ])
    torch.testing.assert_close(out, expected)


@torch.no_grad()
def test_one_pitch_game_and_empty_row_are_finite(encoder):
    out = encoder(*make_batch([1, 0], [1, 0]))
    assert torch.isfinite(out).all()
    assert out[0, 0].abs().sum() > 0 and (out[1] == 0).all()
    encoder.train()
    assert torch.isfinite(encoder(*make_batch([1, 0], [1, 0]))).all()


def test_gradients_reach_every_parameter(encoder):
    encoder.train()
    token_mask = torch.zeros(2, 6, dtype=torch.bool)
    token_mask[0, 2] = True
    cat, num, pitch_mask, _, _ = make_batch([6, 4], [2, 2])
    encoder.pitch_states(cat, num, pitch_mask, token_mask).sum().backward()
    missing = [n for n, p in encoder.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert not missing


def test_config_validation_and_json():
    config = Level1Config(vocab_sizes=VOCAB)
    assert Level1Config.from_json(config.to_json()) == config
    with pytest.raises(ValueError):
        Level1Config(vocab_sizes=(3, 4))
    with pytest.raises(ValueError):
        PitchEncoder(Level1Config())
