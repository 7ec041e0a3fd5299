"""Full-size end to end: simulate -> fit -> export -> score, with wall time and peak RSS per stage.

    python benchmarks/scale.py [--scale 1.0] [--seed 0] [--work artifacts/scale] [--device cpu]
                               [--threads 2] [--stages simulate,fit,export,score,score_whole]
                               [--chunk-pitches 1000000] [--fresh] [--out benchmarks/results/scale]

`make scale` runs it at `--scale 1.0` (30 MLB teams x 162 games, 15 AAA teams, 7 seasons: about 5
million MLB and 2.5 million AAA pitches). Not part of `make test` or `make bench`: about 25 minutes
on 2 cores. Stages: `hfm-train simulate`, `hfm-train fit`, `hfm-export`, `hfm-score --league` (which
scores a league this size a season and a chunk of players at a time: hfm_runtime.league_scoring) and
`score_whole`, the same command with the chunking turned off (the whole league in one History: what
`hfm-score` did before, kept as the measure of what chunking saves).

Each stage is its own process (the console scripts, as a user runs them), started by this script and
reaped with `os.wait4`, so its peak resident memory is the kernel's `ru_maxrss` of that process
(what `/usr/bin/time -v` prints as "Maximum resident set size") and its wall time is measured around
it. `hfm-train fit` also measures itself per sub-stage (hfm_train.stages: wall time, CPU time and the
peak RSS reached inside each stage, into the run's config.json); this script reads those. fit resets
the kernel's peak mark at every sub-stage, which also resets the `ru_maxrss` its parent sees, so fit's
peak is the largest of its sub-stages' peaks.

Resumable: every finished stage's measurement is kept in `<work>/stages.json`, and a later run skips
stages already measured (unless `--fresh`, or the stage is named in `--stages` and its output is gone).
A stage that fails ends the script with its exit status; its log is `<work>/logs/<stage>.log`.

Writes `<out>.json` (every measurement, the machine, the load average before and after each stage:
the machine may be shared, so timings are noisy) and `<out>.md` (the table the README quotes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

STAGES: tuple[str, ...] = ("simulate", "fit", "export", "score", "score_whole")
ALTERNATIVES = {"score_whole": "the same table from one History of every pitch: not in the total"}
RUN_NAME = "full"


def stage_commands(args: argparse.Namespace) -> dict[str, list[str]]:
    """The command line of each stage (console scripts from this interpreter's environment)."""
    work = args.work
    bin_dir = Path(sys.executable).parent
    return {
        "simulate": [str(bin_dir / "hfm-train"), "simulate", "--scale", str(args.scale), "--seed", str(args.seed),
                     "--out", str(work / "league")],
        "fit": [str(bin_dir / "hfm-train"), "fit", "--league", str(work / "league"), "--runs-dir", str(work / "runs"),
                "--name", RUN_NAME, "--threads", str(args.threads), "--device", args.device, "--no-progress",
                *args.fit_args],
        "export": [str(bin_dir / "hfm-export"), str(work / "runs" / RUN_NAME), "--out", str(work / "bundle")],
        "score": [str(bin_dir / "hfm-score"), "--bundle", str(work / "bundle"), "--league", str(work / "league"),
                  "--format", "csv", "--threads", str(args.threads), "--chunk-pitches", str(args.chunk_pitches),
                  "--out", str(work / "scores.csv")],
        "score_whole": [str(bin_dir / "hfm-score"), "--bundle", str(work / "bundle"), "--league", str(work / "league"),
                        "--format", "csv", "--threads", str(args.threads), "--chunk-pitches", str(10**12),
                        "--out", str(work / "scores_whole.csv")],
    }


def stage_output(args: argparse.Namespace, stage: str) -> Path:
    return {"simulate": args.work / "league", "fit": args.work / "runs" / RUN_NAME,
            "export": args.work / "bundle", "score": args.work / "scores.csv",
            "score_whole": args.work / "scores_whole.csv"}[stage]


def run_stage(command: list[str], log_path: Path) -> dict:
    """Run `command` with its output in `log_path`; wall time, CPU time and peak RSS of the process."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    start = time.perf_counter()
    with open(log_path, "w") as log:
        log.write("$ " + " ".join(command) + "\n")
        log.flush()
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    return {
        "command": command, "returncode": proc.returncode, "wall_s": round(wall, 1),
        "cpu_user_s": round(usage.ru_utime, 1), "cpu_sys_s": round(usage.ru_stime, 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),  # Linux: KiB
        "load_avg_before": [round(x, 2) for x in load_before],
        "load_avg_after": [round(x, 2) for x in os.getloadavg()],
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def league_summary(league: Path) -> dict:
    meta = json.loads((league / "league.json").read_text())
    summary = meta.get("summary", {})
    return {"config": meta.get("config"), "pitches": summary.get("pitches"), "games": summary.get("games")}


def fit_substages(run_dir: Path) -> list[dict]:
    """hfm-train fit's own per-stage measurements (config.json "stages")."""
    path = run_dir / "config.json"
    if not path.is_file():
        return []
    return json.loads(path.read_text()).get("stages", [])


def render(report: dict) -> str:
    """The markdown table: stages, and fit's sub-stages indented under fit."""
    gib = lambda mib: f"{mib / 1024:.2f}"  # noqa: E731
    lines = [
        f"Full-size pipeline (`{report['command']}`), measured {report['date']} on {report['machine']}; "
        f"device {report['device']}. League: {report['league_text']}.",
        "",
        "| stage | wall | peak RSS (GiB) | CPU user+sys | load avg before/after |",
        "|---|---|---|---|---|",
    ]
    total = 0.0
    for stage in STAGES:
        m = report["stages"].get(stage)
        if m is None:
            lines.append(f"| {stage} | not run | | | |")
            continue
        if stage in ALTERNATIVES:  # the same work another way: not part of the end to end
            lines.append(f"| {stage} ({ALTERNATIVES[stage]}) | {_duration(m['wall_s'])} | {gib(m['peak_rss_mib'])} | "
                         f"{_duration(m['cpu_user_s'] + m['cpu_sys_s'])} | "
                         f"{m['load_avg_before'][0]:.1f} / {m['load_avg_after'][0]:.1f} |")
            continue
        total += m["wall_s"]
        lines.append(f"| **{stage}** | {_duration(m['wall_s'])} | {gib(m['peak_rss_mib'])} | "
                     f"{_duration(m['cpu_user_s'] + m['cpu_sys_s'])} | "
                     f"{m['load_avg_before'][0]:.1f} / {m['load_avg_after'][0]:.1f} |")
        if stage == "fit":
            for sub in report.get("fit_stages", []):
                cpu = _duration(sub["cpu_s"]) if "cpu_s" in sub else ""
                lines.append(f"| &nbsp;&nbsp;fit: {sub['name']} | {_duration(sub['wall_s'])} | "
                             f"{gib(sub['peak_rss_mib'])} | {cpu} | |")
    lines.append(f"| **end to end** | {_duration(total)} | "
                 f"{gib(max((m['peak_rss_mib'] for k, m in report['stages'].items() if k not in ALTERNATIVES), default=0))} "
                 "(max) | | |")
    return "\n".join(lines) + "\n"


def _duration(seconds: float) -> str:
    seconds = float(seconds)
    if seconds < 120:
        return f"{seconds:.0f} s"
    h, rest = divmod(int(round(seconds)), 3600)
    return f"{h} h {rest // 60:02d} min" if h else f"{rest // 60} min {rest % 60:02d} s"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--work", type=Path, default=Path("artifacts/scale"))
    p.add_argument("--device", default="cpu", help="hfm-train fit --device (auto | cpu | cuda)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--stages", default=",".join(STAGES), help="comma-separated subset of " + ",".join(STAGES))
    p.add_argument("--fresh", action="store_true", help="forget earlier measurements and outputs in --work")
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/scale"), help="report path without suffix")
    p.add_argument("--chunk-pitches", type=int, default=1_000_000, help="score: pitches per chunk of players")
    p.add_argument("--fit-arg", dest="fit_args", action="append", default=[],
                   help="extra argument for hfm-train fit (repeatable), e.g. --fit-arg=--epochs=5")
    args = p.parse_args(argv)
    wanted = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in STAGES]
    if unknown:
        p.error(f"--stages: unknown stage(s) {unknown}; choose from {list(STAGES)}")
    if args.fresh:
        shutil.rmtree(args.work, ignore_errors=True)
    args.work.mkdir(parents=True, exist_ok=True)
    state_path = args.work / "stages.json"
    state = json.loads(state_path.read_text()) if state_path.is_file() else {}
    commands = stage_commands(args)
    for stage in STAGES:
        if stage not in wanted:
            continue
        if stage in state and stage_output(args, stage).exists():
            print(f"[{stage}] measured before ({state[stage]['finished']}): skipped", flush=True)
            continue
        print(f"[{stage}] {' '.join(commands[stage])}", flush=True)
        m = run_stage(commands[stage], args.work / "logs" / f"{stage}.log")
        if stage == "fit":  # fit resets the kernel's peak mark per sub-stage (hfm_train.stages): max over them
            subs = fit_substages(stage_output(args, "fit"))
            m["peak_rss_mib"] = max([m["peak_rss_mib"], *(sub["peak_rss_mib"] for sub in subs)])
        print(f"[{stage}] exit {m['returncode']}, {m['wall_s']:.0f} s, peak RSS {m['peak_rss_mib'] / 1024:.2f} GiB",
              flush=True)
        if m["returncode"] != 0:
            print(f"[{stage}] failed: see {args.work / 'logs' / f'{stage}.log'}", file=sys.stderr)
            return m["returncode"]
        state[stage] = m
        for later in STAGES[STAGES.index(stage) + 1:]:  # a re-run stage invalidates what was built from it
            state.pop(later, None)
        tmp = state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1))
        tmp.replace(state_path)
    write_report(args, state)
    return 0


def write_report(args: argparse.Namespace, state: dict) -> None:
    league = args.work / "league"
    summary = league_summary(league) if (league / "league.json").is_file() else {}
    pitches, games = summary.get("pitches") or {}, summary.get("games") or {}
    league_text = (f"{sum(pitches.values()):,} pitches ({pitches.get('MLB', 0):,} MLB), "
                   f"{sum(games.values()):,} games" if pitches else "not simulated")
    report = {
        "command": f"python benchmarks/scale.py --scale {args.scale} --device {args.device} --threads {args.threads}",
        "date": time.strftime("%Y-%m-%d"), "scale": args.scale, "seed": args.seed, "device": args.device,
        "machine": f"{os.cpu_count()} CPU cores, {_memory_gib():.0f} GiB RAM, {platform.machine()}",
        "league": summary, "league_text": league_text, "stages": state,
        "fit_stages": fit_substages(args.work / "runs" / RUN_NAME),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(report, indent=1))
    args.out.with_suffix(".md").write_text(render(report))
    print(render(report))


def _memory_gib() -> float:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    return float("nan")


if __name__ == "__main__":
    sys.exit(main())
