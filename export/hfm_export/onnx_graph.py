"""Export one nn.Module to ONNX with named dynamic axes, check it, and compare ONNX Runtime with PyTorch.

Exporter: `torch.onnx.export(..., dynamo=True, dynamic_shapes=...)` (torch.export + onnxscript). With
torch 2.13 the TorchScript path (`dynamo=False, dynamic_axes=...`) bakes the example's sequence length
into nn.MultiheadAttention's reshapes, so its graphs fail on any other number of pitches; the dynamo
path keeps every axis symbolic. Example inputs must have every dynamic axis >= 2 (torch.export
specialises axes of size 0 or 1) and, to be safe, distinct sizes for distinct axes.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

OPSET = 18
# the opsets that export and verify (a walkthrough, 2026-12-07: from 23 torch writes an Attention op whose
# mask ONNX Runtime refuses; below 17 there is no LayerNormalization)
MIN_OPSET, MAX_OPSET = 17, 22
TOLERANCE = 1e-4  # max |onnxruntime - torch| over every output element, per comparison case


class ExportError(RuntimeError):
    """The graph could not be exported, failed the ONNX checker, or disagrees with PyTorch."""


@dataclass(frozen=True)
class GraphSpec:
    """Names of a graph's inputs and outputs (in forward order) and which axes are dynamic."""

    name: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    dynamic: Mapping[str, Mapping[int, str]]  # input name -> {axis: axis name}, e.g. {0: "games"}

    def signature(self) -> dict:
        """JSON description for the manifest."""
        return {
            "inputs": list(self.inputs),
            "outputs": list(self.outputs),
            "dynamic_axes": {k: {str(a): n for a, n in v.items()} for k, v in self.dynamic.items()},
        }


def export_graph(
    module: nn.Module, spec: GraphSpec, example: Sequence[torch.Tensor], path: str | Path, opset: int = OPSET
) -> Path:
    """Export `module` (in eval mode) to `path` and run the ONNX checker (full_check, shape inference)."""
    path = Path(path)
    if len(example) != len(spec.inputs):
        raise ExportError(f"{spec.name}: {len(example)} example inputs for {len(spec.inputs)} input names")
    dims: dict[str, torch.export.Dim] = {}
    for axes in spec.dynamic.values():
        for axis_name in axes.values():
            dims.setdefault(axis_name, torch.export.Dim(axis_name))
    for name, tensor in zip(spec.inputs, example):
        for axis in spec.dynamic.get(name, {}):
            if tensor.shape[axis] < 2:
                raise ExportError(f"{spec.name}: example input {name} axis {axis} must be >= 2 to stay dynamic")
    dynamic_shapes = {
        name: {axis: dims[axis_name] for axis, axis_name in spec.dynamic.get(name, {}).items()} or None
        for name in spec.inputs
    }
    module = module.eval()
    try:
        with warnings.catch_warnings(), _quiet_exporter():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                module, tuple(example), str(path), input_names=list(spec.inputs),
                output_names=list(spec.outputs), dynamo=True, dynamic_shapes=dynamic_shapes,
                opset_version=opset, verbose=False, external_data=False,  # one self-contained file
            )
    except Exception as exc:  # the exporter raises many types; one message names the graph
        raise ExportError(f"{spec.name}: torch.onnx.export failed: {_first_line(exc)}") from exc
    check_graph(path, spec)
    return path


def check_graph(path: str | Path, spec: GraphSpec) -> None:
    """ONNX checker (full check with shape inference) and the graph's input/output names."""
    try:
        model = onnx.load(str(path))
        onnx.checker.check_model(model, full_check=True)
    except Exception as exc:
        raise ExportError(f"{path}: ONNX checker failed: {_first_line(exc)}") from exc
    inputs = tuple(i.name for i in model.graph.input)
    outputs = tuple(o.name for o in model.graph.output)
    # An input the graph does not read is dropped by the exporter; the runtime feeds only what it asks for.
    if not set(inputs) <= set(spec.inputs) or outputs != spec.outputs:
        raise ExportError(f"{path}: graph has inputs {inputs} / outputs {outputs}, expected {spec.inputs} / {spec.outputs}")


def compare_graph(
    module: nn.Module,
    path: str | Path,
    spec: GraphSpec,
    cases: Mapping[str, Sequence[torch.Tensor]],
    tolerance: float = TOLERANCE,
) -> dict[str, float]:
    """Run every case through PyTorch and ONNX Runtime; return the max abs difference per case.

    Raises ExportError when shapes differ, NaNs appear in one and not the other, or a difference
    exceeds `tolerance`.
    """
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    wanted = [i.name for i in session.get_inputs()]
    module = module.eval()
    diffs: dict[str, float] = {}
    for case, tensors in cases.items():
        with torch.no_grad():
            ref = module(*tensors)
        ref = [r.detach().numpy() for r in (ref if isinstance(ref, (tuple, list)) else (ref,))]
        feed = {n: t.numpy() for n, t in zip(spec.inputs, tensors) if n in wanted}
        got = session.run(list(spec.outputs), feed)
        worst = 0.0
        for name, r, g in zip(spec.outputs, ref, got):
            if r.shape != g.shape:
                raise ExportError(f"{spec.name}: case {case!r}: output {name} shape {g.shape}, torch {r.shape}")
            if not np.array_equal(np.isnan(r), np.isnan(g)):
                raise ExportError(f"{spec.name}: case {case!r}: output {name} has NaNs where torch has none (or vice versa)")
            ok = ~np.isnan(r)
            if ok.any():
                worst = max(worst, float(np.max(np.abs(r[ok].astype(np.float64) - g[ok]))))
        diffs[case] = worst
        if not worst <= tolerance:
            raise ExportError(
                f"{spec.name}: case {case!r}: ONNX Runtime differs from PyTorch by {worst:.3g} "
                f"(tolerance {tolerance:g})"
            )
    return diffs


class _quiet_exporter:
    """The exporter logs progress lines ("[torch.onnx] ...") at INFO/WARNING; keep the CLI output clean."""

    def __enter__(self) -> None:
        self._levels = {}
        for name in ("torch.onnx", "torch.export", "torch._dynamo", "onnxscript"):
            logger = logging.getLogger(name)
            self._levels[name] = logger.level
            logger.setLevel(logging.ERROR)

    def __exit__(self, *exc: object) -> None:
        for name, level in self._levels.items():
            logging.getLogger(name).setLevel(level)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
