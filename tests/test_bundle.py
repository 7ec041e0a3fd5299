"""Bundle verification: an altered, incomplete, mismatched or pickle-carrying bundle is refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from hfm_runtime.bundle import (
    ALLOWED_SUFFIXES, BUNDLE_SCHEMA_VERSION, MANIFEST, load_bundle, sha256_file, verify_bundle, write_manifest,
)
from hfm_runtime.errors import BundleError
from hfm_runtime.targets import PLAYER_TYPES

pytestmark = pytest.mark.slow  # uses the tiny trained run's bundle


@pytest.fixture
def bundle_copy(tiny_bundle: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(tiny_bundle, tmp_path / "bundle"))


def edit_manifest(bundle: Path, edit) -> None:
    manifest = json.loads((bundle / MANIFEST).read_text())
    edit(manifest)
    (bundle / MANIFEST).write_text(json.dumps(manifest))


def test_bundle_loads_and_manifest_pins_everything(tiny_bundle: Path):
    b = load_bundle(tiny_bundle)
    m = b.manifest
    assert m["schema_version"] == BUNDLE_SCHEMA_VERSION
    assert m["target_mode"] in ("residual", "absolute")
    files = sorted(p.relative_to(tiny_bundle).as_posix() for p in tiny_bundle.rglob("*") if p.is_file())
    assert sorted(m["files"]) == [f for f in files if f != MANIFEST]
    for rel, entry in m["files"].items():
        assert entry["sha256"] == sha256_file(tiny_bundle / rel)
    for pkg in ("torch", "onnx", "onnxruntime", "numpy", "hfm"):
        assert m["versions"][pkg], pkg
    assert {"pa_outcomes", "target_stats", "stat_features", "pitch_categoricals", "pitch_numerics"} <= set(
        m["feature_layout"])
    assert "pitch_pa_encoder.onnx" in files
    assert all(f"{pt}/game_projection_encoder.onnx" in files for pt in PLAYER_TYPES)
    assert set(b.blend["weights"]) == set(PLAYER_TYPES)


def test_bundle_holds_no_pickles(tiny_bundle: Path):
    for path in tiny_bundle.rglob("*"):
        if path.is_file():
            assert path.name.endswith(ALLOWED_SUFFIXES), path
            assert not path.read_bytes().startswith(b"\x80"), f"{path} looks like a pickle"
    for npz in tiny_bundle.rglob("*.npz"):
        with np.load(npz, allow_pickle=False) as data:
            for key in data.files:
                assert data[key].dtype != object


def test_altered_file_is_refused(bundle_copy: Path):
    path = bundle_copy / "featurizer.json"
    state = json.loads(path.read_text())
    state["mean"][0] += 1.0
    path.write_text(json.dumps(state))
    with pytest.raises(BundleError, match=r"featurizer\.json: SHA-256 differs"):
        load_bundle(bundle_copy)


def test_altered_graph_is_refused(bundle_copy: Path):
    path = bundle_copy / "batter" / "game_projection_encoder.onnx"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(BundleError, match=r"batter/game_projection_encoder\.onnx: SHA-256 differs"):
        load_bundle(bundle_copy)


def test_missing_file_is_refused(bundle_copy: Path):
    (bundle_copy / "pitcher" / "game_projection_encoder.onnx").unlink()
    with pytest.raises(BundleError, match=r"pitcher/game_projection_encoder\.onnx: missing"):
        load_bundle(bundle_copy)


def test_missing_manifest_is_refused(bundle_copy: Path):
    (bundle_copy / MANIFEST).unlink()
    with pytest.raises(BundleError, match=r"manifest\.json: missing"):
        load_bundle(bundle_copy)


def test_a_manifest_whose_target_mode_was_edited_is_refused(bundle_copy: Path):
    other = {"absolute": "residual", "residual": "absolute"}
    edit_manifest(bundle_copy, lambda m: m.update(target_mode=other[m["target_mode"]]))
    with pytest.raises(BundleError, match=r"manifest\.json: field 'target_mode' is .* but blend\.json .* says"):
        load_bundle(bundle_copy)


def test_other_schema_version_is_refused(bundle_copy: Path):
    edit_manifest(bundle_copy, lambda m: m.update(schema_version=BUNDLE_SCHEMA_VERSION + 1))
    with pytest.raises(BundleError, match="schema version"):
        load_bundle(bundle_copy)


def test_a_schema_1_bundle_still_loads(bundle_copy: Path):
    """Schema 2 (2026-12-06) only adds the playing-time spread's opportunity model; a bundle exported
    before keeps loading, its spread banded by Marcel's projection."""
    data = json.loads((bundle_copy / "blend.json").read_text())
    for pt in ("batter", "pitcher"):
        data["ranges"]["playing_time"][pt].pop("model")
    (bundle_copy / "blend.json").write_text(json.dumps(data))
    manifest = json.loads((bundle_copy / MANIFEST).read_text())
    write_manifest(bundle_copy, {k: v for k, v in manifest.items() if k not in ("format", "schema_version", "files")})
    edit_manifest(bundle_copy, lambda m: m.update(schema_version=1))
    spread = load_bundle(bundle_copy).range_params.playing_time
    assert spread is not None and spread.model is None


def test_other_feature_layout_is_refused(bundle_copy: Path):
    edit_manifest(bundle_copy, lambda m: m["feature_layout"]["stat_features"]["batter"].reverse())
    with pytest.raises(BundleError, match="feature layout 'stat_features' of batters is not one this runtime builds"):
        load_bundle(bundle_copy)


@pytest.mark.parametrize("name", ["model.pkl", "batter/model.pt", "extra.joblib"])
def test_pickle_or_checkpoint_is_refused(bundle_copy: Path, name: str):
    (bundle_copy / name).write_bytes(b"\x80\x04K\x01.")  # pickle of the int 1
    with pytest.raises(BundleError, match=f"{name}: file type not allowed"):
        load_bundle(bundle_copy)


def test_unlisted_file_is_refused(bundle_copy: Path):
    (bundle_copy / "notes.json").write_text("{}")
    with pytest.raises(BundleError, match=r"notes\.json: file not listed"):
        load_bundle(bundle_copy)


def test_npz_with_object_array_is_refused_even_with_a_valid_hash(bundle_copy: Path):
    """allow_pickle=False: an object array (which needs pickle) is refused even if re-hashed."""
    npz = bundle_copy / "identity" / "archetypes_batter.npz"
    with np.load(npz, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["centroids"] = np.array([{"x": 1}], dtype=object)
    np.savez(npz, **arrays)
    edit_manifest(bundle_copy, lambda m: m["files"]["identity/archetypes_batter.npz"].update(sha256=sha256_file(npz)))
    with pytest.raises(BundleError, match="archetypes"):
        load_bundle(bundle_copy)


def test_write_manifest_refuses_a_pickle(tmp_path: Path):
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "b.pkl").write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(BundleError, match=r"b\.pkl: file type not allowed"):
        write_manifest(tmp_path, {})


def test_manifest_must_list_every_required_file(tmp_path: Path):
    (tmp_path / "a.json").write_text('{"x": 1}')
    write_manifest(tmp_path, {})
    with pytest.raises(BundleError, match="does not list required file"):
        verify_bundle(tmp_path)  # a manifest of a folder that is not a full bundle
