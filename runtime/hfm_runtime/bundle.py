"""An HFM bundle: the folder `hfm-export` writes and the runtime scores from. Verified before use.

Layout (every path relative to the bundle folder; `manifest.json` lists all the others):

    manifest.json                         schema version, SHA-256 + size of every file, feature layout,
                                          target mode, graph signatures (and per player type
                                          `reads_context`, below), package versions, and what
                                          runs it (`runtime`: ONNX opset and IR version, the oldest
                                          onnxruntime it is tested with)
    model_card.json                       what the model is and how it scored (from the training run)
    featurizer.json                       vocabularies and numeric normalisation (hfm_runtime.featurize)
    blend.json                            "target_mode", "rule" (final = marcel + w * (model - marcel),
                                          or + w * model in residual mode), "weights" (per player type and
                                          stat: w), "ranges" (optional: the range parameters,
                                          hfm_runtime.ranges.RangeParams), "mix" and "mix_rule"
                                          (optional: per player type and stat, lam of the opening-day
                                          mix with ridge_<type>.json)
    pitch_pa_encoder.onnx                 Graph 1 (Level 1), shared by both player types
    <player_type>/game_projection_encoder.onnx   Graph 2 (identity + Levels 2-3 + head)
    <player_type>/context.json            how that type's context is assembled (games of context, ...)
    identity/identity_<type>.json         profile config, league rates, MLE factors, feature scaler
    identity/archetypes_<type>.npz/.json  archetype centroids and their standardiser
    ridge_<type>.json                     only for a type blend.json's "mix" names (per stat lam: the
                                          opening-day projection is (1 - lam) * blended + lam * ridge):
                                          the sequence-skill ridge (hfm_runtime.ridge.RidgeModel)

Only plain files are allowed (ONNX, JSON, `.npz` read with allow_pickle=False). `load_bundle` refuses,
with a `BundleError` naming the file: a missing manifest or listed file, a file whose SHA-256 differs
from the manifest (altered), a file the manifest does not list or of a type a bundle never holds
(pickles, torch checkpoints), another schema version, a feature layout other than this runtime's, a "mix"
without a lam in [0, 1] for every target stat or whose ridge is missing, of another player type or
of shapes that do not match its columns and stats, and a bundle whose
`runtime.onnxruntime_min` is newer than the installed onnxruntime (its graphs need a newer one: the
error names both versions and the bundle's opset and IR version).

`graphs.<type>.reads_context` (`Bundle.reads_context`): False when that type's head on Levels 2-3 is
exactly zero (a model whose deep part never passed its validation gate, and every real-league fit,
which trains the wide path alone), so Graph 2's rates are a function of the stat features alone and
the runtime need not encode the player's context games; `hfm-export` checks on ONNX Runtime that the
rates with an empty context equal those with real ones to the bit before it writes False. A manifest
without the field (bundles exported before 2026-12-05) reads True.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from hfm_runtime.errors import BundleError, read_json_object
from hfm_runtime.identity import IDENTITY_DIR, IdentityModel
from hfm_runtime.ridge import RIDGE_FILE, RidgeModel
from hfm_runtime.targets import PLAYER_TYPES, TARGET_STATS, PlayerType

# 2 (2026-12-06): the playing-time spread may hold an opportunity model (hfm_runtime.playing_time), whose
# ratios a runtime reading version 1 would apply to Marcel's opportunities; this runtime reads both
BUNDLE_SCHEMA_VERSION = 2
READABLE_SCHEMA_VERSIONS = (1, 2)
BUNDLE_FORMAT = "hfm-bundle"
MANIFEST = "manifest.json"
MODEL_CARD = "model_card.json"
FEATURIZER = "featurizer.json"
BLEND = "blend.json"
CONTEXT = "context.json"
GRAPH1 = "pitch_pa_encoder.onnx"
GRAPH2 = "game_projection_encoder.onnx"
ALLOWED_SUFFIXES: tuple[str, ...] = (".onnx", ".json", ".npz")


def graph2_path(player_type: PlayerType) -> str:
    return f"{player_type}/{GRAPH2}"


def context_path(player_type: PlayerType) -> str:
    return f"{player_type}/{CONTEXT}"


def required_files() -> list[str]:
    """Files every bundle must hold (the identity files are checked by IdentityModel.load)."""
    return [
        MODEL_CARD, FEATURIZER, BLEND, GRAPH1,
        *(graph2_path(pt) for pt in PLAYER_TYPES),
        *(context_path(pt) for pt in PLAYER_TYPES),
    ]


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def bundle_files(folder: str | Path) -> list[str]:
    """Every file under `folder` except the manifest, as sorted POSIX paths relative to it."""
    root = Path(folder)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and (
        p.relative_to(root).as_posix() != MANIFEST))


def write_manifest(folder: str | Path, fields: Mapping[str, Any]) -> dict[str, Any]:
    """Hash every file in `folder` and write `manifest.json` (plus `fields`: layout, versions, ...).

    Refuses (BundleError) a file type a bundle must not hold, so an exporter cannot ship a pickle.
    """
    root = Path(folder)
    files = {}
    for rel in bundle_files(root):
        _check_suffix(root, rel)
        files[rel] = {"sha256": sha256_file(root / rel), "bytes": (root / rel).stat().st_size}
    manifest = {"format": BUNDLE_FORMAT, "schema_version": BUNDLE_SCHEMA_VERSION, **fields, "files": files}
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=False))
    return manifest


def stat_feature_layouts(player_type: str) -> list[list[str]]:
    """The `stat_features` layouts this runtime builds (profiles.layout_configs; a pitcher's
    speed_rates, putaway_rate, wide_platoon and old_seasons change nothing, so his come once)."""
    from hfm_runtime.profiles import feature_names, layout_configs

    layouts = [feature_names(player_type, config) for config in layout_configs()]
    return [x for i, x in enumerate(layouts) if x not in layouts[:i]]


def verify_bundle(folder: str | Path, expected_layout: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Check a bundle folder against its manifest; return the manifest. Raises BundleError."""
    root = Path(folder)
    if not root.is_dir():
        raise BundleError(f"{root}: no such bundle folder (run `hfm-export` to make one)")
    manifest = read_json(root / MANIFEST)
    if manifest.get("format") != BUNDLE_FORMAT:
        raise BundleError(f"{root / MANIFEST}: field 'format' is {manifest.get('format')!r}, not {BUNDLE_FORMAT!r}")
    if manifest.get("schema_version") not in READABLE_SCHEMA_VERSIONS:
        raise BundleError(
            f"{root / MANIFEST}: field 'schema_version' is {manifest.get('schema_version')!r}, this runtime "
            f"reads bundles of schema version {' or '.join(map(str, READABLE_SCHEMA_VERSIONS))} (re-export the "
            "run with this version)"
        )
    files = manifest.get("files")
    if not isinstance(files, dict) or not files:
        raise BundleError(f"{root / MANIFEST}: field 'files' must be a non-empty object")
    present = set(bundle_files(root))
    for rel in sorted(present):
        _check_suffix(root, rel)
        if rel not in files:
            raise BundleError(f"{root / rel}: file not listed in the manifest (bundles hold only listed files)")
    for rel in required_files():
        if rel not in files:
            raise BundleError(f"{root / MANIFEST}: does not list required file {rel}")
    for rel, entry in files.items():
        path = root / rel
        if rel not in present:
            raise BundleError(f"{path}: missing (listed in the manifest)")
        want = entry.get("sha256") if isinstance(entry, dict) else None
        if sha256_file(path) != want:
            raise BundleError(f"{path}: SHA-256 differs from the manifest (file altered or corrupt)")
    if expected_layout is not None:
        layout = manifest.get("feature_layout")
        for key, value in expected_layout.items():
            got = None if not isinstance(layout, dict) else layout.get(key)
            if _jsonable(got) != _jsonable(value):
                raise BundleError(
                    f"{root / MANIFEST}: feature layout {key!r} differs from this runtime's "
                    f"(bundle {got!r}, runtime {value!r}); re-export with this version"
                )
        stat = layout.get("stat_features") if isinstance(layout, dict) else None
        for pt in PLAYER_TYPES:
            if (stat.get(pt) if isinstance(stat, dict) else None) not in stat_feature_layouts(pt):
                raise BundleError(f"{root / MANIFEST}: feature layout 'stat_features' of {pt}s is not one this "
                                  f"runtime builds (profiles.feature_names); re-export with this version")
    check_runtime(root, manifest)
    return manifest


