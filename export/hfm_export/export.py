"""Training run -> bundle (layout: hfm_runtime.bundle). Written atomically; verified before it lands.

`export_bundle` takes the trained modules and plain-file parts directly; `export_run` reads them from a
training run folder (hfm_train.fit) first. Each graph is exported (hfm_export.onnx_graph), checked with
the ONNX checker, and compared with PyTorch on the shapes in `graph1_cases` / `graph2_cases`; any
difference above `tolerance` aborts the export, leaving no bundle and an existing one untouched.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
import torch
from torch import nn

from hfm_runtime import bundle as B
from hfm_runtime.atomic import atomic_dir, check_replaceable
from hfm_runtime.context import empty_context
from hfm_runtime.errors import HFMInputError, read_json_object
from hfm_runtime.featurize import PA_OUTCOMES
from hfm_runtime.identity import IDENTITY_DIR
from hfm_runtime.ridge import RIDGE_FILE, RidgeModel
from hfm_runtime.ranges import RangeParams
from hfm_runtime.targets import PLAYER_TYPES, TARGET_STATS

from .onnx_graph import OPSET, TOLERANCE, ExportError, GraphSpec, compare_graph, export_graph

GRAPH1_SPEC = GraphSpec(
    name="pitch_pa_encoder",
    inputs=("cat", "num", "pitch_mask", "pa_of_pitch", "pa_mask"),
    outputs=("pa_emb",),
    dynamic={
        **{k: {0: "games", 1: "pitches"} for k in ("cat", "num", "pitch_mask", "pa_of_pitch")},
        "pa_mask": {0: "games", 1: "pas"},
    },
)
GRAPH2_SPEC = GraphSpec(
    name="game_projection_encoder",
    inputs=("pa_emb", "pa_mask", "pa_outcome", "game_mask", "game_days", "stat_features", "archetype"),
    outputs=("rates", "game_emb"),
    dynamic={
        **{k: {0: "players", 1: "games", 2: "pas"} for k in ("pa_emb", "pa_mask", "pa_outcome")},
        **{k: {0: "players", 1: "games"} for k in ("game_mask", "game_days")},
        **{k: {0: "players"} for k in ("stat_features", "archetype")},
    },
)
PACKAGES: tuple[str, ...] = ("torch", "onnx", "onnxruntime", "onnxscript", "numpy", "hfm", "hfm-runtime")
# ONNX Runtime releases with the newest ONNX IR version and default-domain opset each reads
# (onnxruntime.ai/docs/reference/compatibility.html), oldest first: the first that reads a graph is
# the oldest that can run it.
ORT_READS: tuple[tuple[str, int, int], ...] = (
    ("1.14.0", 8, 18), ("1.15.0", 9, 19), ("1.17.0", 9, 20), ("1.18.0", 10, 21), ("1.20.0", 10, 22),
    ("1.22.0", 11, 23),
)


@dataclass(frozen=True, eq=False)
class ExportInputs:
    """Everything a bundle is made of (what `export_run` reads from a training run)."""

    level1: nn.Module  # Graph 1 (hfm_train.model.level1.PitchEncoder)
    models: Mapping[str, nn.Module]  # player type -> Graph 2 (hfm_train.model.hfm.GameProjectionModel)
    featurizer: dict[str, Any]  # PitchFeaturizer.to_json()
    identity_dir: Path  # a run's identity/ folder (IdentityModel files of both player types)
    blend_weights: Mapping[str, Mapping[str, float]]  # player type -> stat -> w
    target_mode: str  # "residual" | "absolute"
    context: Mapping[str, Mapping[str, Any]]  # player type -> {"max_games": int, "max_pas": int | None, ...}
    model_card: dict[str, Any]
    run: dict[str, Any]  # where the bundle came from (run name, path, config), for the manifest
    # what the run was trained on (hfm_train.fit.training_data: source, seasons, input groups, the
    # Retrosheet notice), for the manifest's "training_data"
    training_data: dict[str, Any] | None = None
    # the ranges' parameters (hfm_runtime.ranges.RangeParams.to_json, the run's blend.json "ranges");
    # None for a run fitted before 2026-12-02: the bundle then has none and the runtime uses its default
    ranges: dict[str, Any] | None = None
    # the opening-day mix with the sequence ridge (hfm_train.mix): player type -> stat -> lam (the
    # run's blend.json "mix"), and each such type's ridge (hfm_runtime.ridge.RidgeModel.to_json)
    mix: Mapping[str, Mapping[str, float]] | None = None
    ridges: Mapping[str, dict[str, Any]] | None = None


# --- comparison shapes ---------------------------------------------------------------------------
def _game_inputs(rng: np.random.Generator, vocab_sizes, n_numeric: int, pitches: list[int], n_pas: list[int]):
    """A GameBatch-like tuple for games with these pitch and PA counts (ragged, padded)."""
    g, p, a = len(pitches), max(pitches), max(n_pas)
    cat = np.zeros((g, p, len(vocab_sizes)), np.int64)
    num = np.zeros((g, p, n_numeric), np.float32)
    pitch_mask = np.zeros((g, p), bool)
    pa_of_pitch = np.zeros((g, p), np.int64)
    pa_mask = np.zeros((g, a), bool)
    for i, (n, k) in enumerate(zip(pitches, n_pas)):
        for j, size in enumerate(vocab_sizes):
            cat[i, :n, j] = rng.integers(1, size, n)
        num[i, :n] = rng.normal(size=(n, n_numeric))
        pitch_mask[i, :n] = True
        pa_of_pitch[i, :n] = np.sort(np.concatenate([np.arange(k), rng.integers(0, k, n - k)]))
        pa_mask[i, :k] = True
    return tuple(torch.from_numpy(x) for x in (cat, num, pitch_mask, pa_of_pitch, pa_mask))


def graph1_cases(vocab_sizes, n_numeric: int, seed: int = 0) -> dict[str, tuple[torch.Tensor, ...]]:
    rng = np.random.default_rng(seed)
    fifty = [int(x) for x in rng.integers(8, 60, 50)]
    return {
        "1 game": _game_inputs(rng, vocab_sizes, n_numeric, [38], [9]),
        "50 games": _game_inputs(rng, vocab_sizes, n_numeric, fifty, [max(1, n // 4) for n in fifty]),
        "1-PA game": _game_inputs(rng, vocab_sizes, n_numeric, [3], [1]),
        "120-pitch game": _game_inputs(rng, vocab_sizes, n_numeric, [120, 17], [31, 4]),
    }


def _context_inputs(rng: np.random.Generator, d_pa: int, n_features: int, n_archetypes: int,
                    games: list[list[int]]):
    """A ContextBatch-like tuple: games[b] lists player b's PAs per context game."""
    b = len(games)
    t = max(max(len(x), 1) for x in games)
    a = max(max(x, default=1) for x in games)
    pa_mask = np.zeros((b, t, a), bool)
    game_mask = np.zeros((b, t), bool)
    for i, per_game in enumerate(games):
        game_mask[i, :len(per_game)] = True
        for j, n in enumerate(per_game):
            pa_mask[i, j, :n] = True
    days = np.cumsum(rng.uniform(0.5, 6.0, (b, t)), axis=1) * game_mask
    return tuple(torch.from_numpy(x) for x in (
        (rng.normal(size=(b, t, a, d_pa)) * pa_mask[..., None]).astype(np.float32),
        pa_mask,
        (rng.integers(1, len(PA_OUTCOMES), (b, t, a)) * pa_mask).astype(np.int64),
        game_mask,
        np.where(game_mask, days - days[:, :1], 0.0).astype(np.float32),
        rng.normal(size=(b, n_features)).astype(np.float32),
        rng.integers(0, n_archetypes, b).astype(np.int64),
    ))


