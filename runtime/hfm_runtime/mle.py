"""Minor league equivalents: translate AAA lines into MLB-equivalent counts.

One multiplicative factor per target stat and player type, estimated from players who played at both
levels in the same or adjacent seasons (|MLB season - AAA season| <= `max_season_gap`):

    factor[stat] = sum_i w_i * mlb_rate_i[stat] / sum_i w_i * aaa_rate_i[stat]
    w_i          = harmonic mean of the pair's MLB and AAA opportunities

so a pair counts as much as its thinner side allows (a 700-PA AAA season with 5 MLB PA says little).
The ratio of weighted means, not the mean of ratios, keeps rare stats (3B, HR) from blowing up on pairs
with a zero AAA count. Translation multiplies each AAA line's target-stat counts by the factor;
opportunities (PA/BF) and other columns are unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hfm_runtime.errors import HFMInputError
from hfm_runtime.targets import OPPORTUNITY, PLAYER_TYPES, TARGET_STATS, PlayerType

MLB, AAA = "MLB", "AAA"


@dataclass
class MLETranslator:
    """Per-stat AAA -> MLB translation factors for one player type (scikit-learn style fit/transform)."""

    player_type: PlayerType
    max_season_gap: int = 1
    factors_: dict[str, float] | None = field(default=None, repr=False)
    n_pairs_: int = 0
    weight_: float = 0.0  # sum of pair weights (effective opportunities behind the factors)

    def __post_init__(self) -> None:
        if self.player_type not in PLAYER_TYPES:
            raise HFMInputError(f"MLETranslator: unknown player_type {self.player_type!r}")

    def fit(self, lines: pd.DataFrame) -> MLETranslator:
        """Estimate the factors from game or season lines of both levels (player_id, season, level, counts)."""
        stats = TARGET_STATS[self.player_type]
        opp = OPPORTUNITY[self.player_type]
        missing = [c for c in ("player_id", "season", "level", opp, *stats) if c not in lines.columns]
        if missing:
            raise HFMInputError(f"MLETranslator.fit: lines missing column(s) {missing}")
        seasons = lines.groupby(["player_id", "season", "level"], as_index=False)[[opp, *stats]].sum()
        seasons = seasons[seasons[opp] > 0]
        mlb = seasons[seasons["level"] == MLB]
        aaa = seasons[seasons["level"] == AAA]
        pairs = aaa.merge(mlb, on="player_id", suffixes=("_aaa", "_mlb"))
        pairs = pairs[(pairs["season_mlb"] - pairs["season_aaa"]).abs() <= self.max_season_gap]
        if pairs.empty:
            raise HFMInputError(
                f"MLETranslator.fit: no {self.player_type} played at both {AAA} and {MLB} within "
                f"{self.max_season_gap} season(s); cannot estimate translation factors"
            )
        a, m = pairs[f"{opp}_aaa"].to_numpy(float), pairs[f"{opp}_mlb"].to_numpy(float)
        w = 2 * a * m / (a + m)
        factors = {}
        for s in stats:
            num = np.sum(w * pairs[f"{s}_mlb"].to_numpy(float) / m)
            den = np.sum(w * pairs[f"{s}_aaa"].to_numpy(float) / a)
            # No AAA events of this stat at all: nothing to scale, keep counts as they are.
            factors[s] = float(num / den) if den > 0 else 1.0
        self.factors_, self.n_pairs_, self.weight_ = factors, len(pairs), float(w.sum())
        return self

    def transform(self, lines: pd.DataFrame) -> pd.DataFrame:
        """A copy of `lines` whose AAA rows' target-stat counts are MLB-equivalent (float)."""
        if self.factors_ is None:
            raise HFMInputError("MLETranslator: not fitted")
        if "level" not in lines.columns:
            raise HFMInputError("MLETranslator.transform: lines missing column 'level'")
        out = lines.copy()
        minors = (out["level"] == AAA).to_numpy()
        for s, f in self.factors_.items():
            if s not in out.columns:
                raise HFMInputError(f"MLETranslator.transform: lines missing column {s!r}")
            out[s] = out[s].astype(np.float64)
            out.loc[minors, s] = out.loc[minors, s] * f
        return out

    def to_json(self) -> dict[str, Any]:
        if self.factors_ is None:
            raise HFMInputError("MLETranslator: not fitted")
        return {
            "player_type": self.player_type,
            "max_season_gap": self.max_season_gap,
            "factors": dict(self.factors_),
            "n_pairs": self.n_pairs_,
            "weight": self.weight_,
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, Any] | str) -> MLETranslator:
        if isinstance(obj, str):
            obj = json.loads(obj)
        try:
            mle = cls(obj["player_type"], int(obj["max_season_gap"]))
            factors = {str(k): float(v) for k, v in obj["factors"].items()}
            mle.n_pairs_, mle.weight_ = int(obj["n_pairs"]), float(obj["weight"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise HFMInputError(f"MLETranslator JSON: missing or bad field ({exc})") from exc
        if set(factors) != set(TARGET_STATS[mle.player_type]):
            raise HFMInputError(
                f"MLETranslator JSON: factors {sorted(factors)} do not match the {mle.player_type} "
                f"target stats {sorted(TARGET_STATS[mle.player_type])}"
            )
        mle.factors_ = factors
        return mle
