"""HFM's PyTorch modules. Level 1 (pitch -> PA) lives in `level1`."""

from hfm_train.model.level1 import Level1Config, PitchEncoder, pool_pa

__all__ = ["Level1Config", "PitchEncoder", "pool_pa"]
