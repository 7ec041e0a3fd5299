"""Helpers for the HFM benchmarks: FLOP counting, the matmul peak probe, memory, the summary."""

THREADS = 2  # the target machine's core count; every engine (numpy, torch, ONNX Runtime) is pinned to it
