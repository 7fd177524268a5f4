"""enrich_documents: articles and comments -> enriched statements (sentences, entities,
attribution, normalised times, and the sentence vectors the tracker needs), each input record
followed by an ``InputProgress`` marker (the tracker's event-time order, see ``streams/ordering.py``)."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from faust.types import EventT

from schemas import ArticlePublished, CommentPosted, InputProgress, StatementExtracted

from ..app import app, settings, topics
from ..codecs import DecodeError, decode_document, encode
from ..gaps import SkippedRecord
from ..nlp.enrich import enrich_article, enrich_comment
from ..nlp.models import make_embedder
from ..nlp.vectors import with_embeddings
from .deadletter import send_dead_letter
from .gaps import process_in_order

log = logging.getLogger(__name__)

# spaCy work runs off the event loop (heartbeats keep flowing), one document at a time.
nlp_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="claimwatch-nlp")


def enrich_and_embed(document: ArticlePublished | CommentPosted) -> list[StatementExtracted]:
    """``enrich_document``, then the vectors the claim tracker needs (``streams/nlp/vectors.py``) when
    ``statement_embeddings`` is on. Vectors are an optimisation: when embedding fails the statements go
    without them, and the tracker embeds the texts itself."""
    statements = enrich_document(document)
    if not settings.statement_embeddings or not statements:
        return statements
    try:
        return with_embeddings(statements, make_embedder(settings))
    except Exception:  # noqa: BLE001 - the statements are still good
        log.exception("embedding the statements of %s failed; sending them without vectors", document.document_id)
        return statements


def enrich_document(document: ArticlePublished | CommentPosted) -> list[StatementExtracted]:
    if isinstance(document, ArticlePublished):
        return enrich_article(document)
    return enrich_comment(document)


# The latest document time enriched per input partition on this worker.
watermarks: dict[tuple[str, int], datetime] = {}


async def send_progress(event: EventT | SkippedRecord, occurred_at: datetime | None) -> None:
    """After the statements of one input record (or its dead letter): how far this partition has got."""
    message = event.message
    tp = (message.topic, message.partition)
    if occurred_at is not None and (tp not in watermarks or occurred_at > watermarks[tp]):
        watermarks[tp] = occurred_at
    marker = InputProgress(topic=message.topic, partition=message.partition, offset=message.offset,
                           watermark=watermarks.get(tp))
    await topics.statements.send(key=f"{message.topic}:{message.partition}".encode(), value=encode(marker))


async def enrich_record(record: EventT | SkippedRecord) -> int:
    """Decode, enrich and send one input record (a Faust event, or a record the stream skipped and
    ``GapRepair`` read back), then its progress marker. Returns the statements sent."""
    try:
        document = decode_document(record.value)
    except DecodeError as exc:
        await send_dead_letter(record, "enrich_documents", str(exc))
        await send_progress(record, None)
        return 0
    try:
        statements = await asyncio.get_running_loop().run_in_executor(nlp_executor, enrich_and_embed, document)
    except Exception as exc:  # noqa: BLE001 - a bad document must not stop the stream
        log.exception("enrichment failed for %s", document.document_id)
        await send_dead_letter(record, "enrich_documents", f"enrichment failed: {exc!r}")
        await send_progress(record, document.occurred_at)
        return 0
    for statement in statements:
        await topics.statements.send(key=statement.article_id.encode(), value=encode(statement))
    await send_progress(record, document.occurred_at)
    log.info("enriched %s %s: %d statements", document.kind, document.document_id, len(statements))
    return len(statements)


@app.agent(topics.documents)
async def enrich_documents(stream):  # type: ignore[no-untyped-def]
    async for event in stream.events():
        sent = await process_in_order(event, enrich_record)
        yield sent  # one result per event (test_context and ask() wait for it)
