"""Run callables under pytest-benchmark: one with a round count sized to a time budget, or several
interleaved (for comparisons within a run)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np


def measure(benchmark: Any, fn: Callable[[], object], budget_s: float = 1.5, min_rounds: int = 5,
            max_rounds: int = 200) -> object:
    """One untimed warm-up call (sessions, thread pools, caches), then as many timed rounds as fit the
    budget (at least `min_rounds`); returns fn's result."""
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-6)
    rounds = int(min(max(budget_s / once, min_rounds), max_rounds))
    return benchmark.pedantic(fn, rounds=rounds, iterations=1, warmup_rounds=1)


def interleaved(benchmark: Any, variants: Mapping[str, Callable[[], object]], rounds: int = 30,
                seed: int = 0) -> dict[str, dict[str, float]]:
    """Time `variants` round-robin, in a new shuffled order each round, so that the drift of a shared
    machine's speed falls on all of them alike (timed one after the other, a variant's median moved by
    10-20% between runs, more than most tuning effects). One warm-up call each; the whole block runs
    once under `benchmark`. Returns per variant median_ms, q1_ms and q3_ms."""
    for fn in variants.values():
        fn()
    times: dict[str, list[float]] = {name: [] for name in variants}
    order = list(variants)
    shuffle = random.Random(seed).shuffle

    def block() -> None:
        for _ in range(rounds):
            shuffle(order)
            for name in order:
                start = time.perf_counter()
                variants[name]()
                times[name].append(time.perf_counter() - start)

    benchmark.pedantic(block, rounds=1, iterations=1)
    return {
        name: {key: float(np.percentile(t, q)) * 1e3 for key, q in (("median_ms", 50), ("q1_ms", 25), ("q3_ms", 75))}
        for name, t in times.items()
    }
