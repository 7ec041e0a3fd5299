"""The runtime wheel in a fresh venv WITHOUT torch scores the tiny league from the tiny bundle, and its
projections equal the PyTorch model's (slow: builds a wheel, a venv, and pip-installs numpy, pandas,
onnxruntime and pyarrow into it from the package index or pip's cache)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pandas as pd
import pytest


ROOT = Path(__file__).resolve().parents[1]
TOLERANCE = 1e-4

pytestmark = pytest.mark.slow


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    assert done.returncode == 0, f"{cmd[:3]} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="module")
def torch_free_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "runtime"  # build from a copy: the shared tree gets no build/ or egg-info
    shutil.copytree(ROOT / "runtime", source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", tmp / "wheels", source])
    (wheel,) = (tmp / "wheels").glob("hfm_runtime-*.whl")
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(env_dir)
    py = env_dir / "bin" / "python"
    run([py, "-m", "pip", "install", "-q", "--disable-pip-version-check", f"{wheel}[parquet]"])
    return env_dir


def test_wheel_scores_in_a_venv_without_torch(torch_free_venv: Path, tiny_bundle: Path, tiny_league: Path,
                                              tiny_torch_projection, max_diff_from_torch, tmp_path: Path):
    py = torch_free_venv / "bin" / "python"
    probe = run([py, "-c", "import importlib.util as u; print(u.find_spec('torch') is None, u.find_spec('sklearn') is None)"])
    assert probe.stdout.split() == ["True", "True"], "the fresh venv must not have torch or scikit-learn"

    season, ref = tiny_torch_projection
    out = tmp_path / "scores.csv"
    ids = ",".join(str(i) for i in sorted(set(ref.index.get_level_values("player_id"))))
    run([torch_free_venv / "bin" / "hfm-score", "--bundle", tiny_bundle, "--league", tiny_league,
         "--season", season, "--players", ids, "--format", "csv", "--out", out], cwd=tmp_path)
    worst = max_diff_from_torch(pd.read_csv(out))
    print(f"torch-free venv: max |onnxruntime - torch| = {worst:.2e}")
    assert worst < TOLERANCE, worst

    # the printed table works there too (the README's last step)
    shown = run([torch_free_venv / "bin" / "hfm-score", "--bundle", tiny_bundle, "--league", tiny_league], cwd=tmp_path)
    assert shown.stdout.startswith("HFM projections for ")
    assert pd.read_fwf(io.StringIO(shown.stdout), skiprows=[0, 1, 3]).shape[0] > 10
