"""Masked gamestate pre-training and the PA-embedding cache, on a slice of the tiny league."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from hfm_runtime.featurize import PITCH_NUMERICS, PitchFeaturizer
from hfm_runtime.league import load_league
from hfm_train.model import Level1Config, PitchEncoder
from hfm_train.pa_cache import encode_games, load_pa_cache, save_pa_cache
from hfm_train.pretrain import (
    CHECKPOINT, CONTACT_TARGETS, ENCODER, PretrainConfig, length_batches, load_encoder, mask_pitches, pretrain,
    target_ids,
)

SMALL = Level1Config(d_model=32, n_layers=1, n_heads=2, d_ff=64)


@pytest.fixture(scope="module")
def games(tiny_league):
    table = PitchFeaturizer().fit_transform(load_league(tiny_league).pitches)
    return table.take(np.random.default_rng(0).choice(len(table), 400, replace=False))


def config(**kw) -> PretrainConfig:
    base = dict(model=SMALL, epochs=5, batch_pitches=256, lr=3e-3, val_fraction=0.25, patience=10,
                games_per_epoch=None, progress=False, seed=3)
    return PretrainConfig(**{**base, **kw})


def test_pretraining_lowers_loss_and_beats_majority(games, tmp_path):
    encoder, history = pretrain(games, config(), tmp_path)
    assert len(history) == 5 and not encoder.training
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[-1]["val_loss"] < history[0]["val_loss"]
    # Pitch type is learnt from the rest of the game within a few hundred steps; the pitch's result
    # (description) takes far longer (it is told mostly by the next pitch's count), so on this slice
    # it is only required not to fall below its majority baseline.
    last = history[-1]
    assert last["val_acc_pitch_type"] > last["val_baseline_pitch_type"] + 0.05
    assert last["val_acc_description"] > last["val_baseline_description"] - 0.03
    reloaded = load_encoder(tmp_path / ENCODER)
    batch = [torch.from_numpy(a) for a in games.collate(np.arange(5)).inputs()]
    with torch.no_grad():
        torch.testing.assert_close(reloaded(*batch), encoder(*batch))


def test_contact_targets_are_bins_of_contact_pitches_only(tiny_league, games, tmp_path):
    featurizer = PitchFeaturizer()
    pitches = load_league(tiny_league).pitches
    table = featurizer.fit_transform(pitches)
    raw = table.num * np.asarray(featurizer.std_, np.float32) + np.asarray(featurizer.mean_, np.float32)
    speed = target_ids(table.cat, table.num, "launch_speed_bin")
    contact = speed > 0
    # exactly the pitches with launch data (each in two games: the batter's and the pitcher's); a
    # faster ball never falls in a lower bin
    assert contact.sum() == 2 * pitches["launch_speed"].notna().sum() > 0
    order = np.argsort(raw[contact, PITCH_NUMERICS.index("launch_speed")])
    assert (np.diff(speed[contact][order]) >= 0).all() and speed.max() <= 10
    assert ((target_ids(table.cat, table.num, "launch_angle_bin") > 0) == contact).all()
    np.testing.assert_array_equal(target_ids(table.cat, table.num, "events"), table.cat[:, 2])
    with pytest.raises(ValueError, match="launch_speed_bins"):
        PretrainConfig(targets=("pitch_type", "launch_speed_bins"))

    encoder, history = pretrain(games, config(epochs=2, targets=CONTACT_TARGETS), tmp_path)
    last = history[-1]
    assert all(np.isfinite(last[f"val_acc_{t}"]) for t in CONTACT_TARGETS)
    assert history[-1]["train_loss"] < history[0]["train_loss"]


def test_resume_equals_uninterrupted(games, tmp_path):
    small = games.take(np.arange(40))
    straight = pretrain(small, config(epochs=3), tmp_path / "a")[1]
    pretrain(small, config(epochs=2), tmp_path / "b")
    # marked in the checkpoint: a run that trained again from scratch (deterministic) would not carry it
    saved = torch.load(tmp_path / "b" / CHECKPOINT, weights_only=False)
    saved["state"]["history"][1]["read_back"] = True
    torch.save(saved, tmp_path / "b" / CHECKPOINT)
    resumed = pretrain(small, config(epochs=3), tmp_path / "b")[1]
    assert [row.get("read_back") for row in resumed] == [None, True, None]
    drop = lambda h: [{k: v for k, v in row.items() if k not in ("seconds", "read_back")} for row in h]  # noqa: E731
    assert drop(resumed) == drop(straight)


def test_pa_cache_round_trip_matches_encoder(games, tmp_path):
    torch.manual_seed(0)
    encoder = PitchEncoder(replace(SMALL, vocab_sizes=games.vocab_sizes)).eval()
    cache = encode_games(encoder, games, batch_pitches=512)
    save_pa_cache(cache, tmp_path / "pa.npz", encoder.config.to_json())
    loaded = load_pa_cache(tmp_path / "pa.npz")
    assert loaded.pa_emb.shape == (games.pa_offsets[-1], 32) and len(loaded) == len(games)
    np.testing.assert_array_equal(loaded.pa_outcome, games.pa_outcome)
    np.testing.assert_array_equal(loaded.keys.player_id, games.keys.player_id)
    np.testing.assert_array_equal(loaded.keys.game_date, games.keys.game_date)
    assert loaded.keys.perspective.dtype.kind == "U" and loaded.d_pa == 32
    for g in (0, 17, len(games) - 1):  # each game alone gives the cached rows
        with torch.no_grad():
            alone = encoder(*(torch.from_numpy(a) for a in games.collate([g]).inputs()))[0].numpy()
        np.testing.assert_allclose(loaded.pa_emb[loaded.pa_offsets[g]:loaded.pa_offsets[g + 1]], alone[: games.n_pas[g]], atol=1e-5)


def test_masks_and_batches():
    rng = np.random.default_rng(0)
    pitch_mask = np.arange(10)[None] < np.array([[10], [1], [4]])
    masked = mask_pitches(pitch_mask, 0.15, rng)
    assert (masked <= pitch_mask).all() and (masked.sum(1) >= 1).all()
    lengths = rng.integers(1, 60, 300)
    batches = length_batches(np.arange(300), lengths, 256, rng)
    assert sorted(np.concatenate(batches).tolist()) == list(range(300))
    assert all(len(b) * lengths[b].max() <= 256 or len(b) == 1 for b in batches)


def test_set_reaches_nested_config_fields():
    from hfm_runtime.errors import HFMInputError
    from hfm_train.fit import RunConfig, apply_override

    config = apply_override(RunConfig(), "pretrain.model.d_model=256")
    config = apply_override(config, 'pretrain.targets=["pitch_type","launch_speed_bin"]')
    assert config.pretrain.model.d_model == 256 and config.pretrain.model.n_layers == RunConfig().pretrain.model.n_layers
    assert config.pretrain.targets == ("pitch_type", "launch_speed_bin")
    for bad in ("model.d_model=1", "pretrain.epochs.x=2", "pretrain=3"):
        with pytest.raises(HFMInputError, match="expected SECTION.FIELD=VALUE"):
            apply_override(config, bad)
    with pytest.raises(HFMInputError, match="pretrain.model has no field 'width'"):
        apply_override(config, "pretrain.model.width=1")
    # a list field whose JSON quotes a shell ate: refused, never read as a tuple of characters
    with pytest.raises(HFMInputError, match="finetune.wide_exclude is a list"):
        apply_override(config, "finetune.wide_exclude=[marcel_shrunk:]")
    assert apply_override(config, 'finetune.wide_exclude=["marcel_shrunk:"]').finetune.wide_exclude == ("marcel_shrunk:",)


@pytest.mark.slow
def test_a_fit_of_the_wide_path_alone_keeps_a_zero_pa_cache_and_projects_the_same(tiny_run, tiny_league, tmp_path):
    """0 fine-tuning epochs read no Level-1 output, so the fit keeps a cache of zeros (its embeddings
    not written out) and projects exactly as the same fit on an encoded cache (`--level1-from` a run
    that has one); a fit with the deep part from it (`--level1-from`, epochs > 0) encodes the games."""
    import pandas as pd

    from hfm_train.fit import RunConfig, fit_run
    from hfm_train.pa_cache import is_zero_cache

    base = RunConfig.tiny(league=str(tiny_league))
    wide = replace(base, finetune=replace(base.finetune, epochs=0))
    quiet = dict(progress=False, log=lambda *args: None)
    zeros = fit_run(replace(wide, name="zeros"), tmp_path, **quiet)
    encoded = fit_run(replace(wide, name="encoded", level1_from=str(tiny_run)), tmp_path, **quiet)
    assert is_zero_cache(zeros / "pa_cache.npz") and not is_zero_cache(encoded / "pa_cache.npz")
    assert (zeros / "pa_cache.npz").stat().st_size < (encoded / "pa_cache.npz").stat().st_size / 2
    assert not load_pa_cache(zeros / "pa_cache.npz").pa_emb.any()
    pd.testing.assert_frame_equal(pd.read_csv(zeros / "test_predictions.csv"),
                                  pd.read_csv(encoded / "test_predictions.csv"))
    deep = fit_run(replace(base, name="deep", level1_from=str(zeros)), tmp_path, **quiet)
    assert not is_zero_cache(deep / "pa_cache.npz") and load_pa_cache(deep / "pa_cache.npz").pa_emb.any()
