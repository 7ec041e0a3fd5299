"""Count the matrix-multiply FLOPs an ONNX graph executes at given input shapes.

Method: every MatMul / Gemm / Einsum / Attention node's inputs and output are exposed as extra graph
outputs and the graph is run once with ONNX Runtime (optimisations off, so the nodes run as written);
the FLOPs of each node follow from the shapes it actually saw. Running the graph gives the real
shapes even where symbolic shape inference cannot (data-dependent reshapes in exported graphs).
A multiply-add counts as 2 FLOPs; element-wise ops, softmax and norms are not counted (they are
memory-bound and small next to the matmuls).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

FLOP_METHOD = (
    "MatMul/Gemm/Einsum/Attention FLOPs counted from the exported ONNX graphs at the benchmark shapes, "
    "shapes taken by running each graph once (2 FLOPs per multiply-add; padding included, element-wise ops not)"
)
COUNTED_OPS = ("MatMul", "Gemm", "Einsum", "Attention", "FusedMatMul")


@dataclass(frozen=True)
class FlopCount:
    total: int
    by_op: dict[str, int] = field(default_factory=dict)
    nodes: int = 0

    @property
    def gflop(self) -> float:
        return self.total / 1e9


def count_matmul_flops(model: str | Path | onnx.ModelProto, feeds: Mapping[str, np.ndarray]) -> FlopCount:
    """FLOPs of the matrix multiplies `model` executes on `feeds` (see module docstring)."""
    proto = onnx.load(str(model)) if not isinstance(model, onnx.ModelProto) else model
    proto = onnx.ModelProto.FromString(proto.SerializeToString())  # never mutate the caller's graph
    graph = proto.graph
    nodes = [n for n in graph.node if n.op_type in COUNTED_OPS]
    existing = {o.name for o in graph.output}
    wanted: list[str] = []
    for node in nodes:
        for name in [*node.input, *node.output[:1]]:
            if name and name not in existing and name not in wanted:
                wanted.append(name)
    initializers = {init.name: tuple(init.dims) for init in graph.initializer}
    graph.output.extend(onnx.ValueInfoProto(name=n) for n in wanted if n not in initializers)

    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.intra_op_num_threads = 2
    session = ort.InferenceSession(proto.SerializeToString(), options, providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    values = session.run(names, dict(feeds))
    shapes: dict[str, tuple[int, ...]] = {n: tuple(v.shape) for n, v in zip(names, values)}
    shapes.update(initializers)

    by_op: Counter[str] = Counter()
    for node in nodes:
        by_op[node.op_type] += _node_flops(node, shapes)
    return FlopCount(total=int(sum(by_op.values())), by_op=dict(by_op), nodes=len(nodes))


def _node_flops(node: onnx.NodeProto, shapes: Mapping[str, tuple[int, ...]]) -> int:
    ins = [shapes.get(name) if name else None for name in node.input]
    out = shapes.get(node.output[0])
    if node.op_type in ("MatMul", "FusedMatMul"):
        # out = A @ B with broadcasting; each output element is a K-long dot product.
        return 2 * int(np.prod(out)) * ins[0][-1]
    if node.op_type == "Gemm":
        trans_a = next((a.i for a in node.attribute if a.name == "transA"), 0)
        k = ins[0][0] if trans_a else ins[0][1]
        return 2 * int(np.prod(out)) * k
    if node.op_type == "Attention":
        # ai.onnx Attention: Q K^T and softmax(.) V. 4-D inputs are [B, H, S, d]; 3-D are [B, S, H*d].
        q, k, v = ins[0], ins[1], ins[2]
        if len(q) == 4:
            batch, heads, s_q, d_q = q
            return 2 * batch * heads * s_q * k[-2] * (d_q + v[-1])
        return 2 * q[0] * q[1] * k[1] * (q[2] + v[2])
    if node.op_type == "Einsum":
        return _einsum_flops(node, ins)
    raise AssertionError(node.op_type)


def _einsum_flops(node: onnx.NodeProto, ins: list[tuple[int, ...] | None]) -> int:
    equation = next(a.s.decode() for a in node.attribute if a.name == "equation").replace(" ", "")
    lhs = equation.split("->")[0].split(",")
    sizes: dict[str, int] = {}
    for labels, shape in zip(lhs, ins):
        if "..." in labels or shape is None:
            raise ValueError(f"Einsum {equation!r} with ellipsis is not counted")
        sizes.update(zip(labels, shape))
    # every index combination is one multiply-add when there are two operands
    return 2 * int(np.prod(list(sizes.values()))) if len(lhs) == 2 else 0
