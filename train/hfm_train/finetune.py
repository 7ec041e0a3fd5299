"""Fine-tune Graph 2 (identity + Level 2 + Level 3 + head, beside the wide path) for one player type.

Fast path (default): Level 1 frozen, its PA embeddings read from the cache (`GameEmbeddings`); each
batch's ContextBatch is gathered on the fly with hfm_runtime.context, the same code scoring uses.
Optional top-down unfreezing (`FinetuneConfig.unfreeze_epochs`, needs a `Level1InLoop`): from the
epoch listed for each Level 1 layer group (top group first) that group trains too, and the batch's
context games are re-encoded by Level 1 in the loop from their raw pitches.

Wide and deep (model/hfm.py): the wide path is fitted first, in closed form (`fit_wide`: per stat a
ridge regression of the standardised target on the stat features, its penalty chosen by generalised
cross-validation, on the `wide_kinds` examples, or the pitchers' `pitcher_wide_kinds` where set)
and frozen; then the deep part trains on what is left.
Loss: opportunity-weighted MSE of standardised targets (each stat divided by its training spread, so
a rare stat such as 3B counts as much as SO). Early stopping on the validation examples' loss, with
epoch 0 (the wide path alone) as a candidate that a trained epoch replaces only when it beats it by
`deep_gate_z` standard errors, paired over players (`gain_z`, logged and kept in the history as
`gate_z` for every epoch): on a few hundred noisy season lines the deep part otherwise "wins" on
validation noise. The best epoch's weights are kept; fit.py then
refits on train + validation for that many epochs (`refit`). Deterministic on CPU for a given seed; a
checkpoint after every epoch lets `resume=True` continue an interrupted run.

Device and data parallelism come from hfm_train.distributed's session: the model trains on the
session's device (training forward passes under autocast on CUDA) and is returned on the CPU; under
torchrun each rank trains on its shard of every batch in DistributedDataParallel (the global batch
and steps are the single-process ones), the validation losses are computed a shard per rank and
summed, so every rank takes the same early-stopping decisions. Top-down unfreezing runs in one
process only. `predict` and the losses run on whatever device the model is on, in float32.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from torch import nn
from tqdm import tqdm

from hfm_runtime.context import ContextBatch, GameEmbeddings, gather_context
from hfm_runtime.errors import HFMInputError
from hfm_runtime.profiles import feature_names, layout_config, wide_feature_names

from . import distributed
from .examples import Examples, TargetMode
from .model.hfm import GRAPH2_INPUTS, GameProjectionModel, ModelConfig


@dataclass(frozen=True)
class FinetuneConfig:
    epochs: int = 25
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-4
    patience: int = 3  # epochs without a better validation loss before stopping
    seed: int = 0
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    dropout: float = 0.1
    stat_dropout: float = 0.2
    wide: bool = True  # the closed-form linear path on the stat features (model/hfm.py)
    wide_kinds: tuple[str, ...] = ("start",)  # examples the wide path is fitted on (an opening-day reading)
    # the pitchers' own, where they differ (real leagues: every kind; benchmarks/results/real_wide_kinds.md)
    pitcher_wide_kinds: tuple[str, ...] | None = None
    refit: bool = True  # final model: retrain on train + validation for the early-stopped epoch count
    # An epoch replaces the wide path alone only when it beats it by this many standard errors; 0: when
    # its validation loss is lower at all; None: the wide path alone is no candidate (the deep part is
    # always used: the ablation that measures what Levels 1-3 add)
    deep_gate_z: float | None = 1.64
    wide_alphas: tuple[float, ...] = tuple(float(a) for a in np.logspace(-2, 4, 25))  # as the ridge baselines
    # Wide-path features left out, by name prefix (an ablation: `--set finetune.wide_exclude='["marcel_shrunk:"]'`)
    wide_exclude: tuple[str, ...] = ()
    max_pas: int | None = None  # cap on PAs per game (None: every PA)
    unfreeze_epochs: tuple[int, ...] = ()  # 0-based epoch at which each Level 1 group unfreezes, top-down
    level1_lr_scale: float = 0.1  # Level 1's learning rate relative to `lr` once unfrozen


@dataclass
class Level1InLoop:
    """What top-down unfreezing needs: a callable re-encoding cache game rows, and layer groups.

    encode(game_rows int64 [G]) -> (pa_emb [G, A, D] tensor with grad, pa_mask [G, A] bool tensor);
    groups: Level 1 parameter groups, TOP layer first (unfrozen in that order).
    """

    encode: Callable[[np.ndarray], tuple[torch.Tensor, torch.Tensor]]
    groups: Sequence[Sequence[nn.Parameter]]
    module: nn.Module


@dataclass
class FinetuneResult:
    model: GameProjectionModel
    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = -1
    best_val: float = float("inf")


def to_tensors(batch: ContextBatch) -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in batch.inputs().items()}


def batch_inputs(examples: Examples, idx: np.ndarray, games: GameEmbeddings, max_pas: int | None = None,
                 device: torch.device | None = None) -> dict[str, torch.Tensor]:
    inputs = to_tensors(gather_context(games, examples.game_index[idx], examples.stat_features[idx],
                                       examples.archetype[idx], max_pas))
    if device is not None and device.type != "cpu":
        inputs = {k: v.to(device, non_blocking=True) for k, v in inputs.items()}
    return inputs


class StandardisedModel(nn.Module):
    """`forward` = the model's `forward_standardised` (what DistributedDataParallel wraps)."""

    def __init__(self, model: GameProjectionModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, *inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.model.forward_standardised(*inputs)


def _device_of(model: nn.Module) -> torch.device:
    return next(model.parameters()).device


def target_scaling(examples: Examples, mode: TargetMode) -> tuple[np.ndarray, np.ndarray]:
    """(mean, scale) per stat: weighted mean (0 in residual mode, so a silent head = Marcel) and spread."""
    y, w = examples.targets(mode), examples.weight[:, None]
    mean = (w * y).sum(0) / w.sum() if mode == "absolute" else np.zeros(y.shape[1])
    scale = np.sqrt((w * (y - mean) ** 2).sum(0) / w.sum())
    return mean, np.where(scale > 1e-9, scale, 1.0)


def build_model(examples: Examples, games: GameEmbeddings, n_archetypes: int, config: FinetuneConfig,
                mode: TargetMode) -> GameProjectionModel:
    torch.manual_seed(config.seed)
    model_config = ModelConfig.build(
        d_pa=games.d_pa, n_stat_features=examples.stat_features.shape[1], n_archetypes=n_archetypes,
        n_targets=len(examples.stats), target_mode=mode, d_model=config.d_model, n_layers=config.n_layers,
        n_heads=config.n_heads, dropout=config.dropout, stat_dropout=config.stat_dropout, wide=config.wide,
    )
    model = GameProjectionModel(model_config)
    mean, scale = target_scaling(examples, mode)
    model.set_target_scaling(torch.tensor(mean), torch.tensor(scale))
    if model.wide is not None:
        kinds = config.wide_kinds
        if examples.player_type == "pitcher" and config.pitcher_wide_kinds is not None:
            kinds = config.pitcher_wide_kinds
        rows = examples.table["kind"].isin(kinds).to_numpy() if "kind" in examples.table else None
        model.wide_alphas_ = fit_wide(model, examples if rows is None or rows.all() else examples.take(rows), mode,
                                      config.wide_alphas, config.wide_exclude)
    return model


def fit_wide(model: GameProjectionModel, examples: Examples, mode: TargetMode, alphas: Sequence[float],
             exclude: Sequence[str] = ()) -> dict[str, float]:
    """Set and freeze the wide path: per stat, RidgeCV (generalised CV over `alphas`, weights = the
    examples' opportunities scaled to mean 1) of the standardised target on the Marcel-window stat
    features (hfm_runtime.profiles.wide_feature_names, less those starting with an `exclude` prefix)
    standardised on these examples; the other features get weight 0. Returns the penalty chosen per
    stat. (Folds grouped by player chose other penalties on real seasons, up to 1,800 times larger for
    pitchers, and the projections barely moved: benchmarks/results/real_wide_penalty.md.)"""
    from sklearn.linear_model import RidgeCV  # training-only dependency

    layout = examples.layout or layout_config(examples.player_type, examples.stat_features.shape[1])
    names = feature_names(examples.player_type, layout)
    cols = np.array([names.index(n) for n in wide_feature_names(examples.player_type, layout)
                     if not n.startswith(tuple(exclude))])
    X = examples.stat_features[:, cols].astype(np.float64)
    # standardised on these rows (the penalty then weighs every feature alike, as the ridge baselines
    # do); the scaling is folded back into the weights, so the graph reads the features as they are
    mu, sd = X.mean(0), X.std(0)
    sd = np.where(sd > 0, sd, 1.0)
    z = (examples.targets(mode) - model.target_mean.numpy()) / model.target_scale.numpy()
    w = examples.weight / examples.weight.mean()
    weight, bias = np.zeros((z.shape[1], len(names))), np.zeros(z.shape[1])
    chosen = {}
    for j in range(z.shape[1]):
        ridge = RidgeCV(alphas=list(alphas)).fit((X - mu) / sd, z[:, j], sample_weight=w)
        chosen[examples.stats[j]] = float(ridge.alpha_)
        weight[j, cols] = ridge.coef_ / sd
        bias[j] = ridge.intercept_ - float((ridge.coef_ * mu / sd).sum())
    with torch.no_grad():
        model.wide.weight.copy_(torch.from_numpy(weight))
        model.wide.bias.copy_(torch.from_numpy(bias))
    model.wide.requires_grad_(False)
    return chosen


def weighted_loss(model: GameProjectionModel, inputs: dict[str, torch.Tensor], y: torch.Tensor,
                  w: torch.Tensor) -> torch.Tensor:
    z, _, _ = model.forward_standardised(*(inputs[k] for k in GRAPH2_INPUTS))
    z_y = (y - model.target_mean) / model.target_scale
    return (w * ((z.float() - z_y) ** 2).mean(1)).sum() / w.sum()


@torch.no_grad()
def evaluate_loss(model: GameProjectionModel, examples: Examples, games: GameEmbeddings, mode: TargetMode,
                  batch_size: int = 256, max_pas: int | None = None) -> float:
    """The opportunity-weighted loss over `examples` (what training minimises)."""
    return float(example_losses(model, examples, games, mode, batch_size, max_pas).sum() / max(examples.weight.sum(), 1e-12))


@torch.no_grad()
def example_losses(model: GameProjectionModel, examples: Examples, games: GameEmbeddings, mode: TargetMode,
                   batch_size: int = 256, max_pas: int | None = None) -> np.ndarray:
    """float64 [N]: each example's weight x its mean squared standardised error. Under torchrun each
    rank computes every N-th batch and the ranks' arrays are summed, so all ranks return the same."""
    model.eval()
    session, device = distributed.current(), _device_of(model)
    y_all = examples.targets(mode)
    out = np.zeros(len(examples))
    starts = list(range(0, len(examples), batch_size))
    for start in starts[session.rank::session.world_size]:
        idx = np.arange(start, min(start + batch_size, len(examples)))
        inputs = batch_inputs(examples, idx, games, max_pas, device)
        z, _, _ = model.forward_standardised(*(inputs[k] for k in GRAPH2_INPUTS))
        z_y = (torch.tensor(y_all[idx], dtype=torch.float32, device=device) - model.target_mean) / model.target_scale
        out[idx] = examples.weight[idx] * ((z - z_y) ** 2).mean(1).double().cpu().numpy()
    return session.all_reduce(out)


def gain_z(base: np.ndarray, losses: np.ndarray, players: np.ndarray) -> float:
    """How many standard errors lower the loss `losses` is than `base` (both per example): the paired
    z of the deep part's gain over the wide path alone, paired over players (a player's examples
    summed: they share his season, so they are not independent). +-inf where no spread is measured."""
    diff = pd.Series(base - losses).groupby(players).sum().to_numpy()
    se = diff.std(ddof=1) * np.sqrt(len(diff)) if len(diff) >= 3 else 0.0
    if se > 0:
        return float(diff.sum() / se)
    return float("inf") if diff.sum() > 0 else float("-inf")


@torch.no_grad()
def predict(model: GameProjectionModel, examples: Examples, games: GameEmbeddings, batch_size: int = 256,
            max_pas: int | None = None, transform: Callable[[dict[str, torch.Tensor]], None] | None = None,
            with_embeddings: bool = False) -> dict[str, np.ndarray]:
    """Model outputs in real units: `rates` [N, S] (residuals in residual mode); optionally the identity
    vectors [N, I] and the real games' embeddings [n_games, G]. `transform` edits the inputs in place
    (ablations)."""
    model.eval()
    device = _device_of(model)
    rates, idents, game_embs = [], [], []
    for start in range(0, len(examples), batch_size):
        idx = np.arange(start, min(start + batch_size, len(examples)))
        inputs = batch_inputs(examples, idx, games, max_pas, device)
        if transform is not None:
            transform(inputs)
        z, game_emb, ident = model.forward_standardised(*(inputs[k] for k in GRAPH2_INPUTS))
        rates.append((model.target_mean + model.target_scale * z).cpu().numpy())
        if with_embeddings:
            idents.append(ident.cpu().numpy())
            real = inputs["game_mask"] & inputs["pa_mask"].any(-1)
            game_embs.append(game_emb[real].cpu().numpy())
    out = {"rates": np.concatenate(rates).astype(np.float64)}
    if with_embeddings:
        out["identity"] = np.concatenate(idents)
        out["game_emb"] = np.concatenate(game_embs)
    return out


def finetune(
    train: Examples,
    val: Examples | None,
    games: GameEmbeddings,
    n_archetypes: int,
    config: FinetuneConfig = FinetuneConfig(),
    mode: TargetMode = "residual",
    checkpoint: str | Path | None = None,
    resume: bool = False,
    level1: Level1InLoop | None = None,
    progress: bool = True,
    log: Callable[[str], None] = print,
) -> FinetuneResult:
    """Train a GameProjectionModel on `train`, early-stopping on `val`; returns the best epoch's model.
    With `val=None`: exactly `config.epochs` epochs, the last one's model (cross-validation folds).
    The model returned is on the CPU."""
    torch.manual_seed(config.seed)
    if config.unfreeze_epochs and level1 is None:
        raise ValueError("FinetuneConfig.unfreeze_epochs needs Level 1 in the loop (level1=...)")
    session = distributed.current()
    if level1 is not None and session.distributed:
        raise HFMInputError("top-down unfreezing (--unfreeze-epochs) runs in one process: start it without "
                            "torchrun (Level 1 re-encodes outside the model DistributedDataParallel wraps)")
    device = session.device
    model = build_model(train, games, n_archetypes, config, mode).to(device)
    if model.wide is not None:
        log(f"{train.player_type} wide path penalty per stat (GCV): "
            + ", ".join(f"{k} {v:.3g}" for k, v in model.wide_alphas_.items()))
    if level1 is not None:
        level1.module.to(device)  # in place: the groups' parameters stay the same objects
    net = session.wrap(StandardisedModel(model))
    params = [{"params": [p for p in model.parameters() if p.requires_grad], "lr": config.lr}]
    if level1 is not None:
        for p in level1.module.parameters():
            p.requires_grad_(False)
        params.append({"params": [p for g in level1.groups for p in g], "lr": config.lr * config.level1_lr_scale})
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    result = FinetuneResult(model)
    best_state: dict[str, Any] = copy.deepcopy(model.state_dict())
    start_epoch, stale = 0, 0
    wide_losses = None
    if val is not None and model.wide is not None and config.deep_gate_z is not None:
        # epoch 0 is a candidate: the wide path alone (the deep head starts at zero). A later epoch
        # replaces it only if it beats it significantly (`gain_z`), so the deep part cannot win on
        # validation noise.
        wide_losses = example_losses(model, val, games, mode, max_pas=config.max_pas)
        result.best_val, result.best_epoch = float(wide_losses.sum() / val.weight.sum()), 0
        result.history.append({"epoch": 0, "train_loss": float("nan"), "val_loss": result.best_val})
        log(f"{train.player_type} epoch   0  (wide path only)  val {result.best_val:.4f}")
    ckpt = Path(checkpoint) if checkpoint is not None else None
    if resume and ckpt is not None and ckpt.is_file():
        state = torch.load(ckpt, weights_only=False, map_location=device)
        if state["config"] != asdict(config) or state["mode"] != mode:
            raise ValueError(f"{ckpt}: checkpoint is of another fine-tuning config; delete it or drop --resume")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        if level1 is not None and state.get("level1") is not None:
            level1.module.load_state_dict(state["level1"])
        best_state, result.history = state["best_state"], state["history"]
        result.best_epoch, result.best_val, stale = state["best_epoch"], state["best_val"], state["stale"]
        start_epoch = state["epoch"] + 1
        torch.set_rng_state(state["torch_rng"].cpu())  # the CPU generator's state (map_location moved it)
        log(f"resumed {train.player_type} fine-tuning from {ckpt} at epoch {start_epoch}")

    y_train = train.targets(mode)
    for epoch in range(start_epoch, config.epochs):
        if stale >= config.patience:
            break
        if level1 is not None:
            for group, at in zip(level1.groups, config.unfreeze_epochs):
                for p in group:
                    p.requires_grad_(epoch >= at)
        in_loop = level1 is not None and any(p.requires_grad for g in level1.groups for p in g)
        net.train()  # the model inside it (and DistributedDataParallel's wrapper)
        order = np.random.default_rng(config.seed * 1000 + epoch).permutation(len(train))
        batches = [order[i:i + config.batch_size] for i in range(0, len(order), config.batch_size)]
        total, weight = 0.0, 0.0
        bar = tqdm(batches, desc=f"{train.player_type} epoch {epoch + 1}/{config.epochs}", leave=False,
                   disable=not (progress and session.is_main))
        for idx in bar:
            rows, factor = session.shard(idx)  # single process: all of idx, factor 1
            inputs = batch_inputs(train, rows, games, config.max_pas, device)
            if in_loop:
                _reencode(inputs, train.game_index[rows], level1)
            y = torch.tensor(y_train[rows], dtype=torch.float32, device=device)
            w = torch.tensor(train.weight[rows], dtype=torch.float32, device=device)
            with session.autocast():
                if session.distributed:  # this rank's share of the batch's loss (distributed docstring)
                    z, _, _ = net(*(inputs[k] for k in GRAPH2_INPUTS))
                    z_y = (y - model.target_mean) / model.target_scale
                    batch_weight = float(train.weight[idx].sum())
                    loss = (w * ((z.float() - z_y) ** 2).mean(1)).sum() * (factor / batch_weight)
                else:
                    loss = weighted_loss(model, inputs, y, w)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            if session.distributed:  # summed over the ranks below: the batch's loss x its weight
                total += float(loss.detach()) / factor * batch_weight if factor else 0.0
                weight += batch_weight
            else:
                total += float(loss.detach()) * float(w.sum())
                weight += float(w.sum())
            bar.set_postfix(loss=f"{total / weight:.4f}")
        total = float(session.all_reduce(np.array([total]))[0])
        losses = example_losses(model, val, games, mode, max_pas=config.max_pas) if val is not None else None
        val_loss = float(losses.sum() / val.weight.sum()) if losses is not None else float("nan")
        row = {"epoch": epoch + 1, "train_loss": total / weight, "val_loss": val_loss}
        better = val is None or val_loss < result.best_val - 1e-6
        if wide_losses is not None:
            row["gate_z"] = gain_z(wide_losses, losses, val.table["player_id"].to_numpy())
            if config.deep_gate_z:
                better = better and row["gate_z"] > config.deep_gate_z
        result.history.append(row)
        if better:
            result.best_val, result.best_epoch, stale = val_loss, epoch + 1, 0  # (val None: the last epoch)
            best_state = copy.deepcopy(model.state_dict())
        else:
            stale += 1
        log(f"{train.player_type} epoch {epoch + 1:3d}  train {row['train_loss']:.4f}  val {val_loss:.4f}"
            + (f"  gain over wide {row['gate_z']:+.2f} se" if "gate_z" in row else "") + ("  *" if better else ""))
        if ckpt is not None:
            ckpt.parent.mkdir(parents=True, exist_ok=True)
            torch.save({
                "config": asdict(config), "mode": mode, "epoch": epoch, "model": model.state_dict(),
                "optimizer": optimizer.state_dict(), "best_state": best_state, "history": result.history,
                "best_epoch": result.best_epoch, "best_val": result.best_val, "stale": stale,
                "torch_rng": torch.get_rng_state(),
                "level1": level1.module.state_dict() if level1 is not None else None,
            }, ckpt.with_suffix(".tmp"))
            ckpt.with_suffix(".tmp").replace(ckpt)  # a crash mid-write keeps the previous checkpoint
    model.load_state_dict(best_state)
    model.cpu().eval()
    if level1 is not None:
        level1.module.cpu()
    return result


def _reencode(inputs: dict[str, torch.Tensor], game_index: np.ndarray, level1: Level1InLoop) -> None:
    """Replace the cached PA embeddings of the batch's games by Level 1's current output (with grad)."""
    real = game_index >= 0
    rows = game_index[real]
    pa_emb, pa_mask = level1.encode(rows)
    a = inputs["pa_emb"].shape[2]
    pa_emb, pa_mask = pa_emb[:, :a], pa_mask[:, :a]
    full = torch.zeros(*game_index.shape, a, pa_emb.shape[-1], device=pa_emb.device)
    full[torch.from_numpy(real).to(pa_emb.device)] = torch.nn.functional.pad(pa_emb, (0, 0, 0, a - pa_emb.shape[1]))
    inputs["pa_emb"] = full * inputs["pa_mask"][..., None]
