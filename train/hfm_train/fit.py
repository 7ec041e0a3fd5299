"""`hfm-train fit` (what plain `hfm-train` runs): league -> featurizer -> Level 1 -> PA cache -> identity ->
examples -> fine-tuned batter and pitcher models -> blend weights -> evaluation -> run folder.

Seasons (`split_seasons`): the first `history_seasons` only feed history (context, profiles, Marcel);
targets of the middle seasons train; the second-to-last season validates (early stopping; then the
final model is refit on train + validation for the chosen number of epochs; blend weights are
cross-validated over the train and validation seasons, or the last `cv_seasons` of them,
hfm_train.evaluate); the LAST season is the
test season and is only evaluated, never tuned on. `last_season` (`--last-season`) cuts the league
there first, so model selection runs with the season before the real test season as its test;
`first_season` drops the seasons before it; `history_only` seasons (real data: the 60-game 2020) feed
history only and are never a training or validation target (`split_seasons`). The
featurizer, Level 1 pre-training and identity (MLE, scaler, skill priors, archetypes) are fitted on
seasons before validation. Training and validation targets are denoised by their windows' own
pitches (hfm_train.denoise; the test season's are not; `denoise.true_talent`, a diagnostic, trains
on the simulator's true talent instead). `hfm-train fit` on an imported (real) league applies
REAL_DATA_SETTINGS first (targets not denoised, the profile's late window and batters' speed and
putaway rates and older seasons on, the wide path alone: 0 fine-tuning epochs, the pitchers' fitted on
every kind of example, the batters' opening-day blend mixed with the sequence ridge: hfm_train.mix,
that ridge reading the batters' fielding positions and platoon share, the wide path the platoon share
too), as
the real selection seasons chose; the options and `--set` override them. The evaluation sets the
model beside the baselines of hfm_train.baselines, fitted on the seasons before the test season.

Run folder `artifacts/runs/<name>/` (written at once by hfm_runtime.atomic.atomic_dir; plain files):
  config.json             RunConfig (every sub-config), the season split, the league path and what tells its
                          contents apart (league_stream.league_contents: reports refuse another league), timings
  featurizer.json         fitted PitchFeaturizer (hfm_runtime.featurize.PitchFeaturizer.from_json)
  level1.pt               Level 1: {"config": Level1Config json, "state": state_dict} (pretrain.load_encoder)
  pretrain_history.json   Level 1 pre-training metrics per epoch
  identity/               identity_<type>.json (with RunConfig.profile), archetypes_<type>.npz/.json
                          (IdentityModel.load), identity_fit.json (training seasons, the archetype search's result)
  <type>/model.pt         GameProjectionModel state dict, type = batter | pitcher (torch.load, weights_only)
  <type>/level1.pt        only with top-down unfreezing: that type's fine-tuned Level 1 (else ../level1.pt)
  <type>/pa_cache.npz     ... and the PA cache it encodes
  <type>/model.json       {"model_config": ModelConfig json, "stats": [...], "target_mode", "history",
                          "best_epoch", "best_val"}: rebuild with GameProjectionModel(ModelConfig.from_json(...))
  blend.json              {"batter": {stat: w}, "pitcher": {...}, "method": ...}: final = marcel + w * residual
                          (then mixed with the ridge for a type in "mix", below);
                          "ranges": the ranges' parameters (hfm_train.calibration, fitted on the train and
                          validation seasons' out-of-fold projections; on a simulated league the talent
                          interval's own scale against the true talent; `playing_time`: the playing-time
                          spread of the season totals, hfm_train.playing_time, from the same seasons' MLB
                          lines), "ranges_fit": what they were fitted on, "cross_validation": the
                          blend weights' per-fold report; with RunConfig.mix, "mix" ({type: {stat:
                          lam}}: the opening-day mix with the sequence ridge, hfm_train.mix; the
                          ranges are then fitted on the mixed projections), "mix_fit" (its
                          out-of-fold RMSE per lam) and "mix_method" (how lam was chosen)
  ridge_<type>.json       with RunConfig.mix, that type's sequence ridge (hfm_runtime.ridge.RidgeModel)
  ranges_rows.csv         the rows the ranges were fitted on (hfm_train.calibration.fit_rows: out-of-fold
                          projection, count and true talent per player-season and stat); `hfm-train
                          calibration RUN --scale-from rows` refits from them
  model_card.json         evaluation on the test season (hfm_train.evaluate), season split, blend weights,
                          the target denoising per type ("denoised_targets": u and mean k per stat,
                          or the note that the run trained on true talent, denoise.true_talent)
  test_predictions.csv    every method's opening-day projection of every test player, per stat (long form)
  pa_cache.npz            Level 1's PA embeddings of every game (hfm_runtime.context.GameEmbeddings
                          .to_arrays), so `hfm-train evaluate` needs no re-encoding; zeros, not written
                          out, for a fit that reads none (0 fine-tuning epochs: hfm_train.pa_cache)
Work in progress (Level 1 checkpoint, PA cache, fine-tuning checkpoints) lives in
`artifacts/runs/.<name>.work/` and is removed after success; `--resume` continues from it, and only
from a folder started with the same settings (its `started_with.json`: everything but the run's name,
threads and device; another league or season split is refused, naming what differs).

Scale: the league is read one season at a time (hfm_train.league_stream: no frame of every pitch),
pre-training reads the table's fit-season rows in place, and the table is dropped once the PA cache
is encoded (kept only for top-down unfreezing). Each stage's wall time and peak RSS
(hfm_train.stages) are logged and kept in config.json ("stages"; "timings_s" has the times).
Device and torchrun data parallelism: hfm_train.distributed (`RunConfig.device`, `--device`); under
torchrun every rank runs this pipeline, rank 0 alone logs and writes the run folder, other ranks keep
their work in `.<name>.work.rank<r>/`.
"""

from __future__ import annotations

import copy
import difflib
import json
import shutil
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd
import torch

from hfm_runtime.atomic import atomic_dir, check_replaceable
from hfm_runtime.errors import HFMInputError, close_progress_bars, read_json_object, stopped
from hfm_runtime.featurize import PitchFeaturizer
from hfm_runtime.identity import IDENTITY_DIR, IdentityModel
from hfm_runtime.league import read_league_meta
from hfm_runtime.profiles import OLD_YEARS, ProfileConfig, extra_rates
from hfm_runtime.ridge import RIDGE_FILE
from hfm_runtime.skills import POSITION_GAMES
from hfm_runtime.targets import PLAYER_TYPES, TARGET_STATS

