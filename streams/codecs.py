"""pydantic <-> bytes. Topics carry raw bytes; agents decode with :func:`decode` so that a
malformed record becomes a dead letter instead of crashing the consumer."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from schemas import ArticlePublished, CommentPosted

M = TypeVar("M", bound=BaseModel)

_document_adapter: TypeAdapter[ArticlePublished | CommentPosted] = TypeAdapter(ArticlePublished | CommentPosted)


class DecodeError(ValueError):
    """A record that is not a valid event of the expected type; ``str()`` is a one-line reason."""


def encode(model: BaseModel) -> bytes:
    return model.model_dump_json().encode("utf-8")


def _reason(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "<root>"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first.get('msg', 'invalid')}{more}"


def decode(data: bytes | str | None, model: type[M]) -> M:
    if data is None:
        raise DecodeError("empty record (no value)")
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        raise DecodeError(f"invalid {model.__name__}: {_reason(exc)}") from None


def decode_document(data: bytes | str | None) -> ArticlePublished | CommentPosted:
    if data is None:
        raise DecodeError("empty record (no value)")
    try:
        return _document_adapter.validate_json(data)
    except ValidationError as exc:
        raise DecodeError(f"invalid document: {_reason(exc)}") from None


def printable(data: bytes | str | None) -> str:
    """The original bytes as text for a dead letter: UTF-8, undecodable bytes backslash-escaped."""
    if data is None:
        return ""
    if isinstance(data, str):
        return data
    return data.decode("utf-8", errors="backslashreplace")
