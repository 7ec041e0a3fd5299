"""Score one player from his Statcast rows with either engine, through the runtime's own featurizer.

Cold: featurize his context games, Level 1 on all of them, identity, context, Levels 2-3.
Warm: the older games' PA embeddings are cached; only the newest game is featurized and encoded.
Both engines share every step but the two graph calls, so their ratio isolates the graph cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hfm_runtime.context import ContextBatch, GameEmbeddings, build_context
from hfm_runtime.featurize import GameKeys, GameTable, PitchFeaturizer
from hfm_runtime.identity import IdentityModel, build_identity

from benchlib.engines import Engine
from benchlib.players import BenchPlayer


@dataclass(frozen=True)
class PlayerRequest:
    """One benchmark player with everything scoring needs already loaded (rows, lines, players table)."""

    player: BenchPlayer
    lines: pd.DataFrame  # his game lines (hfm_runtime.identity.player_lines), all levels
    players: pd.DataFrame  # players.csv rows
    as_of: np.datetime64  # the day after his last context game

    @property
    def newest_game(self) -> int:
        return self.player.games[-1]


def embed(engine: Engine, table: GameTable) -> GameEmbeddings:
    """Level 1 on every game of `table`, back to the ragged per-game store."""
    batch = table.collate()
    pa_emb = engine.level1(batch)
    return GameEmbeddings(
        pa_emb=pa_emb[batch.pa_mask], pa_outcome=table.pa_outcome,
        pa_offsets=table.pa_offsets - table.pa_offsets[0], keys=table.keys,
    )


def concat(a: GameEmbeddings, b: GameEmbeddings) -> GameEmbeddings:
    keys = GameKeys(**{f: np.concatenate([getattr(a.keys, f), getattr(b.keys, f)]) for f in GameKeys.__dataclass_fields__})
    return GameEmbeddings(
        pa_emb=np.concatenate([a.pa_emb, b.pa_emb]), pa_outcome=np.concatenate([a.pa_outcome, b.pa_outcome]),
        pa_offsets=np.concatenate([a.pa_offsets, b.pa_offsets[1:] + a.pa_offsets[-1]]), keys=keys,
    )


class PlayerPipeline:
    def __init__(self, featurizer: PitchFeaturizer, identity: IdentityModel, engine: Engine, max_games: int = 30) -> None:
        self.featurizer, self.identity, self.engine, self.max_games = featurizer, identity, engine, max_games

    def featurize(self, request: PlayerRequest, game_pks: tuple[int, ...] | None = None) -> GameTable:
        rows = request.player.pitches
        if game_pks is not None:
            rows = rows[rows["game_pk"].isin(game_pks)]
        pt = request.player.player_type
        return self.featurizer.transform(rows, perspectives=(pt,), players=[request.player.player_id])

    def context(self, request: PlayerRequest, games: GameEmbeddings) -> ContextBatch:
        """Identity profile as of the request date, then his context from `games` (Graph 2's inputs)."""
        pt, pid = request.player.player_type, request.player.player_id
        as_of = pd.DataFrame({"player_id": [pid], "as_of_date": [pd.Timestamp(request.as_of)]})
        ident = build_identity(request.lines, request.players, as_of, pt, self.identity)
        return build_context(
            games, np.array([pid]), pt, np.array([request.as_of]), ident.stat_features, ident.archetype,
            max_games=self.max_games,
        )

    def project(self, request: PlayerRequest, games: GameEmbeddings) -> np.ndarray:
        return self.engine.level23(self.context(request, games))

    def cold(self, request: PlayerRequest) -> np.ndarray:
        return self.project(request, embed(self.engine, self.featurize(request)))

    def cache(self, request: PlayerRequest) -> GameEmbeddings:
        """The Level-1 cache of every context game but the newest (what warm scoring starts from)."""
        return embed(self.engine, self.featurize(request, request.player.games[:-1]))

    def warm(self, request: PlayerRequest, cached: GameEmbeddings) -> np.ndarray:
        new = embed(self.engine, self.featurize(request, (request.newest_game,)))
        return self.project(request, concat(cached, new))
