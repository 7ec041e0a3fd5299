"""Per-player latency: a batter and a pitcher with 30 games of context, cold and warm, ORT and PyTorch.

scope "e2e"     featurization from his Statcast rows (PitchFeaturizer, identity profile, context
                assembly) + the graphs; the same code for both engines (benchlib.pipeline).
scope "model"   the graph calls only, on inputs featurized beforehand (cold: Level 1 on all 30 games +
                Levels 2-3; warm: Level 1 on the newest game + Levels 2-3).
scope "level1" / "level23"   one graph alone, cold shapes, with its FLOPs for the distance-from-peak table.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchlib.flops import count_matmul_flops
from benchlib.pipeline import PlayerPipeline, embed
from benchlib.timing import measure

PLAYERS = ("batter", "pitcher")
PHASES = ("cold", "warm")
ENGINES = ("onnxruntime", "torch")


@pytest.fixture(scope="module")
def pipelines(engines, featurizer, bundle) -> dict:
    """engine -> player type -> PlayerPipeline."""
    return {
        name: {pt: PlayerPipeline(featurizer, bundle.identity[pt], by_type[pt]) for pt in PLAYERS}
        for name, by_type in engines.items()
    }


@pytest.fixture(scope="module")
def inputs(pipelines, requests) -> dict:
    """Pre-featurized graph inputs per (player, phase), built with the ORT pipeline."""
    out = {}
    for pt in PLAYERS:
        pipe, req = pipelines["onnxruntime"][pt], requests[pt]
        cold_table = pipe.featurize(req)
        context = pipe.context(req, embed(pipe.engine, cold_table))
        out[pt, "cold"] = (cold_table.collate(), context)
        out[pt, "warm"] = (pipe.featurize(req, (req.newest_game,)).collate(), context)
    return out


@pytest.fixture(scope="module")
def gflop(bundle, ort_engines, inputs) -> dict:
    """(player, phase, graph) -> GFLOP executed by that graph at the benchmark shapes."""
    out = {}
    for (pt, phase), (batch, context) in inputs.items():
        engine = ort_engines[pt]
        out[pt, phase, "level1"] = count_matmul_flops(bundle.graph1, engine.level1_feeds(batch)).gflop
        out[pt, phase, "level23"] = count_matmul_flops(bundle.graph2(pt), engine.level23_feeds(context)).gflop
    return out


def _shape(batch, context) -> str:
    return (f"L1 [{batch.pitch_mask.shape[0]} games x {batch.pitch_mask.shape[1]} pitches, "
            f"{int(batch.pitch_mask.sum())} real]; L2/3 [{context.pa_mask.shape[1]} games x {context.pa_mask.shape[2]} PAs]")


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("player", PLAYERS)
def test_player_e2e(benchmark, pipelines, requests, inputs, engine, phase, player) -> None:
    pipe, req = pipelines[engine][player], requests[player]
    if phase == "cold":
        rates = measure(benchmark, lambda: pipe.cold(req))
    else:
        cached = pipe.cache(req)
        rates = measure(benchmark, lambda: pipe.warm(req, cached))
    benchmark.extra_info.update(table="latency", player=player, phase=phase, engine=engine, scope="e2e",
                                shape=_shape(*inputs[player, phase]), player_id=req.player.player_id,
                                context=req.player.shape)
    assert np.isfinite(rates).all()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("phase", PHASES)
@pytest.mark.parametrize("player", PLAYERS)
def test_player_model(benchmark, engines, inputs, gflop, engine, phase, player) -> None:
    eng = engines[engine][player]
    batch, context = inputs[player, phase]

    def run() -> np.ndarray:
        eng.level1(batch)
        return eng.level23(context)

    rates = measure(benchmark, run)
    benchmark.extra_info.update(table="latency", player=player, phase=phase, engine=engine, scope="model",
                                graph="level1+level23",
                                gflop=gflop[player, phase, "level1"] + gflop[player, phase, "level23"])
    assert np.isfinite(rates).all()


@pytest.mark.parametrize("graph", ("level1", "level23"))
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("player", PLAYERS)
def test_graph_cold(benchmark, engines, inputs, gflop, engine, player, graph) -> None:
    eng = engines[engine][player]
    batch, context = inputs[player, "cold"]
    run = (lambda: eng.level1(batch)) if graph == "level1" else (lambda: eng.level23(context))
    out = measure(benchmark, run)
    benchmark.extra_info.update(table="latency", player=player, phase="cold", engine=engine, scope=graph,
                                graph=graph, gflop=gflop[player, "cold", graph])
    assert np.isfinite(out).all()


def test_engines_agree(pipelines, requests) -> None:
    """Not timed: the two engines must project the same rates, or the ratio compares different work."""
    for pt in PLAYERS:
        ort_rates = pipelines["onnxruntime"][pt].cold(requests[pt])
        torch_rates = pipelines["torch"][pt].cold(requests[pt])
        np.testing.assert_allclose(ort_rates, torch_rates, atol=1e-4)
