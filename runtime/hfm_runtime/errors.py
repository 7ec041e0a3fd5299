"""Errors a user can act on. The CLIs print them as one line (no traceback) and exit non-zero."""

from __future__ import annotations


class HFMInputError(ValueError):
    """Bad input: the message names the file, column/field and row where it is known."""


class BundleError(HFMInputError):
    """A bundle that is incomplete, altered (hash mismatch) or of another schema version."""
