"""HTTP push ingest, without the web framework: authentication and payload validation.

``POST /ingest/articles`` and ``POST /ingest/comments`` on the worker's web server take one JSON
object or a JSON array of them, in the JSONL archive format (:mod:`streams.ingest.jsonl`): the
fields of ``ArticlePublished`` / ``CommentPosted``; ``kind``, ``event_id``, ``source`` and
``schema_version`` may be left out (``event_id`` becomes ``stable_id(kind, document_id)``, as in an
archive, so pushing the same document twice is harmless). A batch is all or nothing: one invalid
item rejects the request with every field error, so a client never has to work out which half
of its batch was kept.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from schemas import ArticlePublished, CommentPosted

from .jsonl import fill_defaults

DocumentEvent = ArticlePublished | CommentPosted
PushKind = Literal["article", "comment"]
MODELS: dict[str, type[ArticlePublished] | type[CommentPosted]] = {"article": ArticlePublished, "comment": CommentPosted}


@dataclass
class PushError(Exception):
    """A rejected request: the HTTP status and the JSON body to answer with."""

    status: int
    detail: Any
    headers: dict[str, str] | None = None

    def body(self) -> dict[str, Any]:
        return {"detail": self.detail}


def check_bearer(authorization: str | None, token: str | None) -> None:
    """Accept ``Authorization: Bearer <token>`` matching the configured token (constant time)."""
    if not token:
        raise PushError(403, "push ingest is disabled: set CLAIMWATCH_INGEST_TOKEN on the worker")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise PushError(401, "missing or wrong bearer token", {"WWW-Authenticate": 'Bearer realm="claimwatch"'})


def too_large(max_bytes: int) -> PushError:
    return PushError(413, f"request body over {max_bytes} bytes")


def check_size(content_length: int | None, max_bytes: int) -> None:
    if content_length is not None and content_length > max_bytes:
        raise too_large(max_bytes)


def _field_errors(exc: ValidationError, index: int | None) -> list[dict[str, Any]]:
    return [
        {
            **({"index": index} if index is not None else {}),
            "loc": list(error.get("loc", ())),
            "msg": error.get("msg", "invalid value"),
            "type": error.get("type", "value_error"),
        }
        for error in exc.errors(include_url=False)
    ]


def parse_push(body: bytes, kind: PushKind, *, source: str, max_items: int = 1000) -> list[DocumentEvent]:
    """Validate a push body into events (in event-time order); ``PushError(422)`` lists every error."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise PushError(422, [{"loc": [], "msg": f"invalid JSON: {exc}", "type": "json_invalid"}]) from exc
    batch = isinstance(data, list)
    items = data if batch else [data]
    if not items:
        raise PushError(422, [{"loc": [], "msg": "empty batch", "type": "too_short"}])
    if len(items) > max_items:
        raise PushError(413, f"batch of {len(items)} items; at most {max_items} per request")
    model = MODELS[kind]
    events: list[DocumentEvent] = []
    errors: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        where = index if batch else None
        if not isinstance(item, dict):
            errors.append({**({"index": index} if batch else {}), "loc": [],
                           "msg": f"expected a JSON object, got {type(item).__name__}", "type": "model_type"})
            continue
        item = dict(item)
        if item.setdefault("kind", kind) != kind:
            errors.append({**({"index": index} if batch else {}), "loc": ["kind"],
                           "msg": f"this endpoint takes {kind}s, got kind {item['kind']!r}", "type": "literal_error"})
            continue
        fill_defaults(item, kind, source)
        try:
            events.append(model.model_validate(item))
        except ValidationError as exc:
            errors.extend(_field_errors(exc, where))
    if errors:
        raise PushError(422, errors)
    events.sort(key=lambda e: e.occurred_at)
    return events
