"""Benchmark fixtures: the default artifacts, thread settings, and the summary written after a run.

`pytest benchmarks` (or `make bench`) measures the default artifacts: `artifacts/bundle` (hfm-export),
`artifacts/runs/default` (hfm-train) and `artifacts/league` (hfm-train simulate). Point elsewhere with
HFM_BENCH_BUNDLE / HFM_BENCH_RUN / HFM_BENCH_LEAGUE. A missing artifact skips the benchmarks that need
it, naming the command that builds it. The unit suite (`tests/`) never collects this folder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchlib import SETUP, THREADS
from benchlib.summary import render

ROOT = Path(__file__).resolve().parent.parent


def _artifact(env: str, default: str, builder: str) -> Path:
    path = Path(os.environ.get(env, ROOT / default))
    if not path.exists():
        pytest.skip(f"{path} is missing: build it with `{builder}` (or set {env})")
    return path


@pytest.fixture(scope="session")
def run_dir() -> Path:
    return _artifact("HFM_BENCH_RUN", "artifacts/runs/default", "hfm-train")


@pytest.fixture(scope="session")
def league_dir() -> Path:
    return _artifact("HFM_BENCH_LEAGUE", "artifacts/league", "hfm-train simulate")


@pytest.fixture(scope="session", autouse=True)
def _pin_threads() -> None:
    """numpy/BLAS and torch on THREADS threads for the whole run (ORT sessions set their own)."""
    from threadpoolctl import threadpool_limits

    limits = threadpool_limits(limits=THREADS)
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        previous = torch.get_num_threads()
        torch.set_num_threads(THREADS)
    yield
    if torch is not None:
        torch.set_num_threads(previous)
    limits.restore_original_limits()


def pytest_benchmark_update_json(config: pytest.Config, benchmarks: list, output_json: dict) -> None:
    """Write summary.md beside the JSON report (<name>_summary.md beside <name>.json other than
    latest.json, e.g. `make bench-real`'s real.json), from this run's figures only."""
    output_json["hfm_setup"] = dict(SETUP)
    json_path = config.getoption("benchmark_json")
    if json_path is not None:
        stem = Path(json_path).stem
        name = "summary.md" if stem == "latest" else f"{stem}_summary.md"
        Path(json_path).with_name(name).write_text(render(output_json))


# --- what the benchmarks measure (session-scoped: loaded once per run) ----------------------------
@pytest.fixture(scope="session")
def league(league_dir: Path):
    from hfm_runtime.league import load_league

    return load_league(league_dir)


@pytest.fixture(scope="session")
def requests(league):
    from benchlib.setup import player_requests

    return player_requests(league)


@pytest.fixture(scope="session")
def bundle(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The default bundle; with HFM_BENCH_STANDIN=1 and no bundle, a random-weight stand-in of the
    default size built from the league (benchlib.standin)."""
    from hfm_runtime.bundle import load_bundle

    path = Path(os.environ.get("HFM_BENCH_BUNDLE", ROOT / "artifacts/bundle"))
    if path.exists():
        SETUP["bundle"] = f"trained bundle {path}"
        return load_bundle(path)
    if os.environ.get("HFM_BENCH_STANDIN") == "1":
        from benchlib.standin import build_standin

        SETUP["bundle"] = "stand-in: random weights at the default model size (HFM_BENCH_STANDIN=1)"
        return build_standin(request.getfixturevalue("league"), tmp_path_factory.mktemp("standin"))
    pytest.skip(f"{path} is missing: build it with `hfm-export` (or set HFM_BENCH_BUNDLE, or "
                "HFM_BENCH_STANDIN=1 for random weights at the default size)")


@pytest.fixture(scope="session")
def featurizer(bundle):
    from hfm_runtime.featurize import PitchFeaturizer

    return PitchFeaturizer.from_json(bundle.featurizer)


@pytest.fixture(scope="session")
def ort_engines(bundle) -> dict:
    from benchlib.engines import OrtEngine

    return {pt: OrtEngine(bundle.graph1, bundle.graph2(pt)) for pt in ("batter", "pitcher")}


@pytest.fixture(scope="session")
def torch_engines(request: pytest.FixtureRequest, bundle) -> dict:
    """The same weights as eager PyTorch modules, per player type."""
    pytest.importorskip("torch", reason="the PyTorch comparison needs torch (the training environment)")
    from benchlib.engines import TorchEngine

    if hasattr(bundle, "modules"):  # the stand-in carries its modules
        return {pt: TorchEngine(*bundle.modules[pt]) for pt in ("batter", "pitcher")}
    from benchlib.torch_models import load_torch_engines

    return load_torch_engines(request.getfixturevalue("run_dir"))


@pytest.fixture(scope="session")
def engines(ort_engines: dict, torch_engines: dict) -> dict:
    """engine name -> player type -> engine."""
    return {"onnxruntime": ort_engines, "torch": torch_engines}
