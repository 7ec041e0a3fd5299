"""Playing-time spread: how a season's opportunities scatter around Marcel's projection. No torch.

For a player of type t projected at n0 opportunities (hfm_runtime.marcel.playing_time, the score
table's `opportunities`), the season brings N = r n0 opportunities, r >= 0 the ratio of the actual
(full-season-equivalent) opportunities to the projection; r = 0 for a player who does not play in MLB
that season (injured, released, retired, in the minors). `PlayingTimeSpread` holds r's distribution per
player type and band of n0:

  edges[t]    ascending lower bounds of bands 1..B-1 in projected opportunities (band 0 below the
              first: with Marcel's rule, n0 at its base means no MLB opportunities in the two seasons
              before); band b holds edges[b-1] <= n0 < edges[b]
  ratio[t][b] r's quantiles at GRID: the mid-points (0.025, 0.075, ..., 0.975) of 20 equally likely
              bins, so r is represented by 20 equally likely levels (`levels`), non-decreasing

What reads it (hfm_runtime.ranges): a season total is a beta-binomial count at each of the 20
opportunity levels round(r_k n0), mixed with equal weights (the talent Beta independent of r), and
the score table's `opportunities_<q>` are the quantiles of r n0 (`opportunity_quantiles`: the
piecewise-linear quantile function through the 20 levels, held flat beyond the outer two) and its
`opportunities_mean` is E[r] n0 (`mean_opportunities`), which `proj_<S>` multiplies the rate by: the
mean of the season total, not Marcel's n0 (which for a player who barely played the two seasons
before is several times what such players go on to get: E[r] 0.01-0.33 in the lowest two bands of the
packaged real bundle).
hfm_train.playing_time fits it on the training seasons' MLB lines; it travels in the bundle's
blend.json under `ranges.playing_time` (to_json). Params without one (bundles exported before
2026-12-03) hold the opportunities at the projection: the totals are those of today's rule.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hfm_runtime.errors import HFMInputError
from hfm_runtime.targets import PLAYER_TYPES, PlayerType

N_LEVELS = 20
GRID: tuple[float, ...] = tuple((k + 0.5) / N_LEVELS for k in range(N_LEVELS))


@dataclass(frozen=True)
class PlayingTimeSpread:
    """r = actual / projected opportunities, per player type and band of the projection (module docstring)."""

    edges: Mapping[str, tuple[float, ...]]
    ratio: Mapping[str, tuple[tuple[float, ...], ...]]  # [type][band] -> N_LEVELS quantiles at GRID
    source: str = "recorded"
    rows: Mapping[str, tuple[int, ...]] | None = None  # fit rows per band (reporting only)

    def __post_init__(self) -> None:
        for pt in PLAYER_TYPES:
            if pt not in self.edges or pt not in self.ratio:
                raise HFMInputError(f"playing_time: field '{pt}' missing")
            edges, ratio = np.asarray(self.edges[pt], float), np.asarray(self.ratio[pt], float)
            if ratio.ndim != 2 or ratio.shape != (len(edges) + 1, N_LEVELS):
                raise HFMInputError(f"playing_time: field '{pt}.ratio' is not {len(edges) + 1} bands x {N_LEVELS} "
                                    f"quantiles (one band more than '{pt}.edges')")
            if not (np.isfinite(ratio).all() and (ratio >= 0).all() and (np.diff(ratio, axis=1) >= 0).all()):
                raise HFMInputError(f"playing_time: field '{pt}.ratio' holds a value that is not a finite "
                                    "non-negative number in non-decreasing order")
            if not (np.isfinite(edges).all() and (np.diff(edges) > 0).all()):
                raise HFMInputError(f"playing_time: field '{pt}.edges' is not ascending finite numbers")

    def band(self, player_type: PlayerType, opportunities: np.ndarray) -> np.ndarray:
        """[N] the band of each projected opportunities."""
        edges = np.asarray(self.edges[player_type], dtype=np.float64)
        return np.searchsorted(edges, np.asarray(opportunities, dtype=np.float64), side="right")

    def levels(self, player_type: PlayerType, opportunities: np.ndarray) -> np.ndarray:
        """[N, N_LEVELS] the ratio levels r_k of each row's band (equally likely)."""
        ratio = np.asarray(self.ratio[player_type], dtype=np.float64)
        return ratio[self.band(player_type, opportunities)]

    def mean_opportunities(self, player_type: PlayerType, opportunities: np.ndarray) -> np.ndarray:
        """[N] the expected opportunities E[r] n0 (the mean of the band's 20 equally likely levels):
        what a season total's point projection multiplies the rate by, so that it is the mean of the
        totals' mixture (the talent independent of r)."""
        n0 = np.asarray(opportunities, dtype=np.float64)
        return self.levels(player_type, n0).mean(axis=1) * n0

    def opportunity_quantiles(self, player_type: PlayerType, opportunities: np.ndarray,
                              q: Sequence[float]) -> np.ndarray:
        """[N, len(q)] quantiles of r n0 (module docstring)."""
        n0 = np.asarray(opportunities, dtype=np.float64)
        per_band = np.array([np.interp(np.asarray(q, dtype=np.float64), GRID, band)
                             for band in self.ratio[player_type]])  # [bands, len(q)]: a few bands, many rows
        return per_band[self.band(player_type, n0)] * n0[:, None]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"grid": list(GRID), "source": self.source}
        for pt in PLAYER_TYPES:
            out[pt] = {"edges": [float(e) for e in self.edges[pt]],
                       "ratio": [[float(v) for v in band] for band in self.ratio[pt]]}
            if self.rows is not None and pt in self.rows:
                out[pt]["rows"] = [int(n) for n in self.rows[pt]]
        return out

    @classmethod
    def from_json(cls, data: Any, where: str = "ranges.playing_time") -> PlayingTimeSpread:
        """From `to_json`'s form; HFMInputError naming the field when one is missing or malformed."""
        if not isinstance(data, Mapping):
            raise HFMInputError(f"{where}: not an object")
        grid = data.get("grid")
        if not isinstance(grid, list) or len(grid) != N_LEVELS or not np.allclose(grid, GRID):
            raise HFMInputError(f"{where}: field 'grid' is {grid!r}, not the {N_LEVELS} mid-bin levels {list(GRID)}")
        edges, ratio, rows = {}, {}, {}
        for pt in PLAYER_TYPES:
            block = data.get(pt)
            if not isinstance(block, Mapping):
                raise HFMInputError(f"{where}: field '{pt}' missing or not an object")
            edges[pt] = tuple(_number(v, where, f"{pt}.edges") for v in _list(block.get("edges"), where, f"{pt}.edges"))
            ratio[pt] = tuple(tuple(_number(v, where, f"{pt}.ratio") for v in _list(band, where, f"{pt}.ratio"))
                              for band in _list(block.get("ratio"), where, f"{pt}.ratio"))
            if "rows" in block:
                rows[pt] = tuple(int(_number(v, where, f"{pt}.rows")) for v in _list(block["rows"], where, f"{pt}.rows"))
        try:
            return cls(edges, ratio, str(data.get("source", "recorded")), rows or None)
        except HFMInputError as err:
            raise HFMInputError(f"{where}: {str(err).removeprefix('playing_time: ')}") from None


def _list(value: Any, where: str, field: str) -> list:
    if not isinstance(value, list):
        raise HFMInputError(f"{where}: field '{field}' missing or not a list")
    return value


def _number(value: Any, where: str, field: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or isinstance(value, bool):
        raise HFMInputError(f"{where}: field '{field}' holds {value!r}, not a number")
    return number