def graph2_cases(d_pa: int, n_features: int, n_archetypes: int, seed: int = 0) -> dict[str, tuple[torch.Tensor, ...]]:
    rng = np.random.default_rng(seed)
    ctx = lambda games: _context_inputs(rng, d_pa, n_features, n_archetypes, games)  # noqa: E731
    return {
        "1 player, 1 game": ctx([[4]]),
        "1 player, 50 games": ctx([[int(x) for x in rng.integers(1, 6, 50)]]),
        "1-PA game": ctx([[1]]),
        "several players, ragged": ctx([[4, 5, 3], [1], [int(x) for x in rng.integers(1, 8, 50)], [2, 2]]),
    }


def reads_context(model: nn.Module, path: Path, cases: Mapping[str, tuple[torch.Tensor, ...]]) -> bool:
    """The manifest's `graphs.<type>.reads_context` (hfm_runtime.bundle): False when the head on Levels
    2-3 is exactly zero, so the rates are the wide path's alone. Checked on the exported graph: each
    case's rates with its context and with the runtime's empty one (hfm_runtime.context.empty_context)
    must be equal to the bit, else ExportError."""
    if bool(model.head.weight.any()) or bool(model.head.bias.any()):
        return True
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    wanted = {i.name for i in session.get_inputs()}
    for case, tensors in cases.items():
        feed = {n: t.numpy() for n, t in zip(GRAPH2_SPEC.inputs, tensors)}
        empty = empty_context(feed["stat_features"], feed["archetype"], feed["pa_emb"].shape[-1]).inputs()
        with_context, without = (session.run(["rates"], {k: v for k, v in f.items() if k in wanted})[0]
                                 for f in (feed, empty))
        if not np.array_equal(with_context, without):
            raise ExportError(f"{path}: case {case!r}: the head on Levels 2-3 is zero, yet the rates move with the "
                              f"context (max |diff| {np.abs(with_context - without).max():.3g})")
    return False


