"""Player identity: who the player is, as one vector that conditions Levels 2 and 3.

    identity = concat(stat MLP(stat_features) -> 64, archetype embedding -> 32)   (96)

Stat-feature dropout (training only) zeroes a whole example's stat features with probability p (per
EXAMPLE, not per feature): the standardised features are 0 at the league mean, so a dropped example
looks like "a player we know nothing about but his archetype", and the model must read his recent games
to tell him apart. Per-feature dropout would rarely hide the profile (the same rate appears at four
horizons), so it would not stop the Marcel-like shortcut the seeds warn about.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class IdentityConfig:
    n_stat_features: int
    n_archetypes: int
    d_stat: int = 64
    d_archetype: int = 32
    stat_dropout: float = 0.2

    @property
    def d_identity(self) -> int:
        return self.d_stat + self.d_archetype


class IdentityEncoder(nn.Module):
    """stat_features float [B, F], archetype int64 [B] -> identity [B, d_stat + d_archetype]."""

    def __init__(self, config: IdentityConfig) -> None:
        super().__init__()
        self.config = config
        self.stat_mlp = nn.Sequential(
            nn.Linear(config.n_stat_features, config.d_stat), nn.ELU(), nn.Linear(config.d_stat, config.d_stat)
        )
        self.archetype = nn.Embedding(config.n_archetypes, config.d_archetype)

    def forward(self, stat_features: torch.Tensor, archetype: torch.Tensor) -> torch.Tensor:
        if self.training and self.config.stat_dropout > 0:
            keep = torch.rand(stat_features.shape[0], 1, device=stat_features.device) >= self.config.stat_dropout
            stat_features = stat_features * keep
        # An id the model never saw (a bundle's archetypes disagreeing) must not index out of range.
        archetype = archetype.clamp(0, self.config.n_archetypes - 1)
        return torch.cat([self.stat_mlp(stat_features), self.archetype(archetype)], dim=-1)