def check_runtime(root: Path, manifest: Mapping[str, Any]) -> None:
    """Refuse (BundleError) a bundle whose graphs need a newer onnxruntime than the installed one.
    Bundles exported before `runtime` was recorded carry no requirement."""
    import importlib.metadata

    need = manifest.get("runtime", {}).get("onnxruntime_min") if isinstance(manifest.get("runtime"), dict) else None
    if need is None:
        return
    try:
        have = importlib.metadata.version("onnxruntime")
    except importlib.metadata.PackageNotFoundError:
        return  # another onnxruntime distribution (e.g. onnxruntime-gpu): its session says
    if version_tuple(have) < version_tuple(str(need)):
        runtime = manifest["runtime"]
        raise BundleError(
            f"{root / MANIFEST}: this bundle needs onnxruntime >= {need} (ONNX opset {runtime.get('onnx_opset')}, "
            f"IR version {runtime.get('onnx_ir_version')}); installed: onnxruntime {have}. Upgrade it "
            f"(pip install 'onnxruntime>={need}') or export the bundle for an older opset"
        )


def version_tuple(text: str) -> tuple[int, ...]:
    """(1, 18, 0) from "1.18.0" (or "1.18.0.dev2024", "1.18.0+cpu"): the leading dotted numbers."""
    match = re.match(r"\d+(?:\.\d+)*", text.strip())
    return tuple(int(x) for x in match.group(0).split(".")) if match else ()


