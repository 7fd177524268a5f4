"""The agents decode, call the plain functions, and send; bad records become dead letters."""

from __future__ import annotations

from datetime import datetime, timezone

from schemas import ArticlePublished, ClaimUpdated, CommentPosted, DeadLetter, DenialDetected, StatementExtracted
from streams.agents.claims import sent_alerts, track_claims
from streams.agents.enrich import enrich_documents
from streams.codecs import decode, encode

T0 = datetime(2016, 12, 28, 8, 15, tzinfo=timezone.utc)

ARTICLE = ArticlePublished(
    event_id="article-t1", occurred_at=T0, source="test", document_id="t1", outlet="Wire",
    body=(
        "The state news agency said on Wednesday that Turkey and Russia had agreed a nationwide ceasefire plan for Syria.\n\n"
        '"Reports that we approved a ceasefire are incorrect," rebel spokesman Labib Nahhas said.'
    ),
)


async def test_enrich_documents_emits_attributed_statements(test_app, sent):
    async with enrich_documents.test_context() as agent:
        await agent.put(encode(ARTICLE))
    statements = [decode(v, StatementExtracted) for _, v in sent["statements"]]
    assert [s.index for s in statements] == [0, 1]
    assert statements[1].attribution.speaker == "Labib Nahhas"
    assert statements[0].times and statements[0].times[0].value.startswith("2016-12-28")
    assert all(k == b"t1" for k, _ in sent["statements"])
    assert not sent["deadletter"]


async def test_enrich_documents_handles_comments(test_app, sent):
    comment = CommentPosted(
        event_id="comment-t1", occurred_at=T0, source="test", document_id="c1", article_id="t1",
        author="reader", text="What ? No more bombs?",
    )
    async with enrich_documents.test_context() as agent:
        await agent.put(encode(comment))
    statements = [decode(v, StatementExtracted) for _, v in sent["statements"]]
    assert statements and all(s.document_kind == "comment" and s.attribution.speaker == "reader" for s in statements)


async def test_a_malformed_document_is_dead_lettered_and_the_agent_goes_on(test_app, sent):
    async with enrich_documents.test_context() as agent:
        await agent.put(b"\xff\xfe not json")
        await agent.put(encode(ARTICLE))
    letters = [decode(v, DeadLetter) for _, v in sent["deadletter"]]
    assert len(letters) == 1 and letters[0].stage == "enrich_documents"
    assert "invalid document" in letters[0].reason and letters[0].original.startswith("\\xff\\xfe")
    assert len(sent["statements"]) == 2


async def enriched(article: ArticlePublished) -> list[bytes]:
    from streams.nlp.enrich import enrich_article

    return [encode(s) for s in enrich_article(article)]


async def test_track_claims_alerts_once_per_claim_and_denial(test_app, sent):
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
    assert alert.alert_id in sent_alerts
    updates = [(k, decode(v, ClaimUpdated)) for k, v in sent["claims"]]
    final = [u for k, u in updates if u.claim_id == alert.claim.claim_id][-1]
    assert all(k == u.claim_id.encode() for k, u in updates)  # keyed by claim id
    assert final.status == "denied" and [e.kind for e in final.timeline] == ["first_report", "deny"]
    assert final.timeline[1].alert_id == alert.alert_id
    assert len(updates) == len({(u.claim_id, len(u.timeline)) for _, u in updates})  # the replay sent nothing more


async def test_track_claims_dead_letters_a_statement_that_does_not_validate(test_app, sent):
    async with track_claims.test_context() as agent:
        await agent.put(b'{"kind": "statement", "event_id": "x"}')
    letters = [decode(v, DeadLetter) for _, v in sent["deadletter"]]
    assert len(letters) == 1 and letters[0].stage == "track_claims" and "StatementExtracted" in letters[0].reason
    assert not sent["alerts"]
