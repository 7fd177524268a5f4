"""pydantic <-> bytes. Topics carry raw bytes; agents decode with :func:`decode` so that a
malformed record becomes a dead letter instead of crashing the consumer."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Annotated, TypeVar

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from schemas import ArticlePublished, CommentPosted, DeadLetter, InputProgress, StatementExtracted, stable_id
from schemas.base import describe_validation_error

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

_document_adapter: TypeAdapter[ArticlePublished | CommentPosted] = TypeAdapter(ArticlePublished | CommentPosted)
_statements_topic_adapter: TypeAdapter[StatementExtracted | InputProgress] = TypeAdapter(
    Annotated[StatementExtracted | InputProgress, Field(discriminator="kind")]
)


class DecodeError(ValueError):
    """A record that is not a valid event of the expected type; ``str()`` is a one-line reason."""


def encode(model: BaseModel) -> bytes:
    return model.model_dump_json().encode("utf-8")


def _validated(data: bytes | str | None, validate: Callable[[bytes | str], T], label: str) -> T:
    if data is None:
        raise DecodeError("empty record (no value)")
    try:
        return validate(data)
    except ValidationError as exc:
        raise DecodeError(f"invalid {label}: {describe_validation_error(exc)}") from None


def decode(data: bytes | str | None, model: type[M]) -> M:
    return _validated(data, model.model_validate_json, model.__name__)


def decode_document(data: bytes | str | None) -> ArticlePublished | CommentPosted:
    return _validated(data, _document_adapter.validate_json, "document")


def decode_statements_record(data: bytes | str | None) -> StatementExtracted | InputProgress:
    """A record of the statements topic: a statement or an enrichment progress marker."""
    return _validated(data, _statements_topic_adapter.validate_json, "StatementExtracted or InputProgress")


def printable(data: bytes | str | None) -> str:
    """The original bytes as text for a dead letter: UTF-8, undecodable bytes backslash-escaped."""
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    return data.decode("utf-8", errors="backslashreplace")


def dead_letter(
    *, topic: str, partition: int | None, offset: int | None, stage: str, reason: str,
    value: bytes | str | None, key: bytes | str | None,
) -> DeadLetter:
    """The dead-letter record for a Kafka record that ``stage`` could not process."""
    return DeadLetter(
        event_id=stable_id("dlq", topic, partition, offset, stage),
        occurred_at=datetime.now(timezone.utc),
        source=f"kafka:{topic}",
        topic=topic,
        partition=partition,
        offset=offset,
        stage=stage,
        reason=reason,
        original=printable(value),
        key=printable(key) if key is not None else None,
    )
