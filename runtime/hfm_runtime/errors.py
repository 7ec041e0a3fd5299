"""Errors a user can act on. The CLIs print them as one line (no traceback) and exit non-zero."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


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
