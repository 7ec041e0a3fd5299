"""Masked gamestate pre-training of Level 1 (design.md; seeds: "MGM").

One example per game (a `GameTable` row). About `mask_rate` of each game's pitches (at least one) are
replaced, whole, by the encoder's learned mask vector, so nothing of the pitch (not its launch data, not
its event) is visible; two heads predict the masked pitches' `pitch_type` and `description` from the
contextual states. Validation games are whole game_pks held out (both perspectives of a game share
its pitches, so splitting by game_pk keeps them on one side), and drive early stopping.

Files written in `out_dir` (a training run folder):
  level1_checkpoint.pt   everything needed to resume after the last finished epoch
  level1.pt              the best encoder: {"config": Level1Config.to_json(), "state": state_dict}
  pretrain_history.json  per-epoch metrics (the list `pretrain` returns)

Loss = cross-entropy of the pitch_type head + that of the description head, per masked pitch; the
majority-class baseline is the accuracy of always guessing the training games' most frequent id.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from hfm_runtime.featurize import PITCH_CATEGORICALS, GameTable
from hfm_train.model.level1 import Level1Config, PitchEncoder

TARGETS: tuple[str, ...] = ("pitch_type", "description")  # the PITCH_CATEGORICALS fields predicted
CHECKPOINT, ENCODER, HISTORY = "level1_checkpoint.pt", "level1.pt", "pretrain_history.json"


@dataclass(frozen=True)
class PretrainConfig:
    model: Level1Config = field(default_factory=Level1Config)  # vocab sizes are filled from the data
    epochs: int = 6
    batch_pitches: int = 1024      # padded pitch slots per batch (games of similar length share one)
    lr: float = 2e-3
    weight_decay: float = 0.01
    mask_rate: float = 0.15
    val_fraction: float = 0.03     # of game_pks
    patience: int = 2              # epochs without a better validation loss before stopping
    # Training games sampled per epoch (None: all ~65k of the default league, ~8x longer). The default
    # (6 epochs x 8,000 games) measured 20 s on 2 idle cores, 259 s on 2 cores shared with other jobs.
    games_per_epoch: int | None = 8_000
    seed: int = 0
    progress: bool = True

    def to_json(self) -> dict:
        return {**asdict(self), "model": self.model.to_json()}


class MaskedGameHeads(nn.Module):
    """One linear head per TARGETS field over the pitch states."""

    def __init__(self, config: Level1Config) -> None:
        super().__init__()
        self.heads = nn.ModuleList(
            nn.Linear(config.d_model, config.vocab_sizes[PITCH_CATEGORICALS.index(t)]) for t in TARGETS
        )

    def forward(self, states: torch.Tensor) -> list[torch.Tensor]:
        return [head(states) for head in self.heads]


def pretrain(
    games: GameTable, config: PretrainConfig, out_dir: str | Path, resume: bool = True
) -> tuple[PitchEncoder, list[dict]]:
    """Pre-train a `PitchEncoder` on `games`; returns the best encoder (eval mode) and the history.

    With `resume`, a checkpoint in `out_dir` of the same config (`epochs`/`patience` may differ)
    continues where it stopped, and the result equals an uninterrupted run: every epoch's sampling,
    shuffling, masks and dropout are seeded by (seed, epoch).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model_config = replace(config.model, vocab_sizes=games.vocab_sizes, n_numeric=games.num.shape[1])
    config = replace(config, model=model_config)
    deterministic = torch.are_deterministic_algorithms_enabled()
    fill = torch.utils.deterministic.fill_uninitialized_memory
    torch.use_deterministic_algorithms(True)
    # Filling every new tensor with NaN (the deterministic mode's debugging aid) cost ~20% of a step.
    torch.utils.deterministic.fill_uninitialized_memory = False
    try:
        return _pretrain(games, config, out_dir, resume)
    finally:
        torch.use_deterministic_algorithms(deterministic)
        torch.utils.deterministic.fill_uninitialized_memory = fill


