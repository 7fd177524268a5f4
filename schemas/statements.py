"""Enriched statements: one sentence of a document with entities, attribution and times."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

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


class StatementEmbeddings(Model):
    """Sentence vectors of the texts the claim tracker embeds for a statement, computed where the
    statement is enriched (which scales with the workers) so that the tracker, one worker at a time,
    does not run the model for them (``streams/nlp/vectors.py``)."""

    model: str = Field(description="Fingerprint of the embedding model (Embedder.fingerprint); the tracker "
                       "uses the vectors only when it is its own.")
    vectors: dict[str, str] = Field(default_factory=dict, description="Role (content, context, stance) -> "
                                    "base64 of the little-endian float32 vector.")


class StatementExtracted(Event):
    """One sentence of an article or comment, enriched. ``event_id`` is the statement id."""

    kind: Literal["statement"] = "statement"
    document_id: str
    document_kind: Literal["article", "comment"]
    article_id: str  # the article itself, or the article a comment is posted under
    parent_id: str | None = None  # for comments: the comment replied to
    outlet: str | None = None
    author: str | None = Field(default=None, description="Who posted the document (the article's ``author``, "
                               "the comment's author), when known. The speaker may be someone else: a post "
                               "that quotes the police is the police's statement, posted by its account.")
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
    embeddings: StatementEmbeddings | None = None  # None: the tracker embeds the texts itself


class InputProgress(Model):
    """How far enrichment has got in one input partition, sent on the statements topic after the
    statements of each document (and after a document that was dead-lettered).

    The claim tracker buffers statements and releases them in event-time order once every input
    partition has got past them (``streams/ordering.py``), so several enrichment workers give the
    tracker the same order as one.
    """

    kind: Literal["progress"] = "progress"
    topic: str
    partition: int = Field(ge=0)
    offset: int = Field(ge=0, description="The last input offset whose statements precede this record.")
    watermark: AwareDatetime | None = Field(
        None, description="The latest document time enriched in this partition so far (None: none decoded yet)."
    )
