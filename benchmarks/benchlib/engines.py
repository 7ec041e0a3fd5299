"""The two graphs behind one interface, so ONNX Runtime and PyTorch run the very same pipeline.

An engine has `level1(GameBatch) -> pa_emb [G, A, D]` and `level23(ContextBatch) -> rates [B, n]`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np
import onnxruntime as ort

from hfm_runtime.context import ContextBatch
from hfm_runtime.featurize import GameBatch

from benchlib.tuning import SessionConfig

GRAPH1_INPUTS = ("cat", "num", "pitch_mask", "pa_of_pitch", "pa_mask")


class Engine(Protocol):
    name: str

    def level1(self, batch: GameBatch) -> np.ndarray: ...

    def level23(self, context: ContextBatch) -> np.ndarray: ...


class OrtEngine:
    """Graph 1 and one player type's Graph 2 as ONNX Runtime sessions."""

    name = "onnxruntime"

    def __init__(self, graph1: Path | bytes, graph2: Path | bytes, config: SessionConfig = SessionConfig()) -> None:
        self.graph1 = config.session(graph1)
        self.graph2 = config.session(graph2)
        self._in1 = [i.name for i in self.graph1.get_inputs()]  # the exporter drops unread inputs
        self._in2 = [i.name for i in self.graph2.get_inputs()]

    def level1_feeds(self, batch: GameBatch) -> dict[str, np.ndarray]:
        return {k: v for k, v in zip(GRAPH1_INPUTS, batch.inputs()) if k in self._in1}

    def level23_feeds(self, context: ContextBatch) -> dict[str, np.ndarray]:
        return {k: v for k, v in context.inputs().items() if k in self._in2}

    def level1(self, batch: GameBatch) -> np.ndarray:
        return self.graph1.run(None, self.level1_feeds(batch))[0]

    def level23(self, context: ContextBatch) -> np.ndarray:
        return self.graph2.run(None, self.level23_feeds(context))[0]


class TorchEngine:
    """The same weights as eager PyTorch modules (inference mode, no autograd)."""

    name = "torch"

    def __init__(self, level1_module, level23_module) -> None:
        self.level1_module = level1_module.eval()
        self.level23_module = level23_module.eval()

    def level1(self, batch: GameBatch) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self.level1_module(*(torch.from_numpy(a) for a in batch.inputs()))
        return (out[0] if isinstance(out, (tuple, list)) else out).numpy()

    def level23(self, context: ContextBatch) -> np.ndarray:
        import torch

        with torch.inference_mode():
            out = self.level23_module(*(torch.from_numpy(a) for a in context.inputs().values()))
        return (out[0] if isinstance(out, (tuple, list)) else out).numpy()
