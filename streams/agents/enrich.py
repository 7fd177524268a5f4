"""enrich_documents: articles and comments -> enriched statements (sentences, entities,
attribution, normalised times)."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from schemas import ArticlePublished, CommentPosted, StatementExtracted

from ..app import app, topics
from ..codecs import DecodeError, decode_document, encode
from ..nlp.enrich import enrich_article, enrich_comment
from .deadletter import send_dead_letter

log = logging.getLogger(__name__)

# spaCy work runs off the event loop (heartbeats keep flowing), one document at a time.
nlp_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="claimwatch-nlp")


def enrich_document(document: ArticlePublished | CommentPosted) -> list[StatementExtracted]:
    if isinstance(document, ArticlePublished):
        return enrich_article(document)
    return enrich_comment(document)


@app.agent(topics.documents)
async def enrich_documents(stream):  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    async for event in stream.events():
        try:
            document = decode_document(event.value)
        except DecodeError as exc:
            await send_dead_letter(event, "enrich_documents", str(exc))
            yield 0  # one result per event (test_context and ask() wait for it)
            continue
        try:
            statements = await loop.run_in_executor(nlp_executor, enrich_document, document)
        except Exception as exc:  # noqa: BLE001 - a bad document must not stop the stream
            log.exception("enrichment failed for %s", document.document_id)
            await send_dead_letter(event, "enrich_documents", f"enrichment failed: {exc!r}")
            yield 0  # one result per event (test_context and ask() wait for it)
            continue
        for statement in statements:
            await topics.statements.send(key=statement.article_id.encode(), value=encode(statement))
        log.info("enriched %s %s: %d statements", document.kind, document.document_id, len(statements))
        yield len(statements)
