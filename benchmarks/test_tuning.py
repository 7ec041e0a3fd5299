"""Tuning experiments (the cold pitcher, graphs only: Level 1 on his 30 games + Levels 2-3), with the
accuracy cost where the output can change. Each experiment times its variants interleaved with its
baseline (benchlib.timing.interleaved); table "tuning" of the summary."""

from __future__ import annotations

import numpy as np
import pytest

from benchlib.engines import OrtEngine
from benchlib.pipeline import PlayerPipeline, embed
from benchlib.players import SIDE
from benchlib.timing import interleaved
from benchlib.tuning import SESSION_VARIANTS, SessionConfig, fuse_transformer, quantize_int8

PLAYER = "pitcher"  # the costly cold case: about 3,000 pitches through Level 1
ACCURACY_PLAYERS = 24  # per player type, scored cold with both graphs for the accuracy of a variant


@pytest.fixture(scope="module")
def cold_inputs(ort_engines, featurizer, bundle, requests):
    pipe = PlayerPipeline(featurizer, bundle.identity[PLAYER], ort_engines[PLAYER])
    req = requests[PLAYER]
    table = pipe.featurize(req)
    return table.collate(), pipe.context(req, embed(pipe.engine, table))


def _run(engine: OrtEngine, batch, context):
    def run() -> np.ndarray:
        engine.level1(batch)
        return engine.level23(context)

    return run


def _record(benchmark, experiment: str, baseline: str, variants: dict, extra: dict | None = None) -> None:
    """extra: per variant, more fields for its row (accuracy, fusion counts)."""
    for name, more in (extra or {}).items():
        variants[name].update(more)
    benchmark.extra_info.update(table="tuning", experiment=experiment, baseline=baseline, variants=variants)


def test_session_options(benchmark, bundle, cold_inputs) -> None:
    runs = {v: _run(OrtEngine(bundle.graph1, bundle.graph2(PLAYER), c), *cold_inputs) for v, c in SESSION_VARIANTS.items()}
    _record(benchmark, "session options", next(iter(SESSION_VARIANTS)), interleaved(benchmark, runs))


@pytest.fixture(scope="module")
def sample(league, bundle, featurizer):
    """ACCURACY_PLAYERS players per type (most games first), their context games and identity inputs."""
    import pandas as pd

    from benchlib.pipeline import PlayerRequest
    from benchlib.players import BenchPlayer
    from hfm_runtime.identity import player_lines

    out = []
    pitches = league.pitches
    for pt in ("batter", "pitcher"):
        column = SIDE[pt]
        busiest = pitches.groupby(column)["game_pk"].nunique().sort_values(ascending=False)
        for pid in busiest.index[:ACCURACY_PLAYERS]:
            mine = pitches[pitches[column] == pid]
            games = tuple(int(g) for g in mine.drop_duplicates("game_pk").sort_values("game_date")["game_pk"].tail(30))
            rows = mine[mine["game_pk"].isin(games)].reset_index(drop=True)
            lines = player_lines(mine, pt)
            as_of = np.datetime64((rows["game_date"].max() + pd.Timedelta(days=1)).date(), "D")
            out.append(PlayerRequest(BenchPlayer(int(pid), pt, games, rows), lines, league.players, as_of))
    return out


def _rates(graph1, graph2s: dict, featurizer, bundle, sample, config=SessionConfig()) -> dict:
    engines = {pt: OrtEngine(graph1, graph2s[pt], config) for pt in ("batter", "pitcher")}
    return {
        (req.player.player_type, req.player.player_id): PlayerPipeline(
            featurizer, bundle.identity[req.player.player_type], engines[req.player.player_type]
        ).cold(req)
        for req in sample
    }


def _diff(a: dict, b: dict) -> tuple[float, float]:
    d = np.concatenate([np.abs(a[k] - b[k]).ravel() for k in a])
    return float(d.max()), float(d.mean())


