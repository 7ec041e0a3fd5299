"""Level-1 cache: every game encoded once by the frozen encoder, stored ragged as a plain `.npz`.

Fine-tuning Levels 2/3 builds player contexts from this instead of re-running Level 1 (the fast path),
and the runtime's Level-1 cache can use the same layout. Arrays in the file (G games, N PAs, D dims;
load with `np.load(path, allow_pickle=False)`):

  pa_emb        float32 [N, D]    PA embeddings, game after game, PAs in order inside a game
  pa_offsets    int64   [G+1]     game g's PAs are rows pa_offsets[g]:pa_offsets[g+1]
  pa_outcome    int64   [N]       hfm_runtime.featurize.PA_OUTCOMES index of each PA
  game_pk, player_id, season  int64 [G];  perspective, level  unicode [G];  game_date datetime64[D] [G]
                                  (hfm_runtime.featurize.GameKeys, same order as the GameTable encoded:
                                  by perspective, player_id, game_date, game_pk -- a player's games
                                  are contiguous and oldest first)
  meta          unicode scalar    JSON: {"schema_version", "d_model", "level1_config"}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hfm_runtime.errors import HFMInputError
from hfm_runtime.featurize import GameKeys, GameTable

PA_CACHE_SCHEMA_VERSION = 1


@dataclass(frozen=True, eq=False)
class PACache:
    pa_emb: np.ndarray
    pa_offsets: np.ndarray
    pa_outcome: np.ndarray
    keys: GameKeys
    meta: dict

    def __len__(self) -> int:
        return len(self.keys)

    def game(self, g: int) -> tuple[np.ndarray, np.ndarray]:
        """(PA embeddings [A, D], PA outcomes [A]) of game g."""
        rows = slice(self.pa_offsets[g], self.pa_offsets[g + 1])
        return self.pa_emb[rows], self.pa_outcome[rows]

    def save(self, path: str | Path) -> None:
        """Write the `.npz` (no pickles); written beside and renamed, so a failure leaves nothing."""
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez(
            tmp, pa_emb=self.pa_emb, pa_offsets=self.pa_offsets, pa_outcome=self.pa_outcome,
            meta=np.array(json.dumps(self.meta)), **self.keys.to_arrays(),
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: str | Path) -> PACache:
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, ValueError) as exc:
            raise HFMInputError(f"{path}: cannot read as a PA cache (.npz): {exc}") from None
        needed = ["pa_emb", "pa_offsets", "pa_outcome", "meta", *GameKeys.__dataclass_fields__]
        missing = [k for k in needed if k not in arrays]
        if missing:
            raise HFMInputError(f"{path}: PA cache lacks array(s) {', '.join(missing)}")
        meta = json.loads(str(arrays["meta"]))
        if meta.get("schema_version") != PA_CACHE_SCHEMA_VERSION:
            raise HFMInputError(f"{path}: field schema_version is {meta.get('schema_version')!r}, "
                                f"expected {PA_CACHE_SCHEMA_VERSION}")
        cache = cls(arrays["pa_emb"], arrays["pa_offsets"], arrays["pa_outcome"],
                    GameKeys.from_arrays(arrays), meta)
        if cache.pa_offsets[-1] != len(cache.pa_emb) or len(cache.pa_offsets) != len(cache) + 1:
            raise HFMInputError(f"{path}: pa_offsets do not match pa_emb / the game keys")
        return cache


def encode_games(encoder, games: GameTable, batch_pitches: int = 16384) -> PACache:
    """Run the (frozen) encoder over every game once, batched by similar length, without gradients."""
    import torch

    from hfm_train.pretrain import length_batches

    encoder.eval()
    d = encoder.config.d_model
    pa_emb = np.zeros((int(games.pa_offsets[-1]), d), np.float32)
    # Deterministic order (no shuffling needed): the rng only breaks ties in length.
    for index in length_batches(np.arange(len(games)), games.n_pitches, batch_pitches, np.random.default_rng(0)):
        batch = games.collate(index)
        with torch.inference_mode():
            out = encoder(*(torch.from_numpy(a) for a in batch.inputs())).numpy()
        # Scatter each game's real PAs back to its rows of the ragged table.
        game, pos = np.nonzero(batch.pa_mask)
        pa_emb[games.pa_offsets[index[game]] + pos] = out[game, pos]
    meta = {"schema_version": PA_CACHE_SCHEMA_VERSION, "d_model": d, "level1_config": encoder.config.to_json()}
    return PACache(pa_emb, games.pa_offsets.copy(), games.pa_outcome.copy(), games.keys, meta)
