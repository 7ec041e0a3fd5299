"""Turn one pytest-benchmark JSON into a compact markdown summary; every ratio is within that run.

Each benchmark tags itself through `benchmark.extra_info["table"]` and the fields that table reads
(see the benchmark files). Run by the conftest hook after `pytest benchmarks`, or by hand:
    python benchmarks/benchlib/summary.py benchmarks/results/latest.json benchmarks/results/summary.md
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path

# Targets from issue 5 (2 cores, default model size).
TARGET_MS = {("batter", "warm"): 2.0, ("pitcher", "warm"): 2.0, ("batter", "cold"): 25.0, ("pitcher", "cold"): 150.0}
TARGET_ORT_SPEEDUP = 1.5
TARGET_PEAK_FRACTION = 0.5
ACCURACY_BUDGET = 1e-3  # max abs change in a projected rate that a speed-up may cost
# Targets from issue 12 (the stateful store): per player end to end, and league-wide.
STORE_TARGET_MS = {("batter", "warm"): 2.0, ("pitcher", "warm"): 5.0, ("batter", "cold"): 25.0, ("pitcher", "cold"): 60.0}
STORE_LEAGUE_TARGET_S = {"league warm": 0.3, "daily update": 1.0}
STORE_STAGES = ("featurize", "lines", "level1", "identity", "marcel", "context", "graph2", "other")
# Targets from issue 22 (the daily pipeline at real MLB size, benchmarks/test_real.py), seconds.
REAL_TARGET_S = {"league warm": 0.5, "batter warm": 0.002, "pitcher warm": 0.002,
                 "store cold build, one season": 10.0, "daily update": 0.5}


def _median_ms(bench: dict) -> float:
    return bench["stats"]["median"] * 1e3


def _rows(benches: Iterable[dict], table: str) -> list[dict]:
    return [b for b in benches if b.get("extra_info", {}).get("table") == table]


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _met(ok: bool | None) -> str:
    return "–" if ok is None else ("yes" if ok else "**no**")


def render(data: dict) -> str:
    benches = data["benchmarks"]
    machine = data.get("machine_info", {})
    out = [
        "# Benchmark summary",
        "",
        f"Run {data.get('datetime', '?')} on {machine.get('cpu', {}).get('brand_raw', machine.get('processor', '?'))}, "
        f"{machine.get('cpu', {}).get('count', '?')} logical CPUs; medians of each benchmark. "
        "Ratios are computed within this run.",
        "",
    ]
    setup = dict(data.get("hfm_setup", {}))
    if setup.get("notice"):  # the data's (Retrosheet's), first, as every derived work carries it
        out = [f"> {setup.pop('notice')}", "", *out]
    for key, value in setup.items():
        out.append(f"- {key}: {value}")
    out.append("")
    out += (_real(benches) + _latency(benches) + _store(benches) + _throughput(benches) + _resources(benches) + _limits(benches)
            + _tuning(benches))
    return "\n".join(out) + "\n"


def _latency(benches: list[dict]) -> list[str]:
    rows = _rows(benches, "latency")
    if not rows:
        return []
    cell = {(b["extra_info"]["player"], b["extra_info"]["phase"], b["extra_info"]["engine"],
             b["extra_info"]["scope"]): _median_ms(b) for b in rows}
    shape = {(b["extra_info"]["player"], b["extra_info"]["phase"]): b["extra_info"]["shape"]
             for b in rows if b["extra_info"].get("shape")}
    out = [
        "## Per-player latency (ms, 2 intra-op threads)",
        "",
        "`e2e` = featurization from Statcast rows + model (+ Marcel blend for the scorer); `model` = graphs only. "
        "PyTorch is eager, same weights, torch.set_num_threads(2).",
        "",
        "| player | phase | shape | scorer e2e | ORT e2e | PyTorch e2e | ORT model | PyTorch model | "
        "PyTorch/ORT e2e | PyTorch/ORT model | target | met |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for player in ("batter", "pitcher"):
        for phase in ("cold", "warm"):
            get = lambda engine, scope: cell.get((player, phase, engine, scope))  # noqa: E731
            ort_e2e, pt_e2e = get("onnxruntime", "e2e"), get("torch", "e2e")
            ort_m, pt_m = get("onnxruntime", "model"), get("torch", "model")
            scorer = get("scorer", "e2e")
            if all(v is None for v in (ort_e2e, pt_e2e, ort_m, pt_m, scorer)):
                continue
            target = TARGET_MS[(player, phase)]
            headline = scorer if scorer is not None else ort_e2e
            out.append(
                f"| {player} | {phase} | {shape.get((player, phase), '')} | {_fmt(scorer)} | {_fmt(ort_e2e)} | "
                f"{_fmt(pt_e2e)} | {_fmt(ort_m)} | {_fmt(pt_m)} | "
                f"{_fmt(pt_e2e / ort_e2e if pt_e2e and ort_e2e else None)}x | "
                f"{_fmt(pt_m / ort_m if pt_m and ort_m else None)}x | < {target:g} | "
                f"{_met(None if headline is None else headline < target)} |"
            )
    speedups = [
        cell[(p, "cold", "torch", "e2e")] / cell[(p, "cold", "onnxruntime", "e2e")]
        for p in ("batter", "pitcher")
        if (p, "cold", "torch", "e2e") in cell and (p, "cold", "onnxruntime", "e2e") in cell
    ]
    if speedups:
        out += ["", f"ORT >= {TARGET_ORT_SPEEDUP}x faster than PyTorch eager per player, cold (e2e): "
                f"{', '.join(f'{s:.2f}x' for s in speedups)} -> {_met(min(speedups) >= TARGET_ORT_SPEEDUP)}"]
    return out + [""]


def _store(benches: list[dict]) -> list[str]:
    """The stateful path (hfm_runtime.store) per player and league-wide, beside the History path."""
    players = _rows(benches, "store_player")
    league = _rows(benches, "store_league")
    if not players and not league:
        return []
    out = []
    if players:
        cell = {(b["extra_info"]["player"], b["extra_info"]["phase"], b["extra_info"]["path"]): b for b in players}
        graphs = {(b["extra_info"]["player"], b["extra_info"]["phase"]): _median_ms(b) for b in _rows(benches, "latency")
                  if b["extra_info"]["engine"] == "onnxruntime" and b["extra_info"]["scope"] == "model"}
        out += [
            "## Stateful scoring: PlayerStore vs History (ms per player, 2 intra-op threads)",
            "",
            "One store (or one History) holding the whole league, one player asked for. Store phases: `cold` = "
            "state built from his raw rows, then scored; `warm+1` = his newest game appended (every player in it "
            "updated), then scored; `warm` = state current, scored (Graph 2 only). History: `cold` = empty "
            "Level-1 cache, `warm+1` = cache holding all but his newest game (today's warm path, also set "
            "against the store's `warm`). `graphs` = the ORT graphs alone on his inputs (latency table: cold = "
            "Level 1 on 30 games + Graph 2, warm = Level 1 on one game + Graph 2). Stage columns: medians of "
            "separately instrumented rounds; `min` = the fastest timed round.",
            "",
            "| player | phase | store | min | " + " | ".join(STORE_STAGES) + " | graphs | store / graphs | History | "
            "History / store | target | met |",
            "|---|---|---|---|" + "---|" * len(STORE_STAGES) + "---|---|---|---|---|---|",
        ]
        for player in ("batter", "pitcher"):
            for phase in ("cold", "warm+1", "warm"):
                b = cell.get((player, phase, "store"))
                if b is None:
                    continue
                ms = _median_ms(b)
                stages = b["extra_info"].get("stages_ms", {})
                old = cell.get((player, "cold" if phase == "cold" else "warm+1", "history"))
                old_ms = None if old is None else _median_ms(old)
                graph_ms = graphs.get((player, "cold" if phase == "cold" else "warm"))
                target = STORE_TARGET_MS.get((player, phase))
                out.append(
                    f"| {player} | {phase} | {ms:.2f} | {b['stats']['min'] * 1e3:.2f} | "
                    + " | ".join(_fmt(stages.get(k)) for k in STORE_STAGES)
                    + f" | {_fmt(graph_ms)} | {_fmt(ms / graph_ms if graph_ms else None, 1)}x"
                    f" | {_fmt(old_ms)} | {_fmt(old_ms / ms if old_ms else None, 1)}x | "
                    f"{'–' if target is None else f'<= {target:g}'} | {_met(None if target is None else ms <= target)} |"
                )
        out.append("")
    if league:
        history = {b["extra_info"]["what"]: b["stats"]["median"] for b in league if b["extra_info"].get("path") == "history"}
        out += ["## Stateful scoring: league", "",
                "| what | players | store s | " + " | ".join(STORE_STAGES) + " (ms) | History s | History / store | target | met |",
                "|---|---|---|" + "---|" * len(STORE_STAGES) + "---|---|---|---|"]
        for b in league:
            e = b["extra_info"]
            if e.get("path") == "history":
                continue
            seconds = b["stats"]["median"]
            old = history.get(e["what"])
            target = STORE_LEAGUE_TARGET_S.get(e["what"])
            stages = e.get("stages_ms", {})
            out.append(
                f"| {e['what']} | {e.get('players', '')} | {seconds:.3f} | "
                + " | ".join(_fmt(stages.get(k), 1) if stages else "" for k in STORE_STAGES)
                + f" | {_fmt(old, 3)} | {_fmt(old / seconds if old else None, 1)}x | "
                f"{'–' if target is None else f'<= {target:g}'} | {_met(None if target is None else seconds <= target)} |"
            )
        sizes = [b["extra_info"] for b in league if "held_mb" in b["extra_info"]]
        if sizes:
            e = sizes[0]
            out += ["", f"Store of this league ({e['games']} games): {sum(e['held_mb'].values()):.1f} MiB held in numpy "
                    f"({', '.join(f'{k} {v:.1f}' for k, v in e['held_mb'].items())} MiB), {e['folder_mb']:.1f} MiB on disk."]
        out.append("")
    return out


def _real(benches: list[dict]) -> list[str]:
    """The daily pipeline at real MLB size (benchmarks/test_real.py)."""
    rows = _rows(benches, "real")
    if not rows:
        return []
    out = ["## The daily pipeline at real MLB size (Retrosheet, the `retrosheet` bundle, `threads=2`)", "",
           "Medians (`min` = the fastest round); stage columns (ms): medians of separately instrumented rounds.", "",
           "| what | size | median s | min s | " + " | ".join(STORE_STAGES) + " | target s | met |",
           "|---|---|---|---|" + "---|" * len(STORE_STAGES) + "---|---|"]
    for b in rows:
        e = b["extra_info"]
        size = ", ".join(f"{e[k]:,} {k}" for k in ("players", "games", "pitches") if k in e)
        stages = e.get("stages_ms", {})
        target = REAL_TARGET_S.get(e["what"])
        seconds = b["stats"]["median"]
        out.append(f"| {e['what']} | {size} | {seconds:.4f} | {b['stats']['min']:.4f} | "
                   + " | ".join(_fmt(stages.get(k), 1) if stages else "" for k in STORE_STAGES)
                   + f" | {'–' if target is None else f'<= {target:g}'} | {_met(None if target is None else seconds <= target)} |")
    return out + [""]


def _throughput(benches: list[dict]) -> list[str]:
    rows = _rows(benches, "throughput")
    if not rows:
        return []
    out = ["## League throughput", "", "| phase | players | batch | seconds | players/s |", "|---|---|---|---|---|"]
    for b in sorted(rows, key=lambda b: (b["extra_info"]["phase"], b["extra_info"].get("batch", 0))):
        e = b["extra_info"]
        seconds = b["stats"]["median"]
        out.append(f"| {e['phase']} | {e['players']} | {e.get('batch', '')} | {seconds:.2f} | {e['players'] / seconds:.1f} |")
    return out + [""]


def _resources(benches: list[dict]) -> list[str]:
    rows = [b for b in benches if "python_peak_mb" in b.get("extra_info", {})]
    if not rows:
        return []
    out = ["## Load time and peak memory", "",
           "Python peak: tracemalloc over one call (numpy buffers included, ONNX Runtime's arena not). "
           "RSS: /proc/self/status VmHWM after the call minus VmRSS before it, the high-water mark reset "
           "through /proc/self/clear_refs.", "",
           "| what | median ms | Python peak MB | RSS high-water delta MB |", "|---|---|---|---|"]
    for b in rows:
        e = b["extra_info"]
        what = e.get("what") or " ".join(str(e[k]) for k in ("engine", "player", "phase", "players") if k in e)
        if e.get("table") == "throughput":
            what = f"league {e['phase']} ({e['players']} players)"
        out.append(f"| {what} | {_median_ms(b):.1f} | {_fmt(e.get('python_peak_mb'), 1)} | "
                   f"{_fmt(e.get('rss_peak_delta_mb'), 1)} |")
    return out + [""]


def _limits(benches: list[dict]) -> list[str]:
    peak = next((b["extra_info"] for b in _rows(benches, "peak")), None)
    rows = [b for b in _rows(benches, "latency") if b["extra_info"].get("gflop")]
    if peak is None:
        return []
    best = max(peak["gflops"].values())
    out = [
        "## Distance from the limit",
        "",
        f"float32 matmul peak measured in this run ({peak['n']}x{peak['n']}, {peak['threads']} threads): "
        + ", ".join(f"{k} {v:.1f}" for k, v in peak["gflops"].items())
        + f" GFLOP/s; best {best:.1f} GFLOP/s.",
        "",
        f"FLOPs: {peak.get('flop_method', 'counted from the ONNX graphs')}.",
        "",
        "| what | engine | GFLOP | ms | GFLOP/s | % of peak |",
        "|---|---|---|---|---|---|",
    ]
    for b in rows:
        e = b["extra_info"]
        ms = _median_ms(b)
        rate = e["gflop"] / (ms / 1e3)
        out.append(f"| {e['player']} {e['phase']} {e.get('graph', e['scope'])} | {e['engine']} | {e['gflop']:.3f} | "
                   f"{ms:.2f} | {rate:.1f} | {100 * rate / best:.0f}% |")
    level1 = [b for b in rows if b["extra_info"].get("graph") == "level1" and b["extra_info"]["engine"] == "onnxruntime"
              and b["extra_info"]["phase"] == "cold"]
    if level1:
        fractions = [b["extra_info"]["gflop"] / b["stats"]["median"] / best for b in level1]
        out += ["", f"Level 1 at >= {TARGET_PEAK_FRACTION:.0%} of measured matmul throughput: "
                f"{', '.join(f'{f:.0%}' for f in fractions)} -> {_met(min(fractions) >= TARGET_PEAK_FRACTION)}"]
    return out + [""]


def _tuning(benches: list[dict]) -> list[str]:
    rows = _rows(benches, "tuning")
    if not rows:
        return []
    out = ["## Tuning (each experiment's variants timed interleaved with its baseline)", "",
           "| experiment | variant | median ms | q1-q3 ms | speed-up vs baseline | max abs diff | mean abs diff | verdict |",
           "|---|---|---|---|---|---|---|---|"]
    for b in rows:
        e = b["extra_info"]
        base = e["variants"][e["baseline"]]
        for name, v in e["variants"].items():
            out.append(f"| {e['experiment']} | {name} | {v['median_ms']:.2f} | {v['q1_ms']:.1f}-{v['q3_ms']:.1f} | "
                       f"{base['median_ms'] / v['median_ms']:.2f}x | {_fmt(v.get('max_abs_diff'), 5)} | "
                       f"{_fmt(v.get('mean_abs_diff'), 5)} | {'baseline' if name == e['baseline'] else _verdict(v, base)} |")
    return out + [""]


def _verdict(variant: dict, base: dict) -> str:
    """Faster (or slower) only if the medians differ by 10% or more and the interquartile ranges do
    not overlap; kept only if also within ACCURACY_BUDGET of the baseline's rates, where the output
    can change."""
    speedup = base["median_ms"] / variant["median_ms"]
    accurate = variant.get("max_abs_diff") is None or variant["max_abs_diff"] <= ACCURACY_BUDGET
    if speedup >= 1.10 and variant["q3_ms"] < base["q1_ms"]:
        return "faster: keep" if accurate else "faster, but too inaccurate: drop"
    if speedup <= 1 / 1.10 and variant["q1_ms"] > base["q3_ms"]:
        return "slower: drop"
    return "within noise: drop"


def write_summary(json_path: Path, md_path: Path) -> Path:
    md_path.write_text(render(json.loads(Path(json_path).read_text())))
    return md_path


if __name__ == "__main__":
    source = Path(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/results/latest.json")
    target = Path(sys.argv[2] if len(sys.argv) > 2 else source.with_name("summary.md"))
    print(write_summary(source, target))
