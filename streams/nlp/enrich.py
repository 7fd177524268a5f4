"""Turn articles and comments into enriched statements (one per sentence).

Offsets in every output (sentence, attribution content, entities, times) index the article
``body`` / the comment ``text``. Never raises on odd input: returns ``[]`` when nothing is usable.
"""

from __future__ import annotations

import logging
from datetime import datetime

from schemas.base import stable_id
from schemas.documents import ArticlePublished, CommentPosted
from schemas.statements import Attribution, Entity, StatementExtracted, TimeMention

from .attribution import Attributor
from .entities import entities_of
from .pipeline import MAX_CHUNK_CHARS
from .sentences import Sentence, is_quotation, split_sentences
from .timex import find_times

log = logging.getLogger(__name__)

#: Texts longer than this are truncated (a statement stream is not the place for whole books).
MAX_TEXT_CHARS = 500_000


def _times(sent: Sentence, reference: datetime) -> list[TimeMention]:
    candidates: list[tuple[int, int]] = []
    if sent.span is not None:
        base = sent.offset - sent.start
        candidates = [(e.start_char + base, e.end_char + base) for e in sent.span.ents
                      if e.label_ in ("DATE", "TIME")]
        candidates = [(s, e) for s, e in candidates if 0 <= s < e <= len(sent.text)]
    local = find_times(sent.text, reference, candidates)
    return [m.model_copy(update={"start": m.start + sent.start, "end": m.end + sent.start}) for m in local]


def _entities(sent: Sentence, document: str) -> list[Entity]:
    if sent.span is None:
        return []
    return [e for e in entities_of(sent.span, sent.offset, document)
            if sent.start <= e.start and e.end <= sent.end]


def _valid(att: Attribution, sent: Sentence, document: str) -> Attribution:
    if att.content and document[att.content_start:att.content_end] == att.content:
        return att
    log.debug("attribution content out of sync at %d; using the sentence", sent.start)
    return att.model_copy(update={"content": sent.text, "content_start": sent.start, "content_end": sent.end})


def _statements(text: str, *, document_id: str, document_kind: str, article_id: str,
                parent_id: str | None, outlet: str | None, title: str, occurred_at: datetime,
                source: str, author: str | None, posted_by: str | None) -> list[StatementExtracted]:
    if not text or not text.strip():
        return []
    text = text[:MAX_TEXT_CHARS]
    try:
        sentences = split_sentences(text, max_chars=MAX_CHUNK_CHARS)
    except Exception:
        log.warning("sentence splitting failed for %s", document_id, exc_info=True)
        return []
    attributor = Attributor(text, outlet=outlet, author=author)
    out: list[StatementExtracted] = []
    previous = ""
    for sent in sentences:
        if not any(c.isalnum() for c in sent.text):
            continue
        try:
            att = _valid(attributor.attribute(sent), sent, text)
            stmt = StatementExtracted(
                event_id=stable_id("stmt", document_id, len(out)),
                occurred_at=occurred_at,
                source=source,
                document_id=document_id,
                document_kind=document_kind,  # type: ignore[arg-type]
                article_id=article_id,
                parent_id=parent_id,
                outlet=outlet,
                author=posted_by,
                document_title=title,
                index=len(out),
                text=sent.text,
                char_start=sent.start,
                char_end=sent.end,
                quoted=is_quotation(sent.text, 0.6),
                entities=_entities(sent, text),
                times=_times(sent, occurred_at),
                attribution=att,
                context_before=previous,
            )
        except Exception:
            log.warning("could not enrich sentence %d of %s", len(out), document_id, exc_info=True)
            continue
        out.append(stmt)
        previous = sent.text
    return out


def enrich_article(event: ArticlePublished) -> list[StatementExtracted]:
    """One statement per sentence of the article body (the title goes in ``document_title``).

    With ``event.author`` (a post or press release), a sentence with no speaker of its own is the
    author's statement, not the outlet's narration."""
    statements = _statements(event.body, document_id=event.document_id, document_kind="article",
                             article_id=event.document_id, parent_id=None, outlet=event.outlet,
                             title=event.title, occurred_at=event.occurred_at, source=event.source, author=None,
                             posted_by=event.author)
    if event.author:
        statements = [_authored(s, event.author) for s in statements]
    return statements


def _authored(statement: StatementExtracted, author: str) -> StatementExtracted:
    if statement.attribution.speaker_kind != "narrator":
        return statement
    attribution = statement.attribution.model_copy(update={
        "speaker": author, "speaker_kind": "person", "speaker_org": None, "role": None, "verb": "write",
        "content": statement.text, "content_start": statement.char_start, "content_end": statement.char_end,
        "carried_over": False,
    })
    return statement.model_copy(update={"attribution": attribution})


def enrich_comment(event: CommentPosted) -> list[StatementExtracted]:
    """One statement per sentence of the comment; the speaker is the comment's author."""
    return _statements(event.text, document_id=event.document_id, document_kind="comment",
                       article_id=event.article_id, parent_id=event.parent_id, outlet=None, title="",
                       occurred_at=event.occurred_at, source=event.source, author=event.author or "anonymous",
                       posted_by=event.author or None)
