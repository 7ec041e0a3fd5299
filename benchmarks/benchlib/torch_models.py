"""The PyTorch side of the comparison: the training run's own modules (same weights as the bundle)."""

from __future__ import annotations

from pathlib import Path

from benchlib.engines import TorchEngine


def load_torch_engines(run_dir: Path) -> dict:
    """player type -> TorchEngine(Level 1 PitchEncoder, that type's GameProjectionModel), eval mode."""
    from hfm_train.evaluate import load_model
    from hfm_train.pretrain import load_encoder

    encoder = load_encoder(Path(run_dir) / "level1.pt")
    return {pt: TorchEngine(encoder, load_model(run_dir, pt)) for pt in ("batter", "pitcher")}