# --- export --------------------------------------------------------------------------------------
def export_bundle(inputs: ExportInputs, out: str | Path, tolerance: float = TOLERANCE, opset: int = OPSET) -> dict:
    """Write the bundle to `out` atomically; return its manifest. Raises ExportError / HFMInputError."""
    if inputs.target_mode not in ("residual", "absolute"):
        raise HFMInputError(f"target_mode must be 'residual' or 'absolute', got {inputs.target_mode!r}")
    for pt in PLAYER_TYPES:
        if pt not in inputs.models:
            raise HFMInputError(f"no Graph-2 model for player type {pt!r}")
        missing = [s for s in TARGET_STATS[pt] if s not in inputs.blend_weights.get(pt, {})]
        if missing:
            raise HFMInputError(f"blend weights for {pt}: missing stat(s) {', '.join(missing)}")
    _check_identity_fits(inputs)  # before the export's minutes, not after them
    # new, empty or a bundle: the bundle replaces it whole (a walkthrough's --out the run deleted the run)
    check_replaceable(out, lambda folder: (folder / B.MANIFEST).is_file(), "bundle")
    level1 = inputs.level1.eval()
    cfg1 = level1.config
    diffs: dict[str, dict[str, float]] = {}
    graphs: dict[str, Any] = {}
    with atomic_dir(out) as tmp:
        example1 = _game_inputs(np.random.default_rng(1), cfg1.vocab_sizes, cfg1.n_numeric, [9, 7, 5], [4, 3, 2])
        export_graph(level1, GRAPH1_SPEC, example1, tmp / B.GRAPH1, opset)
        diffs["pitch_pa_encoder"] = compare_graph(
            level1, tmp / B.GRAPH1, GRAPH1_SPEC, graph1_cases(cfg1.vocab_sizes, cfg1.n_numeric), tolerance
        )
        d_pa = int(cfg1.d_model)
        graphs["level1"] = {**GRAPH1_SPEC.signature(), "d_pa": d_pa, "vocab_sizes": list(cfg1.vocab_sizes)}
        for pt in PLAYER_TYPES:
            model = inputs.models[pt].eval()
            cfg = model.config
            n_feat, n_arch = int(cfg.identity.n_stat_features), int(cfg.identity.n_archetypes)
            if cfg.level2.d_pa != d_pa:
                raise HFMInputError(f"{pt} model expects PA embeddings of width {cfg.level2.d_pa}, Level 1 gives {d_pa}")
            (tmp / pt).mkdir()
            rng = np.random.default_rng(2)
            example2 = _context_inputs(rng, d_pa, n_feat, n_arch, [[4, 3, 2, 1, 1], [2, 1], [3]])
            path = tmp / B.graph2_path(pt)
            export_graph(model, GRAPH2_SPEC, example2, path, opset)
            cases = graph2_cases(d_pa, n_feat, n_arch)
            diffs[f"{pt}/game_projection_encoder"] = compare_graph(model, path, GRAPH2_SPEC, cases, tolerance)
            graphs[pt] = {
                **GRAPH2_SPEC.signature(), "n_stat_features": n_feat, "n_archetypes": n_arch,
                "targets": list(TARGET_STATS[pt]), "reads_context": reads_context(model, path, cases),
            }
            _write_json(tmp / B.context_path(pt), {"perspective": pt, **inputs.context[pt]})
        _write_json(tmp / B.FEATURIZER, inputs.featurizer)
        _write_json(tmp / B.BLEND, {
            "target_mode": inputs.target_mode,
            "rule": "final = marcel + w * model" if inputs.target_mode == "residual"
            else "final = marcel + w * (model - marcel)",
            "weights": {pt: {s: float(inputs.blend_weights[pt][s]) for s in TARGET_STATS[pt]} for pt in PLAYER_TYPES},
            **({"ranges": RangeParams.from_json(inputs.ranges, "run blend.json: ranges").to_json()}
               if inputs.ranges is not None else {}),
            **({"mix": {pt: {s: float(lam[s]) for s in TARGET_STATS[pt]} for pt, lam in inputs.mix.items()},
                "mix_rule": "opening day (as of the season's first game or before), where the model ran: "
                            "final = (1 - lam) * blended + lam * ridge (ridge_<type>.json)"}
               if inputs.mix else {}),
        })
        for pt in (inputs.mix or {}):
            ridge = (inputs.ridges or {}).get(pt)
            if ridge is None:
                raise HFMInputError(f"blend mix for {pt}: no ridge ({RIDGE_FILE.format(player_type=pt)})")
            _write_json(tmp / RIDGE_FILE.format(player_type=pt), RidgeModel.from_json(ridge, RIDGE_FILE.format(player_type=pt)).to_json())
        _write_json(tmp / B.MODEL_CARD, inputs.model_card)
        _copy_identity(inputs.identity_dir, tmp / IDENTITY_DIR)
        manifest = B.write_manifest(tmp, {
            "created_utc": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "target_mode": inputs.target_mode,
            "feature_layout": {**B.runtime_layout(), "stat_features": {  # the identity's own layout
                pt: json.loads((tmp / IDENTITY_DIR / f"identity_{pt}.json").read_text())["feature_names"]
                for pt in PLAYER_TYPES}},
            "graphs": graphs,
            "export": {
                "opset": opset, "tolerance_max_abs": tolerance, "max_abs_diff": diffs,
                "exporter": "torch.onnx.export(dynamo=True)",
            },
            "run": inputs.run,
            "training_data": inputs.training_data,
            "versions": package_versions(),
            "runtime": runtime_requirements([tmp / B.GRAPH1, *(tmp / B.graph2_path(pt) for pt in PLAYER_TYPES)]),
        })
        B.load_bundle(tmp)  # what the runtime will do: refuse to land a bundle it could not load
    return manifest


