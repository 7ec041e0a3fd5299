"""Vocabularies for categorical fields: `<PAD>`=0, `<UNK>`=1, so unknown codes never crash."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

PAD, UNK = "<PAD>", "<UNK>"


@dataclass(frozen=True)
class Vocabulary:
    """An ordered list of tokens; index 0 is padding and index 1 stands for anything unseen."""

    tokens: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.tokens[:2] != (PAD, UNK):
            raise ValueError(f"vocabulary must start with {PAD!r}, {UNK!r}; got {self.tokens[:2]!r}")
        if len(set(self.tokens)) != len(self.tokens):
            raise ValueError("vocabulary tokens must be unique")

    @classmethod
    def fit(cls, values: Iterable[object]) -> Vocabulary:
        """Build from observed values (missing values are skipped), sorted for reproducibility."""
        seen = {str(v) for v in values if v is not None and v == v and str(v) not in (PAD, UNK)}
        return cls((PAD, UNK, *sorted(seen)))

    def __len__(self) -> int:
        return len(self.tokens)

    def encode(self, values: Iterable[object]) -> np.ndarray:
        """Map values to int64 ids; missing values map to `<PAD>`, unseen ones to `<UNK>`."""
        index = {t: i for i, t in enumerate(self.tokens)}
        return np.fromiter(
            (0 if v is None or v != v else index.get(str(v), 1) for v in values), dtype=np.int64
        )

    def to_json(self) -> list[str]:
        return list(self.tokens)

    @classmethod
    def from_json(cls, tokens: list[str]) -> Vocabulary:
        return cls(tuple(tokens))
