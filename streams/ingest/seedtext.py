"""Parser for the seed text format: a scraped news page saved as plain text.

Layout (see ``seeds/*.txt``)::

    <headline>
    <boilerplate: "read in Arabic" link, section label such as "World Today">   (dropped)
    <body paragraphs, separated by blank lines>
    - <subheading> -                               (collected into ``subheadings``)
    This story is by <outlet>.                     (byline, not body text)
    Comments <N>
    Thumb|Missing <author> <D Month YYYY>, <HH:MM>  (one header per comment; avatar alt text dropped)
    <comment text, possibly several lines/paragraphs, up to the next header or end of file>

Boilerplate rules (applied only to the paragraphs between the headline and the first body
paragraph, at most ``_MAX_PREAMBLE`` of them):

* a line mostly in non-Latin script (e.g. ``إقرأ هذا الخبر بالعربية W460``) when the article's
  language is written in Latin script; the Naharnet "read in Arabic" link is dropped anywhere;
* a section label: a name in ``KNOWN_SECTION_LABELS`` (case-insensitive), or a short line
  (at most 4 words, 40 characters) in Title Case with no sentence punctuation.

Body paragraphs are whitespace-normalised (runs of spaces, tabs and no-break spaces become one
space; ends stripped; the lines of one paragraph are joined by a space) and joined with ``"\\n\\n"``,
so character offsets computed on ``body`` are stable. Comment text keeps its line breaks (lines
joined by ``"\\n"``, paragraphs by ``"\\n\\n"``).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from schemas import ArticlePublished, CommentPosted, stable_id

from .errors import ArchiveError, describe_validation_error

logger = logging.getLogger(__name__)

KNOWN_SECTION_LABELS: frozenset[str] = frozenset(
    {
        "world today", "world", "world news", "middle east", "lebanon", "region", "regional",
        "international", "politics", "business", "economy", "opinion", "analysis", "sports",
        "breaking news", "top stories", "latest news", "local", "local news", "us news",
        "europe", "asia", "africa", "americas", "technology", "science", "health", "culture",
    }
)
_NON_LATIN_LANGUAGES = frozenset({"ar", "fa", "ur", "he", "ru", "uk", "bg", "sr", "el", "zh", "ja", "ko", "hy", "ka"})
_MAX_PREAMBLE = 3
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

_READ_IN_ARABIC_RE = re.compile(r"^[إا]قرأ هذا الخبر بالعربية(?:\s+W\d+)?$")
_SUBHEADING_RE = re.compile(r"^-\s+(?P<text>\S(?:.*\S)?)\s+-$")
_BYLINE_RE = re.compile(
    r"^This (?:story|article|report) (?:is|was) (?:written |reported )?(?:by|from) (?P<who>.+?)\.?$", re.IGNORECASE
)
_COMMENTS_MARKER_RE = re.compile(r"^Comments\s*\(?(?P<count>\d+)\)?$", re.IGNORECASE)
_COMMENT_HEADER_RE = re.compile(
    r"^(?:(?:Thumb|Missing)\s+(?P<author>\S.*?)|(?P<bare_author>\S+))"
    r"\s+(?P<day>\d{1,2})\s+(?P<month>[A-Za-z]+)\.?\s+(?P<year>\d{4}),?\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})$"
)
_SENTENCE_PUNCT_RE = re.compile(r"[.,;:!?\"“”()]")
_SMALL_WORDS = frozenset({"and", "of", "the", "&", "in", "on", "for", "to"})
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


@dataclass(frozen=True)
class _Paragraph:
    text: str
    line: int  # 1-based line of its first line


def normalise_space(text: str) -> str:
    """Collapse whitespace runs (including no-break spaces) to one space and strip the ends."""
    return re.sub(r"\s+", " ", _INVISIBLE_RE.sub("", text)).strip()


def is_mostly_non_latin(text: str) -> bool:
    """True when at least half of the letters in ``text`` are not Latin script."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    non_latin = sum(1 for c in letters if not unicodedata.name(c, "").startswith("LATIN"))
    return non_latin * 2 >= len(letters)


def is_section_label(text: str) -> bool:
    """A known section name, or a short Title Case line without sentence punctuation."""
    if text.casefold() in KNOWN_SECTION_LABELS:
        return True
    words = text.split()
    if not words or len(words) > 4 or len(text) > 40 or _SENTENCE_PUNCT_RE.search(text):
        return False
    return all(w[0].isupper() or w.casefold() in _SMALL_WORDS for w in words) and words[0][0].isupper()


def _paragraphs(lines: list[tuple[int, str]], joiner: str) -> list[_Paragraph]:
    """Group (line number, raw line) pairs into blank-line separated, normalised paragraphs."""
    out: list[_Paragraph] = []
    current: list[str] = []
    start = 0
    for number, raw in lines:
        clean = normalise_space(raw)
        if not clean:
            if current:
                out.append(_Paragraph(joiner.join(current), start))
                current = []
            continue
        if not current:
            start = number
        current.append(clean)
    if current:
        out.append(_Paragraph(joiner.join(current), start))
    return out