def _copy_identity(src: Path, dst: Path) -> None:
    src = Path(src)
    if not src.is_dir():
        raise HFMInputError(f"{src}: identity folder missing (run `hfm-train` first)")
    dst.mkdir()
    for pt in PLAYER_TYPES:
        for name in (f"identity_{pt}.json", f"archetypes_{pt}.json", f"archetypes_{pt}.npz"):
            if not (src / name).is_file():
                raise HFMInputError(f"{src / name}: missing from the run's identity folder")
            shutil.copyfile(src / name, dst / name)
        with np.load(dst / f"archetypes_{pt}.npz", allow_pickle=False) as data:  # object arrays refuse here
            for key in data.files:
                data[key]


def _check_identity_fits(inputs: ExportInputs) -> None:
    """Refuse an identity its model was not trained with (a walkthrough's `hfm-train archetypes --out RUN`
    refitted 16 archetypes under a model of 3, and archetype ids out of range were clamped in silence).
    A missing file is left to _copy_identity, which names it."""
    folder = Path(inputs.identity_dir)
    for pt in PLAYER_TYPES:
        paths = folder / f"identity_{pt}.json", folder / f"archetypes_{pt}.json"
        if not all(p.is_file() for p in paths):
            continue
        names = read_json_object(paths[0]).get("feature_names") or []
        k = read_json_object(paths[1]).get("n_archetypes")
        cfg = inputs.models[pt].config.identity
        want = int(cfg.n_archetypes), int(cfg.n_stat_features)
        if (k, len(names)) != want:
            raise HFMInputError(f"{folder}: the {pt} identity has {k} archetypes and {len(names)} stat features, "
                                f"the {pt} model was trained with {want[0]} and {want[1]} (an identity fitted "
                                "after the model): fit the run again")


def runtime_requirements(graphs: list[Path]) -> dict[str, Any]:
    """What running the graphs takes, for the manifest's `runtime` (hfm_runtime.bundle.check_runtime):
    their ONNX opset and IR version, and `onnxruntime_min`, the newer of the oldest onnxruntime that
    reads them (ORT_READS) and the oldest hfm-runtime declares and its wheel test runs
    (runtime/pyproject.toml); the exporting onnxruntime when ORT_READS does not know the IR or opset."""
    import onnx
    import onnxruntime

    models = [onnx.load(str(path), load_external_data=False) for path in graphs]
    ir = max(int(m.ir_version) for m in models)
    opset = max(int(o.version) for m in models for o in m.opset_import if o.domain in ("", "ai.onnx"))
    reads = next((v for v, max_ir, max_opset in ORT_READS if ir <= max_ir and opset <= max_opset), None)
    need = [reads or onnxruntime.__version__]
    floor = _declared_floor("hfm-runtime", "onnxruntime")
    if floor is not None:
        need.append(floor)
    return {"onnx_opset": opset, "onnx_ir_version": ir, "onnxruntime_min": max(need, key=B.version_tuple),
            "onnxruntime_exported_with": onnxruntime.__version__}