def _pretrain(games: GameTable, config: PretrainConfig, out_dir: Path, resume: bool):
    torch.manual_seed(config.seed)
    encoder = PitchEncoder(config.model)
    heads = MaskedGameHeads(config.model)
    params = [*encoder.parameters(), *heads.parameters()]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay, foreach=True)
    train_idx, val_idx = split_games(games, config.val_fraction, config.seed)
    baseline = majority_classes(games.take(train_idx))
    lengths = games.n_pitches

    state = {"epoch": 0, "history": [], "best_loss": float("inf"), "best": None, "bad_epochs": 0}
    checkpoint = out_dir / CHECKPOINT
    if resume and checkpoint.is_file():
        saved = torch.load(checkpoint, weights_only=False)
        if _resumable(saved["config"]) == _resumable(config.to_json()):
            encoder.load_state_dict(saved["encoder"])
            heads.load_state_dict(saved["heads"])
            optimizer.load_state_dict(saved["optimizer"])
            state = saved["state"]

    while state["epoch"] < config.epochs and state["bad_epochs"] < config.patience:
        epoch = state["epoch"]
        rng = np.random.default_rng([config.seed, epoch])
        torch.manual_seed(config.seed * 100_003 + epoch)  # dropout
        chosen = train_idx
        if config.games_per_epoch is not None and config.games_per_epoch < len(train_idx):
            chosen = np.sort(rng.choice(train_idx, config.games_per_epoch, replace=False))
        batches = length_batches(chosen, lengths, config.batch_pitches, rng)
        start = time.perf_counter()
        encoder.train(), heads.train()
        train = _Meter()
        bar = tqdm(batches, desc=f"pretrain epoch {epoch + 1}/{config.epochs}", disable=not config.progress,
                   leave=False)
        for index in bar:
            loss, stats = _step(encoder, heads, games, index, config.mask_rate, rng)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            train.add(stats)
            bar.set_postfix(loss=f"{train.loss:.3f}")
        val = evaluate(encoder, heads, games, val_idx, config)
        row = {
            "epoch": epoch + 1, "seconds": round(time.perf_counter() - start, 2),
            "train_loss": train.loss, "val_loss": val.loss,
            **{f"train_acc_{t}": train.accuracy(i) for i, t in enumerate(TARGETS)},
            **{f"val_acc_{t}": val.accuracy(i) for i, t in enumerate(TARGETS)},
            **{f"val_baseline_{t}": val.baseline(i, baseline[t]) for i, t in enumerate(TARGETS)},
        }
        if config.progress:
            tqdm.write(" ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()))
        state["history"].append(row)
        monitored = val.loss if val.n else train.loss  # no validation games: watch the training loss
        if monitored < state["best_loss"] - 1e-4:
            state["best_loss"], state["bad_epochs"] = monitored, 0
            state["best"] = {k: v.clone() for k, v in encoder.state_dict().items()}
        else:
            state["bad_epochs"] += 1
        state["epoch"] = epoch + 1
        _save(checkpoint, {
            "config": config.to_json(), "encoder": encoder.state_dict(), "heads": heads.state_dict(),
            "optimizer": optimizer.state_dict(), "state": state,
        })

    if state["best"] is not None:
        encoder.load_state_dict(state["best"])
    encoder.eval()
    _save(out_dir / ENCODER, {"config": config.model.to_json(), "state": encoder.state_dict()})
    (out_dir / HISTORY).write_text(json.dumps(state["history"], indent=1))
    return encoder, state["history"]


def load_encoder(path: str | Path) -> PitchEncoder:
    """The encoder `pretrain` saved (`level1.pt`), in eval mode."""
    saved = torch.load(Path(path), weights_only=True)
    encoder = PitchEncoder(Level1Config.from_json(saved["config"]))
    encoder.load_state_dict(saved["state"])
    return encoder.eval()


def split_games(games: GameTable, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) game indices; validation = a seeded `val_fraction` of the game_pks."""
    pks = np.unique(games.keys.game_pk)
    rng = np.random.default_rng([seed, 7])
    n_val = int(round(len(pks) * val_fraction)) if len(pks) > 1 else 0
    val_pks = rng.choice(pks, n_val, replace=False)
    is_val = np.isin(games.keys.game_pk, val_pks)
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)


def majority_classes(games: GameTable) -> dict[str, int]:
    """The most frequent non-padding id of each TARGETS field (the baseline's constant guess)."""
    out = {}
    for t in TARGETS:
        ids = games.cat[:, PITCH_CATEGORICALS.index(t)]
        counts = np.bincount(ids[ids > 0], minlength=2)
        out[t] = int(np.argmax(counts))
    return out


def length_batches(index: np.ndarray, lengths: np.ndarray, budget: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Batches of games of similar length, each with at most `budget` padded pitch slots (or one game),
    in a random order; ties in length are broken at random so batches differ between epochs."""
    index = np.asarray(index)
    order = index[np.lexsort((rng.random(len(index)), lengths[index]))]
    batches, start = [], 0
    while start < len(order):
        stop = start + 1
        # Sorted ascending, so the batch's padded length is its last game's length.
        while stop < len(order) and (stop - start + 1) * lengths[order[stop]] <= budget:
            stop += 1
        batches.append(order[start:stop])
        start = stop
    return [batches[i] for i in rng.permutation(len(batches))]


def mask_pitches(pitch_mask: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Pitches to hide, [G, P] bool: each real pitch with probability `rate`, and at least one per game."""
    score = np.where(pitch_mask, rng.random(pitch_mask.shape), 2.0)
    masked = score < rate
    masked[np.arange(len(score)), score.argmin(axis=1)] = True
    return masked & pitch_mask


class _Meter:
    """Running loss (per masked pitch) and hit counts per head."""

    def __init__(self) -> None:
        self.loss_sum, self.n = 0.0, 0
        self.hits = np.zeros(len(TARGETS))
        self.base_hits = np.zeros(len(TARGETS))
        self.counts = np.zeros(len(TARGETS))
        self.targets: list[list[np.ndarray]] = [[] for _ in TARGETS]

    def add(self, stats: dict) -> None:
        self.loss_sum += stats["loss"] * stats["n"]
        self.n += stats["n"]
        for i in range(len(TARGETS)):
            self.hits[i] += stats["hits"][i]
            self.counts[i] += stats["counts"][i]
            self.targets[i].append(stats["targets"][i])

    @property
    def loss(self) -> float:
        return self.loss_sum / max(self.n, 1)

    def accuracy(self, i: int) -> float:
        return float(self.hits[i] / max(self.counts[i], 1))

    def baseline(self, i: int, majority: int) -> float:
        targets = np.concatenate(self.targets[i]) if self.targets[i] else np.zeros(0, np.int64)
        return float(np.mean(targets == majority)) if len(targets) else 0.0


def _step(encoder, heads, games: GameTable, index: np.ndarray, rate: float, rng: np.random.Generator):
    batch = games.collate(index)
    hidden = mask_pitches(batch.pitch_mask, rate, rng)
    states = encoder.pitch_states(
        torch.from_numpy(batch.cat), torch.from_numpy(batch.num), torch.from_numpy(batch.pitch_mask),
        torch.from_numpy(hidden),
    )
    picked = torch.from_numpy(hidden)
    logits = heads(states[picked])
    loss = torch.zeros(())
    stats = {"hits": [], "counts": [], "targets": []}
    for i, t in enumerate(TARGETS):
        target = torch.from_numpy(batch.cat[..., PITCH_CATEGORICALS.index(t)])[picked]
        known = target > 0  # 0: the field was missing on that pitch
        if bool(known.any()):
            loss = loss + F.cross_entropy(logits[i][known], target[known])
        stats["hits"].append(int((logits[i].argmax(-1)[known] == target[known]).sum()))
        stats["counts"].append(int(known.sum()))
        stats["targets"].append(target[known].numpy())
    stats["loss"], stats["n"] = float(loss.detach()), int(picked.sum())
    return loss, stats


@torch.no_grad()
def evaluate(encoder, heads, games: GameTable, index: np.ndarray, config: PretrainConfig) -> _Meter:
    """Masked loss/accuracy on `index` with the same masks every epoch (seeded by config.seed)."""
    encoder.eval(), heads.eval()
    rng = np.random.default_rng([config.seed, 10**6])
    meter = _Meter()
    for index_batch in length_batches(index, games.n_pitches, config.batch_pitches, rng):
        meter.add(_step(encoder, heads, games, index_batch, config.mask_rate, rng)[1])
    return meter


def _resumable(config: dict) -> dict:
    """The config fields a checkpoint must share to be resumed (not those that only say when to stop)."""
    return {k: v for k, v in config.items() if k not in ("epochs", "patience", "progress")}


def _save(path: Path, obj: dict) -> None:
    """Write then rename, so an interrupted save never leaves a broken checkpoint."""
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)
