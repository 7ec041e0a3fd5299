"""Masked gamestate pre-training of Level 1 (docs/model.md).

One example per game (a `GameTable` row). About `mask_rate` of each game's pitches (at least one) are
replaced, whole, by the encoder's learned mask vector, so nothing of the pitch (not its launch data, not
its event) is visible; one head per `PretrainConfig.targets` predicts the masked pitches' value of it
from the contextual states. A target is a PITCH_CATEGORICALS field (its vocabulary id; default
`pitch_type` and `description`) or a binned contact measurement, "launch_speed_bin" /
"launch_angle_bin": the standardised value cut at CONTACT_BIN_EDGES (ids 1..10). Id 0 (a missing
field: no event before a PA's last pitch, no launch data without contact) is never a target.
CONTACT_TARGETS adds the PA's event, the batted-ball type and both contact bins (contact quality).
Validation games are whole game_pks held out (both perspectives of a game share its pitches, so
splitting by game_pk keeps them on one side), and drive early stopping.

Files written in `out_dir` (a training run folder):
  level1_checkpoint.pt   everything needed to resume after the last finished epoch
  level1.pt              the best encoder: {"config": Level1Config.to_json(), "state": state_dict}
  pretrain_history.json  per-epoch metrics (the list `pretrain` returns)

Loss = the sum over heads of each head's mean cross-entropy over the masked pitches where its target is
known; the majority-class baseline is the accuracy of always guessing the training games' most
frequent id.

`index` (optional) names the table rows to pre-train on, so a league-size table is never copied.
Device and data parallelism come from hfm_train.distributed's session: on the CPU the run is
deterministic (torch's deterministic algorithms); on CUDA the training forward runs under autocast;
under torchrun each rank encodes its shard of every batch (`Session.shard`) in DistributedDataParallel,
every rank draws the whole batch's masks (so they are the single-process masks) and evaluates the
whole validation set; the training metrics are summed over the ranks at the end of each epoch. The
encoder returned and saved is on the CPU.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F
from tqdm.auto import tqdm

from hfm_runtime.errors import HFMInputError
from hfm_runtime.featurize import PITCH_CATEGORICALS, PITCH_NUMERICS, GameTable
from hfm_train import distributed
from hfm_train.model.level1 import Level1Config, PitchEncoder

TARGETS: tuple[str, ...] = ("pitch_type", "description")  # the default: what the seeds' MGM predicts
CONTACT_BINS: dict[str, str] = {"launch_speed_bin": "launch_speed", "launch_angle_bin": "launch_angle"}
CONTACT_BIN_EDGES = np.linspace(-2.0, 2.0, 9)  # standard deviations: 10 bins, ids 1..10
CONTACT_TARGETS: tuple[str, ...] = (*TARGETS, "events", "bb_type", *CONTACT_BINS)
CHECKPOINT, ENCODER, HISTORY = "level1_checkpoint.pt", "level1.pt", "pretrain_history.json"


@dataclass(frozen=True)
class PretrainConfig:
    model: Level1Config = field(default_factory=Level1Config)  # vocab sizes are filled from the data
    epochs: int = 6
    batch_pitches: int = 1024      # padded pitch slots per batch (games of similar length share one)
    lr: float = 2e-3
    weight_decay: float = 0.01
    mask_rate: float = 0.15
    targets: tuple[str, ...] = TARGETS  # what the heads predict (module docstring; CONTACT_TARGETS)
    val_fraction: float = 0.03     # of game_pks
    patience: int = 2              # epochs without a better validation loss before stopping
    # Training games sampled per epoch (None: all ~65k of the default league, ~8x longer). The default
    # (6 epochs x 8,000 games) measured 20 s on 2 idle cores, 259 s on 2 cores shared with other jobs.
    games_per_epoch: int | None = 8_000
    seed: int = 0
    progress: bool = True

    def __post_init__(self) -> None:
        unknown = [t for t in self.targets if t not in PITCH_CATEGORICALS and t not in CONTACT_BINS]
        if unknown or not self.targets:
            raise ValueError(f"pretrain targets {unknown or '()'}: expected names from "
                             f"{', '.join((*PITCH_CATEGORICALS, *CONTACT_BINS))}")

    def to_json(self) -> dict:
        return {**asdict(self), "model": self.model.to_json(), "targets": list(self.targets)}


def n_classes(target: str, config: Level1Config) -> int:
    """Output width of `target`'s head (ids 0..n-1; 0 is never a target)."""
    if target in CONTACT_BINS:
        return len(CONTACT_BIN_EDGES) + 2
    return config.vocab_sizes[PITCH_CATEGORICALS.index(target)]