from . import distributed
from .archetypes import ArchetypeConfig, fit_identity
from .denoise import DenoiseConfig, denoise_examples, true_talent_targets
from .calibration import RANGE_ROWS, fit_range_params, out_of_fold_projections, save_rows
from .evaluate import baseline_projections, cross_validated_blend, evaluate_type, format_table, write_card
from .examples import ExampleConfig, Examples, TargetMode, build_examples
from .finetune import FinetuneConfig, Level1InLoop, finetune
from .mix import MixConfig, choose_mix
from .model.level1 import Level1Config
from .league_stream import league_contents, prepare_league
from .pa_cache import encode_games, is_zero_cache, load_pa_cache, save_pa_cache, zero_pa_cache
from .pretrain import PretrainConfig, load_encoder, pretrain
from .stages import StageClock
from .tracking_join import partly_tracked_warning

DEFAULT_LEAGUE = Path("artifacts/league")
DEFAULT_RUNS = Path("artifacts/runs")


@dataclass(frozen=True)
class RunConfig:
    name: str = "default"
    league: str = str(DEFAULT_LEAGUE)
    # Model selection: drop every season after this one, so the season before the real test season
    # plays "test" and choices never see the real test season (None: use every season).
    last_season: int | None = None
    first_season: int | None = None  # drop every season before this one (a shorter league to train on)
    # Seasons that only feed history (context, profiles, Marcel), never a training or validation target:
    # on real data the 60-game 2020 (docs/real-data.md)
    history_only: tuple[int, ...] = ()
    # Reuse this finished run's Level 1 and PA cache (same league and seasons): experiments on the
    # upper levels without pre-training again.
    level1_from: str | None = None
    # False: the pitch path (featurizer, Level 1) reads no pitch or contact tracking even where the league
    # has it; the identity's skill rates and the ridges still do (a Retrosheet league with the 2009-2018
    # extract joined keeps the Level 1 of the league without it: docs/real-data.md)
    pitch_tracking: bool = True
    # Blend weights and the ranges' parameters from holding out only the LAST `cv_seasons` of the train
    # and validation seasons, one at a time (each fold still trains on all the others); None: every one.
    # A fit on 2000-2021 has 17 such seasons, and 17 fine-tunings of the whole pool are hours on 2 cores.
    cv_seasons: int | None = None
    history_seasons: int = 1
    target_mode: TargetMode = "absolute"  # the wide ridge reads absolute rates best (README: experiments)
    seed: int = 0
    threads: int = 2
    device: str = "cpu"  # "auto" (CUDA when present), "cpu" or "cuda" (hfm_train.distributed); the CLI's default is auto
    # Level 1 pre-training budget: ~30k sampled games in all keeps `hfm-train` on the default league
    # within ~10 minutes on 2 cores (the PA outcome is an input token, so Level 1 needs no long training
    # to carry it; what pre-training adds is pitch context).
    pretrain: PretrainConfig = field(default_factory=lambda: PretrainConfig(epochs=3, games_per_epoch=10_000))
    examples: ExampleConfig = field(default_factory=ExampleConfig)
    finetune: FinetuneConfig = field(default_factory=FinetuneConfig)
    archetypes: ArchetypeConfig = field(default_factory=ArchetypeConfig)
    denoise: DenoiseConfig = field(default_factory=DenoiseConfig)  # training targets (hfm_train.denoise)
    # How the identity profile is built (saved with the identity, so the runtime builds the same
    # features); e.g. the ablation `--set profile.season_length_correction=false`
    profile: ProfileConfig = field(default_factory=ProfileConfig)
    # The player types whose opening-day blend takes in the sequence-skill ridge (hfm_train.mix; real
    # leagues: batters, benchmarks/results/real_mix_2017_2018.md)
    mix: MixConfig = field(default_factory=MixConfig)

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "pretrain": self.pretrain.to_json()}

    @classmethod
    def tiny(cls, **overrides: Any) -> RunConfig:
        """For tests: a few seconds per stage on the tiny league."""
        return replace(cls(
            pretrain=PretrainConfig(model=Level1Config(d_model=16, n_layers=1, n_heads=2, d_ff=32), epochs=1),
            examples=ExampleConfig(max_games=10, every_games=4, min_opportunities=5),
            finetune=FinetuneConfig(epochs=3, d_model=16, n_layers=1, n_heads=2, batch_size=32),
            archetypes=ArchetypeConfig(k_range=(3, 4), n_init=1),
        ), **overrides)


def kept_seasons(held: list[int], config: RunConfig) -> list[int]:
    """The league's seasons `config`'s --first-season and --last-season keep, or one error naming the
    flag that asks for what the league does not hold (a --last-season past its end would test another
    season than the one asked for; a --history-only season outside them would be ignored)."""
    held = sorted(int(s) for s in held)
    span = f"{held[0]}-{held[-1]}" if held else "no seasons"
    first, last = config.first_season, config.last_season
    if first is not None and last is not None and first > last:
        raise HFMInputError(f"--first-season {first} is after --last-season {last}")
    if last is not None and last not in held:
        raise HFMInputError(f"--last-season {last}: the league holds {span} (the last season kept is the test "
                            "season)")
    kept = [s for s in held if (last is None or s <= last) and (first is None or s >= first)]
    if not kept:
        raise HFMInputError(f"--first-season {first}: the league holds {span}")
    outside = [s for s in config.history_only if s not in kept]
    if outside:
        raise HFMInputError(f"--history-only {outside[0]}: not among the seasons kept ({kept[0]}-{kept[-1]})")
    if kept[-1] in config.history_only:
        raise HFMInputError(f"--history-only {kept[-1]}: the last season kept is the test season, never history only "
                            f"(give --last-season {kept[-1] - 1} to test the season before it)")
    return kept


def split_seasons(seasons: list[int], history_seasons: int, history_only: tuple[int, ...] = ()
                  ) -> dict[str, list[int]]:
    """history: the first `history_seasons` and every `history_only` season; of the others, the last
    is test, the one before validation, the rest train."""
    seasons = sorted(seasons)
    targets = [s for s in seasons[history_seasons:] if s not in history_only]
    if len(targets) < 3 or seasons[-1] in history_only:
        raise HFMInputError(
            f"the seasons kept are {f'{seasons[0]}-{seasons[-1]}' if seasons else 'none'} ({len(seasons)}): a fit "
            f"needs {history_seasons} history "
            f"(--history-seasons) + 1 train + 1 validation + 1 test season"
            + (f" besides the history-only {list(history_only)}" if history_only else "")
            + " (import more seasons" + (", or give --history-seasons fewer" if history_seasons > 1 else "")
            + (", or fewer --history-only" if history_only else "") + ")"
        )
    return {"history": [s for s in seasons if s not in targets], "train": targets[:-2],
            "validation": [targets[-2]], "test": [targets[-1]]}


