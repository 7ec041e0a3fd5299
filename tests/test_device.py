"""`--device` handling, batch sharding and the mixed-precision training path (hfm_train.distributed).

No test needs a GPU: CUDA's code path differs from the CPU's only in the device tensors go to and in
autocast, and autocast is exercised here on the CPU in bfloat16 (what a CUDA session uses).
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
import torch

from clitools import run_cli
from hfm_runtime.errors import HFMInputError
from hfm_train import distributed
from hfm_train.distributed import Session, check_device_name, resolve_device


def test_device_names(monkeypatch):
    assert resolve_device("cpu") == torch.device("cpu")
    assert check_device_name(" CUDA:1 ") == "cuda:1"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")
    with pytest.raises(HFMInputError, match="sees no CUDA GPU"):
        resolve_device("cuda")
    for bad in ("gpu", "cuda:x", ""):
        with pytest.raises(HFMInputError, match="expected one of auto, cpu, cuda"):
            check_device_name(bad)
    assert Session().amp_dtype is None  # the CPU trains in float32: results unchanged


def test_bad_device_is_one_error_line(tiny_league, tmp_path):
    from hfm_train.cli import main

    code, err = run_cli(main, ["hfm-train", "fit", "--league", str(tiny_league), "--runs-dir", str(tmp_path),
                               "--device", "gpu", "--tiny"])
    assert code == 2 and err.strip().splitlines() == ["error: --device 'gpu': expected one of auto, cpu, cuda (or cuda:K)"]
    assert not any(tmp_path.iterdir())


def test_shards_cover_the_batch_once():
    batch = np.arange(7)
    parts = [Session(rank=r, world_size=3).shard(batch) for r in range(3)]
    assert sorted(np.concatenate([rows for rows, _ in parts]).tolist()) == batch.tolist()
    assert all(factor == 3.0 for _, factor in parts)
    rows, factor = Session(rank=1, world_size=2).shard(np.array([5]))  # nothing left for rank 1
    assert rows.tolist() == [5] and factor == 0.0  # a stand-in row whose loss counts nothing
    assert Session().shard(batch)[1] == 1.0 and Session().all_reduce(np.array([1.5])).tolist() == [1.5]


@pytest.fixture(scope="module")
def tiny_examples(tiny_run, tiny_league):
    """(train, validation, PA cache, archetypes) of the tiny run's batters."""
    from hfm_runtime.identity import IDENTITY_DIR, IdentityModel, player_lines
    from hfm_runtime.league import load_league
    from hfm_train.examples import ExampleConfig, build_examples
    from hfm_train.pa_cache import load_pa_cache

    meta = json.loads((tiny_run / "config.json").read_text())
    league = load_league(tiny_league)
    games = load_pa_cache(tiny_run / "pa_cache.npz")
    identity = IdentityModel.load(tiny_run / IDENTITY_DIR, "batter")
    lines = player_lines(league, "batter")
    ex = {part: build_examples("batter", meta["seasons"][part], lines, league.players, identity, games,
                               ExampleConfig(**meta["run"]["examples"])) for part in ("train", "validation")}
    return ex["train"], ex["validation"], games, identity.archetypes.n_archetypes


