"""Per-stage wall time and peak resident memory of a long-running process (`hfm-train fit`).

`StageClock.lap(name)` closes the stage that ran since the previous lap (or since the clock was made):
its wall time, the CPU time of the process in it (user + system, every thread: on a machine shared
with other jobs the wall time stretches, the CPU time much less), and the peak resident set size
(RSS) the process reached during it. On Linux the peak is the kernel's high-water mark `VmHWM` from
/proc/self/status, reset at every lap by writing "5" to /proc/self/clear_refs, so each stage's peak
is its own (not the maximum so far). Where the reset is not allowed, or off Linux, the peak is
`ru_maxrss` (the maximum since the process started) and `peak_is_per_stage` is False. Peaks are in MiB.
The reset also resets the `ru_maxrss` a parent reads when it reaps the process (the kernel keeps one
mark): the process's peak is the largest of its stages' peaks.

The records (`StageClock.records`: name, wall_s, cpu_s, peak_rss_mib, peak_is_per_stage) go into
the run's config.json as "stages"; benchmarks/scale.py prints them as the rows of fit's sub-stages
in the full-size table.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

_STATUS, _CLEAR_REFS = Path("/proc/self/status"), Path("/proc/self/clear_refs")


def peak_rss_mib() -> float:
    """The process's peak RSS in MiB: VmHWM where /proc has it, else ru_maxrss."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss / 1024**2 if sys.platform == "darwin" else maxrss / 1024  # bytes on macOS, KiB on Linux


def current_rss_mib() -> float:
    """The process's resident set size now, in MiB (0.0 where /proc is missing)."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark to the current RSS; False where that is not possible."""
    try:
        _CLEAR_REFS.write_text("5")
        return True
    except OSError:
        return False


@dataclass
class StageClock:
    """Times and peak memory per stage (module docstring). `log` receives one line per lap."""

    log: Callable[[str], None] = print
    records: list[dict] = field(default_factory=list)
    resettable: bool = field(init=False)

    def __post_init__(self) -> None:
        self.resettable = reset_peak_rss()
        self._start, self._cpu = time.perf_counter(), time.process_time()

    def lap(self, name: str) -> dict:
        now, cpu = time.perf_counter(), time.process_time()
        record = {"name": name, "wall_s": round(now - self._start, 2), "cpu_s": round(cpu - self._cpu, 2),
                  "peak_rss_mib": round(peak_rss_mib(), 1), "peak_is_per_stage": self.resettable}
        self.records.append(record)
        self.log(f"[{name}] {record['wall_s']:.1f} s (CPU {record['cpu_s']:.1f} s), "
                 f"peak RSS {record['peak_rss_mib'] / 1024:.2f} GiB")
        self.resettable = reset_peak_rss()
        self._start, self._cpu = time.perf_counter(), time.process_time()
        return record

    @property
    def timings(self) -> dict[str, float]:
        """name -> wall seconds (the run's config.json "timings_s")."""
        return {r["name"]: r["wall_s"] for r in self.records}
