"""The runtime wheel in a venv WITHOUT torch scores the tiny league from the tiny bundle, and its projections
equal the PyTorch model's; twice: with the OLDEST versions of numpy, pandas, onnxruntime and pyarrow that
runtime/pyproject.toml declares (each pinned to its floor), and with the NEWEST the package index has.
In each, the stateful store (hfm-score --store) scores as the History path does, and in the oldest a
too-old onnxruntime (one below the bundle's `runtime.onnxruntime_min`) refuses the bundle with a clear
error. (Slow: builds a wheel and pip-installs into the venvs; the venvs are kept under
artifacts/wheel-venvs/, keyed by the pins and Python version, the newest one per ISO week, so later
runs only reinstall the wheel.)"""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
VENVS = ROOT / "artifacts" / "wheel-venvs"
TOLERANCE = 1e-4
STORE_TOLERANCE = 1e-6
TOO_OLD_ORT = "1.17.3"  # the last release before the IR version-10 graphs torch 2.13 exports

pytestmark = pytest.mark.slow


def run(cmd: list, expect: int = 0, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert done.returncode == expect, (
        f"{cmd[:3]} exited {done.returncode}, expected {expect}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return done


def declared_floors() -> dict[str, str]:
    """name -> X for every `name>=X` the runtime's pyproject declares (dependencies and extras), but
    the `report` extra's: the HTML report is not scoring (tests/test_report.py renders it with the
    development venv's plotly)."""
    text = (ROOT / "runtime" / "pyproject.toml").read_text()
    project = text[text.index("[project]"):]  # not [build-system]'s setuptools
    report = re.search(r"^report\s*=\s*\[(.*?)\]", project, re.MULTILINE)
    skip = set(re.findall(r'"([A-Za-z0-9_.-]+)>=', report.group(1))) if report else set()
    return {k: v for k, v in re.findall(r'"([A-Za-z0-9_.-]+)>=([0-9][0-9.]*)"', project) if k not in skip}


def requirements(kind: str) -> list[str]:
    floors = declared_floors()
    assert {"numpy", "pandas", "onnxruntime", "pyarrow"} <= set(floors), floors
    return [f"{name}=={v}" if kind == "oldest" else name for name, v in sorted(floors.items())]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "runtime"  # build from a copy: the shared tree gets no build/ or egg-info
    shutil.copytree(ROOT / "runtime", source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp / "wheels", source])
    (built,) = (tmp / "wheels").glob("hfm_runtime-*.whl")
    return built


@pytest.fixture(scope="module", params=["oldest", "newest"])
def torch_free_venv(request: pytest.FixtureRequest, wheel: Path) -> tuple[str, Path]:
    """(kind, venv folder): the pinned packages installed once per key, the wheel reinstalled each run."""
    kind = request.param
    pins = requirements(kind)
    key_text = f"{sys.version_info[:2]} {pins}" + (f" {datetime.date.today().isocalendar()[:2]}" if kind == "newest" else "")
    env_dir = VENVS / f"{kind}-{hashlib.sha256(key_text.encode()).hexdigest()[:12]}"
    py = env_dir / "bin" / "python"
    ready = env_dir / ".hfm-ready"
    if not ready.is_file():
        shutil.rmtree(env_dir, ignore_errors=True)
        venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(env_dir)
        run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", *pins])
        ready.write_text(key_text)
    run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", "--force-reinstall", wheel])
    return kind, env_dir


def installed(py: Path, names: list[str]) -> dict[str, str]:
    out = run([py, "-c", "import importlib.metadata as m, sys; print(' '.join(m.version(n) for n in sys.argv[1:]))", *names])
    return dict(zip(names, out.stdout.split()))


def test_wheel_scores_in_a_venv_without_torch(torch_free_venv, tiny_bundle: Path, tiny_league: Path,
                                              tiny_torch_projection, max_diff_from_torch, tmp_path: Path):
    kind, env_dir = torch_free_venv
    py, score = env_dir / "bin" / "python", env_dir / "bin" / "hfm-score"
    probe = run([py, "-c", "import importlib.util as u; print(u.find_spec('torch') is None, u.find_spec('sklearn') is None)"])
    assert probe.stdout.split() == ["True", "True"], "the venv must not have torch or scikit-learn"
    floors = declared_floors()
    versions = installed(py, sorted(floors))
    print(f"{kind} venv: {versions}")
    if kind == "oldest":
        assert all(tuple(map(int, versions[n].split(".")[:3])) == tuple(map(int, (v + ".0.0").split(".")[:3]))
                   for n, v in floors.items()), (versions, floors)

    season, ref = tiny_torch_projection
    out = tmp_path / "scores.csv"
    ids = ",".join(str(i) for i in sorted(set(ref.index.get_level_values("player_id"))))
    run([score, "--bundle", tiny_bundle, "--league", tiny_league, "--season", season, "--players", ids,
         "--format", "csv", "--out", out], cwd=tmp_path)
    worst = max_diff_from_torch(pd.read_csv(out))
    print(f"{kind} venv: max |onnxruntime - torch| = {worst:.2e}")
    assert worst < TOLERANCE, worst

    # the printed table works there too (the README's last step)
    shown = run([score, "--bundle", tiny_bundle, "--league", tiny_league], cwd=tmp_path)
    assert shown.stdout.startswith("training data: ") and shown.stdout.splitlines()[1].startswith("HFM projections for ")
    assert pd.read_fwf(io.StringIO(shown.stdout), skiprows=[0, 1, 2, 4]).shape[0] > 10

    # the store: built, saved, loaded warm, and scoring as the History path does, in this venv
    history = run([score, "--bundle", tiny_bundle, "--league", tiny_league, "--format", "csv", "--as-of", f"{season}-12-31",
                   "--season", season], cwd=tmp_path)
    stored = [run([score, "--bundle", tiny_bundle, "--league", tiny_league, "--format", "csv", "--as-of", f"{season}-12-31",
                   "--season", season, "--store", tmp_path / "state"], cwd=tmp_path) for _ in range(2)]
    assert "already held" in stored[1].stderr and stored[0].stdout == stored[1].stdout
    a, b = pd.read_csv(io.StringIO(stored[1].stdout)), pd.read_csv(io.StringIO(history.stdout))
    numbers = [c for c in a.columns if c.split("_")[0] in ("marcel", "model", "rate")]
    assert (a["flag"] == b["flag"]).all() and ((a[numbers] - b[numbers]).abs().max().max() < STORE_TOLERANCE)


def test_a_too_old_onnxruntime_refuses_the_bundle(torch_free_venv, tiny_bundle: Path, tiny_league: Path, tmp_path: Path):
    kind, env_dir = torch_free_venv
    if kind != "oldest":
        pytest.skip("checked in the oldest venv")
    import json

    need = json.loads((tiny_bundle / "manifest.json").read_text())["runtime"]["onnxruntime_min"]
    assert tuple(map(int, TOO_OLD_ORT.split("."))) < tuple(map(int, need.split(".")))
    py = env_dir / "bin" / "python"
    floor = declared_floors()["onnxruntime"]
    run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", f"onnxruntime=={TOO_OLD_ORT}"])
    try:
        refused = run([env_dir / "bin" / "hfm-score", "--bundle", tiny_bundle, "--league", tiny_league], expect=2,
                      cwd=tmp_path)
    finally:
        run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-deps", f"onnxruntime=={floor}"])
    message = refused.stderr.strip()
    assert message.startswith("error: ") and len(message.splitlines()) == 1, message
    assert f"needs onnxruntime >= {need}" in message and f"installed: onnxruntime {TOO_OLD_ORT}" in message, message
