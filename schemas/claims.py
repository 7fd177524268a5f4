"""Claim-tracking state (what ``ClaimTracker`` keeps in its injected stores).

Values are pydantic models so a Faust table (or any ``MutableMapping``) can serialise them.
Records stay small: evidence is capped and each evidence item carries one 384-d embedding rounded
to 4 decimals (about 3 KB as JSON).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field

from .alerts import ClaimSource
from .base import Event, Model, stable_id
from .statements import StatementExtracted

TimelineKind = Literal["first_report", "source", "confirmation", "support", "deny", "non_confirm"]
ClaimStatus = Literal["unverified", "contested", "denied", "confirmed"]


class TimelineEntry(Model):
    """One step in a claim's life: who said what about it, and when."""

    kind: TimelineKind
    statement_id: str
    text: str
    speaker: str
    speaker_kind: str
    outlet: str | None = None
    document_id: str
    document_kind: Literal["article", "comment"] = "article"
    index: int = 0  # the statement's position in its document
    occurred_at: AwareDatetime
    confidence: float | None = None  # stance confidence (support, confirmation, deny, non_confirm)
    alert_id: str | None = None  # deny / non_confirm entries that raised an alert


def claim_status(timeline: list[TimelineEntry]) -> ClaimStatus:
    """``denied``: denials and no confirmation; ``confirmed``: confirmations and no denial or
    refusal to confirm; ``contested``: both sides, or refusals to confirm only; else ``unverified``.
    Reader support and further reports (sources) do not confirm a claim."""
    kinds = {e.kind for e in timeline}
    confirmed = "confirmation" in kinds
    if "deny" in kinds:
        return "contested" if confirmed else "denied"
    if "non_confirm" in kinds:
        return "contested"
    return "confirmed" if confirmed else "unverified"


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
    timeline: list[TimelineEntry] = Field(default_factory=list)  # event-time order, capped (earliest kept)


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


class ClaimUpdated(Event):
    """A claim's current state, sent to the ``claims`` topic (keyed by claim id) whenever it changes:
    created, a new source, a confirmation, support, a denial, or merged into another claim."""

    kind: Literal["claim"] = "claim"
    claim_id: str
    text: str
    status: ClaimStatus
    first_seen_at: AwareDatetime
    last_seen_at: AwareDatetime = Field(description="The latest event time on the timeline (last activity).")
    sources: list[ClaimSource] = Field(default_factory=list)
    entities: list[str] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    merged_into: str | None = None

    @classmethod
    def of(cls, record: ClaimRecord, *, at: AwareDatetime, source: str) -> ClaimUpdated:
        return cls(
            event_id=stable_id("claimupd", record.claim_id, len(record.timeline), record.merged_into, at.isoformat()),
            occurred_at=at,
            source=source,
            claim_id=record.claim_id,
            text=record.text,
            status=claim_status(record.timeline),
            first_seen_at=record.first_seen_at,
            last_seen_at=max([record.last_seen_at] + [e.occurred_at for e in record.timeline]),
            sources=record.sources,
            entities=record.entities,
            timeline=record.timeline,
            merged_into=record.merged_into,
        )
