"""Run a callable under pytest-benchmark with a round count sized to a time budget."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def measure(benchmark: Any, fn: Callable[[], object], budget_s: float = 1.5, min_rounds: int = 5,
            max_rounds: int = 200) -> object:
    """One untimed warm-up call (sessions, thread pools, caches), then as many timed rounds as fit the
    budget (at least `min_rounds`); returns fn's result."""
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-6)
    rounds = int(min(max(budget_s / once, min_rounds), max_rounds))
    return benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=1)
