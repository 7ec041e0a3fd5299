"""Peak memory of a block of work, measured two ways (neither needs psutil).

- Python heap: `tracemalloc` peak of allocations made inside the block (numpy buffers included,
  ONNX Runtime's C++ arena not).
- Process: resident-set high-water mark from /proc/self/status (VmHWM) minus the resident set on
  entry (VmRSS). The high-water mark is reset on entry by writing "5" to /proc/self/clear_refs
  (Linux >= 4.0); where that is refused the figure is reported as None rather than a stale peak.
"""

from __future__ import annotations

import re
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass
class MemoryPeak:
    python_peak_mb: float = 0.0
    rss_peak_delta_mb: float | None = None


def _status_kb(field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB", STATUS.read_text(), re.MULTILINE)
    if match is None:
        raise RuntimeError(f"{STATUS} has no {field}")
    return int(match.group(1))


def _reset_rss_peak() -> bool:
    try:
        CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


@contextmanager
def measure_memory() -> Iterator[MemoryPeak]:
    """`with measure_memory() as peak: ...`; the figures are filled in when the block ends."""
    peak = MemoryPeak()
    can_reset = STATUS.exists() and _reset_rss_peak()
    rss_before = _status_kb("VmRSS") if can_reset else 0
    tracemalloc.start()
    try:
        yield peak
    finally:
        _, python_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak.python_peak_mb = python_peak / 2**20
        if can_reset:
            peak.rss_peak_delta_mb = (_status_kb("VmHWM") - rss_before) / 1024
