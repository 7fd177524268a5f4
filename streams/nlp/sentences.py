"""Sentence splitting with character offsets into the document text.

spaCy's parser-based sentences are the starting point, then corrected:

* paragraph breaks (a blank line) are always boundaries;
* no boundary inside a quotation that is closed later in the same paragraph (so a closing quote
  mark stays with its sentence and a multi-sentence quote is one statement);
* fragments (fewer than two words, or a lowercase continuation of an unterminated piece) are merged.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .pipeline import MAX_CHUNK_CHARS, parse_chunks

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span

log = logging.getLogger(__name__)

OPEN_QUOTES = "“«„"
CLOSE_QUOTES = "”»"
STRAIGHT_QUOTE = '"'
QUOTE_CHARS = OPEN_QUOTES + CLOSE_QUOTES + STRAIGHT_QUOTE
#: A quotation longer than this may be split into several sentences (they are carried over).
MAX_QUOTE_MERGE = 1500

_PARA_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_WORD = re.compile(r"[^\W\d_]{2,}|[^\W\d_](?=\W|$)")
_TERMINAL = re.compile(r"[.!?…:;][\"'”’»)\]]*\s*$")


@dataclass
class Sentence:
    """One sentence: ``text == document[start:end]``; ``span`` is the spaCy span when parsed."""

    start: int
    end: int
    text: str
    span: "Span | None" = field(default=None, repr=False, compare=False)
    paragraph: int = 0
    offset: int = 0  # position in the document of the parsed chunk ``span`` belongs to


def paragraphs(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-blank paragraph (separated by blank lines), whitespace-trimmed."""
    out: list[tuple[int, int]] = []
    pos = 0
    for m in [*_PARA_BREAK.finditer(text), None]:
        end = m.start() if m else len(text)
        s, e = _trim(text, pos, end)
        if s < e:
            out.append((s, e))
        if m:
            pos = m.end()
    return out


def quote_regions(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, bool]]:
    """Quotations in ``text[start:end]`` as ``(open_index, index_after_close, closed)``.

    Curly and guillemet quotes open/close; a straight ``"`` toggles. Nested quotes are ignored.
    """
    end = len(text) if end is None else end
    regions: list[tuple[int, int, bool]] = []
    opened = -1
    for i in range(start, end):
        ch = text[i]
        if ch not in QUOTE_CHARS:
            continue
        if opened < 0:
            if ch in OPEN_QUOTES or ch == STRAIGHT_QUOTE:
                opened = i
        elif ch in CLOSE_QUOTES or ch == STRAIGHT_QUOTE:
            regions.append((opened, i + 1, True))
            opened = -1
    if opened >= 0:
        regions.append((opened, end, False))
    return regions


def quote_ratio(text: str) -> float:
    """Share of the non-space characters of ``text`` that lie inside quotation marks."""
    total = sum(1 for c in text if not c.isspace())
    if not total:
        return 0.0
    inside = sum(sum(1 for c in text[s:e] if not c.isspace()) for s, e, _ in quote_regions(text))
    return inside / total


def is_quotation(text: str, threshold: float = 0.8) -> bool:
    """True when ``text`` is (mostly) a direct quotation."""
    return quote_ratio(text) >= threshold


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _fix_pieces(text: str, para: tuple[int, int], starts: list[int]) -> list[tuple[int, int]]:
    ps, pe = para
    lines = [m.end() for m in re.finditer(r"\n\s*", text[ps:pe])]  # single line breaks (comments)
    bounds = sorted({ps, *(b for b in starts if ps < b < pe), *(ps + b for b in lines)})
    regions = [(s, e) for s, e, closed in quote_regions(text, ps, pe) if closed and e - s <= MAX_QUOTE_MERGE]
    bounds = [b for b in bounds if b == ps or not any(s < b < e for s, e in regions)]
    pieces = [_trim(text, s, e) for s, e in zip(bounds, [*bounds[1:], pe])]
    pieces = [p for p in pieces if p[0] < p[1]]
    merged: list[tuple[int, int]] = []
    prev_words = 0
    for s, e in pieces:
        piece = text[s:e]
        words = _words(piece)
        if merged:
            ps_, pe_ = merged[-1]
            terminated = bool(_TERMINAL.search(text[max(ps_, pe_ - 8):pe_]))
            fragment = words < 2 and not re.match(r"\s*[A-Z]", piece)
            continuation = piece[:1].islower() and not terminated
            if fragment or continuation or (prev_words < 2 and not terminated):
                merged[-1] = (ps_, e)
                prev_words += words
                continue
        merged.append((s, e))
        prev_words = words
    return merged


def split_doc(doc: "Doc", offset: int = 0, text: str | None = None) -> list[Sentence]:
    """Sentences of a parsed ``doc`` whose text starts at ``offset`` in the document ``text``."""
    dtext = doc.text
    starts = [s.start_char for s in doc.sents] if doc.has_annotation("SENT_START") else []
    out: list[Sentence] = []
    for pidx, para in enumerate(paragraphs(dtext)):
        for s, e in _fix_pieces(dtext, para, starts):
            span = doc.char_span(s, e, alignment_mode="expand")
            out.append(Sentence(s + offset, e + offset, dtext[s:e], span, pidx, offset))
    return out


def split_sentences(text: str, model: str | None = None,
                    max_chars: int = MAX_CHUNK_CHARS) -> list[Sentence]:
    """Parse and split ``text``; offsets are into ``text``. Never raises on odd input."""
    if not text or not text.strip():
        return []
    out: list[Sentence] = []
    para_base = 0
    for offset, doc in parse_chunks(text, model, max_chars):
        sents = split_doc(doc, offset)
        for s in sents:
            s.paragraph += para_base
        if sents:
            para_base = sents[-1].paragraph + 1
        out.extend(sents)
    return out


def describe(sentences: list[Sentence]) -> list[dict[str, Any]]:
    """Plain dicts (for logging and debugging)."""
    return [{"start": s.start, "end": s.end, "text": s.text} for s in sentences]