def read_json(path: Path) -> dict[str, Any]:
    return read_json_object(path, BundleError)


def _check_suffix(root: Path, rel: str) -> None:
    if not rel.endswith(ALLOWED_SUFFIXES):
        raise BundleError(
            f"{root / rel}: file type not allowed in a bundle (only {', '.join(ALLOWED_SUFFIXES)}; "
            "no pickles or torch checkpoints)"
        )


def _jsonable(value: Any) -> Any:
    """Tuples and lists compare equal after a JSON round trip."""
    return json.loads(json.dumps(value))


@dataclass(frozen=True, eq=False)
class Bundle:
    """A verified bundle: parsed JSON parts and paths to the graphs (sessions are the Scorer's job)."""

    path: Path
    manifest: dict[str, Any]
    model_card: dict[str, Any]
    featurizer: dict[str, Any]  # featurizer.json as stored (hfm_runtime.featurize reads it)
    blend: dict[str, Any]
    context: dict[PlayerType, dict[str, Any]]
    identity: dict[PlayerType, IdentityModel]
    ridges: dict[PlayerType, RidgeModel] = field(default_factory=dict)  # the types blend.json "mix" names

    @property
    def target_mode(self) -> str:
        return str(self.manifest["target_mode"])

    @property
    def graph1(self) -> Path:
        return self.path / GRAPH1

    def graph2(self, player_type: PlayerType) -> Path:
        return self.path / graph2_path(player_type)

    def reads_context(self, player_type: PlayerType) -> bool:
        """Whether Graph 2's rates for this type depend on the context games (see the module docstring)."""
        return bool(self.manifest["graphs"][player_type].get("reads_context", True))

    def blend_weights(self, player_type: PlayerType) -> dict[str, float]:
        return {k: float(v) for k, v in self.blend["weights"][player_type].items()}

    def mix_weights(self, player_type: PlayerType) -> np.ndarray | None:
        """lam [S] of the opening-day mix with `ridges[player_type]` (hfm_runtime.ridge), or None."""
        lam = self.blend.get("mix", {}).get(player_type)
        return None if lam is None else np.array([float(lam[s]) for s in TARGET_STATS[player_type]])

    @cached_property
    def range_params(self):
        """hfm_runtime.ranges.RangeParams: blend.json's "ranges" (fitted by the training run), or the
        documented default (Marcel's regression variance) for a bundle without them."""
        from hfm_runtime.ranges import bundle_params

        return bundle_params(self.blend)


