"""Where a call's time goes: time named stages of the runtime by wrapping the functions that do them.

    stages = Stages(scorer)
    per_round = stages.run(fn, rounds=20)      # {stage: [seconds per round]}, "total" and "other" included

Stages (each wraps one runtime function for the duration of `run` only):
  featurize   PitchFeaturizer.transform_columns and the store's read_columns (Statcast rows -> Level-1
              inputs)
  lines       identity.player_lines as the store calls it (game lines of new pitches)
  level1      Scorer.encode: Level 1 on the new games (padding + Graph-1 runs)
  identity    the store's identity inputs (build_identity on its lines, or the memo)
  marcel      the store's Marcel table (season lines + marcel, or the memo)
  context     gather_context (padding the context games into Graph 2's inputs)
  graph2      Graph-2 session runs; where a call queues them on the lanes (Scorer._run_later) and goes
              on, only the time it then waits for them (the rest overlaps other stages)
  other       the rest of the call: bookkeeping (lookups, Level-1 state updates, blend, output)
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from typing import Any

import numpy as np

import hfm_runtime.scoring as scoring
import hfm_runtime.store as store_module

STAGES = ("featurize", "lines", "level1", "identity", "marcel", "context", "graph2", "other")


class Stages:
    def __init__(self, scorer: scoring.Scorer) -> None:
        self.scorer = scorer
        self._seconds: dict[str, float] = defaultdict(float)

    def _timed(self, fn: Callable, label: Callable[..., str] | str) -> Callable:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                name = label(*args, **kwargs) if callable(label) else label
                if name is not None:  # None: counted by an enclosing stage
                    self._seconds[name] += time.perf_counter() - start
        return wrapper

    @contextmanager
    def _patch(self, owner: Any, name: str, label: Callable[..., str | None] | str):
        own = name in vars(owner)  # an instance patched here gets its attribute removed again
        original = getattr(owner, name)
        setattr(owner, name, self._timed(original, label))
        try:
            yield
        finally:
            if own:
                setattr(owner, name, original)
            else:
                delattr(owner, name)

    @contextmanager
    def _patch_later(self, scorer: scoring.Scorer):
        original = scorer._run_later

        def later(graph: str, *args: Any, **kwargs: Any) -> Callable[[], Any]:
            wait = original(graph, *args, **kwargs)
            return wait if graph == scoring.GRAPH1_KEY else self._timed(wait, "graph2")
        scorer._run_later = later
        try:
            yield
        finally:
            del scorer._run_later

    def run(self, fn: Callable[[], object], rounds: int, setup: Callable[[], object] | None = None) -> dict[str, list[float]]:
        """Call `fn` `rounds` times (after `setup`, untimed) with every stage timed."""
        out: dict[str, list[float]] = {name: [] for name in (*STAGES, "total")}
        scorer = self.scorer
        with ExitStack() as stack:
            # transform reads the frame and calls transform_columns; a store reads the new pitches once
            # (read_columns) and featurizes rows of them (transform_columns)
            featurizer = scorer.featurizer
            name = "transform_columns" if hasattr(featurizer, "transform_columns") else "transform"  # the latter: older runtimes
            stack.enter_context(self._patch(featurizer, name, "featurize"))
            if hasattr(store_module, "read_columns"):
                stack.enter_context(self._patch(store_module, "read_columns", "featurize"))
            stack.enter_context(self._patch(store_module, "player_lines", "lines"))
            stack.enter_context(self._patch(scorer, "encode", "level1"))
            stack.enter_context(self._patch(
                scorer, "_run", lambda graph, *a, **k: None if graph == scoring.GRAPH1_KEY else "graph2"))
            if hasattr(scorer, "_run_later"):  # the returned wait is timed (a `_run` inside counts as above)
                stack.enter_context(self._patch_later(scorer))
            stack.enter_context(self._patch(store_module._StoreInputs, "identity", "identity"))
            stack.enter_context(self._patch(store_module._StoreInputs, "_marcel_table", "marcel"))
            stack.enter_context(self._patch(scoring, "gather_context", "context"))
            for _ in range(rounds):
                if setup is not None:
                    setup()
                self._seconds.clear()
                start = time.perf_counter()
                fn()
                total = time.perf_counter() - start
                for name in STAGES[:-1]:
                    out[name].append(self._seconds.get(name, 0.0))
                out["other"].append(total - sum(self._seconds.values()))
                out["total"].append(total)
        return out


def medians_ms(per_round: dict[str, list[float]]) -> dict[str, float]:
    return {name: float(np.median(v)) * 1e3 for name, v in per_round.items() if v}
