"""Measure this machine's float32 matrix-multiply throughput: the ceiling the graphs are held against.

Large square matrices (default n=2048, 17 GFLOP per product) through three BLAS-backed paths on the
same thread count: numpy (threads capped with threadpoolctl), an ONNX Runtime MatMul graph and
torch.mm. The peak is the best of them; each figure is the best of `repeats` timed products.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper


@dataclass(frozen=True)
class MatmulPeak:
    n: int
    threads: int
    gflops: dict[str, float]  # backend -> GFLOP/s

    @property
    def best(self) -> float:
        return max(self.gflops.values())


def _best_seconds(fn: Callable[[], object], repeats: int) -> float:
    fn()  # warm-up: thread pools, page faults, kernel selection
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def matmul_session(threads: int) -> ort.InferenceSession:
    """A one-node ONNX Runtime MatMul with dynamic shapes."""
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, ["m", "k"])
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, ["k", "n"])
    c = helper.make_tensor_value_info("c", TensorProto.FLOAT, ["m", "n"])
    graph = helper.make_graph([helper.make_node("MatMul", ["a", "b"], ["c"])], "matmul", [a, b], [c])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def measure_matmul_peak(n: int = 2048, threads: int = 2, repeats: int = 5) -> MatmulPeak:
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    flop = 2.0 * n**3
    gflops: dict[str, float] = {}

    with threadpool_limits(limits=threads):
        gflops["numpy"] = flop / _best_seconds(lambda: a @ b, repeats) / 1e9

    session = matmul_session(threads)
    gflops["onnxruntime"] = flop / _best_seconds(lambda: session.run(None, {"a": a, "b": b}), repeats) / 1e9

    try:
        import torch
    except ImportError:  # the runtime-only environment has no torch; the other two suffice
        return MatmulPeak(n, threads, gflops)
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        ta, tb = torch.from_numpy(a), torch.from_numpy(b)
        gflops["torch"] = flop / _best_seconds(lambda: torch.mm(ta, tb), repeats) / 1e9
    finally:
        torch.set_num_threads(previous)
    return MatmulPeak(n, threads, gflops)
