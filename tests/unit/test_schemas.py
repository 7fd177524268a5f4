"""Every schema round-trips through JSON bytes, and malformed payloads are rejected clearly."""

from __future__ import annotations

import json
from pathlib import Path
from datetime import datetime, timedelta, timezone

import pytest

from schemas import (
    ArticlePublished,
    Attribution,
    CommentPosted,
    DeadLetter,
    DenialDetected,
    Entity,
    StatementExtracted,
    TimeMention,
    stable_id,
)
from schemas.export import export_json_schemas
from streams.codecs import DecodeError, decode, decode_document, encode

from .factories import make_alert

T0 = datetime(2016, 12, 28, 8, 15, tzinfo=timezone.utc)


def article() -> ArticlePublished:
    return ArticlePublished(
        event_id="article-1", occurred_at=T0, source="test", document_id="a1",
        title="Headline", body="First paragraph.\n\nSecond.", outlet="Naharnet (AFP)",
    )


def comment() -> CommentPosted:
    return CommentPosted(
        event_id="comment-1", occurred_at=T0 + timedelta(hours=1), source="test", document_id="c1",
        article_id="a1", author="justin", text="Sovereignty ;)!",
    )


def statement() -> StatementExtracted:
    return StatementExtracted(
        event_id="stmt-1", occurred_at=T0, source="test", document_id="a1", document_kind="article",
        article_id="a1", index=0, text="X said Y.", char_start=0, char_end=9,
        entities=[Entity(text="X", label="PERSON", start=0, end=1)],
        times=[TimeMention(text="Wednesday", start=0, end=9, value="2016-12-28", granularity="day")],
        attribution=Attribution(speaker="X", speaker_kind="person", verb="say", content="Y", content_start=7, content_end=8),
    )


def alert() -> DenialDetected:
    return make_alert(at=T0, claim_entities=["russia"])


def dead_letter() -> DeadLetter:
    return DeadLetter(event_id="dlq-1", occurred_at=T0, source="kafka:news.articles", topic="news.articles",
                      stage="enrich_documents", reason="invalid", original="{not json")


@pytest.mark.parametrize("factory", [article, comment, statement, alert, dead_letter])
def test_round_trip_through_bytes(factory):
    event = factory()
    assert decode(encode(event), type(event)) == event


@pytest.mark.parametrize("factory", [article, comment, statement, alert, dead_letter])
def test_every_event_carries_the_common_fields(factory):
    payload = json.loads(encode(factory()))
    assert {"event_id", "schema_version", "occurred_at", "source"} <= payload.keys()
    assert payload["schema_version"] == 1
    assert payload["occurred_at"].endswith("Z")


def test_occurred_at_is_normalised_to_utc():
    beirut = timezone(timedelta(hours=2))
    event = article().model_copy(update={})
    event = ArticlePublished.model_validate({**event.model_dump(), "occurred_at": datetime(2016, 12, 28, 10, 15, tzinfo=beirut)})
    assert event.occurred_at == T0 and event.occurred_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "payload, reason",
    [
        (b"{not json", "invalid"),
        (b"", "invalid"),
        (b'{"kind": "article"}', "event_id"),
        (json.dumps({**json.loads(encode(article())), "occurred_at": "2016-12-28T08:15:00"}).encode(), "occurred_at"),
        (json.dumps({**json.loads(encode(article())), "body": ""}).encode(), "body"),
        (json.dumps({**json.loads(encode(article())), "surprise": 1}).encode(), "surprise"),
        ("\udcff".encode("utf-8", "surrogatepass"), "invalid"),
    ],
)
def test_malformed_documents_raise_a_one_line_reason(payload, reason):
    with pytest.raises(DecodeError) as info:
        decode_document(payload)
    assert reason in str(info.value) and "\n" not in str(info.value)


def test_decode_document_picks_the_kind():
    assert isinstance(decode_document(encode(article())), ArticlePublished)
    assert isinstance(decode_document(encode(comment())), CommentPosted)


def test_confidence_is_bounded():
    with pytest.raises(ValueError):
        DenialDetected.model_validate({**alert().model_dump(), "confidence": 1.5})


def test_stable_id_is_deterministic_and_distinct():
    assert stable_id("x", "a", 1) == stable_id("x", "a", 1)
    assert stable_id("x", "a", 1) != stable_id("x", "a", 2)
    assert stable_id("x", "ab", "c") != stable_id("x", "a", "bc")


def test_json_schema_export(tmp_path):
    paths = export_json_schemas(tmp_path)
    alert_schema = json.loads((tmp_path / "alert.schema.json").read_text())
    assert len(paths) == 6
    assert {"alert_id", "claim", "denial", "stance", "confidence", "lag_seconds", "explanation", "severity"} <= set(
        alert_schema["required"]
    ) | set(alert_schema["properties"])


def test_committed_json_schemas_match_the_models(tmp_path):
    committed = Path(__file__).resolve().parents[2] / "schemas" / "json"
    for path in export_json_schemas(tmp_path):
        assert (committed / path.name).read_text() == path.read_text(), (
            f"schemas/json/{path.name} is stale: run `claimwatch schema --out schemas/json`"
        )
