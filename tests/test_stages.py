"""Per-stage wall time and peak RSS (hfm_train.stages), and the scale script's report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from hfm_train.stages import StageClock, current_rss_mib, peak_rss_mib

ROOT = Path(__file__).resolve().parent.parent


def test_each_stage_reports_its_own_peak():
    lines: list[str] = []
    clock = StageClock(log=lines.append)
    big = np.ones(300 * 2**20 // 8)  # 300 MiB, touched
    del big
    heavy = clock.lap("heavy")
    light = clock.lap("light")
    assert [r["name"] for r in clock.records] == ["heavy", "light"] and len(lines) == 2
    assert heavy["wall_s"] >= 0 and light["wall_s"] >= 0 and heavy["cpu_s"] >= 0
    assert heavy["peak_rss_mib"] >= current_rss_mib() + 250  # the freed array still counts in its stage
    if heavy["peak_is_per_stage"] and light["peak_is_per_stage"]:  # Linux: the mark is reset per stage
        assert light["peak_rss_mib"] < heavy["peak_rss_mib"] - 250
    else:
        assert light["peak_rss_mib"] == peak_rss_mib() >= heavy["peak_rss_mib"]
    assert clock.timings == {"heavy": heavy["wall_s"], "light": light["wall_s"]}


def test_scale_report_renders_stages_and_fit_substages(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import scale
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    stage = {"wall_s": 4000.0, "cpu_user_s": 5000.0, "cpu_sys_s": 10.0, "peak_rss_mib": 3072.0,
             "load_avg_before": [1.0, 1.0, 1.0], "load_avg_after": [2.0, 2.0, 2.0], "finished": "now"}
    report = {"command": "python benchmarks/scale.py", "date": "2026-01-01", "machine": "2 CPU cores",
              "device": "cpu", "league_text": "7 pitches", "stages": {"simulate": stage, "fit": stage},
              "fit_stages": [{"name": "pretrain level 1", "wall_s": 90.0, "cpu_s": 80.0, "peak_rss_mib": 1024.0}]}
    text = scale.render(report)
    assert "| **fit** | 1 h 06 min | 3.00 |" in text
    assert "| &nbsp;&nbsp;fit: pretrain level 1 | 90 s | 1.00 | 80 s | |" in text
    assert "| export | not run |" in text and "| **end to end** | 2 h 13 min | 3.00 (max) |" in text
    json.dumps(report)  # what the script writes beside the table
