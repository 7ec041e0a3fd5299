"""The ONNX Runtime knobs the tuning benchmarks try: session options, fusions, int8 quantisation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import onnx
import onnxruntime as ort

from benchlib import THREADS
from hfm_runtime.scoring import ScorerOptions

LEVELS = {
    "disable": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}


@dataclass(frozen=True)
class SessionConfig:
    """One point in ONNX Runtime's session-option space; the defaults are the runtime scorer's
    (hfm_runtime.scoring.ScorerOptions), at the benchmark's thread count."""

    level: str = "all"
    intra_op_threads: int = THREADS
    inter_op_threads: int = 1
    parallel: bool = False  # ORT_PARALLEL runs independent branches on the inter-op pool
    spinning: bool = ScorerOptions.spinning  # intra-op workers busy-wait between ops

    def options(self) -> ort.SessionOptions:
        options = ScorerOptions(threads=self.intra_op_threads, spinning=self.spinning).session_options()
        options.graph_optimization_level = LEVELS[self.level]
        options.inter_op_num_threads = self.inter_op_threads
        options.execution_mode = ort.ExecutionMode.ORT_PARALLEL if self.parallel else ort.ExecutionMode.ORT_SEQUENTIAL
        return options

    def session(self, model: str | Path | bytes) -> ort.InferenceSession:
        source = model if isinstance(model, bytes) else str(model)
        return ort.InferenceSession(source, self.options(), providers=["CPUExecutionProvider"])


SESSION_VARIANTS: dict[str, SessionConfig] = {
    "default (all, 2 intra, sequential, no spinning)": SessionConfig(),
    "opt level disable": SessionConfig(level="disable"),
    "opt level basic": SessionConfig(level="basic"),
    "opt level extended": SessionConfig(level="extended"),
    "1 intra-op thread": SessionConfig(intra_op_threads=1),
    "parallel, 2 inter-op": SessionConfig(inter_op_threads=2, parallel=True),
    "spinning on": SessionConfig(spinning=True),
}


def fuse_transformer(source: Path, target: Path, num_heads: int = 0, hidden_size: int = 0) -> dict[str, int]:
    """Apply onnxruntime.transformers' BERT-style fusions (attention, layer norm, GELU, bias);
    returns the fused-operator counts so a run shows whether the exported pattern matched at all."""
    from onnxruntime.transformers.optimizer import optimize_model

    optimized = optimize_model(
        str(source), model_type="bert", num_heads=num_heads, hidden_size=hidden_size, opt_level=0
    )
    optimized.save_model_to_file(str(target))
    stats = optimized.get_fused_operator_statistics()
    return {op: int(n) for op, n in stats.items() if n}


def quantize_int8(source: Path, target: Path) -> Path:
    """Dynamic int8 quantisation of the weights of MatMul/Gemm (activations quantised per call)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8)
    return target


def op_counts(model: str | Path) -> Mapping[str, int]:
    counts: dict[str, int] = {}
    for node in onnx.load(str(model), load_external_data=False).graph.node:
        counts[node.op_type] = counts.get(node.op_type, 0) + 1
    return counts
