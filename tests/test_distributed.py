"""Data-parallel training under torchrun (2 CPU processes, gloo) against one process, on the tiny league.

Both runs use the same settings with fine-tuning dropout off (so the only differences between them
are the order of float additions in the split batches) and without the closed-form wide path
(`--no-wide`: on the tiny league no trained epoch beats the wide path alone, so the exported model
would be the wide path, the same in both runs whatever the deep part learnt; without it the deep part
trained under DistributedDataParallel, refit and cross-validated, is what gets exported and scored). A torchrun run that did not average its gradients (each rank stepping on its own half of
every batch) drifts far outside these tolerances within the first epoch.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from hfm_runtime.league import load_league
from hfm_runtime.scoring import History, Scorer
from hfm_runtime.targets import PLAYER_TYPES, TARGET_STATS

SETTINGS = ["--tiny", "--context-games", "10", "--threads", "1", "--device", "cpu", "--no-progress",
            "--set", "finetune.dropout=0", "--set", "finetune.stat_dropout=0", "--no-wide"]


@pytest.fixture(scope="module")
def runs(tiny_league, tmp_path_factory):
    """(single-process run folder, torchrun run folder, wall seconds of the two runs side by side)."""
    out = tmp_path_factory.mktemp("ddp")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    common = ["fit", "--league", str(tiny_league), "--runs-dir", str(out), *SETTINGS]
    torchrun = shutil.which("torchrun", path=str(Path(sys.executable).parent)) or "torchrun"
    commands = {"single": [sys.executable, "-m", "hfm_train", *common, "--name", "single"],
                "ddp": [torchrun, "--standalone", "--nproc_per_node", "2", "-m", "hfm_train", *common, "--name", "ddp"]}
    start = time.perf_counter()
    procs = {name: subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for name, argv in commands.items()}  # side by side: three 1-thread processes on the cores
    for name, proc in procs.items():
        output, _ = proc.communicate(timeout=900)
        (out / f"{name}.log").write_text(output)
        assert proc.returncode == 0, f"{name}: {output[-3000:]}"
    return out / "single", out / "ddp", time.perf_counter() - start


def test_torchrun_writes_the_single_process_checkpoint_format(runs):
    single, ddp, _ = runs
    files = lambda d: sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file())  # noqa: E731
    assert files(ddp) == files(single)
    assert not any(p.name.startswith(".ddp.work") for p in ddp.parent.iterdir())  # every rank's work removed
    meta = json.loads((ddp / "config.json").read_text())
    assert meta["world_size"] == 2 and meta["device"] == "cpu"
    for name in ("level1.pt", "batter/model.pt", "pitcher/model.pt"):
        a = torch.load(single / name, weights_only=True)
        b = torch.load(ddp / name, weights_only=True)
        a, b = a.get("state", a), b.get("state", b)
        assert a.keys() == b.keys() and all(a[k].shape == b[k].shape for k in a)


def test_torchrun_training_converges_like_one_process(runs):
    single, ddp, _ = runs
    pre_s = json.loads((single / "pretrain_history.json").read_text())
    pre_d = json.loads((ddp / "pretrain_history.json").read_text())
    for a, b in zip(pre_s, pre_d, strict=True):  # the same global batches and masks: the same losses
        assert b["train_loss"] == pytest.approx(a["train_loss"], rel=1e-4)
        assert b["val_loss"] == pytest.approx(a["val_loss"], rel=1e-4)
    for pt in PLAYER_TYPES:
        hist_s = json.loads((single / pt / "model.json").read_text())
        hist_d = json.loads((ddp / pt / "model.json").read_text())
        assert hist_d["best_epoch"] == hist_s["best_epoch"] >= 1  # the deep part was trained and kept
        rows_d = hist_d["history"][1:]
        assert rows_d[-1]["train_loss"] < rows_d[0]["train_loss"]  # fine-tuning converges
        for a, b in zip(hist_s["history"][1:], rows_d, strict=True):
            assert b["train_loss"] == pytest.approx(a["train_loss"], rel=1e-3)
            assert b["val_loss"] == pytest.approx(a["val_loss"], rel=1e-3)


def _torch_rates(run: Path, league, season: int):
    """The run's PyTorch models on the test season's opening day (as training predicts), indexed by
    (player_type, player_id)."""
    from hfm_runtime.identity import IDENTITY_DIR, IdentityModel, player_lines
    from hfm_train.examples import ExampleConfig, build_examples
    from hfm_train.finetune import predict
    from hfm_train.evaluate import load_model
    from hfm_train.pa_cache import load_pa_cache

    meta = json.loads((run / "config.json").read_text())
    games = load_pa_cache(run / "pa_cache.npz")
    frames = []
    for pt in PLAYER_TYPES:
        ex = build_examples(pt, [season], player_lines(league, pt), league.players,
                            IdentityModel.load(run / IDENTITY_DIR, pt), games,
                            ExampleConfig(**meta["run"]["examples"]), kinds=("start",))
        rates = predict(load_model(run, pt), ex, games)["rates"]
        frame = pd.DataFrame(rates, columns=[f"model_{s}" for s in TARGET_STATS[pt]])
        frame["player_type"], frame["player_id"] = pt, ex.table["player_id"].to_numpy()
        frames.append(frame)
    return pd.concat(frames, ignore_index=True).set_index(["player_type", "player_id"])


def test_torchrun_bundle_scores_like_the_single_process_model(runs, tiny_league, tmp_path):
    from hfm_export.export import export_run

    single, ddp, wall = runs
    league = load_league(tiny_league)
    season = max(league.seasons)
    export_run(ddp, tmp_path / "bundle")
    scored = Scorer(tmp_path / "bundle").score(History.from_league(league), season)
    scored = scored[scored["flag"] == "model"].set_index(["player_type", "player_id"])
    want = _torch_rates(single, league, season)
    worst, compared = 0.0, 0
    for pt in PLAYER_TYPES:
        cols = [f"model_{s}" for s in TARGET_STATS[pt]]
        ids = want.loc[pt].index.intersection(scored.loc[pt].index)
        got = scored.loc[pt].loc[ids, cols].to_numpy(float)
        worst = max(worst, float(np.abs(got - want.loc[pt].loc[ids, cols].to_numpy(float)).max()))
        compared += len(ids)
    moved = float(np.nanmax(np.abs(scored.filter(like="adj_").to_numpy(float))))
    print(f"torchrun bundle vs single-process model: max |rate diff| {worst:.2e} over {compared} players "
          f"(largest adjustment to Marcel {moved:.3f}); both runs side by side: {wall:.0f} s wall")
    assert compared >= len(want) // 2
    assert moved > 1e-3  # the models adjust Marcel: not a comparison of two no-ops
    assert worst < 1e-4