def level1_in_loop(encoder: torch.nn.Module, table) -> Level1InLoop:
    """Level 1 re-encoding cache rows from raw pitches (the PA cache is in `table`'s game order), with
    its layer groups top-down: last transformer layer first, ..., then the embeddings."""
    layers = list(encoder.transformer.layers)
    groups = [list(layer.parameters()) for layer in reversed(layers)]
    groups[0] += list(encoder.transformer.norm.parameters()) if encoder.transformer.norm is not None else []
    groups.append([p for n, p in encoder.named_parameters() if not n.startswith("transformer.")])

    def encode(rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        batch = table.collate(rows)
        device = next(encoder.parameters()).device
        pa_emb = encoder(*(torch.from_numpy(a).to(device) for a in batch.inputs()))
        return pa_emb, torch.from_numpy(batch.pa_mask).to(device)

    encoder.train()
    return Level1InLoop(encode=encode, groups=groups, module=encoder)


def _ensure_league(path: Path, log) -> None:
    """Simulate the default league first if it is missing; any other missing folder is an error.
    (fit then reads the league season by season: hfm_train.league_stream.)"""
    if path.is_dir():
        return
    if path.resolve() != DEFAULT_LEAGUE.resolve():
        raise HFMInputError(f"{path}: no such league folder")
    from .simulate import LeagueConfig, simulate_league

    log(f"{path} missing: simulating the default league first")
    simulate_league(LeagueConfig.default(), path)


def reuse_level1(source: Path, featurizer: PitchFeaturizer, work: Path) -> None:
    """Copy a finished run's Level 1 and PA cache into this run's work folder (`--level1-from`), after
    checking that both runs featurize pitches the same way (same league seasons, same fitted state)."""
    theirs = source / "featurizer.json"
    if not theirs.is_file() or not (source / "level1.pt").is_file() or not (source / "pa_cache.npz").is_file():
        raise HFMInputError(f"{source}: not a finished run folder (featurizer.json, level1.pt, pa_cache.npz)")
    if json.loads(theirs.read_text()) != json.loads(json.dumps(featurizer.to_json())):
        raise HFMInputError(f"{source}: its featurizer differs from this run's (another league or seasons)")
    (work / "level1").mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "level1.pt", work / "level1" / "level1.pt")
    shutil.copy(source / "pa_cache.npz", work / "pa_cache.npz")
    if (source / "pretrain_history.json").is_file():
        shutil.copy(source / "pretrain_history.json", work / "level1" / "pretrain_history.json")


def training_data(league, split: dict[str, list[int]], featurizer: PitchFeaturizer) -> dict[str, Any]:
    """What a run was trained on, for its config.json and the bundle's manifest: the league's source
    ("simulated" for the simulator's, else the import's: statcast, retrosheet, retrosheet+statcast),
    the seasons read, the featurizer's input groups (which tracking the pitches carried) and the
    Retrosheet notice when Retrosheet seasons are in it."""
    return {"source": league.meta.get("source", "simulated"), "seasons": sorted(sum(split.values(), [])),
            "input_groups": list(featurizer.input_groups_),
            "notice": (league.meta.get("retrosheet") or {}).get("notice")}


def fit_run(config: RunConfig = RunConfig(), runs_dir: str | Path = DEFAULT_RUNS, resume: bool = False,
            progress: bool = True, log=click.echo) -> Path:
    """The whole training pipeline; returns the run folder (on every rank under torchrun; rank 0
    writes it)."""
    with distributed.session(config.device) as session:
        if not session.is_main:
            log, progress = (lambda *args: None), False
        return _fit_run(config, Path(runs_dir), resume, progress, log, session)