def _resolve_zone(name: str, path: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        reason = f"unknown comments_timezone {name!r} (use an IANA name such as 'Asia/Beirut')"
        raise ArchiveError(path, None, reason) from exc


def _parse_header_time(match: re.Match[str], zone: ZoneInfo, path: str, line: int) -> datetime:
    month = _MONTHS.get(match["month"].casefold())
    if month is None:
        raise ArchiveError(path, line, f"comment header has an unknown month {match['month']!r}")
    try:
        local = datetime(
            int(match["year"]), month, int(match["day"]), int(match["hour"]), int(match["minute"]), tzinfo=zone
        )
    except ValueError as exc:
        raise ArchiveError(path, line, f"comment header has an impossible date/time: {exc}") from exc
    return local.astimezone(timezone.utc)


@dataclass(frozen=True)
class _RawComment:
    author: str
    posted_at: datetime
    text: str
    line: int


def _parse_comments(lines: list[tuple[int, str]], zone: ZoneInfo, path: str) -> list[_RawComment]:
    comments: list[_RawComment] = []
    header: tuple[str, datetime, int] | None = None
    body: list[tuple[int, str]] = []

    def flush() -> None:
        if header is None:
            stray = [n for n, raw in body if raw.strip()]
            if stray:
                logger.warning("%s:%d: text before the first comment header ignored", path, stray[0])
            return
        author, posted_at, line = header
        text = "\n\n".join(p.text for p in _paragraphs(body, "\n"))
        if not text:
            logger.warning("%s:%d: comment by %r has no text", path, line, author)
        comments.append(_RawComment(author, posted_at, text, line))

    for number, raw in lines:
        match = _COMMENT_HEADER_RE.match(normalise_space(raw))
        if match is None:
            body.append((number, raw))
            continue
        flush()
        author = match["author"] or match["bare_author"]
        header = (author, _parse_header_time(match, zone, path, number), number)
        body = []
    flush()
    return comments


def parse_seed_text(
    text: str,
    *,
    document_id: str,
    published_at: datetime,
    outlet: str | None,
    url: str | None,
    source: str,
    comments_timezone: str = "UTC",
    language: str = "en",
    path: str | Path | None = None,
) -> tuple[ArticlePublished, list[CommentPosted]]:
    """Parse one seed text file into its article and its comments (in file order).

    ``published_at`` must be timezone-aware. Comment header times are local times in
    ``comments_timezone`` (IANA name) and are converted to UTC. ``path`` only names the file in
    errors (default: ``source`` without its ``replay:`` prefix). Raises ``ArchiveError``.
    """
    where = str(path) if path is not None else source.removeprefix("replay:")
    if published_at.tzinfo is None or published_at.utcoffset() is None:
        raise ArchiveError(where, None, "published_at must be timezone-aware (e.g. 2016-12-28T10:15:00+02:00)")
    zone = _resolve_zone(comments_timezone, where)

    numbered = list(enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1))
    headline_at = next((i for i, (_, raw) in enumerate(numbered) if normalise_space(raw)), None)
    if headline_at is None:
        raise ArchiveError(where, None, "file is empty")
    headline = normalise_space(numbered[headline_at][1])
    rest = numbered[headline_at + 1 :]

    article_lines, comment_lines, expected = rest, [], None
    for i, (_, raw) in enumerate(rest):
        if marker := _COMMENTS_MARKER_RE.match(normalise_space(raw)):
            article_lines, comment_lines, expected = rest[:i], rest[i + 1 :], int(marker["count"])
            break

    body, subheadings, byline = _split_article(_paragraphs(article_lines, " "), language, where)
    if not body:
        raise ArchiveError(where, numbered[headline_at][0], "article has no body text after the headline")
    raw_comments = _parse_comments(comment_lines, zone, where)

    if expected is not None and expected != len(raw_comments):
        logger.warning("%s: comment count mismatch: marker says %d, found %d", where, expected, len(raw_comments))
    try:
        article = ArticlePublished(
            event_id=stable_id("article", document_id),
            occurred_at=published_at,
            source=source,
            document_id=document_id,
            title=headline,
            body="\n\n".join(body),
            outlet=outlet or byline,
            byline=byline,
            url=url,
            language=language,
            subheadings=subheadings,
        )
        comments: list[CommentPosted] = []
        for index, raw in enumerate(raw_comments):
            if raw.posted_at < article.occurred_at:
                logger.warning("%s:%d: comment posted before the article's publication time", where, raw.line)
            comment_id = stable_id("cmt", document_id, index, raw.author, raw.posted_at.isoformat())
            comments.append(
                CommentPosted(
                    event_id=stable_id("comment", comment_id),
                    occurred_at=raw.posted_at,
                    source=source,
                    document_id=comment_id,
                    article_id=document_id,
                    author=raw.author,
                    text=raw.text,
                    url=url,
                )
            )
    except ValidationError as exc:
        raise ArchiveError(where, None, describe_validation_error(exc)) from exc
    return article, comments


def _split_article(paragraphs: list[_Paragraph], language: str, where: str) -> tuple[list[str], list[str], str | None]:
    """Separate boilerplate, subheadings and byline from the body paragraphs."""
    latin = language.split("-")[0].casefold() not in _NON_LATIN_LANGUAGES
    body: list[str] = []
    subheadings: list[str] = []
    byline: str | None = None
    for position, para in enumerate(paragraphs):
        if _READ_IN_ARABIC_RE.match(para.text):
            continue
        if not body and position < _MAX_PREAMBLE and (
            (latin and is_mostly_non_latin(para.text)) or is_section_label(para.text)
        ):
            logger.debug("%s:%d: dropped boilerplate %r", where, para.line, para.text)
            continue
        if sub := _SUBHEADING_RE.match(para.text):
            subheadings.append(sub["text"])
            continue
        if by := _BYLINE_RE.match(para.text):
            if byline is None:
                byline = by["who"].strip()
            else:
                logger.warning("%s:%d: second byline %r ignored", where, para.line, by["who"])
            continue
        body.append(para.text)
    return body, subheadings, byline
