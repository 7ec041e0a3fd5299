"""A player's Level 2/3 input, `ContextBatch`, from per-game PA embeddings. Training and scoring share it.

Per request (player_id, perspective, as_of_date) the context is the player's up to `max_games` most
recent games from that perspective strictly BEFORE the as-of date, across seasons and levels, oldest
first and right-padded; `game_days` counts days since the first context game (real-valued gaps: off
days and the winter stay visible). See hfm_runtime.featurize's CONTRACT for the shapes.

`GameEmbeddings` is the ragged per-game store that Level 1 (Graph 1) produces: every PA embedding of
every game, concatenated, with `pa_offsets` delimiting the games and `GameKeys` naming them. Training
keeps one for the whole league (the PA cache); the runtime builds one for the games it scores.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from hfm_runtime.errors import HFMInputError
from hfm_runtime.featurize import PERSPECTIVES, GameKeys

_DAY_BITS, _DAY_OFFSET = 20, 1 << 19  # key = (perspective, player_id) << 20 | (days since 1970 + offset)


@dataclass(frozen=True, eq=False)
class GameEmbeddings:
    """Ragged PA embeddings of G games (N_pa PAs in all)."""

    pa_emb: np.ndarray  # float32 [N_pa, D]
    pa_outcome: np.ndarray  # int64 [N_pa], PA_OUTCOMES index
    pa_offsets: np.ndarray  # int64 [G+1]: game g's PAs are rows pa_offsets[g]:pa_offsets[g+1]
    keys: GameKeys  # [G]

    def __post_init__(self) -> None:
        g = len(self.keys)
        if self.pa_offsets.shape != (g + 1,) or int(self.pa_offsets[-1]) != len(self.pa_emb) or (
            len(self.pa_outcome) != len(self.pa_emb)
        ):
            raise HFMInputError(
                f"GameEmbeddings: {g} games need {g + 1} pa_offsets ending at the {len(self.pa_emb)} PA rows "
                f"(got {self.pa_offsets.shape} offsets, {len(self.pa_outcome)} outcomes)"
            )
        # one sort key per game, and the games in key order, for binary search
        key = _game_key(self.keys.perspective, self.keys.player_id, self.keys.game_date)
        order = np.argsort(key, kind="stable")
        object.__setattr__(self, "_order", order)
        object.__setattr__(self, "_sorted_key", key[order])

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def d_pa(self) -> int:
        return int(self.pa_emb.shape[1])

    @property
    def n_pas(self) -> np.ndarray:
        return np.diff(self.pa_offsets)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Plain arrays for `np.savez` (no pickles): pa_emb, pa_outcome, pa_offsets and the GameKeys
        fields (the training PA cache file, hfm_train.pa_cache)."""
        return {"pa_emb": self.pa_emb, "pa_outcome": self.pa_outcome, "pa_offsets": self.pa_offsets,
                **self.keys.to_arrays()}

    @classmethod
    def from_arrays(cls, arrays) -> GameEmbeddings:
        """From `to_arrays`' arrays, e.g. `np.load(pa_cache.npz, allow_pickle=False)`."""
        try:
            return cls(
                pa_emb=np.asarray(arrays["pa_emb"], dtype=np.float32),
                pa_outcome=np.asarray(arrays["pa_outcome"], dtype=np.int64),
                pa_offsets=np.asarray(arrays["pa_offsets"], dtype=np.int64),
                keys=GameKeys.from_arrays(arrays),
            )
        except KeyError as exc:
            raise HFMInputError(f"PA embeddings: array {exc} missing") from None

    def context_index(
        self, player_id: np.ndarray, perspective: np.ndarray | str, as_of_date: np.ndarray, max_games: int
    ) -> np.ndarray:
        """int64 [N, max_games]: game rows of each request's context, oldest first, -1 on padding."""
        n = len(player_id)
        persp = np.broadcast_to(np.asarray(perspective, dtype=object), (n,))
        hi_key = _game_key(persp, np.asarray(player_id), np.asarray(as_of_date))
        lo_key = (hi_key >> _DAY_BITS) << _DAY_BITS  # the player's first possible day
        if len(self) == 0:  # an empty store: every context is empty
            return np.full((n, max_games), -1, np.int64)
        hi = np.searchsorted(self._sorted_key, hi_key, side="left")  # strictly before the as-of date
        lo = np.maximum(np.searchsorted(self._sorted_key, lo_key, side="left"), hi - max_games)
        pos = lo[:, None] + np.arange(max_games)[None, :]
        valid = pos < hi[:, None]
        return np.where(valid, self._order[np.minimum(pos, len(self._order) - 1)], -1).astype(np.int64)


