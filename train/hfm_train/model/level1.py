"""Level 1: one game's pitches -> PA embeddings, with no identity (docs/model.md).

Inputs follow the `GameBatch` layout in hfm_runtime.featurize (one game per batch row, so attention
never crosses games). `PitchEncoder.forward` is exactly Graph 1 (`pitch_pa_encoder.onnx`): it uses no
data-dependent Python control flow, builds masks from `arange`, and disables the nested-tensor fast
path, so it exports with dynamic games / pitches / PAs axes.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn

from hfm_runtime.featurize import PITCH_CATEGORICALS, PITCH_NUMERICS


@dataclass(frozen=True)
class Level1Config:
    """Level-1 size. The default is small on purpose: with PretrainConfig's defaults it pre-trains on
    the default league in 20 s on 2 idle CPU cores (259 s when they are shared), where the reference
    size needs about 50 times the matrix-multiply work per pitch; and the simulated league's pitch
    vocabulary is tiny (about 10 tokens per field), so a 256-wide model would mostly idle.
    Reference size (the design seeds; docs/model.md): d_model=256, n_layers=4, n_heads=8, d_ff=1024."""

    vocab_sizes: tuple[int, ...] = ()   # len(vocabulary) per PITCH_CATEGORICALS field (from the data)
    n_numeric: int = len(PITCH_NUMERICS)
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    d_ff: int = 128
    dropout: float = 0.0  # pre-training sees each game about once; CPU dropout costs ~25% of a step

    def __post_init__(self) -> None:
        if self.vocab_sizes and len(self.vocab_sizes) != len(PITCH_CATEGORICALS):
            raise ValueError(f"vocab_sizes needs {len(PITCH_CATEGORICALS)} entries, got {len(self.vocab_sizes)}")
        if self.d_model % self.n_heads or self.d_model % 2:
            raise ValueError("d_model must be even and divisible by n_heads")

    def to_json(self) -> dict:
        return {**asdict(self), "vocab_sizes": list(self.vocab_sizes)}

    @classmethod
    def from_json(cls, state: dict) -> Level1Config:
        return cls(**{**state, "vocab_sizes": tuple(state["vocab_sizes"])})


class PitchEncoder(nn.Module):
    """Pitch tokens (summed embeddings of the categorical fields + projected numerics + position in the game) ->
    transformer inside each game -> pitch states -> mean-pooled per PA."""

    def __init__(self, config: Level1Config) -> None:
        super().__init__()
        if not config.vocab_sizes:
            raise ValueError("Level1Config.vocab_sizes is empty: take it from the GameTable/featurizer")
        self.config = config
        d = config.d_model
        # All fields share one table (field j's ids are shifted by the sizes before it): one lookup
        # instead of one per field. Id 0 of a field inside a real pitch means "missing" and gets its
        # own learned vector; padded pitches are never attended to nor pooled, so theirs is unused.
        self.embedding = nn.Embedding(sum(config.vocab_sizes), d)
        self.register_buffer(
            "field_offsets", torch.tensor([0, *config.vocab_sizes[:-1]]).cumsum(0), persistent=False,
        )
        self.numeric = nn.Linear(config.n_numeric, d)
        self.mask_token = nn.Parameter(torch.randn(d) * 0.02)  # replaces a whole masked pitch (pre-training)
        self.register_buffer(
            "inv_freq", torch.exp(torch.arange(0, d, 2, dtype=torch.float32) * (-math.log(10000.0) / d)),
            persistent=False,
        )
        layer = nn.TransformerEncoderLayer(
            d, config.n_heads, config.d_ff, config.dropout, batch_first=True, norm_first=True,
        )
        # No nested tensors: they change padded outputs and do not export.
        self.transformer = nn.TransformerEncoder(
            layer, config.n_layers, norm=nn.LayerNorm(d), enable_nested_tensor=False,
        )

    def pitch_states(self, cat: Tensor, num: Tensor, pitch_mask: Tensor, token_mask: Tensor | None = None) -> Tensor:
        """[G, P, D] contextual pitch states. `token_mask` [G, P] (pre-training) hides whole pitches."""
        x = self.numeric(num) + self.embedding(cat + self.field_offsets).sum(dim=-2)
        if token_mask is not None:
            x = torch.where(token_mask.unsqueeze(-1), self.mask_token.expand_as(x), x)
        x = x + self._positions(cat.shape[1]).unsqueeze(0)
        # A row with no real pitch would attend to nothing (softmax of all -inf = NaN): let its first
        # slot be a key; its outputs are ignored by pooling anyway.
        first = torch.arange(cat.shape[1], device=cat.device).unsqueeze(0) == 0
        empty = ~pitch_mask.any(dim=1, keepdim=True)
        keys = pitch_mask | (first & empty)
        return self.transformer(x, src_key_padding_mask=~keys)

    def forward(self, cat: Tensor, num: Tensor, pitch_mask: Tensor, pa_of_pitch: Tensor, pa_mask: Tensor) -> Tensor:
        """Graph 1: [G, A, D] PA embeddings (zeros on padding PAs)."""
        return pool_pa(self.pitch_states(cat, num, pitch_mask), pa_of_pitch, pitch_mask, pa_mask)

    def _positions(self, length: int) -> Tensor:
        """Sinusoidal encoding of the pitch's position in the game, [P, D]; no length limit."""
        pos = torch.arange(length, device=self.inv_freq.device, dtype=torch.float32).unsqueeze(1)
        angles = pos * self.inv_freq.unsqueeze(0)
        return torch.stack((angles.sin(), angles.cos()), dim=-1).flatten(1)


def pool_pa(states: Tensor, pa_of_pitch: Tensor, pitch_mask: Tensor, pa_mask: Tensor) -> Tensor:
    """Mean of the real pitch states of each PA: [G, P, D] -> [G, A, D], zeros on padding PAs.

    A membership matrix from `arange(A)` (not a scatter/loop) keeps this exportable to ONNX.
    """
    pas = torch.arange(pa_mask.shape[1], device=states.device)
    member = (pa_of_pitch.unsqueeze(1) == pas.view(1, -1, 1)) & pitch_mask.unsqueeze(1)  # [G, A, P]
    member = member.to(states.dtype)
    counts = member.sum(dim=-1, keepdim=True).clamp(min=1.0)
    return (member @ states) / counts * pa_mask.unsqueeze(-1).to(states.dtype)
