"""Level 3, games -> projection: a small transformer over a player's game embeddings with a [CLS] read-out.

  x_t   = GRN(game_emb_t + time(days_t), context=identity)  time: sinusoidal on real-valued days since
                                                            the first context game (games are unevenly
                                                            spaced, so positions would lie)
  [CLS] = learned token + W identity                        the read-out starts from who the player is
  h     = transformer([CLS], x_1..x_T), padding games masked out as keys
  out   = GRN(h_CLS, context=identity) * sigmoid(W_g identity)   identity-gated read-out
A player with no context game at all (a rookie) still gets a projection: [CLS] attends to itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from .grn import EncoderLayer, GatedResidualNetwork


@dataclass(frozen=True)
class Level3Config:
    d_game: int = 64  # Level 2's game embedding width
    d_identity: int = 96
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    d_ff: int = 128
    dropout: float = 0.1
    max_period_days: float = 4000.0  # longest wavelength of the time encoding (> a decade of games)


def time_encoding(days: torch.Tensor, d_model: int, max_period: float) -> torch.Tensor:
    """Sinusoidal encoding of real-valued days [...] -> [..., d_model]; periods 1 day .. max_period days."""
    half = d_model // 2
    steps = torch.arange(half, dtype=torch.float32, device=days.device)
    freqs = torch.exp(-math.log(max_period) * steps / max(half - 1, 1))
    angles = days[..., None] * (2 * math.pi * freqs)
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=-1)


class Level3(nn.Module):
    """(game_emb [B,T,G], game_mask [B,T], game_days [B,T], identity [B,I]) -> read-out [B, d_model]."""

    def __init__(self, config: Level3Config) -> None:
        super().__init__()
        c = self.config = config
        if c.d_model % 2:
            raise ValueError("Level3: d_model must be even (sin/cos time encoding)")
        self.time = nn.Linear(c.d_model, c.d_game, bias=False)
        self.in_grn = GatedResidualNetwork(c.d_game, c.d_model, c.d_model, c.d_identity, c.dropout)
        self.cls = nn.Parameter(torch.zeros(c.d_model))
        self.cls_from_identity = nn.Linear(c.d_identity, c.d_model)
        self.layers = nn.ModuleList(EncoderLayer(c.d_model, c.n_heads, c.d_ff, c.dropout) for _ in range(c.n_layers))
        self.norm = nn.LayerNorm(c.d_model)
        self.out_grn = GatedResidualNetwork(c.d_model, c.d_model, c.d_model, c.d_identity, c.dropout)
        self.out_gate = nn.Linear(c.d_identity, c.d_model)

    def forward(
        self, game_emb: torch.Tensor, game_mask: torch.Tensor, game_days: torch.Tensor, identity: torch.Tensor
    ) -> torch.Tensor:
        c = self.config
        t = self.time(time_encoding(game_days, c.d_model, c.max_period_days))
        x = self.in_grn(game_emb + t, identity[:, None, :])
        cls = (self.cls + self.cls_from_identity(identity))[:, None, :]
        x = torch.cat([cls, x], dim=1)
        key_mask = torch.cat([torch.ones_like(game_mask[:, :1]), game_mask], dim=1)
        for layer in self.layers:
            x = layer(x, key_mask)
        h = self.norm(x[:, 0])
        return self.out_grn(h, identity) * torch.sigmoid(self.out_gate(identity))
