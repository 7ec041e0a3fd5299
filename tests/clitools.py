"""Helpers for tests that run the console scripts in-process (imported by test modules)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import sys
from pathlib import Path


def run_cli(main, argv: list[str]) -> tuple[int, str]:
    """Run a console script's `main()` (which reads sys.argv) in-process: (exit status, stderr)."""
    err = io.StringIO()
    old = sys.argv
    sys.argv = argv
    code = 0
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv = old
    return code, err.getvalue()


def fingerprint(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder`, by relative path."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}
