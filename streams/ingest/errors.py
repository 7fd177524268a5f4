"""Errors raised while reading user-supplied archives."""

from __future__ import annotations

from pathlib import Path

from schemas.base import describe_validation_error  # noqa: F401  (re-exported)


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
