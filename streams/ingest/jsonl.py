"""Reader (and writer) for JSONL archives: one event per line.

Each line is a JSON object with ``"kind": "article"`` (an ``ArticlePublished``) or
``"kind": "comment"`` (a ``CommentPosted``). ``event_id``, ``source`` and ``schema_version`` may be
omitted: ``event_id`` becomes ``stable_id(kind, document_id)``, ``source`` becomes
``replay:<path>``, ``schema_version`` the current version. Blank lines and lines starting with
``#`` are skipped. Example::

    {"kind": "article", "document_id": "ap-2016-12-28-syria", "occurred_at": "2016-12-28T13:40:00Z", "title": "...", "body": "First paragraph.\\n\\nSecond paragraph.", "outlet": "The Associated Press"}
    {"kind": "comment", "document_id": "ap-2016-12-28-syria-c1", "article_id": "ap-2016-12-28-syria", "occurred_at": "2016-12-28T14:02:00+00:00", "author": "reader1", "text": "Is this confirmed?"}
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from schemas import ArticlePublished, CommentPosted, stable_id

from .errors import ArchiveError, describe_validation_error

logger = logging.getLogger(__name__)

DocumentEvent = ArticlePublished | CommentPosted
_MODELS: dict[str, type[ArticlePublished] | type[CommentPosted]] = {
    "article": ArticlePublished,
    "comment": CommentPosted,
}


def fill_defaults(data: dict[str, Any], kind: str, source: str) -> dict[str, Any]:
    """Fill what an archive line or a pushed document may leave out: ``event_id`` and ``source``."""
    document_id = data.get("document_id")
    if "event_id" not in data and isinstance(document_id, str) and document_id:
        data["event_id"] = stable_id(kind, document_id)
    data.setdefault("source", source)
    return data


def parse_jsonl_line(line: str, *, path: str | Path, line_no: int) -> DocumentEvent:
    """Validate one JSONL line into an event; ``ArchiveError`` names ``path:line_no`` on failure."""
    try:
        data: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ArchiveError(path, line_no, f"invalid JSON: {exc.msg} (column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise ArchiveError(path, line_no, f"expected a JSON object, got {type(data).__name__}")
    kind = data.get("kind")
    model = _MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        raise ArchiveError(path, line_no, f'kind: expected "article" or "comment", got {kind!r}')
    fill_defaults(data, kind, f"replay:{Path(path).as_posix()}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ArchiveError(path, line_no, describe_validation_error(exc)) from exc


def iter_jsonl(path: str | Path) -> Iterator[DocumentEvent]:
    """Yield the events of one JSONL file in file order."""
    try:
        with open(path, encoding="utf-8") as handle:
            for line_no, line in enumerate(handle, start=1):
                stripped = line.strip()
                if not stripped or stripped.startswith("#"):
                    continue
                yield parse_jsonl_line(stripped, path=path, line_no=line_no)
    except FileNotFoundError as exc:
        raise ArchiveError(path, None, "no such file") from exc
    except UnicodeDecodeError as exc:
        raise ArchiveError(path, None, f"not UTF-8 text: {exc.reason}") from exc


def read_jsonl(path: str | Path) -> list[DocumentEvent]:
    """All events of one JSONL file, in file order."""
    events = list(iter_jsonl(path))
    logger.debug("%s: read %d events", path, len(events))
    return events


def write_jsonl(events: Iterable[DocumentEvent], path: str | Path) -> int:
    """Write events one per line (``model_dump_json``); returns how many were written."""
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for event in events:
            handle.write(event.model_dump_json() + "\n")
            count += 1
    return count