@pytest.fixture(scope="module")
def rewritten(bundle, tmp_path_factory) -> dict:
    """variant -> (graph1 path, {player type: graph2 path}, notes)."""
    folder = tmp_path_factory.mktemp("tuned")
    out = {"fp32 (as exported)": (bundle.graph1, {pt: bundle.graph2(pt) for pt in ("batter", "pitcher")}, {})}
    fused1 = folder / "g1_fused.onnx"
    notes = {"fused_graph1": fuse_transformer(bundle.graph1, fused1)}
    fused2 = {}
    for pt in ("batter", "pitcher"):
        fused2[pt] = folder / f"g2_{pt}_fused.onnx"
        notes[f"fused_graph2_{pt}"] = fuse_transformer(bundle.graph2(pt), fused2[pt])
    out["transformer optimizer fusions"] = (fused1, fused2, notes)
    out["dynamic int8"] = (
        quantize_int8(bundle.graph1, folder / "g1_int8.onnx"),
        {pt: quantize_int8(bundle.graph2(pt), folder / f"g2_{pt}_int8.onnx") for pt in ("batter", "pitcher")},
        {},
    )
    return out


@pytest.fixture(scope="module")
def reference_rates(bundle, featurizer, sample) -> dict:
    return _rates(bundle.graph1, {pt: bundle.graph2(pt) for pt in ("batter", "pitcher")}, featurizer, bundle, sample)


def test_graph_rewrites(benchmark, bundle, featurizer, sample, rewritten, reference_rates, cold_inputs) -> None:
    runs = {v: _run(OrtEngine(g1, g2s[PLAYER]), *cold_inputs) for v, (g1, g2s, _) in rewritten.items()}
    accuracy = {}
    for variant, (graph1, graph2s, notes) in rewritten.items():
        worst, mean = _diff(_rates(graph1, graph2s, featurizer, bundle, sample), reference_rates)
        accuracy[variant] = dict(max_abs_diff=worst, mean_abs_diff=mean, accuracy_players=len(sample), **notes)
    _record(benchmark, "graph rewrite", next(iter(rewritten)), interleaved(benchmark, runs), accuracy)


def test_batching_players(benchmark, bundle, featurizer, sample) -> None:
    """Levels 2-3 for the sample's pitchers: one Graph-2 call per player vs batched calls (per player)."""
    from hfm_runtime.context import ContextBatch

    engine = OrtEngine(bundle.graph1, bundle.graph2(PLAYER))
    pipe = PlayerPipeline(featurizer, bundle.identity[PLAYER], engine)
    contexts = [pipe.context(req, embed(engine, pipe.featurize(req))) for req in sample if req.player.player_type == PLAYER]
    contexts = (contexts * (64 // len(contexts) + 1))[:64]

    def stack(group: list[ContextBatch]) -> ContextBatch:
        a = max(c.pa_mask.shape[2] for c in group)
        pad = lambda x: np.pad(x, [(0, 0), (0, 0), (0, a - x.shape[2])] + [(0, 0)] * (x.ndim - 3))  # noqa: E731
        return ContextBatch(
            np.concatenate([pad(c.pa_emb) for c in group]), np.concatenate([pad(c.pa_mask) for c in group]),
            np.concatenate([pad(c.pa_outcome) for c in group]), np.concatenate([c.game_mask for c in group]),
            np.concatenate([c.game_days for c in group]), np.concatenate([c.stat_features for c in group]),
            np.concatenate([c.archetype for c in group]),
        )

    def calls(per_call: int):
        batches = [stack(contexts[i:i + per_call]) for i in range(0, len(contexts), per_call)]
        return lambda: [engine.level23(b) for b in batches]

    runs = {f"{n} per call": calls(n) for n in (1, 16, 64)}
    _record(benchmark, "Graph-2 players per call (64 pitchers, total ms)", "1 per call",
            interleaved(benchmark, runs, rounds=10))