@dataclass(frozen=True, eq=False)
class ContextBatch:
    """Graph 2's inputs for B players (see hfm_runtime.featurize's CONTRACT), in graph input order."""

    pa_emb: np.ndarray  # float32 [B, T, A, D]
    pa_mask: np.ndarray  # bool [B, T, A]
    pa_outcome: np.ndarray  # int64 [B, T, A]
    game_mask: np.ndarray  # bool [B, T]
    game_days: np.ndarray  # float32 [B, T]
    stat_features: np.ndarray  # float32 [B, F]
    archetype: np.ndarray  # int64 [B]

    def __len__(self) -> int:
        return len(self.archetype)

    def inputs(self) -> dict[str, np.ndarray]:
        """name -> array, in Graph 2's input order (feed for onnxruntime)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def empty_context(stat_features: np.ndarray, archetype: np.ndarray, d_pa: int, games: int = 1) -> ContextBatch:
    """Graph 2's inputs for players with no context game: `games` padded games of one padded PA slot
    each, every mask off (what a player type whose rates read no context is scored with)."""
    b = len(archetype)
    return ContextBatch(np.zeros((b, games, 1, d_pa), np.float32), np.zeros((b, games, 1), bool),
                        np.zeros((b, games, 1), np.int64), np.zeros((b, games), bool),
                        np.zeros((b, games), np.float32), np.asarray(stat_features, dtype=np.float32),
                        np.asarray(archetype, dtype=np.int64))


def gather_context(
    games: GameEmbeddings,
    game_index: np.ndarray,
    stat_features: np.ndarray,
    archetype: np.ndarray,
    max_pas: int | None = None,
) -> ContextBatch:
    """Pad the games of `game_index` ([B, T], -1 = padding; `context_index`) into a ContextBatch.

    A is the most PAs of any selected game (at least 1), or `max_pas` if given (later PAs dropped).
    """
    game_index = np.asarray(game_index, dtype=np.int64)
    b, t = game_index.shape
    stat_features = np.asarray(stat_features, dtype=np.float32)
    archetype = np.asarray(archetype, dtype=np.int64)
    if stat_features.ndim != 2 or len(stat_features) != b or archetype.shape != (b,):
        raise HFMInputError(
            f"context: {b} players need stat_features [{b}, F] and archetype [{b}], "
            f"got {stat_features.shape} and {archetype.shape}"
        )
    game_mask = game_index >= 0
    if not game_mask.any():  # no context at all (possibly an empty store): one padded PA slot
        return empty_context(stat_features, archetype, games.d_pa, t)
    g = np.where(game_mask, game_index, 0)
    n_pa = np.where(game_mask, games.n_pas[g], 0)
    a = max(int(n_pa.max(initial=0)), 1)
    if max_pas is not None:
        a = min(a, max_pas)
        n_pa = np.minimum(n_pa, a)
    pa_mask = np.arange(a)[None, None, :] < n_pa[..., None]
    rows = (games.pa_offsets[g][..., None] + np.arange(a))[pa_mask]  # only the real PAs are gathered
    pa_emb = np.zeros((b, t, a, games.d_pa), np.float32)
    pa_emb[pa_mask] = games.pa_emb[rows]
    pa_outcome = np.zeros((b, t, a), np.int64)
    pa_outcome[pa_mask] = games.pa_outcome[rows]

    days = games.keys.game_date[g].astype("datetime64[D]").astype(np.int64).astype(np.float64)
    first = days[:, :1]
    game_days = np.where(game_mask, days - first, 0.0).astype(np.float32)
    return ContextBatch(pa_emb, pa_mask, pa_outcome, game_mask, game_days, stat_features, archetype)


def build_context(
    games: GameEmbeddings,
    player_id: np.ndarray,
    perspective: np.ndarray | str,
    as_of_date: np.ndarray,
    stat_features: np.ndarray,
    archetype: np.ndarray,
    max_games: int = 30,
    max_pas: int | None = None,
) -> ContextBatch:
    """Context of every request in one call: `context_index` then `gather_context`."""
    index = games.context_index(player_id, perspective, as_of_date, max_games)
    return gather_context(games, index, stat_features, archetype, max_pas)


def _game_key(perspective: np.ndarray, player_id: np.ndarray, dates: np.ndarray) -> np.ndarray:
    persp = np.asarray(perspective, dtype=object)
    code = np.zeros(len(persp), np.int64)
    for i, p in enumerate(PERSPECTIVES):
        code[persp == p] = i
    bad = ~np.isin(persp, PERSPECTIVES)
    if bad.any():
        raise HFMInputError(f"context: perspective {persp[np.argmax(bad)]!r} is not one of {PERSPECTIVES}")
    ids = np.asarray(player_id, dtype=np.int64)
    if (ids < 0).any() or (ids >= 1 << 40).any():
        raise HFMInputError("context: player_id out of range [0, 2**40)")
    days = np.asarray(dates).astype("datetime64[D]").astype(np.int64) + _DAY_OFFSET
    if (days < 0).any() or (days >= 1 << _DAY_BITS).any():
        raise HFMInputError("context: game_date / as_of_date out of range")
    return (code << 60) | (ids << _DAY_BITS) | days