def test_forward_passes_create_no_tensor_off_the_inputs_device():
    """Every tensor a forward pass makes must live on its inputs' device: on the "meta" device (shapes,
    no data, no GPU needed) a constant built on the CPU raises, as it does on CUDA. (The first GPU run
    found one in Level 3's time encoding.)"""
    from hfm_runtime.featurize import PITCH_CATEGORICALS, PITCH_NUMERICS
    from hfm_train.model.hfm import GameProjectionModel, ModelConfig
    from hfm_train.model.level1 import Level1Config, PitchEncoder
    from hfm_train.pretrain import MaskedGameHeads

    meta = torch.device("meta")
    g, p, a, b, t, f = 3, 12, 4, 2, 5, 7
    encoder = PitchEncoder(Level1Config(vocab_sizes=(6,) * len(PITCH_CATEGORICALS), d_model=16, n_heads=2,
                                        d_ff=32)).to(meta)
    cat = torch.zeros(g, p, len(PITCH_CATEGORICALS), dtype=torch.int64, device=meta)
    num = torch.zeros(g, p, len(PITCH_NUMERICS), device=meta)
    pitch_mask = torch.ones(g, p, dtype=torch.bool, device=meta)
    pa_of_pitch = torch.zeros(g, p, dtype=torch.int64, device=meta)
    pa_emb = encoder(cat, num, pitch_mask, pa_of_pitch, torch.ones(g, a, dtype=torch.bool, device=meta))
    assert pa_emb.device == meta and pa_emb.shape == (g, a, 16)
    states = encoder.pitch_states(cat, num, pitch_mask, token_mask=pitch_mask)  # pre-training's masked pass
    assert all(x.device == meta for x in MaskedGameHeads(encoder.config).to(meta)(states))

    model = GameProjectionModel(ModelConfig.build(d_pa=16, n_stat_features=f, n_archetypes=4, n_targets=3,
                                                  d_model=16, n_heads=2)).to(meta)
    rates, game_emb = model(
        torch.zeros(b, t, a, 16, device=meta), torch.ones(b, t, a, dtype=torch.bool, device=meta),
        torch.zeros(b, t, a, dtype=torch.int64, device=meta), torch.ones(b, t, dtype=torch.bool, device=meta),
        torch.zeros(b, t, device=meta), torch.zeros(b, f, device=meta), torch.zeros(b, dtype=torch.int64, device=meta),
    )
    assert rates.device == meta and rates.shape == (b, 3) and game_emb.shape == (b, t, 16)


def test_mixed_precision_training_path_runs_and_differs(tiny_examples, monkeypatch):
    from hfm_train.finetune import FinetuneConfig, finetune

    train, val, games, n_arch = tiny_examples
    config = FinetuneConfig(epochs=2, d_model=16, n_layers=1, n_heads=2, batch_size=32, deep_gate_z=0, refit=False)
    quiet = dict(progress=False, log=lambda _: None)
    plain = finetune(train, val, games, n_arch, config, "absolute", **quiet)
    monkeypatch.setattr(Session, "amp_dtype", property(lambda self: torch.bfloat16))
    with distributed.session("cpu"):
        mixed = finetune(train, val, games, n_arch, config, "absolute", **quiet)
    a, b = plain.history[1:], mixed.history[1:]
    assert all(np.isfinite(r["train_loss"]) and np.isfinite(r["val_loss"]) for r in b)
    assert [r["train_loss"] for r in a] != [r["train_loss"] for r in b]  # autocast was on
    for x, y in zip(a, b, strict=True):  # ... and bfloat16 forward passes train like float32 ones
        assert y["train_loss"] == pytest.approx(x["train_loss"], rel=0.05)
    assert next(mixed.model.parameters()).dtype == torch.float32 and next(mixed.model.parameters()).device.type == "cpu"


def test_mixed_precision_pretraining_step(tiny_league, monkeypatch, tmp_path):
    from hfm_runtime.featurize import PitchFeaturizer
    from hfm_runtime.league import load_league
    from hfm_train.model.level1 import Level1Config
    from hfm_train.pretrain import PretrainConfig, pretrain

    table = PitchFeaturizer().fit_transform(load_league(tiny_league, seasons=[2018]).pitches)
    config = PretrainConfig(model=Level1Config(d_model=16, n_layers=1, n_heads=2, d_ff=32), epochs=1,
                            games_per_epoch=120, batch_pitches=512, progress=False)
    plain = pretrain(table, config, tmp_path / "plain", index=np.arange(0, len(table), 2))[1]
    monkeypatch.setattr(Session, "amp_dtype", property(lambda self: torch.bfloat16))
    with distributed.session("cpu"):
        encoder, mixed = pretrain(table, config, tmp_path / "mixed", index=np.arange(0, len(table), 2))
    assert [r["train_loss"] for r in plain] != [r["train_loss"] for r in mixed]
    for x, y in zip(plain, mixed, strict=True):
        assert y["train_loss"] == pytest.approx(x["train_loss"], rel=0.05)
    assert next(encoder.parameters()).dtype == torch.float32


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
