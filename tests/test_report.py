"""The HTML reports in a real headless browser (Debian's `chromium`): `hfm-score --report` on the tiny
bundle and `hfm-train evaluate --report` on the tiny run render, build their charts and log no console
error; the files are self-contained (no external script, stylesheet or image). Skipped, saying so,
where chromium is not installed (`apt-get install -y chromium`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt-get install -y chromium): "
                                                            "the reports are not rendered in a browser here")
EXTERNAL = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=", re.IGNORECASE)


def render(page: Path, tmp: Path) -> tuple[str, list[str]]:
    """(the DOM after the page's scripts ran, the console lines that are errors) from headless chromium."""
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
            f"--user-data-dir={tmp / 'profile'}", "--virtual-time-budget=8000", "--dump-dom", page.resolve().as_uri()]
    done = subprocess.run(args, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line]
    errors = [line for line in console if ":ERROR:" in line or "Uncaught" in line or "Error" in line]
    return done.stdout, errors


@needs_chromium
def test_the_console_check_sees_an_error(tmp_path: Path) -> None:
    """The check can fail: a page that throws is caught."""
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><html><body><p id='x'>x</p><script>undefinedFunction();</script></body></html>")
    dom, errors = render(page, tmp_path)
    assert "id=\"x\"" in dom and errors, "a page that throws must show a console error"


@needs_chromium
def test_score_report_renders_offline_with_no_console_error(tiny_bundle: Path, tiny_league: Path,
                                                            tmp_path: Path, capsys) -> None:
    from hfm_runtime.cli import main as score_main

    out = tmp_path / "report.html"
    score_main(["--bundle", str(tiny_bundle), "--league", str(tiny_league), "--report", str(out), "--format", "csv"])
    stderr = capsys.readouterr().err
    assert f"report {out}:" in stderr
    text = out.read_text()
    assert not EXTERNAL.search(text), "the report must not load anything from outside the file"
    table = text.count('"type":"batter"') + text.count('"type":"pitcher"')
    dom, errors = render(out, tmp_path)
    assert errors == [], errors
    rows = re.findall(r"<tr data-i=\"\d+\"", dom)
    assert len(rows) == table > 0  # every score row in the league table
    assert dom.count('class="main-svg"') >= 4  # plotly drew the player's charts
    assert re.search(r"<h2 id=\"pname\">[^<]+\(", dom)  # the first player is open


@needs_chromium
def test_run_report_renders(tiny_run: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from hfm_train.evaluate import evaluate_command

    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)  # evaluate rewrites the card: not the shared fixture's
    out = tmp_path / "run.html"
    result = CliRunner().invoke(evaluate_command, ["--run", str(run), "--report", str(out)])
    assert result.exit_code == 0, result.output
    dom, errors = render(out, tmp_path)
    assert errors == [], errors
    assert "coverage of the outcome intervals" in dom and "RMSE cut vs Marcel" in dom
    assert "'history'" not in dom and "/ test " in dom  # the season split in words, not a dict's repr
    assert dom.count('class="main-svg"') >= 6
