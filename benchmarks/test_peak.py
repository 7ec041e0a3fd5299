"""This machine's float32 matmul throughput, measured in the same run as the model benchmarks."""

from __future__ import annotations

import numpy as np

from benchlib import THREADS
from benchlib.flops import FLOP_METHOD
from benchlib.peak import measure_matmul_peak

N = 2048


def test_matmul_peak(benchmark) -> None:
    peak = measure_matmul_peak(n=N, threads=THREADS)
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((N, N), dtype=np.float32), rng.standard_normal((N, N), dtype=np.float32)
    benchmark.pedantic(lambda: a @ b, rounds=5, warmup_rounds=1)
    benchmark.extra_info.update(
        table="peak", n=N, threads=THREADS, gflops=peak.gflops, flop_method=FLOP_METHOD
    )
    assert peak.best > 0
