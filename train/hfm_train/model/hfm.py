"""Graph 2: identity + Level 2 + Level 3 + head, i.e. PA embeddings of a player's recent games -> rates.

`GameProjectionModel.forward` has exactly Graph 2's signature (hfm_runtime.featurize's contract):
    (pa_emb, pa_mask, pa_outcome, game_mask, game_days, stat_features, archetype) -> (rates, game_emb)
`rates` are per-opportunity rates of TARGET_STATS[player_type] in real units: absolute rates
(target_mode "absolute") or the adjustment to add to Marcel (target_mode "residual"; the runtime blends
final = marcel + w * rates). The head predicts in standardised units; `target_mean`/`target_scale`
buffers (fitted on the training targets, saved in the state dict) map back, so no rescaling lives
outside the graph.

Wide and deep: the standardised output is `head(Level 3 read-out) + wide(stat_features)`. The wide
part is one linear layer on the identity's stat features, fitted in closed form (a ridge regression,
hfm_train.finetune.fit_wide) before the deep part trains and then frozen, so the deep part (identity
MLP, archetypes, Levels 2-3) learns only what a linear reading of the profile leaves unexplained.
With `wide=False` the layer is absent and the deep part learns everything.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import torch
from torch import nn

from .identity import IdentityConfig, IdentityEncoder
from .level2 import Level2, Level2Config
from .level3 import Level3, Level3Config

TargetMode = Literal["absolute", "residual"]
GRAPH2_INPUTS: tuple[str, ...] = (
    "pa_emb", "pa_mask", "pa_outcome", "game_mask", "game_days", "stat_features", "archetype",
)
GRAPH2_OUTPUTS: tuple[str, ...] = ("rates", "game_emb")


@dataclass(frozen=True)
class ModelConfig:
    identity: IdentityConfig
    level2: Level2Config
    level3: Level3Config
    n_targets: int
    target_mode: TargetMode = "residual"
    wide: bool = True

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> ModelConfig:
        return cls(
            identity=IdentityConfig(**obj["identity"]),
            level2=Level2Config(**obj["level2"]),
            level3=Level3Config(**obj["level3"]),
            n_targets=int(obj["n_targets"]),
            target_mode=obj["target_mode"],
            wide=bool(obj.get("wide", False)),
        )

    @classmethod
    def build(
        cls, *, d_pa: int, n_stat_features: int, n_archetypes: int, n_targets: int,
        target_mode: TargetMode = "residual", d_model: int = 64, n_layers: int = 2, n_heads: int = 4,
        dropout: float = 0.1, stat_dropout: float = 0.2, wide: bool = True,
    ) -> ModelConfig:
        ident = IdentityConfig(n_stat_features, n_archetypes, stat_dropout=stat_dropout)
        return cls(
            identity=ident,
            level2=Level2Config(d_pa, ident.d_identity, d_model, n_heads, dropout),
            level3=Level3Config(d_model, ident.d_identity, d_model, n_layers, n_heads, 2 * d_model, dropout),
            n_targets=n_targets,
            target_mode=target_mode,
            wide=wide,
        )


class GameProjectionModel(nn.Module):
    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.identity = IdentityEncoder(config.identity)
        self.level2 = Level2(config.level2)
        self.level3 = Level3(config.level3)
        self.head = nn.Linear(config.level3.d_model, config.n_targets)
        nn.init.zeros_(self.head.weight)  # start at the mean target (Marcel itself in residual mode)
        nn.init.zeros_(self.head.bias)
        self.wide = nn.Linear(config.identity.n_stat_features, config.n_targets) if config.wide else None
        if self.wide is not None:
            nn.init.zeros_(self.wide.weight)
            nn.init.zeros_(self.wide.bias)
        self.register_buffer("target_mean", torch.zeros(config.n_targets))
        self.register_buffer("target_scale", torch.ones(config.n_targets))

    def set_target_scaling(self, mean: torch.Tensor, scale: torch.Tensor) -> None:
        self.target_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
        self.target_scale.copy_(torch.as_tensor(scale, dtype=torch.float32))

    def forward_standardised(
        self, pa_emb: torch.Tensor, pa_mask: torch.Tensor, pa_outcome: torch.Tensor, game_mask: torch.Tensor,
        game_days: torch.Tensor, stat_features: torch.Tensor, archetype: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(head output in standardised units [B, n_targets], game_emb [B,T,G], identity [B,I])."""
        ident = self.identity(stat_features, archetype)
        game_emb = self.level2(pa_emb, pa_mask, pa_outcome, ident)
        pa_count_mask = game_mask & pa_mask.any(-1)  # a game with no real PA carries nothing
        read = self.level3(game_emb, pa_count_mask, game_days, ident)
        z = self.head(read)
        if self.wide is not None:
            z = z + self.wide(stat_features)
        return z, game_emb, ident

    def forward(
        self, pa_emb: torch.Tensor, pa_mask: torch.Tensor, pa_outcome: torch.Tensor, game_mask: torch.Tensor,
        game_days: torch.Tensor, stat_features: torch.Tensor, archetype: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        z, game_emb, _ = self.forward_standardised(
            pa_emb, pa_mask, pa_outcome, game_mask, game_days, stat_features, archetype
        )
        return self.target_mean + self.target_scale * z, game_emb
