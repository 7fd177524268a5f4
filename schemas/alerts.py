"""Downstream events: claims' evidence and the alerts subscribers receive."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, Field

from .base import Event, Model

Stance = Literal["deny", "non_confirm", "support", "query", "comment"]
Severity = Literal["low", "medium", "high"]


class ClaimSource(Model):
    outlet: str | None
    speaker: str
    author: str | None = None  # who posted the source document (an account), when known
    document_id: str
    statement_id: str | None = None
    occurred_at: AwareDatetime | None = None


class AlertClaim(Model):
    claim_id: str
    text: str
    first_seen_at: AwareDatetime
    sources: list[ClaimSource]
    entities: list[str] = Field(default_factory=list)  # normalised (lower-case) named entities


class AlertStatement(Model):
    statement_id: str
    text: str
    quote: str = ""  # the attributed content span, when narrower than the sentence
    speaker: str
    speaker_kind: str
    speaker_org: str | None = None
    document_id: str
    document_kind: Literal["article", "comment"]
    outlet: str | None = None
    char_start: int
    char_end: int
    occurred_at: AwareDatetime
    entities: list[str] = Field(default_factory=list)  # normalised (lower-case) named entities


class DenialDetected(Event):
    """An alert: a later statement denies (or refuses to confirm) an earlier claim.

    ``alert_id`` derives from the claim id and the denying statement id, so replaying the same
    archive again yields the same ids and subscribers can de-duplicate.
    """

    kind: Literal["alert"] = "alert"
    alert_id: str
    claim: AlertClaim
    denial: AlertStatement
    stance: Literal["deny", "non_confirm"]
    confidence: float = Field(ge=0.0, le=1.0)
    lag_seconds: float
    explanation: str
    severity: Severity
    match_score: float = Field(ge=0.0, le=1.0)
    match_reasons: list[str] = Field(default_factory=list)


class DeadLetter(Event):
    """A record the service could not process: the reason and the original bytes."""

    kind: Literal["deadletter"] = "deadletter"
    topic: str
    partition: int | None = None
    offset: int | None = None
    stage: str  # which agent rejected it
    reason: str
    original: str  # the original bytes, decoded as UTF-8 with backslash escapes for the rest
    key: str | None = None


def lag_seconds(claim_first_seen: datetime, statement_at: datetime) -> float:
    return (statement_at - claim_first_seen).total_seconds()
