"""The runtime wheel carries no torch, imports without torch or scikit-learn, and the CLI fails cleanly."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def test_runtime_wheel_names_no_torch(tmp_path: Path) -> None:
    # build from a copy so the shared tree gets no build/ or egg-info; no build isolation, as
    # the tests run offline and the venv already has setuptools
    source = tmp_path / "runtime"
    shutil.copytree(ROOT / "runtime", source,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "wheels"), str(source)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = (tmp_path / "wheels").glob("hfm_runtime-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    requires = [line.lower() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert requires, "the wheel should declare its dependencies"
    assert not any("torch" in r or "scikit-learn" in r or "sklearn" in r for r in requires), requires
    assert "hfm_runtime/statcast.py" in names and "hfm_runtime/marcel.py" in names


BLOCKED_IMPORT = """
import importlib, pkgutil, sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("torch", "sklearn"):
            raise ImportError(f"{name} is blocked in this test")
        return None

sys.meta_path.insert(0, Block())
import hfm_runtime
names = [m.name for m in pkgutil.walk_packages(hfm_runtime.__path__, "hfm_runtime.")]
for name in names:
    importlib.import_module(name)
assert not any(m.split(".")[0] in ("torch", "sklearn") for m in sys.modules)
print(len(names))
"""


def test_every_runtime_module_imports_without_torch_or_sklearn() -> None:
    result = subprocess.run([sys.executable, "-c", BLOCKED_IMPORT], capture_output=True, text=True,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 8  # statcast, league, seasons, marcel, lahman, vocab, ...


@pytest.fixture
def statcast_csv(tmp_path: Path) -> Path:
    from test_statcast import make_pitches

    path = tmp_path / "good.csv"
    make_pitches([(1, "2024-04-01", 10, 20, "single", 2)]).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("defect", ["missing column", "wrong type", "empty file"])
def test_cli_reports_malformed_statcast_in_one_line(
    statcast_csv: Path, tmp_path: Path, defect: str
) -> None:
    frame = pd.read_csv(statcast_csv)
    bad = tmp_path / "bad.csv"
    if defect == "missing column":
        frame.drop(columns=["release_speed"]).to_csv(bad, index=False)
    elif defect == "wrong type":
        frame.astype({"release_speed": object}).assign(release_speed="fast").to_csv(bad, index=False)
    else:
        bad.write_text("")
    result = subprocess.run([str(BIN / "hfm-train"), "marcel", "--statcast", str(bad)],
                            capture_output=True, text=True)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and str(bad) in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout
