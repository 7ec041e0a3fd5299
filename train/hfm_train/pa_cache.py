"""Level-1 cache: every game encoded once by the frozen encoder, kept as the runtime's `GameEmbeddings`
and stored as a plain `.npz` (load with `np.load(path, allow_pickle=False)`).

Fine-tuning Levels 2/3 builds player contexts from it instead of re-running Level 1 (the fast path).
File arrays: those of `GameEmbeddings.to_arrays` (pa_emb float32 [N, D], pa_outcome int64 [N],
pa_offsets int64 [G+1], the GameKeys fields [G] -- games by perspective, player_id, game_date, game_pk,
so a player's games are contiguous and oldest first) plus `meta`, a JSON string
{"schema_version", "d_model", "level1_config"}.

A fit that reads no Level-1 output (the wide path alone: 0 fine-tuning epochs, as every real-league
fit) keeps a cache of zeros instead (`zero_pa_cache`): the games, their PAs and outcomes, which the
examples and the evaluation read, and PA embeddings all zero. Its file holds no `pa_emb` array and
its meta says `"pa_emb": "zeros"`; `load_pa_cache` rebuilds the zeros, and `is_zero_cache` tells a
run that needs real embeddings (`--level1-from` such a run with the deep part on) to encode them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from hfm_runtime.context import GameEmbeddings
from hfm_runtime.errors import HFMInputError
from hfm_runtime.featurize import GameTable

PA_CACHE_SCHEMA_VERSION = 1


def save_pa_cache(games: GameEmbeddings, path: str | Path, level1_config: dict[str, Any],
                  zeros: bool = False) -> None:
    """Write the `.npz` (no pickles); written beside and renamed, so a failure leaves nothing.
    zeros: a `zero_pa_cache` (module docstring): its PA embeddings are not written."""
    path = Path(path)
    meta = {"schema_version": PA_CACHE_SCHEMA_VERSION, "d_model": games.d_pa, "level1_config": level1_config,
            **({"pa_emb": "zeros"} if zeros else {})}
    arrays = games.to_arrays()
    if zeros:
        del arrays["pa_emb"]
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez(tmp, meta=np.array(json.dumps(meta)), **arrays)
    tmp.replace(path)


def zero_pa_cache(games: GameTable, d_model: int) -> GameEmbeddings:
    """`games` as a PA cache with every embedding zero (module docstring), without running Level 1."""
    pa_emb = np.zeros((int(games.pa_offsets[-1]), d_model), np.float32)  # untouched pages cost no memory
    return GameEmbeddings(pa_emb, games.pa_outcome.copy(), games.pa_offsets.copy(), games.keys)


def is_zero_cache(path: str | Path) -> bool:
    """Whether the cache at `path` is a `zero_pa_cache` (reads its meta only)."""
    with np.load(Path(path), allow_pickle=False) as data:
        return json.loads(str(data["meta"])).get("pa_emb") == "zeros"


def load_pa_cache(path: str | Path) -> GameEmbeddings:
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError) as exc:
        raise HFMInputError(f"{path}: cannot read as a PA cache (.npz): {exc}") from None
    if "meta" not in arrays:
        raise HFMInputError(f"{path}: PA cache lacks array meta")
    meta = json.loads(str(arrays["meta"]))
    version = meta.get("schema_version")
    if version != PA_CACHE_SCHEMA_VERSION:
        raise HFMInputError(f"{path}: field schema_version is {version!r}, expected {PA_CACHE_SCHEMA_VERSION}")
    if meta.get("pa_emb") == "zeros" and "pa_offsets" in arrays:
        arrays["pa_emb"] = np.zeros((int(arrays["pa_offsets"][-1]), int(meta["d_model"])), np.float32)
    try:
        return GameEmbeddings.from_arrays(arrays)
    except HFMInputError as exc:
        raise HFMInputError(f"{path}: {exc}") from None


def encode_games(encoder, games: GameTable, batch_pitches: int = 16384, progress: bool = False) -> GameEmbeddings:
    """Run the (frozen) encoder over every game once, batched by similar length, without gradients,
    in float32 on the session's device (hfm_train.distributed; the encoder is moved there and back)."""
    import torch
    from tqdm.auto import tqdm

    from hfm_train import distributed
    from hfm_train.pretrain import length_batches

    session = distributed.current()
    encoder.eval()
    home = next(encoder.parameters()).device
    encoder.to(session.device)
    pa_emb = np.zeros((int(games.pa_offsets[-1]), encoder.config.d_model), np.float32)
    # Deterministic order (no shuffling needed): the rng only breaks ties in length.
    batches = length_batches(np.arange(len(games)), games.n_pitches, batch_pitches, np.random.default_rng(0))
    try:
        for index in tqdm(batches, desc="encode PA cache", disable=not (progress and session.is_main), leave=False):
            batch = games.collate(index)
            with torch.inference_mode():
                out = encoder(*(torch.from_numpy(a).to(session.device) for a in batch.inputs())).cpu().numpy()
            # Scatter each game's real PAs back to its rows of the ragged table.
            game, pos = np.nonzero(batch.pa_mask)
            pa_emb[games.pa_offsets[index[game]] + pos] = out[game, pos]
    finally:
        encoder.to(home)
    return GameEmbeddings(pa_emb, games.pa_outcome.copy(), games.pa_offsets.copy(), games.keys)
