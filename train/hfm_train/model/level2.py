"""Level 2, PA -> game: one embedding per game from the game's PA embeddings, read through identity.

Per game (all B x T games at once, no attention across games):
  h      = GRN(pa_emb, context=identity)                     what this PA means for THIS player
  query  = learned query + W_q identity                      identity asks its own question
  score  = <W_k h, query> / sqrt(d_head) + bias[pa_outcome]  per head; learnable bias per PA outcome
  value  = h * sigmoid(W_g identity)                         identity gates which features pass
  game   = GRN(sum softmax(score) * value, context=identity)
Padding PAs get no weight (their content cannot change the result); a game with no real PA (padding
game) pools to zeros and is masked out by Level 3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from hfm_runtime.featurize import PA_OUTCOMES

from .grn import NEG_INF, GatedResidualNetwork


@dataclass(frozen=True)
class Level2Config:
    d_pa: int  # Level 1's PA embedding width
    d_identity: int = 96
    d_model: int = 64
    n_heads: int = 4
    dropout: float = 0.1


class Level2(nn.Module):
    """(pa_emb [B,T,A,D], pa_mask [B,T,A], pa_outcome [B,T,A], identity [B,I]) -> game_emb [B,T,d_model]."""

    def __init__(self, config: Level2Config) -> None:
        super().__init__()
        c = self.config = config
        if c.d_model % c.n_heads:
            raise ValueError(f"Level2: d_model {c.d_model} not divisible by n_heads {c.n_heads}")
        self.d_head = c.d_model // c.n_heads
        self.pa_grn = GatedResidualNetwork(c.d_pa, c.d_model, c.d_model, c.d_identity, c.dropout)
        self.key = nn.Linear(c.d_model, c.d_model)
        self.query = nn.Parameter(torch.randn(c.d_model) / math.sqrt(c.d_model))
        self.query_bias = nn.Linear(c.d_identity, c.d_model)
        self.value_gate = nn.Linear(c.d_identity, c.d_model)
        self.outcome_bias = nn.Embedding(len(PA_OUTCOMES), c.n_heads)
        nn.init.zeros_(self.outcome_bias.weight)
        self.out_grn = GatedResidualNetwork(c.d_model, c.d_model, c.d_model, c.d_identity, c.dropout)

    def forward(
        self, pa_emb: torch.Tensor, pa_mask: torch.Tensor, pa_outcome: torch.Tensor, identity: torch.Tensor
    ) -> torch.Tensor:
        b, t, a, _ = pa_emb.shape
        ident = identity[:, None, None, :]
        h = self.pa_grn(pa_emb, ident)  # [B,T,A,M]
        keys = self.key(h).reshape(b, t, a, self.config.n_heads, self.d_head)
        query = (self.query + self.query_bias(identity)).reshape(b, 1, 1, self.config.n_heads, self.d_head)
        scores = (keys * query).sum(-1) / math.sqrt(self.d_head)  # [B,T,A,H]
        outcome = pa_outcome.clamp(0, len(PA_OUTCOMES) - 1)
        scores = scores + self.outcome_bias(outcome)
        mask = pa_mask[..., None]
        weights = torch.softmax(scores.masked_fill(~mask, NEG_INF), dim=2) * mask  # padding: exactly 0
        values = torch.where(mask, h * torch.sigmoid(self.value_gate(ident)), torch.zeros_like(h))
        values = values.reshape(b, t, a, self.config.n_heads, self.d_head)
        pooled = (weights[..., None] * values).sum(2).reshape(b, t, self.config.d_model)
        return self.out_grn(pooled, identity[:, None, :])
