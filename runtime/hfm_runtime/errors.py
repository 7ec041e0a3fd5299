"""Errors a user can act on. The CLIs print them as one line (no traceback) and exit non-zero.

`print_error` is how every console script prints that line: it starts on a line of its own even
when an exception left a progress bar mid-line on stderr (`0%| | 0/1 [...]error: ...` before). The
scripts run inside `tracked_stderr()`, which lets it see whether the last thing written to stderr
ended its line.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO


class HFMInputError(ValueError):
    """Bad input: the message names the file, column/field and row where it is known."""


class BundleError(HFMInputError):
    """A bundle that is incomplete, altered (hash mismatch) or of another schema version."""


def read_json_object(path: Path, error: type[HFMInputError] = HFMInputError) -> dict[str, Any]:
    """A JSON file holding an object, or `error` naming the file and what is wrong with it."""
    try:
        obj = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise error(f"{path}: missing") from None
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise error(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(obj, dict):
        raise error(f"{path}: expected a JSON object")
    return obj


class LineTracker:
    """A text stream that passes everything on to `stream` and remembers whether what was last written
    to it ended a line (on a terminal a carriage return counts: the next write starts at column 0).
    Everything else (isatty, encoding, flush, buffer, ...) is the wrapped stream's."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._last = "\n"

    def write(self, text: str) -> int:
        written = self._stream.write(text)
        if isinstance(text, str) and text:
            self._last = text[-1]
        return written

    @property
    def at_line_start(self) -> bool:
        return self._last == "\n" or (self._last == "\r" and _isatty(self._stream))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextmanager
def tracked_stderr() -> Iterator[LineTracker]:
    """sys.stderr as a LineTracker for the duration (a console script's run), so `print_error` knows
    whether a progress bar, closed or not, left the line unfinished."""
    old = sys.stderr
    tracker = old if isinstance(old, LineTracker) else LineTracker(old)
    sys.stderr = tracker
    try:
        yield tracker
    finally:
        sys.stderr = old


@contextmanager
def exits_on_sigterm() -> Iterator[None]:
    """SIGTERM raises SystemExit(143) for the duration (a console script's run), so the cleanup an
    exception runs (a writer's temporary folder and lock, `atomic.atomic_dir`; an import's workers) runs
    on a kill too: a walkthrough's killed import left its lock and a 9.6 MB temporary folder beside
    --out. Nothing where SIGTERM already has a handler, or outside the main thread."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def terminate(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def stopped(exc: BaseException) -> str:
    """How a run was stopped, for its last line: "interrupted" (Ctrl-C) or "terminated" (SIGTERM,
    `exits_on_sigterm`'s SystemExit)."""
    return "interrupted" if isinstance(exc, KeyboardInterrupt) else "terminated"


def close_progress_bars() -> bool:
    """Close the tqdm progress bars still open (an exception can leave a bar mid-line: a generator
    suspended, not finished). True if there were any. tqdm is never imported here: the runtime does
    not depend on it, and where it is not loaded no bar can be open."""
    std = sys.modules.get("tqdm.std")
    if std is None:
        return False
    bars = [bar for bar in list(getattr(std.tqdm, "_instances", ())) if not getattr(bar, "disable", False)]
    for bar in bars:
        try:
            bar.close()  # leave=True bars end their line; leave=False ones wipe it and return the cursor
        except Exception:  # a bar whose stream is gone: nothing left on screen to end
            pass
    return bool(bars)


def print_error(message: object, stream: TextIO | None = None) -> None:
    """`error: <message>` as one line of `stream` (default stderr) that starts on a line of its own:
    open progress bars are closed first; then, if the stream is a LineTracker (`tracked_stderr`), a
    newline is written first where the last write left the line unfinished (a bar's last frame, even of
    a bar already closed, ends with no newline), else where bars were open and the stream is no
    terminal (a log file, a pipe: a closed bar does not end its line there)."""
    stream = sys.stderr if stream is None else stream
    had_bars = close_progress_bars()
    if isinstance(stream, LineTracker):
        unfinished = not stream.at_line_start
    else:
        unfinished = had_bars and not _isatty(stream)
    if unfinished:
        stream.write("\n")
    stream.write(f"error: {message}\n")
    stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or closed
        return False
