"""Helpers for the HFM benchmarks: FLOP counting, the matmul peak probe, memory, the summary."""

THREADS = 2  # the target machine's core count; every engine (numpy, torch, ONNX Runtime) is pinned to it

SETUP: dict[str, str] = {}  # what was measured (bundle, the data's notice), written into the JSON report and the summary
