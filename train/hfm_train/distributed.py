"""Where training runs: the device (CPU or CUDA) and, under `torchrun`, data-parallel processes.

`session(device)` opens the training context of one `hfm-train fit`; `current()` returns it, so
pre-training (hfm_train.pretrain), the PA cache (hfm_train.pa_cache) and fine-tuning
(hfm_train.finetune, also inside the cross-validation folds) pick it up without threading it through
every call. Outside a session `current()` is one process on the CPU, which is what every function
did before devices existed.

Devices (`resolve_device`): "cpu"; "cuda" (an error naming the problem when no GPU is visible);
"auto" = CUDA when torch sees one, else the CPU. On the CPU nothing changes: same ops, float32, the
deterministic algorithms of pre-training, so a CPU run is bit-for-bit the run it was. On CUDA the
training forward passes run under `autocast` in bfloat16 where the GPU supports it (`amp_dtype`;
no loss scaling is needed for bfloat16; a GPU without it trains in float32); the PA cache, the
validation losses, predictions and everything exported stay float32, so Graph 1's embeddings match
the ONNX export. CUDA runs are not bit-reproducible (cuBLAS and atomics choose their own order).

Data parallel (`torchrun --nproc_per_node N -m hfm_train fit ...`, or several nodes with
`--nnodes`/`--rdzv-endpoint`): when WORLD_SIZE > 1 the session joins the process group (gloo on the
CPU, NCCL on GPUs; rank r takes GPU LOCAL_RANK). Every rank runs the whole pipeline with the same
seed, so data preparation, sampling, shuffling and masking agree without messages; the training
loops wrap their module in PyTorch's DistributedDataParallel and give each rank every N-th game or
example of each batch (`shard`). The global batch, the learning rate and the number of steps are the
single-process ones: a rank's loss is its shard's share of the batch's loss times N, and DDP averages
the gradients over the N ranks, so the step is the single-process step (up to the order of float
additions and dropout masks, which each rank draws for its own rows). A rank whose shard would be
empty (a batch smaller than N) runs one example with weight 0, so every rank joins every all-reduce.
Only rank 0 logs and writes the run folder (the same format as a single process); other ranks keep
their checkpoints in their own work folders. Memory and data preparation are per process: N ranks on
one machine need N times the memory of one.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from hfm_runtime.errors import HFMInputError

DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda")


def resolve_device(name: str) -> torch.device:
    """"auto" | "cpu" | "cuda" | "cuda:K" -> a torch.device (module docstring)."""
    name = check_device_name(name)
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if not torch.cuda.is_available():
        raise HFMInputError(f"--device {name}: torch {torch.__version__} sees no CUDA GPU "
                            f"(torch.version.cuda = {torch.version.cuda}); use --device cpu or auto")
    return torch.device(name)


def check_device_name(name: str) -> str:
    """`name` normalised, if it names a device `resolve_device` knows (no GPU needed to check)."""
    norm = str(name).strip().lower()
    if norm in DEVICES or (norm.startswith("cuda:") and norm[5:].isdigit()):
        return norm
    raise HFMInputError(f"--device {name!r}: expected one of {', '.join(DEVICES)} (or cuda:K)")


@dataclass(frozen=True)
class Session:
    """One process's place in training: its device, its rank and the number of ranks."""

    device: torch.device = torch.device("cpu")
    rank: int = 0
    world_size: int = 1

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def amp_dtype(self) -> torch.dtype | None:
        """The autocast dtype of training forward passes: bfloat16 on a CUDA GPU that has it, else None."""
        if self.device.type == "cuda" and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return None

    def autocast(self) -> contextlib.AbstractContextManager:
        """Mixed precision for a training forward pass (a no-op on the CPU)."""
        dtype = self.amp_dtype
        if dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=dtype)

    def shard(self, index: np.ndarray) -> tuple[np.ndarray, float]:
        """This rank's rows of a batch `index` (every world_size-th, from `rank`) and the factor its
        loss takes: world_size, or 0.0 with one stand-in row when the shard would be empty."""
        index = np.asarray(index)
        if not self.distributed:
            return index, 1.0
        mine = index[self.rank::self.world_size]
        if len(mine) == 0:
            return index[:1], 0.0
        return mine, float(self.world_size)

    def wrap(self, module: nn.Module) -> nn.Module:
        """`module` in DistributedDataParallel when distributed (rank 0's weights are broadcast)."""
        if not self.distributed:
            return module
        from torch.nn.parallel import DistributedDataParallel

        ids = [self.device.index] if self.device.type == "cuda" else None
        return DistributedDataParallel(module, device_ids=ids)

    def all_reduce(self, values: np.ndarray) -> np.ndarray:
        """Element-wise float64 sum of `values` over the ranks (the array itself when single)."""
        values = np.asarray(values, dtype=np.float64)
        if not self.distributed:
            return values
        import torch.distributed as dist

        # NCCL reduces GPU tensors only; gloo reduces CPU ones.
        tensor = torch.from_numpy(values.copy()).to(self.device if self.device.type == "cuda" else "cpu")
        dist.all_reduce(tensor)
        return tensor.cpu().numpy()

    def barrier(self) -> None:
        if self.distributed:
            import torch.distributed as dist

            dist.barrier()


_CURRENT = Session()


def current() -> Session:
    """The open session (module docstring); one CPU process when none is open."""
    return _CURRENT


@contextlib.contextmanager
def session(device: str = "cpu") -> Iterator[Session]:
    """Open the training context: resolve the device and, under torchrun (WORLD_SIZE > 1), join the
    process group for the duration (left, and the group destroyed, on exit)."""
    global _CURRENT
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    joined = False
    if world > 1:
        import torch.distributed as dist

        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        if str(device).startswith("cuda"):
            local = int(os.environ.get("LOCAL_RANK", "0"))
            resolve_device("cuda")  # a clear error without a GPU
            torch.cuda.set_device(local)
            device = f"cuda:{local}"
        if not dist.is_initialized():
            dist.init_process_group(backend="nccl" if str(device).startswith("cuda") else "gloo")
            joined = True
    previous = _CURRENT
    _CURRENT = Session(resolve_device(device), rank, world)
    try:
        yield _CURRENT
    finally:
        _CURRENT = previous
        if joined:
            import torch.distributed as dist

            dist.destroy_process_group()
