"""Publish archive events onto Kafka in event-time order, optionally paced.

``speed`` 0 publishes as fast as possible, 1 in real time, 60 plays one minute of event time per
second. Events keep their deterministic ids, so a second replay of the same archive produces the
same records (and the worker emits no duplicate alerts).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence

from aiokafka import AIOKafkaProducer

from schemas import ArticlePublished, CommentPosted

from ..codecs import encode
from ..settings import Settings

log = logging.getLogger(__name__)

Document = ArticlePublished | CommentPosted


def topic_for(document: Document, settings: Settings) -> str:
    return settings.topic_articles if isinstance(document, ArticlePublished) else settings.topic_comments


def partition_key(document: Document) -> bytes:
    """Articles and their comments share a key (the article id), so they share a partition."""
    article_id = document.document_id if isinstance(document, ArticlePublished) else document.article_id
    return article_id.encode("utf-8")


def pacing_delays(documents: Sequence[Document], speed: float) -> list[float]:
    """Seconds to wait before each event (relative to the replay start) for the given speed."""
    if speed <= 0 or not documents:
        return [0.0] * len(documents)
    start = documents[0].occurred_at
    return [max(0.0, (d.occurred_at - start).total_seconds() / speed) for d in documents]


async def publish(
    producer: AIOKafkaProducer,
    documents: Sequence[Document],
    settings: Settings,
    *,
    speed: float = 0.0,
    on_sent: Callable[[Document], None] | None = None,
) -> int:
    """Send ``documents`` (already in event-time order) and wait until the broker has them all."""
    delays = pacing_delays(documents, speed)
    started = time.monotonic()
    pending = []
    for document, delay in zip(documents, delays, strict=True):
        wait = started + delay - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        pending.append(
            await producer.send(topic_for(document, settings), encode(document), key=partition_key(document))
        )
        if on_sent is not None:
            on_sent(document)
    for future in pending:
        await future
    log.info("replayed %d events", len(documents))
    return len(documents)
