"""Common base for every event claimwatch puts on a topic.

Every event carries ``event_id``, ``schema_version``, ``occurred_at`` (timezone-aware, normalised
to UTC) and ``source`` (where it entered the system, e.g. ``replay:seeds/000.txt``).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError, field_validator

SCHEMA_VERSION = 1


def stable_id(prefix: str, *parts: object) -> str:
    """A deterministic id: the same inputs always give the same id (replays stay idempotent)."""
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]
    return f"{prefix}-{digest}"


def to_utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


class Model(BaseModel):
    """Strict base: unknown fields are an error, so typos in user archives are caught."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Event(Model):
    topic_hint: ClassVar[str] = ""

    event_id: str
    schema_version: int = SCHEMA_VERSION
    occurred_at: AwareDatetime
    source: str

    @field_validator("occurred_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return to_utc(value)


def describe_validation_error(exc: ValidationError) -> str:
    """A concise reason from a pydantic error: the first error's field path and message."""
    errors = exc.errors(include_url=False)
    if not errors:
        return str(exc)
    first = errors[0]
    field = ".".join(str(part) for part in first.get("loc", ())) or "<value>"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{field}: {first.get('msg', 'invalid value')}{more}"