def _whole_numbers(text: str, flag: str, example: str = "2020") -> tuple[int, ...]:
    """A comma-separated list of whole numbers (years, epochs), or one error naming the flag."""
    try:
        return tuple(int(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise HFMInputError(f"{flag} {text!r}: expected whole numbers separated by commas, e.g. {example}") from None


STARTED_WITH = "started_with.json"  # in the work folder: the settings the fit it holds began with
RESUME_FREE = ("name", "threads", "device", "progress")  # what a resumed fit may change: where and how it runs


def _resume_settings(config: RunConfig) -> dict:
    """The settings a work folder's checkpoints depend on (RESUME_FREE left out, the league's path resolved)."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in RESUME_FREE}
        return [strip(v) for v in value] if isinstance(value, (list, tuple)) else value

    settings = strip(json.loads(json.dumps(config.to_json(), default=str)))
    settings["league"] = str(Path(config.league).resolve())  # the same folder named another way is the same
    # and the same contents: a league simulated or imported again in its place would otherwise have its
    # games read through the other league's Level 1 and PA cache (a walkthrough's)
    settings["league_contents"] = league_contents(config.league)
    settings["level1_from"] = str(Path(config.level1_from).resolve()) if config.level1_from else None
    settings["history_only"] = sorted(config.history_only)
    return settings


def _differing(before: Any, now: Any, prefix: str = "") -> list[str]:
    """The dotted names of the settings that differ between two `_resume_settings`."""
    if isinstance(before, dict) and isinstance(now, dict):
        return [name for k in sorted(set(before) | set(now))
                for name in _differing(before.get(k), now.get(k), f"{prefix}{k}.")]
    return [] if before == now else [prefix.rstrip(".")]


def _check_resumable(work: Path, config: RunConfig) -> None:
    """Refuse to resume from a work folder started with other settings (another league, another split
    of the seasons, another Level 1...): its checkpoints would be reused as if they were this fit's."""
    stamp = work / STARTED_WITH
    if not stamp.is_file():
        raise HFMInputError(f"--resume: {work} does not say which settings it was started with (a folder from an "
                            "older version or another tool): run without --resume to start over")
    differ = _differing(read_json_object(stamp), _resume_settings(config))
    if differ:
        raise HFMInputError(f"--resume: {work} was started with other settings ({', '.join(differ)} differ): run "
                            "without --resume to start over, or resume with the settings it began with")


def check_run_config(config: RunConfig, runs_dir: Path) -> None:
    """What would fail late, or lose data, refused before any work: a run name that is no folder name
    (a walkthrough's `--name ""` made the run folder the runs folder, and the fit replaced every run
    in it), a run folder that is not a run, threads, seasons and example kinds out of range."""
    name = config.name
    if not name or name in (".", "..") or "/" in name or "\\" in name or name.startswith("."):
        raise HFMInputError(f"--name {name!r}: a run name must be a plain folder name (no '/', not starting with '.')")
    if runs_dir.exists() and not runs_dir.is_dir():
        raise HFMInputError(f"--runs-dir {runs_dir}: a file; give a folder")
    check_replaceable(runs_dir / name, lambda folder: (folder / "config.json").is_file(), "run")
    if config.threads < 1:
        raise HFMInputError(f"--threads must be at least 1, got {config.threads}")
    if config.history_seasons < 1:
        raise HFMInputError(f"--history-seasons must be at least 1 (Marcel and the profiles of the first training "
                            f"season read the seasons before it), got {config.history_seasons}")
    if config.cv_seasons is not None and config.cv_seasons < 1:
        raise HFMInputError(f"--cv-seasons must be at least 1 (leave it out for every season), got {config.cv_seasons}")
    unknown = [k for k in config.examples.train_kinds if k not in ("start", "in_season")]
    if unknown or not config.examples.train_kinds:
        raise HFMInputError(f"--train-kinds {','.join(config.examples.train_kinds)!r}: expected 'start' and/or "
                            "'in_season'")
    ft, pre, ex = config.finetune, config.pretrain, config.examples
    # numbers a typo in --set would otherwise carry past the pre-training, to fail there or train nothing
    for name, value, least in (("finetune.epochs (--epochs)", ft.epochs, 0), ("pretrain.epochs (--pretrain-epochs)",
                               pre.epochs, 0), ("finetune.batch_size", ft.batch_size, 1),
                               ("pretrain.batch_pitches", pre.batch_pitches, 1), ("finetune.patience", ft.patience, 1),
                               ("pretrain.patience", pre.patience, 1), ("examples.every_games", ex.every_games, 1),
                               ("examples.next_games", ex.next_games, 1), ("--seed", config.seed, 0),
                               ("finetune.d_model", ft.d_model, 1), ("finetune.n_heads", ft.n_heads, 1),
                               ("finetune.n_layers", ft.n_layers, 1), ("pretrain.model.d_model", pre.model.d_model, 1),
                               ("pretrain.model.n_heads", pre.model.n_heads, 1),
                               ("pretrain.model.n_layers", pre.model.n_layers, 1),
                               ("pretrain.model.d_ff", pre.model.d_ff, 1)):
        if value < least:
            raise HFMInputError(f"{name} must be at least {least}, got {value}")
    for name, d_model, n_heads in (("finetune", ft.d_model, ft.n_heads), ("pretrain.model", pre.model.d_model,
                                                                           pre.model.n_heads)):
        if d_model % n_heads:
            raise HFMInputError(f"{name}.d_model ({d_model}) must be a multiple of {name}.n_heads ({n_heads})")
    for name, value in (("finetune.dropout", ft.dropout), ("finetune.stat_dropout", ft.stat_dropout),
                        ("pretrain.model.dropout", pre.model.dropout), ("pretrain.mask_rate", pre.mask_rate)):
        if not 0 <= value < 1:  # a walkthrough's dropout=2 failed in torch after the data was read
            raise HFMInputError(f"{name} must be in [0, 1), got {value}")
    for name, value in (("finetune.lr", ft.lr), ("pretrain.lr", pre.lr)):
        if not value > 0:
            raise HFMInputError(f"{name} must be above 0, got {value}")
    if any(e < 0 for e in ft.unfreeze_epochs):
        given = ",".join(str(e + 1) for e in ft.unfreeze_epochs)
        raise HFMInputError(f"--unfreeze-epochs counts epochs from 1, got {given}")
    if ft.wide:  # the wide path is fitted on these kinds of example only (finetune.wide_kinds)
        for pt in PLAYER_TYPES:
            kinds = ft.pitcher_wide_kinds if pt == "pitcher" and ft.pitcher_wide_kinds is not None else ft.wide_kinds
            if not set(kinds) & set(ex.train_kinds):
                raise HFMInputError(f"--train-kinds {','.join(ex.train_kinds)}: the {pt}s' wide path is fitted on "
                                    f"{','.join(kinds)} examples, which it leaves out: give --train-kinds "
                                    f"{','.join(dict.fromkeys((*ex.train_kinds, *kinds)))}")


def cv_seasons_note(cv_seasons: int | None, split: dict[str, list[int]]) -> str | None:
    """What a --cv-seasons larger than the train and validation seasons does, said (it would be silent)."""
    pool = len(split["train"]) + len(split["validation"])
    if cv_seasons is None or cv_seasons <= pool:
        return None
    return (f"--cv-seasons {cv_seasons}: there are only {pool} train and validation seasons: the blend is "
            f"cross-validated over all {pool}")


def short_window_warning(split: dict[str, list[int]]) -> str | None:
    """Where no training season has Marcel's three seasons before it in the league, the window's older
    seasons are empty in every training example: nothing is learnt from them, and a later season scored
    reads them far outside training (a walkthrough's 4-season league: 357 of 382 players flagged
    beyond 6 SD at scoring, on the opportunities of three seasons back)."""
    first = min(sum(split.values(), []))
    if any(s - 3 >= first for s in split["train"]):
        return None
    return (f"warning: no training season ({', '.join(map(str, split['train']))}) has Marcel's three seasons before "
            f"it among the seasons kept (the first: {first}): the window's older seasons are empty in every training "
            "example, and scoring a later season reads them far outside training (its rows flagged input_z): "
            "import (or keep, --first-season) earlier seasons")


def _fit_run(config: RunConfig, runs_dir: Path, resume: bool, progress: bool, log,
             session: distributed.Session) -> Path:
    check_run_config(config, runs_dir)
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    work = runs_dir / (f".{config.name}.work" + (f".rank{session.rank}" if session.rank else ""))
    # before the league is prepared (a missing default league is simulated): a refused resume costs nothing
    if resume and work.is_dir() and any(p.name not in (STARTED_WITH, f"{STARTED_WITH}.tmp") for p in work.iterdir()):
        _check_resumable(work, config)  # something to reuse (a fit refused before its first stage left none)
        log(f"resuming from {work} (started with the same settings): its finished stages are reused")
    elif resume:
        log(f"--resume: no finished stage in {work} to reuse: starting from the beginning")
    clock = StageClock(log=log)
    lap = clock.lap
    log(f"device: {session.device}" + (f", {session.world_size} processes (torchrun)" if session.distributed else ""))

    league_dir = Path(config.league)
    _ensure_league(league_dir, log)
    split = split_seasons(kept_seasons(read_league_meta(league_dir)["seasons"], config),
                          config.history_seasons, config.history_only)
    # featurizer, Level 1 and identity: seasons before validation only (a history-only season after it
    # feeds context and profiles, not these fits)
    fit_seasons = [s for s in split["history"] + split["train"] if s < split["validation"][0]]
    # the work folder only once the league and its seasons are known good: a refused fit leaves none
    if not resume:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    # written whole before any stage (the same settings where a resume was checked): what a resumed fit continues
    (work / f"{STARTED_WITH}.tmp").write_text(json.dumps(_resume_settings(config), indent=1))
    (work / f"{STARTED_WITH}.tmp").replace(work / STARTED_WITH)
    log(f"seasons: {split}")
    for note in (cv_seasons_note(config.cv_seasons, split), short_window_warning(split)):
        if note:
            log(note)
    warning = partly_tracked_warning(read_league_meta(league_dir), split["test"][0])
    if warning:
        log(warning)
    loaded_before = split["train"][0] - min(sum(split.values(), []))
    if config.profile.old_seasons and loaded_before < OLD_YEARS:
        log(f"warning: profile.old_seasons reads the {OLD_YEARS} seasons before each target season, and the first "
            f"training season ({split['train'][0]}) has {loaded_before} loaded before it: its rows see fewer "
            f"(--history-seasons {OLD_YEARS} gives every training row all of them)")
    try:
        data = prepare_league(league_dir, sorted(sum(split.values(), [])), fit_seasons, lap, log,
                              pitch_tracking=config.pitch_tracking)
    except HFMInputError:
        if not resume:  # refused for its input: no stage has run, so no work folder is left behind
            shutil.rmtree(work, ignore_errors=True)
        raise
    league, featurizer, table, lines = data.league, data.featurizer, data.table, data.lines
    del data

    encoder_path = work / "level1" / "level1.pt"
    if config.level1_from and not (resume and encoder_path.is_file()):
        reuse_level1(Path(config.level1_from), featurizer, work)
    if (resume or config.level1_from) and encoder_path.is_file():
        encoder = load_encoder(encoder_path)
    else:
        encoder, _ = pretrain(table, replace(config.pretrain, seed=config.seed,
                                             progress=config.pretrain.progress and progress),
                              work / "level1", resume=resume,
                              index=np.flatnonzero(np.isin(table.keys.season, fit_seasons)))
    lap("pretrain level 1")

    cache_path = work / "pa_cache.npz"
    # Only fine-tuning reads Level 1's outputs: a fit of the wide path alone keeps a cache of zeros
    # (hfm_train.pa_cache), which moves no projection and skips encoding every game
    reads_cache = bool(config.finetune.epochs or config.finetune.unfreeze_epochs)
    if (resume or config.level1_from) and cache_path.is_file() and not (reads_cache and is_zero_cache(cache_path)):
        games = load_pa_cache(cache_path)
    elif not reads_cache:
        games = zero_pa_cache(table, encoder.config.d_model)
        save_pa_cache(games, cache_path, encoder.config.to_json(), zeros=True)
        log("PA cache: zeros (the wide path alone reads no Level-1 output)")
    else:
        games = encode_games(encoder, table, progress=progress)
        save_pa_cache(games, cache_path, encoder.config.to_json())
    if not config.finetune.unfreeze_epochs:
        table = None  # only top-down unfreezing re-reads pitches: free them for fine-tuning
    lap("encode PA cache")

    fit_identity(lines, league.players, fit_seasons, work, replace(config.archetypes, seed=config.seed),
                 config.profile)
    identity = {pt: IdentityModel.load(work / IDENTITY_DIR, pt) for pt in PLAYER_TYPES}
    missing = [r for r in extra_rates("batter", config.profile) if r not in identity["batter"].skill_league]
    if missing:  # the features are then constant: say so rather than train on nothing
        log(f"warning: the profile reads {', '.join(missing)}, which the training seasons never measure "
            "(the speed rates: no ground ball with a fielder, a league imported before hit_location or simulated; "
            "the platoon share: no plate appearance with both hands known)")
    if config.profile.positions and not lines["batter"].reindex(columns=list(POSITION_GAMES), fill_value=0.0).to_numpy().any():
        log("warning: profile.positions: no batter game has a fielding position (a league imported before "
            "batter_position, or simulated), so the ridge's position shares are constant: re-import the league")
    lap("fit identity")

    models, histories, blend, cv_report, card, tuned, tuned_cache, denoised = {}, {}, {}, {}, {}, {}, {}, {}
    oof_projections, blend_mix, mix_fit, ridges = {}, {}, {}, {}
    for pt in PLAYER_TYPES:
        ex = {part: build_examples(pt, split[part], lines[pt], league.players, identity[pt], games,
                                   # the test players are the typed ones whatever trained
                                   replace(config.examples, typed_players=True) if part == "test"
                                   else config.examples, league.true_talent,
                                   kinds=("start",) if part == "test" else config.examples.train_kinds)
              for part in ("train", "validation", "test")}
        log(f"{pt}: {len(ex['train'])} train, {len(ex['validation'])} validation, {len(ex['test'])} test examples")
        if config.denoise.true_talent:  # a diagnostic, never a method (hfm_train.denoise)
            ex["train"], ex["validation"] = true_talent_targets([ex["train"], ex["validation"]])
            denoised[pt] = {"diagnostic": "trained on the simulator's true talent"}  # so the card says it
            log(f"{pt}: DIAGNOSTIC: training on the simulator's true talent, not on outcomes")
        elif config.denoise.enabled:  # the test season's targets stay the actual rates
            (ex["train"], ex["validation"]), denoised[pt] = denoise_examples(
                [ex["train"], ex["validation"]], identity[pt], config.denoise)
            log(f"{pt}: targets denoised, mean k per stat {[round(k, 3) for k in denoised[pt]['mean_k']]}")
        lap(f"examples {pt}")
        in_loop = level1_in_loop(copy.deepcopy(encoder), table) if config.finetune.unfreeze_epochs else None
        result = finetune(ex["train"], ex["validation"], games, identity[pt].archetypes.n_archetypes,
                          replace(config.finetune, seed=config.seed), config.target_mode,
                          checkpoint=work / f"{pt}_finetune.pt", resume=resume, progress=progress, log=log,
                          level1=in_loop)
        if config.finetune.refit and in_loop is None and result.best_epoch >= 0:
            # the final model: trained on train + validation for as many epochs as early stopping chose
            log(f"{pt}: refit on train + validation for {result.best_epoch} epochs")
            result.model = finetune(Examples.concat([ex["train"], ex["validation"]]), None, games,
                                    identity[pt].archetypes.n_archetypes,
                                    replace(config.finetune, seed=config.seed, epochs=result.best_epoch),
                                    config.target_mode, progress=progress, log=lambda _: None).model
        model = models[pt] = result.model
        type_games = games
        if in_loop is not None:  # this type's tuned Level 1: its own encoder file and PA cache
            tuned[pt] = in_loop.module.eval()
            type_games = tuned_cache[pt] = encode_games(tuned[pt], table)
        histories[pt] = {"history": result.history, "best_epoch": result.best_epoch, "best_val": result.best_val}
        lap(f"fine-tune {pt}")
        # Blend weights: leave-one-season-out over train + validation (folds keep Level 1 frozen).
        pool = Examples.concat([ex["train"], ex["validation"]])
        held_out = sorted(pool.table["season"].unique())[-config.cv_seasons if config.cv_seasons else 0:]
        blend[pt], cv_report[pt], oof = cross_validated_blend(
            pool, games, identity[pt].archetypes.n_archetypes,
            replace(config.finetune, seed=config.seed), config.target_mode, result.best_epoch, held_out)
        in_folds = pool.table["season"].isin(held_out).to_numpy()
        oof_projections[pt] = out_of_fold_projections(pool.take(in_folds), blend[pt], oof[in_folds])
        log(f"{pt} blend weights (CV over seasons): {dict(zip(TARGET_STATS[pt], blend[pt].tolist()))}")
        lap(f"cross-validate {pt}")
        league_rates = np.array([identity[pt].league_rates[s] for s in TARGET_STATS[pt]])
        fitted: dict = {}
        baselines = baseline_projections(league, lines[pt], pt, ex["test"], split["test"][0], config.profile, fitted)
        lam = None
        if pt in config.mix.player_types and oof_projections[pt] is None:
            log(f"warning: {pt}: no opening-day out-of-fold rows to choose the ridge mix on: the blend alone")
        elif pt in config.mix.player_types:  # hfm_train.mix: chosen on the same rows, the test season unseen
            lam, oof_projections[pt], mix_fit[pt] = choose_mix(oof_projections[pt], lines[pt], league.players, pt,
                                                               split["test"][0], config.profile)
            ridges[pt] = fitted["statcast_ridge"].to_model()
            log(f"{pt} mix with the sequence ridge (CV over seasons): {dict(zip(TARGET_STATS[pt], lam.tolist()))}")
            lap(f"mix {pt}")
        card[pt] = evaluate_type(model, ex["test"], type_games, blend[pt], league_rates, config.finetune.max_pas,
                                 baselines, lam)
        if lam is not None:
            blend_mix[pt] = dict(zip(TARGET_STATS[pt], map(float, lam)))
        lap(f"evaluate {pt}")

    log(format_table(card, split["test"][0]))
    blend_json = {pt: dict(zip(TARGET_STATS[pt], map(float, blend[pt]))) for pt in PLAYER_TYPES}
    # the ranges' parameters: training and validation seasons only (hfm_train.calibration)
    range_seasons = sorted(int(s) for s in split["train"] + split["validation"])
    range_rows: dict[str, pd.DataFrame] = {}
    ranges, ranges_fit = fit_range_params(lines, league.players, range_seasons, oof_projections, range_rows)
    blend_json["ranges"], blend_json["ranges_fit"] = ranges.to_json(), ranges_fit
    log(f"range parameters: {ranges.source}; k (D) = " + "; ".join(
        f"{pt} " + ", ".join(f"{s} {k:.2f} ({ranges.drift[pt][s] or '-'})" for s, k in ranges.scale[pt].items())
        for pt in PLAYER_TYPES))
    if ranges.talent_scale:
        log("talent k' (D') = " + "; ".join(
            f"{pt} " + ", ".join(f"{s} {k:.2f} ({(ranges.talent_drift or {}).get(pt, {}).get(s) or '-'})"
                                 for s, k in ranges.talent_scale[pt].items())
            for pt in ranges.talent_scale))
    lap("fit ranges")
    held = f"the last {config.cv_seasons} of " if config.cv_seasons else ""
    blend_json["method"] = ("per stat, w in 0.0..1.0 step 0.1 minimising the opportunity-weighted MSE vs actual "
                            f"of leave-one-season-out predictions over {held}the train and validation seasons; "
                            "final = marcel + w * residual")
    blend_json["cross_validation"] = cv_report
    if blend_mix:  # hfm_train.mix
        blend_json["mix"], blend_json["mix_fit"] = blend_mix, mix_fit
        blend_json["mix_method"] = ("per stat, lam in 0.0..1.0 step 0.1 minimising the opportunity-weighted MSE vs "
                                    "actual of (1 - lam) * blend + lam * sequence ridge on the blend's out-of-fold "
                                    f"opening-day projections of {held}the train and validation seasons (the ridge "
                                    "fitted without the season it projects); opening-day projections only")
    notice = training_data(league, split, featurizer)["notice"]  # the data's (Retrosheet's), carried by the card
    model_card = {"seasons": {k: v for k, v in split.items()} | {"test": split["test"][0]},
                  "target_mode": config.target_mode, "blend": blend_json, "denoised_targets": denoised,
                  "evaluation": card, **({"notice": notice} if notice else {})}
    run_dir = runs_dir / config.name
    if not session.is_main:  # rank 0 writes the run folder
        shutil.rmtree(work, ignore_errors=True)
        return run_dir
    timings = clock.timings
    with atomic_dir(run_dir) as tmp:
        (tmp / "config.json").write_text(json.dumps({
            "run": config.to_json(), "seasons": split, "league": str(config.league),
            "league_meta": league.meta.get("config"), "league_contents": league_contents(league_dir),
            "training_data": training_data(league, split, featurizer),
            "timings_s": timings, "stages": clock.records,
            "device": str(session.device), "world_size": session.world_size,
            "torch": torch.__version__}, indent=2, default=str))
        (tmp / "featurizer.json").write_text(json.dumps(featurizer.to_json()))
        shutil.copy(work / "level1" / "level1.pt", tmp / "level1.pt")
        hist = work / "level1" / "pretrain_history.json"
        if hist.is_file():
            shutil.copy(hist, tmp / "pretrain_history.json")
        shutil.copytree(work / IDENTITY_DIR, tmp / IDENTITY_DIR)
        for pt, model in models.items():
            (tmp / pt).mkdir()
            torch.save(model.state_dict(), tmp / pt / "model.pt")
            if pt in tuned:
                torch.save({"config": tuned[pt].config.to_json(), "state": tuned[pt].state_dict()},
                           tmp / pt / "level1.pt")
                save_pa_cache(tuned_cache[pt], tmp / pt / "pa_cache.npz", tuned[pt].config.to_json())
            (tmp / pt / "model.json").write_text(json.dumps({
                "model_config": model.config.to_json(), "stats": list(TARGET_STATS[pt]),
                "target_mode": model.config.target_mode, **histories[pt]}, indent=2))
        (tmp / "blend.json").write_text(json.dumps(blend_json, indent=2))
        for pt, ridge in ridges.items():
            (tmp / RIDGE_FILE.format(player_type=pt)).write_text(json.dumps(ridge.to_json()))
        save_rows(range_rows, tmp / RANGE_ROWS)
        write_card(tmp, model_card)
        shutil.copy(cache_path, tmp / "pa_cache.npz")
    shutil.rmtree(work, ignore_errors=True)
    log(f"run folder -> {run_dir}  (total {sum(timings.values()):.0f} s)")
    # beside the runs folder (artifacts/ for the default one), not in whichever folder the shell is in
    bundle = runs_dir.parent / ("bundle" if config.name == "default" else f"bundle_{config.name}")
    log(f"next (hfm-score reads a bundle, not a run): hfm-export {run_dir} --out {bundle}, then hfm-score --bundle "
        f"{bundle} --league {config.league}")
    return run_dir


SECTIONS: tuple[str, ...] = ("finetune", "examples", "pretrain", "archetypes", "denoise", "profile", "mix")  # what --set reaches


@click.command("fit")
@click.option("--league", type=click.Path(path_type=Path), default=DEFAULT_LEAGUE, show_default=True,
              help="League folder (the default one is simulated first if missing).")
@click.option("--name", default="default", show_default=True, help="Run name: artifacts/runs/<name>.")
@click.option("--runs-dir", type=click.Path(path_type=Path), default=DEFAULT_RUNS, show_default=True)
@click.option("--target-mode", type=click.Choice(["residual", "absolute"]), default="absolute", show_default=True)
@click.option("--window", type=click.Choice(["rest_of_season", "next_games"]),
              default="rest_of_season", show_default=True, help="Target window.")
@click.option("--context-games", type=int, default=None,
              help="Context length T (<= 50; default 30, 10 with --tiny).")
@click.option("--epochs", type=int, default=None, help="Fine-tuning epochs of the deep part (default: FinetuneConfig's on a simulated league, 0 on "
              "an imported one: the wide path alone, REAL_DATA_SETTINGS).")
@click.option("--pretrain-epochs", type=int, default=None, help="Level 1 pre-training epochs.")
@click.option("--unfreeze-epochs", default="", help="Comma-separated fine-tuning epochs (1-based) at which Level 1 "
              "layer groups unfreeze, top group first, e.g. '3,5' (default: Level 1 stays frozen).")
@click.option("--set", "overrides", multiple=True, metavar="SECTION.FIELD=VALUE",
              help="Override one config field, e.g. --set finetune.lr=5e-4 --set examples.every_games=5 "
                   f"--set pretrain.model.d_model=256 (sections: {', '.join(SECTIONS)}; repeatable).")
@click.option("--train-kinds", default="start,in_season", show_default=True,
              help="As-of dates that train: 'start' (opening day) and/or 'in_season' (every N games).")
@click.option("--no-wide", is_flag=True, help="Ablation: no closed-form linear path on the stat features.")
@click.option("--level1-from", type=click.Path(path_type=Path), default=None,
              help="Reuse a finished run's Level 1 and PA cache (same league): retrain only what sits above it.")
@click.option("--no-pitch-tracking", is_flag=True,
              help="The pitch path reads no tracking (the identity's skill rates still do).")
@click.option("--last-season", type=int, default=None,
              help="Model selection: train and evaluate as if the league ended with this season.")
@click.option("--first-season", type=int, default=None, help="Leave out every season before this one.")
@click.option("--history-only", default="", help="Comma-separated seasons that feed history only, never a "
              "training or validation target (real data: 2020, the 60-game season).")
@click.option("--history-seasons", type=int, default=None,
              help="Leading seasons that only feed history (default 1; 3 gives Marcel a full window; 6 the "
                   "batters' older seasons, profile.old_seasons, on for real leagues of 9 seasons or more).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--threads", type=int, default=2, show_default=True, help="torch CPU threads (per process).")
@click.option("--device", default="auto", show_default=True,
              help="auto (CUDA when present), cpu or cuda[:K]; under torchrun each rank takes GPU LOCAL_RANK.")
@click.option("--tiny", is_flag=True, help="Tiny model sizes (tests, smoke runs).")
@click.option("--resume", is_flag=True, help="Continue an interrupted run from its work folder.")
@click.option("--cv-seasons", type=int, default=None,
              help="Cross-validate the blend weights and ranges on only the last N train/validation seasons "
                   "(default: every one).")
@click.option("--no-progress", is_flag=True, help="No progress bars.")
def fit_command(league: Path, name: str, runs_dir: Path, target_mode: str, window: str, context_games: int | None,
                epochs: int | None, pretrain_epochs: int | None, unfreeze_epochs: str, train_kinds: str,
                no_wide: bool, level1_from: Path | None, no_pitch_tracking: bool, last_season: int | None, first_season: int | None,
                history_only: str, history_seasons: int | None, overrides: tuple[str, ...],
                seed: int, threads: int, device: str, tiny: bool, resume: bool, cv_seasons: int | None,
                no_progress: bool) -> None:
    """Train HFM end to end and write artifacts/runs/<name> (data parallel under torchrun:
    `torchrun --nproc_per_node N -m hfm_train fit ...`)."""
    config = RunConfig.tiny() if tiny else RunConfig()
    real = (league / "league.json").is_file() and read_league_meta(league).get("source", "simulated") != "simulated"
    if real:
        config = real_data_defaults(config)  # before the options and --set, which override it
        click.echo(f"real league: {', '.join(REAL_DATA_SETTINGS)} (what real seasons chose; options and --set "
                   "override)")
    config = replace(config, name=name, league=str(league), last_season=last_season, first_season=first_season,
                     history_only=_whole_numbers(history_only, "--history-only"),
                     history_seasons=config.history_seasons if history_seasons is None else history_seasons,
                     level1_from=str(level1_from) if level1_from else None, target_mode=target_mode,
                     pitch_tracking=not no_pitch_tracking,
                     cv_seasons=cv_seasons, seed=seed, threads=threads, device=distributed.check_device_name(device),
                     examples=replace(config.examples, window=window,
                                      max_games=config.examples.max_games if context_games is None else context_games,
                                      train_kinds=tuple(k.strip() for k in train_kinds.split(",") if k.strip())),
                     finetune=replace(config.finetune, wide=not no_wide))
    if real and config.profile.old_seasons:
        kept = kept_seasons(read_league_meta(league)["seasons"], config)
        if len(kept) - len(config.history_only) < OLD_YEARS + 3:  # OLD_YEARS of history + train, validation, test
            # its rows would be all but constant in training and far out at scoring (a walkthrough's 6 seasons:
            # 247 of 1,958 rows beyond 6 SD); --set below still turns it on
            config = replace(config, profile=replace(config.profile, old_seasons=False))
            click.echo(f"real league of {len(kept)} seasons: profile.old_seasons off (a fit reading the batters' "
                       f"seasons before Marcel's window needs {OLD_YEARS} history seasons besides a training, a "
                       "validation and a test season)")
    if epochs is not None:
        config = replace(config, finetune=replace(config.finetune, epochs=epochs))
    if unfreeze_epochs:
        # FinetuneConfig counts from 0
        at = tuple(e - 1 for e in _whole_numbers(unfreeze_epochs, "--unfreeze-epochs", "3,5"))
        config = replace(config, finetune=replace(config.finetune, unfreeze_epochs=at))
    if pretrain_epochs is not None:
        config = replace(config, pretrain=replace(config.pretrain, epochs=pretrain_epochs))
    for item in overrides:
        config = apply_override(config, item)
    if config.finetune.epochs <= 0 and not config.finetune.wide:
        raise click.UsageError("no wide path and no fine-tuning epochs: nothing would train (a real league "
                               "fine-tunes 0 epochs by default, the wide path alone: give --epochs N)")
    try:
        fit_run(config, runs_dir, resume=resume, progress=not no_progress)
    except (KeyboardInterrupt, SystemExit) as exc:  # Ctrl-C, or SIGTERM (errors.exits_on_sigterm)
        work = runs_dir / f".{config.name}.work"
        if work.is_dir():  # a fit stopped before its work folder existed has nothing to resume
            close_progress_bars()
            click.echo(f"\n{stopped(exc)}: the finished stages are kept in {work}; run the same command with --resume "
                       "to continue from them", err=True)
        raise


# What the real selection seasons chose against the dataclass defaults (which the simulated leagues
# chose; docs/real-data-tried.md): the windows' own outcomes as training targets (denoising
# them cost accuracy), the profile's late window (it passed a rule set before three seeds of 2018) and
# the wide path alone (0 fine-tuning epochs: where the deep part passed its validation gate on 2016-2018
# it lost on the test season; benchmarks/results/real_deep_gate.md), the pitchers' wide path fitted
# on the in-season examples too (benchmarks/results/real_wide_kinds.md), and the batters' speed rates,
# putaway rate and older seasons (benchmarks/results/real_speed_2017_2018.md, real_putaway_2017_2018.md,
# real_old_seasons_2017_2018.md), the batters' opening-day blend mixed with the sequence ridge
# (real_mix_2017_2018.md), and that ridge reading the batters' fielding positions
# (real_position_study.txt) and platoon share (real_platoon_2017_2018.md), and the wide path reading
# the platoon share too (real_wide_platoon_2017_2018.md).
REAL_DATA_SETTINGS: tuple[str, ...] = ("denoise.enabled=false", "profile.late_rates=true", "finetune.epochs=0",
                                       'finetune.pitcher_wide_kinds=["start", "in_season"]', "profile.speed_rates=true",
                                       "profile.putaway_rate=true", "profile.old_seasons=true",
                                       'mix.player_types=["batter"]', "profile.positions=true",
                                       "profile.platoon=true", "profile.wide_platoon=true")


def real_data_defaults(config: RunConfig) -> RunConfig:
    """`config` with REAL_DATA_SETTINGS applied: `hfm-train fit` on an imported (Statcast, Retrosheet)
    league, before the user's --set."""
    for item in REAL_DATA_SETTINGS:
        config = apply_override(config, item)
    return config


def apply_override(config: RunConfig, item: str) -> RunConfig:
    """`section.field=value` -> a RunConfig with that sub-config field replaced (a field that is itself
    a config takes one more step: `pretrain.model.d_model=256`); the value is parsed as JSON (numbers,
    true/false, lists become tuples) or taken as a plain string; a switch (a bool field) takes only
    true or false, and a list field only a JSON list."""
    try:
        key, raw = item.split("=", 1)
        path = [part.strip() for part in key.split(".")]
        if path[0] not in SECTIONS or len(path) < 2:
            raise AttributeError(path[0])
        chain = [config]  # the configs from the RunConfig down to the one holding the field
        for name in path[:-1]:
            sub = getattr(chain[-1], name)
            if not hasattr(sub, "__dataclass_fields__"):
                raise AttributeError(name)
            chain.append(sub)
        if path[-1] not in chain[-1].__dataclass_fields__:
            fields = list(chain[-1].__dataclass_fields__)
            near = difflib.get_close_matches(path[-1], fields, n=3)
            raise HFMInputError(f"--set {item!r}: {'.'.join(path[:-1])} has no field {path[-1]!r}"
                                + (f" (did you mean {', '.join(near)}?)" if near else
                                   f" (its fields: {', '.join(fields)})"))
    except HFMInputError:
        raise
    except (ValueError, AttributeError):
        raise HFMInputError(f"--set {item!r}: expected SECTION.FIELD=VALUE with a field of "
                            f"{', '.join(SECTIONS[:-1])} or {SECTIONS[-1]}") from None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    value = tuple(value) if isinstance(value, list) else value
    current, number = getattr(chain[-1], path[-1]), (int, float)
    optional = value is None and "None" in str(chain[-1].__dataclass_fields__[path[-1]].type)  # e.g. =null
    if optional:
        pass
    elif isinstance(current, bool) and not isinstance(value, bool):
        # a switch: "off" or "0" would otherwise be stored as a string or number that reads as on
        raise HFMInputError(f"--set {item!r}: {key.strip()} is a switch, give true or false")
    elif isinstance(current, tuple) and not isinstance(value, tuple):
        # a string a shell stripped of its quotes ([a] for ["a"]) would become a tuple of characters
        raise HFMInputError(f"--set {item!r}: {key.strip()} is a list, give a JSON list such as "
                            f"'{key.strip()}=[\"a\", \"b\"]'")
    elif isinstance(current, int) and not isinstance(current, bool) and (
            isinstance(value, bool) or not isinstance(value, int)):
        # a number's type checked now: a text or a fraction would otherwise fail after the pre-training
        raise HFMInputError(f"--set {item!r}: {key.strip()} is a whole number, e.g. {current}")
    elif isinstance(current, float) and (isinstance(value, bool) or not isinstance(value, number)):
        raise HFMInputError(f"--set {item!r}: {key.strip()} is a number, e.g. {current}")
    value = float(value) if isinstance(current, float) and not optional else value
    try:
        for holder, name in zip(reversed(chain), reversed(path), strict=True):
            value = replace(holder, **{name: value})
    except (ValueError, TypeError) as exc:  # a config's own check (e.g. d_model a multiple of n_heads)
        raise HFMInputError(f"--set {item!r}: {exc}") from None
    return value
