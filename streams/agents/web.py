"""The worker's HTTP endpoints (Faust's web server, ``CLAIMWATCH_WEB_PORT``).

``POST /ingest/articles`` and ``POST /ingest/comments``: HTTP push ingest. Bearer token from
``CLAIMWATCH_INGEST_TOKEN`` (push is off without one), a body size limit
(``CLAIMWATCH_INGEST_MAX_BYTES``), ``422`` with every field error, ``202`` with the event ids once the
broker has the events. Validation lives in :mod:`streams.ingest.push`.
"""

from __future__ import annotations

import logging
from typing import Any

from faust.web import Request, Response, View

from ..app import app, settings
from ..codecs import encode
from ..ingest.push import PushError, PushKind, check_bearer, check_size, parse_push
from ..ingest.replay import partition_key

log = logging.getLogger(__name__)

_raw = {"key_serializer": "raw", "value_serializer": "raw"}
push_topics = {
    "article": app.topic(settings.topic_articles, **_raw),
    "comment": app.topic(settings.topic_comments, **_raw),
}


async def read_limited(request: Request, max_bytes: int) -> bytes:
    """The request body, or ``PushError(413)`` past ``max_bytes`` (whatever Content-Length said)."""
    check_size(request.content_length, max_bytes)  # type: ignore[attr-defined]
    body = await request.content.read(max_bytes + 1)  # type: ignore[attr-defined]
    check_size(len(body), max_bytes)
    return bytes(body)


class PushView(View):
    kind: PushKind = "article"

    def _rejected(self, error: PushError) -> Response:
        return self.json(error.body(), status=error.status, headers=error.headers)

    async def post(self, request: Request) -> Response:
        token = settings.ingest_token.get_secret_value() if settings.ingest_token else None
        try:
            check_bearer(request.headers.get("Authorization"), token)  # type: ignore[attr-defined]
            body = await read_limited(request, settings.ingest_max_bytes)
            remote = getattr(request, "remote", None) or "unknown"
            events = parse_push(body, self.kind, source=f"push:{remote}", max_items=settings.ingest_max_items)
        except PushError as error:
            if error.status >= 500:
                log.error("push ingest failed: %s", error.detail)
            return self._rejected(error)
        topic = push_topics[self.kind]
        futures: list[Any] = [
            await topic.send(key=partition_key(event), value=encode(event)) for event in events
        ]
        for future in futures:
            await future  # the broker has it before we say so
        log.info("push: %d %s(s) accepted", len(events), self.kind)
        return self.json({"accepted": len(events), "event_ids": [e.event_id for e in events]}, status=202)


@app.page("/ingest/articles")
class PushArticles(PushView):
    kind: PushKind = "article"


@app.page("/ingest/comments")
class PushComments(PushView):
    kind: PushKind = "comment"
