"""The whole path on a real broker: replay seeds/ -> topics -> worker agents -> alerts topic -> subscriber.

Expectations come from reading the two seed articles (see issue "The whole path on a real broker").
"""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from schemas import ArticlePublished, DeadLetter, DenialDetected, stable_id
from streams.codecs import decode, encode
from streams.ingest.archive import load_archive
from streams.ingest.replay import publish
from streams.kafka import caught_up, client_config, producer, topic_partitions
from streams.sinks.subscriber import iter_alerts

from .conftest import Worker, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
AFP, AP = "000_f62884ef3a0fed5e", "001_8fff56c466814f58"


async def raw_records(worker: Worker, topic: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(**client_config(worker.settings, worker.url), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = await topic_partitions(consumer, topic)
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        values: list[bytes] = []
        while not await caught_up(consumer, tps):
            for records in (await consumer.getmany(*tps, timeout_ms=500)).values():
                values.extend(r.value for r in records)
        return values
    finally:
        await consumer.stop()


async def replay_seeds(worker: Worker) -> None:
    kafka = producer(worker.settings, worker.url)
    await kafka.start()
    try:
        await publish(kafka, load_archive([SEEDS]), worker.settings)
    finally:
        await kafka.stop()


async def alerts_of(worker: Worker) -> list[DenialDetected]:
    return [a async for a in iter_alerts(worker.settings, worker.url)]


def one(alerts: list[DenialDetected], fragment: str) -> DenialDetected:
    found = [a for a in alerts if fragment in a.denial.text]
    assert found, f"no alert whose denying statement contains {fragment!r}; got: {[a.denial.text for a in alerts]}"
    return found[0]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def seed_alerts(worker: Worker) -> list[DenialDetected]:
    await replay_seeds(worker)
    await worker.wait_idle()
    return await alerts_of(worker)


async def test_the_ceasefire_claim_is_one_claim_from_two_outlets(seed_alerts):
    claim = one(seed_alerts, "News talking about their approval of a ceasefire is incorrect").claim
    # Each alert carries the claim as known when it fired; the AP report joins the claim later.
    sources = [s for a in seed_alerts if a.claim.claim_id == claim.claim_id for s in a.claim.sources]
    assert {s.document_id for s in sources} >= {AFP, AP}
    assert any("Anadolu" in s.speaker and s.document_id == AP for s in sources)
    assert any(w in claim.text.lower() for w in ("ceasefire", "truce", "cease-fire", "agree"))


async def test_the_five_ceasefire_denials_and_non_confirmations(seed_alerts):
    ceasefire = one(seed_alerts, "News talking about their approval of a ceasefire is incorrect").claim.claim_id
    expected = [
        # (fragment of the denying sentence, stance, speaker fragment, org fragment, document)
        ("News talking about their approval of a ceasefire is incorrect", "deny", "Labib Nahhas", "Ahrar al-Sham", AFP),
        ("no agreement as yet", "deny", "rebel source", None, AFP),
        ("has not been formally presented to the opposition", "deny", "official", None, AP),
        ("don't have enough information", "non_confirm", "Dmitry Peskov", "Kremlin", AFP),
        ("no information about a ceasefire so far", "non_confirm", "official", "High Negotiations Committee", AFP),
    ]
    for fragment, stance, speaker, org, document in expected:
        alert = one(seed_alerts, fragment)
        assert alert.claim.claim_id == ceasefire, f"{fragment!r} attached to {alert.claim.text!r}"
        assert alert.stance == stance, (fragment, alert.stance, alert.explanation)
        assert speaker in alert.denial.speaker, (fragment, alert.denial.speaker)
        if org:
            assert org in (alert.denial.speaker_org or ""), (fragment, alert.denial.speaker_org)
        assert alert.denial.document_id == document
    assert one(seed_alerts, "no agreement as yet").denial.speaker_kind == "anonymous"
    assert one(seed_alerts, "has not been formally presented").denial.speaker_kind == "anonymous"


async def test_the_us_embassy_denies_erdogans_accusation_not_the_ceasefire(seed_alerts):
    ceasefire = one(seed_alerts, "News talking about their approval of a ceasefire is incorrect").claim.claim_id
    embassy = one(seed_alerts, "Assertions the United States government is supporting Daesh (IS) are not true")
    assert embassy.stance == "deny"
    assert "embassy" in embassy.denial.speaker.lower()
    assert embassy.claim.claim_id != ceasefire
    assert "Islamic State" in embassy.claim.text or "IS" in embassy.claim.text
    assert any("Erdogan" in s.speaker for s in embassy.claim.sources)


async def test_no_false_alerts_on_the_seeds(seed_alerts):
    ceasefire = one(seed_alerts, "News talking about their approval of a ceasefire is incorrect").claim.claim_id
    assert [a.denial.text for a in seed_alerts if a.denial.document_kind == "comment"] == []
    assert [a for a in seed_alerts if "310,000" in a.denial.text] == []
    assert [a for a in seed_alerts if "categorically unacceptable" in a.denial.text and a.claim.claim_id == ceasefire] == []


async def test_alerts_carry_their_evidence(seed_alerts):
    for alert in seed_alerts:
        assert alert.alert_id == stable_id("alert", alert.claim.claim_id, alert.denial.statement_id)
        assert 0 < alert.confidence <= 1 and alert.explanation and alert.severity in ("low", "medium", "high")
        assert alert.lag_seconds >= 0
        assert alert.lag_seconds == (alert.denial.occurred_at - alert.claim.first_seen_at).total_seconds()
        body = {d.document_id: d for d in load_archive([SEEDS]) if isinstance(d, ArticlePublished)}
        if alert.denial.document_id in body:
            assert body[alert.denial.document_id].body[alert.denial.char_start : alert.denial.char_end] == alert.denial.text
    ap_denial = one(seed_alerts, "has not been formally presented")
    assert ap_denial.lag_seconds > 3600  # the AP report came hours after the AFP one


async def test_replaying_the_same_archive_again_emits_no_duplicates(worker: Worker, seed_alerts):
    before = await raw_records(worker, worker.settings.topic_alerts)
    await replay_seeds(worker)
    await worker.wait_idle()
    after = await raw_records(worker, worker.settings.topic_alerts)
    assert len(after) == len(before) == len(seed_alerts)


async def test_a_malformed_record_is_dead_lettered_and_the_stream_goes_on(worker: Worker, seed_alerts):
    settings = worker.settings
    kafka = AIOKafkaProducer(**client_config(settings, worker.url))
    await kafka.start()
    valid = ArticlePublished(
        event_id="article-dlq-check", occurred_at="2016-12-29T10:00:00Z", source="test", document_id="dlq-check",
        body="Officials said the talks would resume on Friday.",
    )
    try:
        await kafka.send_and_wait(settings.topic_articles, b'{"kind": "article", "body": ', key=b"broken")
        await kafka.send_and_wait(settings.topic_articles, encode(valid), key=b"dlq-check")
    finally:
        await kafka.stop()
    await worker.wait_idle()

    async def dead_lettered() -> bool:
        return bool(await raw_records(worker, settings.topic_deadletter))

    await wait_for(dead_lettered, 30, "a dead letter")
    letters = [decode(v, DeadLetter) for v in await raw_records(worker, settings.topic_deadletter)]
    assert letters[0].topic == settings.topic_articles and letters[0].stage == "enrich_documents"
    assert letters[0].original == '{"kind": "article", "body": ' and "invalid" in letters[0].reason
    statements = await raw_records(worker, settings.topic_statements)
    assert any(b"dlq-check" in v for v in statements), "the valid article after the bad one was not processed"
