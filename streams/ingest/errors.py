"""Errors raised while reading user-supplied archives."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError


class ArchiveError(Exception):
    """An archive file could not be read.

    ``path`` is the file, ``line`` the 1-based line number when known (else ``None``), ``reason``
    a short human-readable explanation. ``str()`` gives one line, e.g. ``seeds/x.txt:12: reason``.
    """

    def __init__(self, path: str | Path | None, line: int | None, reason: str) -> None:
        super().__init__(path, line, reason)
        self.path = str(path) if path is not None else None
        self.line = line
        self.reason = reason

    def __str__(self) -> str:
        where = self.path or "<archive>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.reason}"


def describe_validation_error(exc: ValidationError) -> str:
    """A concise reason from a pydantic error: the first error's field path and message."""
    errors = exc.errors(include_url=False)
    if not errors:
        return str(exc)
    first = errors[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or "<value>"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{field}: {first.get('msg', 'invalid value')}{more}"
