"""A bundle records what runs it (ONNX opset, IR version, the oldest onnxruntime it is tested with), and a
runtime too old for it refuses it with one clear error instead of failing inside ONNX Runtime."""

from __future__ import annotations

import importlib.metadata
import json
import shutil
from pathlib import Path

import pytest

from hfm_runtime.bundle import load_bundle, version_tuple, write_manifest
from hfm_runtime.errors import BundleError
from hfm_runtime.scoring import Scorer

pytestmark = pytest.mark.slow  # uses the tiny bundle


def test_the_manifest_records_opset_ir_version_and_the_oldest_onnxruntime(tiny_bundle: Path):
    import onnx

    runtime = json.loads((tiny_bundle / "manifest.json").read_text())["runtime"]
    graph = onnx.load(str(tiny_bundle / "pitch_pa_encoder.onnx"))
    assert runtime["onnx_ir_version"] == graph.ir_version
    assert runtime["onnx_opset"] == max(o.version for o in graph.opset_import if o.domain in ("", "ai.onnx"))
    floor = next(r.split(">=")[1] for r in importlib.metadata.requires("hfm-runtime") if r.startswith("onnxruntime>="))
    assert version_tuple(runtime["onnxruntime_min"]) >= version_tuple(floor)  # never below what the wheel promises
    assert version_tuple(importlib.metadata.version("onnxruntime")) >= version_tuple(runtime["onnxruntime_min"])


def test_a_runtime_older_than_the_bundle_needs_is_refused(tiny_bundle: Path, tmp_path: Path):
    copy = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["runtime"]["onnxruntime_min"] = "999.1"
    (copy / "manifest.json").write_text(json.dumps(manifest))  # the manifest lists the others' hashes, not its own
    have = importlib.metadata.version("onnxruntime")
    with pytest.raises(BundleError, match=rf"needs onnxruntime >= 999\.1 \(ONNX opset \d+, IR version \d+\); "
                                          rf"installed: onnxruntime {have}\. Upgrade it"):
        load_bundle(copy)
    del manifest["runtime"]  # a bundle exported before the field: no requirement to check
    (copy / "manifest.json").write_text(json.dumps(manifest))
    assert load_bundle(copy).manifest.get("runtime") is None


def test_a_graph_onnxruntime_cannot_read_is_a_bundle_error_naming_it(tiny_bundle: Path, tmp_path: Path):
    import onnx

    copy = tmp_path / "bundle"
    shutil.copytree(tiny_bundle, copy)
    graph = onnx.load(str(copy / "pitch_pa_encoder.onnx"))
    graph.ir_version = 99  # from an onnx newer than this onnxruntime
    onnx.save(graph, str(copy / "pitch_pa_encoder.onnx"))
    manifest = json.loads((copy / "manifest.json").read_text())
    write_manifest(copy, {k: v for k, v in manifest.items() if k not in ("format", "schema_version", "files")})
    with pytest.raises(BundleError, match=r"pitch_pa_encoder\.onnx: onnxruntime .* cannot load this graph"):
        Scorer(copy)


def test_version_tuple():
    assert version_tuple("1.18.0") == (1, 18, 0) < version_tuple("1.18.1") < version_tuple("1.20")
    assert version_tuple("1.18.0.dev20240101") == version_tuple("1.18.0+cpu") == (1, 18, 0)
    assert version_tuple("2.0rc1") == (2, 0)