def target_ids(cat: np.ndarray, num: np.ndarray, target: str) -> np.ndarray:
    """`target`'s class ids of pitches laid out as featurize's cat [..., C] / num [..., F]; 0 = unknown."""
    if target not in CONTACT_BINS:
        return cat[..., PITCH_CATEGORICALS.index(target)]
    value = num[..., PITCH_NUMERICS.index(CONTACT_BINS[target])]
    contact = num[..., PITCH_NUMERICS.index("contact_tracked")] > 0.5  # a mask: 1.0 measured
    return np.where(contact, np.digitize(value, CONTACT_BIN_EDGES) + 1, 0).astype(np.int64)


class MaskedGameHeads(nn.Module):
    """One linear head per target over the pitch states."""

    def __init__(self, config: Level1Config, targets: tuple[str, ...] = TARGETS) -> None:
        super().__init__()
        self.heads = nn.ModuleList(nn.Linear(config.d_model, n_classes(t, config)) for t in targets)

    def forward(self, states: torch.Tensor) -> list[torch.Tensor]:
        return [head(states) for head in self.heads]


class MaskedGameModel(nn.Module):
    """Encoder + heads as one module (what DistributedDataParallel wraps): the heads' logits on the
    pitch states selected by `picked` [G, P] bool."""

    def __init__(self, encoder: PitchEncoder, heads: MaskedGameHeads) -> None:
        super().__init__()
        self.encoder, self.heads = encoder, heads

    def forward(self, cat, num, pitch_mask, token_mask, picked) -> list[torch.Tensor]:
        states = self.encoder.pitch_states(cat, num, pitch_mask, token_mask)
        return self.heads(states[picked])


