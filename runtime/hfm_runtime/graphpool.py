"""Opening a bundle's graphs, and worker processes that run them for `ScorerOptions.workers` > 1
(`hfm-score --workers N`).

`open_session` is the one way any process (the scorer's or a worker) opens a bundle graph, and
`GRAPH1_KEY` names Graph 1 (Graph 2 is named by its player type). They live here, not in scoring.py,
so that scoring imports this module and this module imports neither scoring nor store (no import
circle; tests/test_import_graph.py checks).

The scorer cuts every call's work into the same batches whatever the number of workers (Graph 1: games
sorted by length, `graph1_batch_games` a batch; Graph 2: `graph2_batch_players` players in id order) and
hands whole batches to the workers, so each batch runs on the same inputs with the same session
options and the results are identical for any N. Each worker loads and verifies the bundle itself and
refuses to run if its manifest differs from the parent's; inputs and outputs travel as numpy arrays.
Workers start with "spawn": ONNX Runtime's thread pools do not survive a fork.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort

from hfm_runtime.bundle import bundle_fingerprint
from hfm_runtime.errors import BundleError

GRAPH1_KEY = "graph1"  # the name of Graph 1 in a scorer's runs (Graph 2 is named by its player type)

_SESSIONS: dict[str, Any] = {}  # in a worker: graph name -> session
_ERROR: list[Exception] = []  # in a worker: why it cannot run


def open_session(path: str | Path, options: Any) -> ort.InferenceSession:
    """An ONNX Runtime session on a bundle graph with `options.session_options()` (a
    scoring.ScorerOptions); a graph this onnxruntime is too old to read is a BundleError naming the
    file and the versions (hfm_runtime.bundle checks the manifest first)."""
    try:
        return ort.InferenceSession(str(path), options.session_options(), providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own Fail / InvalidGraph / NotImplemented types
        text = str(exc)
        if "IR version" in text or "opset" in text.lower():
            raise BundleError(f"{path}: onnxruntime {ort.__version__} cannot load this graph ({text.strip()[-160:]}); "
                              "upgrade onnxruntime or re-export the bundle") from None
        raise


class GraphPool:
    """`options.workers` processes, each with its own sessions of `bundle`'s graphs."""

    def __init__(self, bundle: Any, options: Any) -> None:
        self._executor = ProcessPoolExecutor(
            max_workers=options.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start, initargs=(str(bundle.path), bundle_fingerprint(bundle), options),
        )

    def run(self, graph: str, output: str, feeds: list[dict[str, np.ndarray]]) -> list[np.ndarray]:
        """`output` of `graph` (GRAPH1_KEY or a player type) on each feed, in order."""
        return list(self._executor.map(_run, [graph] * len(feeds), [output] * len(feeds), feeds))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)


def _start(path: str, fingerprint: str, options: Any) -> None:
    from hfm_runtime.bundle import load_bundle
    from hfm_runtime.targets import PLAYER_TYPES

    try:
        bundle = load_bundle(path)
        if bundle_fingerprint(bundle) != fingerprint:
            raise BundleError(f"{path}: the bundle changed since the scorer loaded it")
        _SESSIONS[GRAPH1_KEY] = open_session(bundle.graph1, options)
        for pt in PLAYER_TYPES:
            _SESSIONS[pt] = open_session(bundle.graph2(pt), options)
    except Exception as exc:  # raised by the first run: an initializer's exception only breaks the pool
        _ERROR.append(exc)


def _run(graph: str, output: str, feed: dict[str, np.ndarray]) -> np.ndarray:
    if _ERROR:
        raise _ERROR[0]
    return _SESSIONS[graph].run([output], feed)[0]