def _declared_floor(distribution: str, requirement: str) -> str | None:
    """X of `requirement>=X` in an installed distribution's requirements, or None."""
    try:
        requires = importlib.metadata.requires(distribution) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for line in requires:
        match = re.match(rf"\s*{re.escape(requirement)}\s*>=\s*([0-9][0-9.]*)", line.split(";")[0])
        if match:
            return match.group(1)
    return None


def package_versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def _write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2))


# --- from a training run ------------------------------------------------------------------------
def read_run(run_dir: str | Path) -> ExportInputs:
    """Read a training run folder (layout: hfm_train.fit's docstring) into ExportInputs."""
    from hfm_train.evaluate import load_model
    from hfm_train.pretrain import load_encoder

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise HFMInputError(f"{run_dir}: no such run folder (run `hfm-train` first)")
    for rel in ("config.json", "featurizer.json", "level1.pt", "blend.json", "model_card.json", IDENTITY_DIR,
                *(f"{pt}/{f}" for pt in PLAYER_TYPES for f in ("model.pt", "model.json")),
                *(f"{IDENTITY_DIR}/{f}_{pt}.{ext}" for pt in PLAYER_TYPES
                  for f, ext in (("identity", "json"), ("archetypes", "json"), ("archetypes", "npz")))):
        if not (run_dir / rel).exists():  # all before the export's work (a missing archetype file was said after 43 s)
            raise HFMInputError(f"{run_dir / rel}: missing (not a finished training run?)")
    config = read_json_object(run_dir / "config.json")
    blend = read_json_object(run_dir / "blend.json")
    try:
        run = config["run"]
        target_mode = run["target_mode"]
        context = {"max_games": int(run["examples"]["max_games"]), "max_pas": run["finetune"]["max_pas"],
                   "window": run["examples"]["window"]}
        weights = {pt: {s: float(blend[pt][s]) for s in TARGET_STATS[pt]} for pt in PLAYER_TYPES}
    except (KeyError, TypeError, ValueError) as exc:
        raise HFMInputError(f"{run_dir}: config.json or blend.json lacks field {exc}") from None
    models = {}
    for pt in PLAYER_TYPES:
        try:
            models[pt] = load_model(run_dir, pt)
        except RuntimeError as exc:  # torch's state-dict mismatch: a model.json edited, or another run's model.pt
            said = [line.strip() for line in str(exc).splitlines() if line.strip()]
            first = next((line for line in said if line.startswith(("size mismatch", "Missing key", "Unexpected key"))),
                         None)
            if first is None:  # another RuntimeError is a fault: its traceback shows where
                raise
            raise HFMInputError(f"{run_dir / pt / 'model.pt'}: does not fit its model.json ({first}): export the run "
                                "as training wrote it") from None
    for pt, model in models.items():
        if model.config.target_mode != target_mode:
            raise HFMInputError(f"{run_dir / pt / 'model.json'}: target_mode {model.config.target_mode!r} "
                                f"differs from config.json's {target_mode!r}")
    return ExportInputs(
        level1=load_encoder(run_dir / "level1.pt"),
        models=models,
        featurizer=read_json_object(run_dir / "featurizer.json"),
        identity_dir=run_dir / IDENTITY_DIR,
        blend_weights=weights,
        target_mode=target_mode,
        context={pt: dict(context) for pt in PLAYER_TYPES},
        model_card=read_json_object(run_dir / "model_card.json"),
        run={"name": run_dir.name, "path": str(run_dir), "seasons": config.get("seasons"),
             "config_sha256": B.sha256_file(run_dir / "config.json")},
        ranges=blend.get("ranges"),
        mix=blend.get("mix"),
        ridges={pt: read_json_object(run_dir / RIDGE_FILE.format(player_type=pt)) for pt in blend.get("mix", {})},
        training_data={"league": config.get("league"), **(config.get("training_data") or {
            "source": "simulated" if config.get("league_meta") else "unknown", "seasons": None,
            "input_groups": None, "notice": None})},
    )


def export_run(run_dir: str | Path, out: str | Path, tolerance: float = TOLERANCE, opset: int = OPSET) -> dict:
    """`hfm-export`: training run folder -> bundle folder; returns the manifest."""
    return export_bundle(read_run(run_dir), out, tolerance, opset)


