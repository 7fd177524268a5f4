"""Claim-tracking state (what ``ClaimTracker`` keeps in its injected stores).

Values are pydantic models so a Faust table (or any ``MutableMapping``) can serialise them.
Records stay small: evidence is capped and each evidence item carries one 384-d embedding rounded
to 4 decimals (about 3 KB as JSON).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from .alerts import ClaimSource
from .base import Model
from .statements import StatementExtracted


class ClaimEvidence(Model):
    """One statement that asserts (or restates) a claim, as the matcher needs it."""

    statement_id: str
    document_id: str
    article_id: str
    document_kind: Literal["article", "comment"] = "article"
    index: int
    occurred_at: AwareDatetime
    speaker: str
    speaker_kind: str
    text: str  # the content span (or the sentence, for narrator claims)
    terms: list[str] = Field(default_factory=list)
    embedding: list[float] = Field(default_factory=list)  # of ``text``; empty when no embedder


class ClaimRecord(Model):
    claim_id: str
    text: str  # the earliest source's content span
    first_seen_at: AwareDatetime
    last_seen_at: AwareDatetime
    origin_statement_id: str  # the statement that created the record
    sources: list[ClaimSource] = Field(default_factory=list)
    evidence: list[ClaimEvidence] = Field(default_factory=list)  # capped, earliest kept
    key_terms: list[str] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    statement_ids: list[str] = Field(default_factory=list)  # every statement that joined (never deny it)
    alerted_statement_ids: list[str] = Field(default_factory=list)  # statements already alerted on
    merged_into: str | None = None  # set on a tombstone: the claim was merged into this one


class SeenStatement(Model):
    """The tracker's per-statement memo: idempotency plus the pending buffer.

    ``pending`` holds a negative (deny / non-confirm) statement so it can be re-checked when a
    claim is created or gains a source (arrival order then does not change the set of alerts).
    """

    statement_id: str
    occurred_at: AwareDatetime
    outcome: str  # created | joined | negative | none
    claim_ids: list[str] = Field(default_factory=list)
    best_match: float = 0.0  # best match score of a negative statement against any claim so far
    pending: StatementExtracted | None = None