def bundle_fingerprint(bundle: Bundle) -> str:
    """SHA-256 of the bundle's manifest (which lists the SHA-256 of every bundle file): what a
    PlayerStore and the graph worker processes check that they serve the same bundle by. Here, not in
    store.py or graphpool.py, so that both (and scoring) import it without importing each other."""
    cached = _FINGERPRINTS.get(id(bundle))
    if cached is not None and cached[0] is bundle:
        return cached[1]
    digest = hashlib.sha256(json.dumps(bundle.manifest, sort_keys=True).encode()).hexdigest()
    _FINGERPRINTS[id(bundle)] = (bundle, digest)
    return digest


_FINGERPRINTS: dict[int, tuple[Bundle, str]] = {}  # id(bundle) -> (bundle, fingerprint); bundles are not altered


def runtime_layout() -> dict[str, Any]:
    """The parts of the feature layout this runtime was built for (a bundle must agree). The
    `stat_features` layout is the bundle's identity's (`stat_feature_layouts`: one of those this
    runtime builds), so it is not here."""
    from hfm_runtime import featurize
    from hfm_runtime.targets import TARGET_STATS

    layout: dict[str, Any] = {
        "pa_outcomes": list(featurize.PA_OUTCOMES),
        "target_stats": {pt: list(TARGET_STATS[pt]) for pt in PLAYER_TYPES},
    }
    for name in ("PITCH_CATEGORICALS", "PITCH_NUMERICS"):
        if hasattr(featurize, name):
            layout[name.lower()] = list(getattr(featurize, name))
    return layout


# Bundles shipped inside this package (hfm_runtime/bundles/<name>/), so real players can be scored right
# after `pip install hfm-runtime`; `hfm-score --bundle retrosheet` / `load_bundle(packaged_bundle(...))`.
PACKAGED_BUNDLES: dict[str, str] = {
    "retrosheet": "trained on real MLB seasons from Retrosheet (docs/real-data.md: what, and how to rebuild it)",
}


def packaged_bundle(name: str) -> Path:
    """The folder of a bundle shipped with the runtime (PACKAGED_BUNDLES)."""
    if name not in PACKAGED_BUNDLES:
        raise BundleError(f"no packaged bundle {name!r} (there are: {', '.join(PACKAGED_BUNDLES)})")
    return Path(__file__).resolve().parent / "bundles" / name


