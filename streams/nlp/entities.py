"""Named entities with document offsets (spaCy NER) and light clean-up."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from schemas.statements import Entity

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Span

log = logging.getLogger(__name__)

_NUMBER_WORDS = {
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "dozens", "hundreds", "thousands", "millions", "billions", "tens",
}
_LEADING = re.compile(r"^(?:the|The|THE)\s+")
_TRAILING = re.compile(r"(?:['’]s?|\s+)$")
_ABBREV = re.compile(r"(?:^|[\s.])[A-Za-z]\.$")
_EDGE_PUNCT = "\"'“”‘’«»()[]{},.;:-–—"


def clean_entity(text: str, start: int, label: str) -> tuple[str, int, int] | None:
    """Strip a leading "the", a trailing possessive and edge punctuation; ``None`` if noise."""
    m = _LEADING.match(text)
    if m and label not in ("DATE", "TIME"):
        text, start = text[m.end():], start + m.end()
    while True:
        before = text
        m = _TRAILING.search(text)
        if m and m.start() > 0:
            text = text[: m.start()]
        keep_dot = bool(_ABBREV.search(text))  # "U.S." keeps its final dot
        text = text.rstrip(_EDGE_PUNCT.replace(".", "") if keep_dot else _EDGE_PUNCT)
        lead = len(text) - len(text.lstrip(_EDGE_PUNCT))
        text, start = text[lead:], start + lead
        if text == before:
            break
    if not text or not any(c.isalnum() for c in text):
        return None
    if label in ("CARDINAL", "ORDINAL") and text.lower() in _NUMBER_WORDS:
        return None
    return text, start, start + len(text)


def entities_of(span: "Span", offset: int = 0, document: str | None = None) -> list[Entity]:
    """Entities inside ``span`` with offsets into the document (``offset`` = the doc's position)."""
    return list(_iter_entities(span.ents, offset, document))


def _iter_entities(ents: Iterable["Span"], offset: int, document: str | None) -> Iterable[Entity]:
    for ent in ents:
        try:
            cleaned = clean_entity(ent.text, ent.start_char + offset, ent.label_)
        except Exception:  # pragma: no cover - defensive, never fail enrichment on one entity
            log.debug("entity clean-up failed for %r", ent.text, exc_info=True)
            continue
        if cleaned is None:
            continue
        text, start, end = cleaned
        if document is not None and document[start:end] != text:
            log.debug("entity offsets out of sync: %r", text)
            continue
        yield Entity(text=text, label=ent.label_, start=start, end=end)
