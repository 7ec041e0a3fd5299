"""Context assembly from a ragged PA-embedding store equals a hand-built ContextBatch."""

from __future__ import annotations

import numpy as np
import pytest

from hfm_runtime.context import GameEmbeddings, build_context
from hfm_runtime.errors import HFMInputError
from hfm_runtime.featurize import GameKeys

D = 3


def store() -> GameEmbeddings:
    # games deliberately NOT in key order; player 7 bats in 4 games, player 9 pitches in 2, 7 pitches in 1
    games = [  # (player, perspective, date, n_pa)
        (7, "batter", "2020-05-03", 2),
        (9, "pitcher", "2020-05-01", 3),
        (7, "batter", "2020-05-01", 1),
        (7, "batter", "2021-04-10", 4),
        (7, "pitcher", "2020-05-02", 2),
        (7, "batter", "2020-05-10", 3),
        (9, "pitcher", "2020-06-01", 1),
    ]
    n_pa = np.array([g[3] for g in games])
    offsets = np.concatenate([[0], np.cumsum(n_pa)])
    emb = np.arange(offsets[-1] * D, dtype=np.float32).reshape(-1, D)
    outcome = (np.arange(offsets[-1]) % 9 + 1).astype(np.int64)
    keys = GameKeys(
        game_pk=np.arange(100, 100 + len(games), dtype=np.int64),
        player_id=np.array([g[0] for g in games], dtype=np.int64),
        perspective=np.array([g[1] for g in games], dtype=object),
        game_date=np.array([g[2] for g in games], dtype="datetime64[D]"),
        season=np.array([int(g[2][:4]) for g in games], dtype=np.int64),
        level=np.array(["MLB"] * len(games), dtype=object),
    )
    return GameEmbeddings(emb, outcome, offsets.astype(np.int64), keys)


def test_context_equals_hand_built_batch():
    s = store()
    stat = np.ones((3, 2), np.float32)
    batch = build_context(
        s, np.array([7, 9, 7]), np.array(["batter", "pitcher", "batter"], dtype=object),
        np.array(["2021-04-10", "2020-07-01", "2020-05-01"], dtype="datetime64[D]"), stat,
        np.array([1, 2, 3]), max_games=2,
    )
    # player 7 batting before 2021-04-10: his last two games are 05-03 (game row 0) and 05-10 (row 5)
    # player 9 pitching before 2020-07-01: rows 1 and 6; player 7 before 2020-05-01: nothing
    off = s.pa_offsets
    A = 3
    want_emb = np.zeros((3, 2, A, D), np.float32)
    want_mask = np.zeros((3, 2, A), bool)
    want_out = np.zeros((3, 2, A), np.int64)
    for b, rows in enumerate([[0, 5], [1, 6], []]):
        for t, g in enumerate(rows):
            n = off[g + 1] - off[g]
            want_emb[b, t, :n] = s.pa_emb[off[g]:off[g + 1]]
            want_out[b, t, :n] = s.pa_outcome[off[g]:off[g + 1]]
            want_mask[b, t, :n] = True
    np.testing.assert_array_equal(batch.pa_emb, want_emb)
    np.testing.assert_array_equal(batch.pa_mask, want_mask)
    np.testing.assert_array_equal(batch.pa_outcome, want_out)
    np.testing.assert_array_equal(batch.game_mask, [[True, True], [True, True], [False, False]])
    np.testing.assert_array_equal(batch.game_days, [[0, 7], [0, 31], [0, 0]])
    np.testing.assert_array_equal(batch.archetype, [1, 2, 3])
    assert list(batch.inputs()) == [
        "pa_emb", "pa_mask", "pa_outcome", "game_mask", "game_days", "stat_features", "archetype",
    ]


def test_context_is_strictly_before_as_of_and_spans_seasons():
    s = store()
    idx = s.context_index(np.array([7, 7]), "batter",
                          np.array(["2020-05-10", "2030-01-01"], dtype="datetime64[D]"), max_games=5)
    np.testing.assert_array_equal(idx[0], [2, 0, -1, -1, -1])  # not the 05-10 game itself
    np.testing.assert_array_equal(idx[1], [2, 0, 5, 3, -1])  # 2020 and 2021, oldest first


def test_max_pas_truncates_and_bad_perspective_is_refused():
    s = store()
    batch = build_context(s, np.array([7]), "batter", np.array(["2030-01-01"], dtype="datetime64[D]"),
                          np.zeros((1, 2)), np.zeros(1), max_games=4, max_pas=2)
    assert batch.pa_emb.shape == (1, 4, 2, D) and batch.pa_mask.sum() == 1 + 2 + 2 + 2
    with pytest.raises(HFMInputError):
        s.context_index(np.array([7]), "catcher", np.array(["2030-01-01"], dtype="datetime64[D]"), 3)


def test_round_trip_through_plain_arrays(tmp_path):
    s = store()
    np.savez(tmp_path / "c.npz", **s.to_arrays())
    with np.load(tmp_path / "c.npz", allow_pickle=False) as data:
        back = GameEmbeddings.from_arrays(data)
    idx = np.array(["2030-01-01"], dtype="datetime64[D]")
    np.testing.assert_array_equal(back.context_index(np.array([9]), "pitcher", idx, 3),
                                  s.context_index(np.array([9]), "pitcher", idx, 3))


def test_empty_store_gives_empty_contexts():
    empty = GameEmbeddings(np.zeros((0, D), np.float32), np.zeros(0, np.int64), np.zeros(1, np.int64),
                           GameKeys.from_arrays({k: v[:0] for k, v in store().keys.to_arrays().items()}))
    batch = build_context(empty, np.array([7, 9]), "batter", np.array(["2030-01-01"] * 2, dtype="datetime64[D]"),
                          np.zeros((2, 2)), np.zeros(2), max_games=3)
    assert batch.game_mask.shape == (2, 3) and not batch.game_mask.any() and not batch.pa_mask.any()