def load_bundle(path: str | Path) -> Bundle:
    """Verify a bundle folder (see the module docstring) and load its plain-file parts. A bare name
    of PACKAGED_BUNDLES means the packaged bundle of that name unless a bundle (a folder with a
    manifest) of that name is here (a data folder called `retrosheet/` is not one)."""
    root = Path(path)
    if str(path) in PACKAGED_BUNDLES and not (root / MANIFEST).is_file():
        root = packaged_bundle(str(path))
    manifest = verify_bundle(root, runtime_layout())
    if manifest.get("target_mode") not in ("absolute", "residual"):
        raise BundleError(f"{root / MANIFEST}: field 'target_mode' must be 'absolute' or 'residual'")
    blend = read_json(root / BLEND)
    if blend.get("target_mode", manifest["target_mode"]) != manifest["target_mode"]:
        # the manifest lists every file's SHA-256 but is not hashed itself: blend.json, which is, says the
        # mode too (a walkthrough's hand-edited "residual" scored batters' SO at .45 without a word)
        raise BundleError(f"{root / MANIFEST}: field 'target_mode' is {manifest['target_mode']!r}, but {BLEND} (whose "
                          f"SHA-256 it lists) says {blend['target_mode']!r}: the manifest was edited; export the bundle "
                          "again")
    for pt in PLAYER_TYPES:
        weights = blend.get("weights", {}).get(pt) if isinstance(blend.get("weights"), dict) else None
        if not isinstance(weights, dict):
            raise BundleError(f"{root / BLEND}: field 'weights.{pt}' missing")
    from hfm_runtime.ranges import bundle_params

    try:
        bundle_params(blend)
    except ValueError as exc:  # HFMInputError
        raise BundleError(f"{root / BLEND}: {exc}") from None
    ridges = {}
    mix = blend.get("mix", {})
    if not isinstance(mix, dict):
        raise BundleError(f"{root / BLEND}: field 'mix' must be an object (player type -> stat -> lam)")
    for pt, lam in mix.items():
        if pt not in PLAYER_TYPES or not isinstance(lam, dict) or any(
                not isinstance(lam.get(s), (int, float)) or not 0.0 <= lam[s] <= 1.0 for s in TARGET_STATS[pt]):
            raise BundleError(f"{root / BLEND}: field 'mix.{pt}' must give every target stat a lam in [0, 1]")
        path = root / RIDGE_FILE.format(player_type=pt)
        try:
            ridges[pt] = RidgeModel.from_json(read_json(path), str(path))
        except BundleError:
            raise
        except ValueError as exc:  # HFMInputError
            raise BundleError(str(exc)) from None
        if ridges[pt].player_type != pt:
            raise BundleError(f"{path}: a {ridges[pt].player_type} ridge")
    identity = {}
    for pt in PLAYER_TYPES:
        try:  # IdentityModel.load reads the .npz with allow_pickle=False
            identity[pt] = IdentityModel.load(root / IDENTITY_DIR, pt)
        except BundleError:
            raise
        except ValueError as exc:  # HFMInputError included
            raise BundleError(f"{root / IDENTITY_DIR}: {exc}") from None
    return Bundle(
        path=root,
        manifest=manifest,
        model_card=read_json(root / MODEL_CARD),
        featurizer=read_json(root / FEATURIZER),
        blend=blend,
        context={pt: read_json(root / context_path(pt)) for pt in PLAYER_TYPES},
        identity=identity,
        ridges=ridges,
    )


def training_data_line(manifest: dict) -> str:
    """What the bundle was trained on, in one line (the manifest's `training_data`, written by
    hfm-export from 2026-12-02: source, league, seasons, notice; the run's test season, never trained on)."""
    if "training_data" not in manifest:
        return "training data: not recorded (bundle exported before 2026-12-02)"
    data = manifest["training_data"]
    if not isinstance(data, dict):
        return "training data: not recorded (the run did not say)"
    seasons = sorted({int(x) for x in data.get("seasons") or [] if str(x).strip().isdigit()})
    span = ("seasons " + (f"{min(seasons)}-{max(seasons)}" if len(seasons) > 1 and seasons == list(
        range(min(seasons), max(seasons) + 1)) else ", ".join(map(str, seasons)))) if seasons else "seasons not recorded"
    line = f"training data: {data.get('source') or 'source not recorded'}, {span}"
    test = ((manifest.get("run") or {}).get("seasons") or {}).get("test") or []
    if test:  # the run's test season is read (its opening-day evaluation) but never trained on
        line += f", {', '.join(map(str, test))} evaluated only"
    if data.get("league"):
        line += f" ({data['league']})"
    if data.get("notice"):
        line += f"; {data['notice']}"
    return line
