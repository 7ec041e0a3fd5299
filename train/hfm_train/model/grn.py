"""The Temporal Fusion Transformer's gated residual network (Lim et al., 2019), and a small
export-friendly transformer encoder layer.

    GRN(x, c) = LayerNorm(skip(x) + GLU(W2 · ELU(W1 x + Wc c + b1) + b2))

The context `c` (here: player identity) enters inside the non-linearity, so identity changes *how*
an input is read rather than being one more feature to ignore; the GLU gate lets the network shut a
block off (output = skip(x)) where it does not help.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

NEG_INF = -1e9  # finite, so a row with every key masked gives a uniform softmax, never NaN


class GatedResidualNetwork(nn.Module):
    """GRN with optional context vector, GLU gate and layer norm.

    x: [..., d_in]; context: [..., d_context] broadcastable to x's leading dims (or None).
    Returns [..., d_out].
    """

    def __init__(
        self, d_in: int, d_hidden: int, d_out: int, d_context: int | None = None, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.skip = nn.Linear(d_in, d_out) if d_in != d_out else nn.Identity()
        self.fc1 = nn.Linear(d_in, d_hidden)
        self.context = nn.Linear(d_context, d_hidden, bias=False) if d_context else None
        self.fc2 = nn.Linear(d_hidden, d_hidden)
        self.dropout = nn.Dropout(dropout)
        self.gate = nn.Linear(d_hidden, 2 * d_out)  # GLU: value and gate halves
        self.norm = nn.LayerNorm(d_out)

    def forward(self, x: torch.Tensor, context: torch.Tensor | None = None) -> torch.Tensor:
        h = self.fc1(x)
        if self.context is not None:
            if context is None:
                raise ValueError("this GatedResidualNetwork was built with a context; pass one")
            h = h + self.context(context)
        h = self.dropout(self.fc2(F.elu(h)))
        return self.norm(self.skip(x) + F.glu(self.gate(h), dim=-1))


class EncoderLayer(nn.Module):
    """Pre-norm transformer encoder layer written with plain ops (exports to ONNX with dynamic shapes).

    key_mask: bool [B, S], True for a real position; masked keys get no attention weight.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model {d_model} is not divisible by n_heads {n_heads}")
        self.n_heads, self.d_head = n_heads, d_model // n_heads
        self.norm1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Dropout(dropout), nn.Linear(d_ff, d_model))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, key_mask: torch.Tensor) -> torch.Tensor:
        b, s, d = x.shape
        qkv = self.qkv(self.norm1(x)).reshape(b, s, 3, self.n_heads, self.d_head).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.d_head)  # [B, H, S, S]
        scores = scores.masked_fill(~key_mask[:, None, None, :], NEG_INF)
        attn = self.dropout(torch.softmax(scores, dim=-1))
        h = (attn @ v).transpose(1, 2).reshape(b, s, d)
        x = x + self.dropout(self.out(h))
        return x + self.dropout(self.ff(self.norm2(x)))
