"""Enriched statements: one sentence of a document with entities, attribution and times."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Event, Model

SpeakerKind = Literal["person", "organisation", "anonymous", "author", "narrator"]


class Entity(Model):
    text: str
    label: str  # spaCy label: PERSON, ORG, GPE, NORP, DATE, ...
    start: int  # character offsets in the document text
    end: int


class TimeMention(Model):
    text: str
    start: int
    end: int
    value: str  # ISO 8601 date or datetime the mention resolves to
    granularity: Literal["time", "day", "week", "month", "year"]


class Attribution(Model):
    """Who said it. ``narrator`` means the outlet itself (no reporting verb found)."""

    speaker: str
    speaker_kind: SpeakerKind
    speaker_org: str | None = None
    role: str | None = None
    verb: str | None = None  # the reporting verb's lemma: say, tell, add, confirm, ...
    content: str = ""  # the attributed content span (the quote or the reported clause)
    content_start: int = 0  # document offsets of ``content``
    content_end: int = 0
    carried_over: bool = False  # inherited from the previous sentence ("... said X. 'Quote.'")


class StatementExtracted(Event):
    """One sentence of an article or comment, enriched. ``event_id`` is the statement id."""

    kind: Literal["statement"] = "statement"
    document_id: str
    document_kind: Literal["article", "comment"]
    article_id: str  # the article itself, or the article a comment is posted under
    parent_id: str | None = None  # for comments: the comment replied to
    outlet: str | None = None
    document_title: str = ""
    index: int  # sentence index within the document
    text: str
    char_start: int
    char_end: int
    quoted: bool = False
    entities: list[Entity] = Field(default_factory=list)
    times: list[TimeMention] = Field(default_factory=list)
    attribution: Attribution
    context_before: str = ""  # the previous sentence, for matching short statements
