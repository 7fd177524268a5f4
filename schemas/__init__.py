"""claimwatch event schemas (pydantic v2). Importable without Faust or Kafka."""

from .alerts import (
    AlertClaim,
    AlertStatement,
    ClaimSource,
    DeadLetter,
    DenialDetected,
    Severity,
    Stance,
)
from .base import SCHEMA_VERSION, Event, stable_id, to_utc
from .documents import ArticlePublished, CommentPosted
from .statements import (
    Attribution,
    Entity,
    InputProgress,
    SpeakerKind,
    StatementEmbeddings,
    StatementExtracted,
    TimeMention,
)

__all__ = [
    "SCHEMA_VERSION",
    "AlertClaim",
    "AlertStatement",
    "ArticlePublished",
    "Attribution",
    "ClaimSource",
    "CommentPosted",
    "DeadLetter",
    "DenialDetected",
    "Entity",
    "Event",
    "InputProgress",
    "Severity",
    "SpeakerKind",
    "Stance",
    "StatementEmbeddings",
    "StatementExtracted",
    "TimeMention",
    "stable_id",
    "to_utc",
]

from .claims import ClaimEvidence, ClaimRecord, ClaimStatus, ClaimUpdated, SeenStatement, TimelineEntry, claim_status  # noqa: E402

__all__ += ["ClaimEvidence", "ClaimRecord", "ClaimStatus", "ClaimUpdated", "SeenStatement", "TimelineEntry", "claim_status"]