class GameRows:
    """The games at table rows `rows` of `table`, without copying their pitches (what pre-training
    reads: keys, n_pitches, collate)."""

    def __init__(self, table: GameTable, rows: np.ndarray | None = None) -> None:
        self.table = table
        self.rows = np.arange(len(table)) if rows is None else np.asarray(rows, dtype=np.int64)
        self.keys = table.keys if rows is None else table.keys.take(self.rows)
        self.n_pitches = table.n_pitches[self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def collate(self, index: np.ndarray):
        return self.table.collate(self.rows[np.asarray(index, dtype=np.int64)])


def pretrain(
    games: GameTable, config: PretrainConfig, out_dir: str | Path, resume: bool = True,
    index: np.ndarray | None = None,
) -> tuple[PitchEncoder, list[dict]]:
    """Pre-train a `PitchEncoder` on `games` (only its rows `index` if given: the same as passing
    `games.take(index)`, without the copy); returns the best encoder (eval mode, CPU) and the history.

    With `resume`, a checkpoint in `out_dir` of the same config (`epochs`/`patience` may differ)
    continues where it stopped, and the result equals an uninterrupted run: every epoch's sampling,
    shuffling, masks and dropout are seeded by (seed, epoch).
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    model_config = replace(config.model, vocab_sizes=games.vocab_sizes, n_numeric=games.num.shape[1])
    config = replace(config, model=model_config)
    session = distributed.current()
    deterministic = torch.are_deterministic_algorithms_enabled()
    fill = torch.utils.deterministic.fill_uninitialized_memory
    # CPU: deterministic kernels (bit-reproducible runs). CUDA: cuBLAS and atomics are not, and
    # forcing them would need CUBLAS_WORKSPACE_CONFIG and refuse some ops (distributed docstring).
    torch.use_deterministic_algorithms(session.device.type == "cpu")
    # Filling every new tensor with NaN (the deterministic mode's debugging aid) cost ~20% of a step.
    torch.utils.deterministic.fill_uninitialized_memory = False
    try:
        return _pretrain(GameRows(games, index), config, out_dir, resume, session)
    finally:
        torch.use_deterministic_algorithms(deterministic)
        torch.utils.deterministic.fill_uninitialized_memory = fill


def _pretrain(games: GameRows, config: PretrainConfig, out_dir: Path, resume: bool,
              session: distributed.Session):
    torch.manual_seed(config.seed)
    encoder = PitchEncoder(config.model)
    heads = MaskedGameHeads(config.model, config.targets)
    params = [*encoder.parameters(), *heads.parameters()]
    net = MaskedGameModel(encoder, heads).to(session.device)
    step_net = session.wrap(net)
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay, foreach=True)
    train_idx, val_idx = split_games(games, config.val_fraction, config.seed)
    baseline = majority_classes(games.table, games.rows[train_idx], config.targets)
    lengths = games.n_pitches

    state = {"epoch": 0, "history": [], "best_loss": float("inf"), "best": None, "bad_epochs": 0}
    checkpoint = out_dir / CHECKPOINT
    if resume and checkpoint.is_file():
        saved = torch.load(checkpoint, weights_only=False, map_location=session.device)
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
        net.train()
        train = _Meter(len(config.targets))
        bar = tqdm(batches, desc=f"pretrain epoch {epoch + 1}/{config.epochs}",
                   disable=not (config.progress and session.is_main), leave=False)
        for index in bar:
            loss, stats = _step(step_net, games, index, config, rng, session)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            train.add(stats)
            bar.set_postfix(loss=f"{train.loss:.3f}")
        train.reduce(session)
        val = evaluate(net, games, val_idx, config)
        row = {
            "epoch": epoch + 1, "seconds": round(time.perf_counter() - start, 2),
            "train_loss": train.loss, "val_loss": val.loss,
            **{f"train_acc_{t}": train.accuracy(i) for i, t in enumerate(config.targets)},
            **{f"val_acc_{t}": val.accuracy(i) for i, t in enumerate(config.targets)},
            **{f"val_baseline_{t}": val.baseline(i, baseline[t]) for i, t in enumerate(config.targets)},
        }
        if config.progress and session.is_main:
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
    encoder.cpu().eval()
    _save(out_dir / ENCODER, {"config": config.model.to_json(), "state": encoder.state_dict()})
    (out_dir / HISTORY).write_text(json.dumps(state["history"], indent=1))
    return encoder, state["history"]


def read_torch_file(path: str | Path) -> Any:
    """torch.load of a run's file (weights only), or one error naming it: a missing or damaged file (a
    copy cut short) raised torch's own traceback."""
    path = Path(path)
    if not path.is_file():
        raise HFMInputError(f"{path}: missing (not a finished training run?)")
    try:
        return torch.load(path, weights_only=True)
    except (RuntimeError, EOFError, OSError, ValueError, pickle.UnpicklingError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HFMInputError(f"{path}: cannot read as a PyTorch file ({first}): fit the run again") from None


def load_encoder(path: str | Path) -> PitchEncoder:
    """The encoder `pretrain` saved (`level1.pt`), in eval mode."""
    saved = read_torch_file(path)
    encoder = PitchEncoder(Level1Config.from_json(saved["config"]))
    encoder.load_state_dict(saved["state"])
    return encoder.eval()


def split_games(games: GameTable | GameRows, val_fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(train, validation) game indices; validation = a seeded `val_fraction` of the game_pks."""
    pks = np.unique(games.keys.game_pk)
    rng = np.random.default_rng([seed, 7])
    n_val = int(round(len(pks) * val_fraction)) if len(pks) > 1 else 0
    val_pks = rng.choice(pks, n_val, replace=False)
    is_val = np.isin(games.keys.game_pk, val_pks)
    return np.flatnonzero(~is_val), np.flatnonzero(is_val)


def majority_classes(games: GameTable, index: np.ndarray | None = None,
                     targets: tuple[str, ...] = TARGETS) -> dict[str, int]:
    """The most frequent known id of each target (the baseline's constant guess) over the games
    `index` (default: all), reading only their pitches."""
    rows = None if index is None else _pitch_rows(games.pitch_offsets, np.asarray(index, dtype=np.int64))
    out = {}
    for t in targets:
        # one target column at a time (a view of `cat` for a field): never a copy of the whole table
        ids = target_ids(games.cat, games.num, t)
        ids = ids if rows is None else ids[rows]
        counts = np.bincount(ids[ids > 0], minlength=2)
        out[t] = int(np.argmax(counts))
    return out


def _pitch_rows(offsets: np.ndarray, index: np.ndarray) -> np.ndarray:
    """The pitch rows of the games `index` of a ragged table with `pitch_offsets` `offsets`, in order."""
    lengths = offsets[index + 1] - offsets[index]
    ends = np.cumsum(lengths)
    return np.repeat(offsets[index] - (ends - lengths), lengths) + np.arange(int(ends[-1]) if len(ends) else 0)


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

    def __init__(self, n_targets: int) -> None:
        self.loss_sum, self.n = 0.0, 0
        self.hits = np.zeros(n_targets)
        self.counts = np.zeros(n_targets)
        self.targets: list[list[np.ndarray]] = [[] for _ in range(n_targets)]

    def add(self, stats: dict) -> None:
        self.loss_sum += stats["loss"] * stats["n"]
        self.n += stats["n"]
        for i in range(len(self.hits)):
            self.hits[i] += stats["hits"][i]
            self.counts[i] += stats["counts"][i]
            self.targets[i].append(stats["targets"][i])

    def reduce(self, session: distributed.Session) -> None:
        """Sum the ranks' shares (loss, hits, counts; `n` is every rank's whole-batch count already)."""
        if session.distributed:
            total = session.all_reduce(np.concatenate([[self.loss_sum], self.hits, self.counts]))
            k = len(self.hits)
            self.loss_sum, self.hits, self.counts = float(total[0]), total[1:1 + k], total[1 + k:]

    @property
    def loss(self) -> float:
        return self.loss_sum / max(self.n, 1)

    def accuracy(self, i: int) -> float:
        return float(self.hits[i] / max(self.counts[i], 1))

    def baseline(self, i: int, majority: int) -> float:
        targets = np.concatenate(self.targets[i]) if self.targets[i] else np.zeros(0, np.int64)
        return float(np.mean(targets == majority)) if len(targets) else 0.0


def _step(net: nn.Module, games: GameRows, index: np.ndarray, config: PretrainConfig, rng: np.random.Generator,
          session: distributed.Session | None = None):
    """Loss and metrics of one batch. With a distributed `session`, this rank's share (module
    docstring): the masks are drawn for the whole batch, the loss is its rows' cross-entropy sums over
    the batch's counts, times the shard factor; metrics count its rows only."""
    batch = games.collate(index)
    hidden = mask_pitches(batch.pitch_mask, config.mask_rate, rng)
    n_masked = int(hidden.sum())
    share = session is not None and session.distributed
    cat, num, pitch_mask = batch.cat, batch.num, batch.pitch_mask
    ids = [target_ids(cat, num, t) for t in config.targets]
    if share:
        totals = [int((t[hidden] > 0).sum()) for t in ids]  # the whole batch's counts
        rows, factor = session.shard(np.arange(len(index)))
        cat, num, pitch_mask, hidden = cat[rows], num[rows], pitch_mask[rows], hidden[rows]
        ids = [t[rows] for t in ids]
    device = session.device if session is not None else torch.device("cpu")
    picked = torch.from_numpy(hidden).to(device)
    with session.autocast() if session is not None else contextlib.nullcontext():
        logits = net(torch.from_numpy(cat).to(device), torch.from_numpy(num).to(device),
                     torch.from_numpy(pitch_mask).to(device), picked, picked)
    loss = torch.zeros((), device=device)
    stats = {"hits": [], "counts": [], "targets": []}
    for i, column in enumerate(ids):
        target = torch.from_numpy(column).to(device)[picked]
        known = target > 0  # 0: the field was missing on that pitch
        if share:  # this rank's rows' part of the batch's mean cross-entropy, times the shard factor
            part = F.cross_entropy(logits[i][known].float(), target[known], reduction="sum")
            loss = loss + part * (factor / max(totals[i], 1))
            if factor == 0:  # a stand-in row: counts nothing
                known = torch.zeros_like(known)
        elif bool(known.any()):
            loss = loss + F.cross_entropy(logits[i][known].float(), target[known])
        stats["hits"].append(int((logits[i].argmax(-1)[known] == target[known]).sum()))
        stats["counts"].append(int(known.sum()))
        stats["targets"].append(target[known].cpu().numpy())
    # `loss` x `n` summed over the ranks (_Meter.reduce) is the batch's loss x its masked pitches
    value = float(loss.detach())
    stats["loss"] = (value / factor if factor else 0.0) if share else value
    stats["n"] = n_masked
    return loss, stats


@torch.no_grad()
def evaluate(net: MaskedGameModel, games: GameRows, index: np.ndarray, config: PretrainConfig) -> _Meter:
    """Masked loss/accuracy on `index` with the same masks every epoch (seeded by config.seed); every
    rank evaluates all of `index`, so early stopping agrees across ranks."""
    net.eval()
    session = distributed.current()
    local = distributed.Session(session.device)  # the whole validation set, no sharding
    rng = np.random.default_rng([config.seed, 10**6])
    meter = _Meter(len(config.targets))
    for index_batch in length_batches(index, games.n_pitches, config.batch_pitches, rng):
        meter.add(_step(net, games, index_batch, config, rng, local)[1])
    return meter


def _resumable(config: dict) -> dict:
    """The config fields a checkpoint must share to be resumed (not those that only say when to stop)."""
    return {k: v for k, v in config.items() if k not in ("epochs", "patience", "progress")}


def _save(path: Path, obj: dict) -> None:
    """Write then rename, so an interrupted save never leaves a broken checkpoint."""
    tmp = path.with_name(path.name + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)
