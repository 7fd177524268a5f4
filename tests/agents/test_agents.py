"""The agents decode, call the plain functions, and send; bad records become dead letters."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from schemas import (ArticlePublished, ClaimUpdated, CommentPosted, DeadLetter, DenialDetected, InputProgress,
                     StatementExtracted)
from streams.agents import claims as claims_agent
from streams.agents.claims import ordering, state, track_claims
from streams.agents import enrich as enrich_agent
from streams.agents.enrich import enrich_documents
from streams.app import settings
from streams.codecs import decode, decode_statements_record, encode
from streams.ordering import Extent

T0 = datetime(2016, 12, 28, 8, 15, tzinfo=timezone.utc)

ARTICLE = ArticlePublished(
    event_id="article-t1", occurred_at=T0, source="test", document_id="t1", outlet="Wire",
    body=(
        "The state news agency said on Wednesday that Turkey and Russia had agreed a nationwide ceasefire plan for Syria.\n\n"
        '"Reports that we approved a ceasefire are incorrect," rebel spokesman Labib Nahhas said.'
    ),
)


def split(records: list[tuple[bytes | None, bytes]]) -> tuple[list[StatementExtracted], list[InputProgress]]:
    """The statements and the progress markers sent to the statements topic."""
    decoded = [decode_statements_record(v) for _, v in records]
    return ([r for r in decoded if isinstance(r, StatementExtracted)],
            [r for r in decoded if isinstance(r, InputProgress)])


@pytest.fixture
def arrival_order(monkeypatch):
    """The tracker without event-time ordering (test_context has no broker to read extents from)."""
    monkeypatch.setattr(settings, "ordering", "arrival")


async def test_enrich_documents_emits_attributed_statements_then_a_progress_marker(test_app, sent):
    async with enrich_documents.test_context() as agent:
        await agent.put(encode(ARTICLE))
    statements, markers = split(sent["statements"])
    assert [s.index for s in statements] == [0, 1]
    assert statements[1].attribution.speaker == "Labib Nahhas"
    assert statements[0].times and statements[0].times[0].value.startswith("2016-12-28")
    assert [k for k, _ in sent["statements"]][:2] == [b"t1", b"t1"]
    assert decode_statements_record(sent["statements"][-1][1]) == markers[0]  # the marker comes last
    assert len(markers) == 1 and markers[0].watermark == T0
    assert not sent["deadletter"]


async def test_enriched_statements_carry_the_vectors_the_tracker_needs(test_app, sent):
    from streams.nlp.models import make_embedder
    from streams.nlp.vectors import ROLES

    async with enrich_documents.test_context() as agent:
        await agent.put(encode(ARTICLE))
    statements, _ = split(sent["statements"])
    assert statements and all(s.embeddings is not None for s in statements)
    assert {s.embeddings.model for s in statements} == {make_embedder(settings).fingerprint}
    assert all(set(s.embeddings.vectors) == set(ROLES) for s in statements)


async def test_statement_vectors_can_be_turned_off(test_app, sent, monkeypatch):
    monkeypatch.setattr(settings, "statement_embeddings", False)
    async with enrich_documents.test_context() as agent:
        await agent.put(encode(ARTICLE))
    statements, _ = split(sent["statements"])
    assert len(statements) == 2 and all(s.embeddings is None for s in statements)


async def test_statements_go_without_vectors_when_embedding_fails(test_app, sent, monkeypatch, caplog):
    def broken(statements, embedder):  # type: ignore[no-untyped-def]
        raise RuntimeError("onnxruntime fell over")

    monkeypatch.setattr(enrich_agent, "with_embeddings", broken)
    async with enrich_documents.test_context() as agent:
        await agent.put(encode(ARTICLE))
    statements, markers = split(sent["statements"])
    assert len(statements) == 2 and all(s.embeddings is None for s in statements) and len(markers) == 1
    assert not sent["deadletter"]
    assert "sending them without vectors" in caplog.text


async def test_enrich_documents_handles_comments(test_app, sent):
    comment = CommentPosted(
        event_id="comment-t1", occurred_at=T0, source="test", document_id="c1", article_id="t1",
        author="reader", text="What ? No more bombs?",
    )
    async with enrich_documents.test_context() as agent:
        await agent.put(encode(comment))
    statements, markers = split(sent["statements"])
    assert statements and all(s.document_kind == "comment" and s.attribution.speaker == "reader" for s in statements)
    assert len(markers) == 1


async def test_a_malformed_document_is_dead_lettered_and_the_agent_goes_on(test_app, sent, monkeypatch):
    monkeypatch.setattr(enrich_agent, "watermarks", {})
    async with enrich_documents.test_context() as agent:
        await agent.put(b"\xff\xfe not json")
        await agent.put(encode(ARTICLE))
    letters = [decode(v, DeadLetter) for _, v in sent["deadletter"]]
    assert len(letters) == 1 and letters[0].stage == "enrich_documents"
    assert "invalid document" in letters[0].reason and letters[0].original.startswith("\\xff\\xfe")
    statements, markers = split(sent["statements"])
    assert len(statements) == 2
    # The dead-lettered record still moves its partition on (no event time: none could be read).
    assert [m.watermark for m in markers] == [None, T0]


async def enriched(article: ArticlePublished) -> list[bytes]:
    from streams.nlp.enrich import enrich_article

    return [encode(s) for s in enrich_article(article)]


async def test_track_claims_alerts_once_per_claim_and_denial(test_app, sent, arrival_order):
    records = await enriched(ARTICLE)
    async with track_claims.test_context() as agent:
        for record in records:
            await agent.put(record)
        for record in records:  # the same statements again: a replay
            await agent.put(record)
    alerts = [decode(v, DenialDetected) for _, v in sent["alerts"]]
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.stance == "deny" and alert.denial.speaker == "Labib Nahhas"
    assert "ceasefire" in alert.claim.text
    assert alert.alert_id in state().sent
    updates = [(k, decode(v, ClaimUpdated)) for k, v in sent["claims"]]
    final = [u for k, u in updates if u.claim_id == alert.claim.claim_id][-1]
    assert all(k == u.claim_id.encode() for k, u in updates)  # keyed by claim id
    assert final.status == "denied" and [e.kind for e in final.timeline] == ["first_report", "deny"]
    assert final.timeline[1].alert_id == alert.alert_id
    assert len(updates) == len({(u.claim_id, len(u.timeline)) for _, u in updates})  # the replay sent nothing more


async def test_track_claims_holds_statements_until_every_input_partition_got_past_them(test_app, sent, monkeypatch):
    """Event-time order (the default): statements wait for the progress markers, then go in order."""
    topic = settings.topic_articles
    extents = {(topic, 0): Extent(0, 1), (topic, 1): Extent(0, 0), (settings.topic_comments, 0): Extent(0, 0),
               (settings.topic_comments, 1): Extent(0, 0)}

    async def read_extents() -> dict:
        return extents

    monkeypatch.setattr(claims_agent, "input_extents", read_extents)
    monkeypatch.setattr(settings, "topic_partitions", 2)
    records = await enriched(ARTICLE.model_copy(update={"event_id": "article-t2", "document_id": "t2"}))
    async with track_claims.test_context() as agent:
        for record in reversed(records):  # the denial before the claim
            await agent.put(record)
        assert not sent["alerts"] and len(ordering().held) == 2
        marker = InputProgress(topic=topic, partition=0, offset=0, watermark=T0)
        await agent.put(encode(marker))
    assert not ordering().held
    alerts = [decode(v, DenialDetected) for _, v in sent["alerts"]]
    assert len(alerts) == 1 and alerts[0].denial.speaker == "Labib Nahhas" and alerts[0].denial.document_id == "t2"
    final = [decode(v, ClaimUpdated) for _, v in sent["claims"]][-1]
    assert final.timeline[-1].kind == "deny" and final.timeline[-1].document_id == "t2"


async def test_track_claims_dead_letters_a_statement_that_does_not_validate(test_app, sent):
    async with track_claims.test_context() as agent:
        await agent.put(b'{"kind": "statement", "event_id": "x"}')
    letters = [decode(v, DeadLetter) for _, v in sent["deadletter"]]
    assert len(letters) == 1 and letters[0].stage == "track_claims" and "StatementExtracted" in letters[0].reason
    assert not sent["alerts"]
