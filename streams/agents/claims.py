"""track_claims: enriched statements -> claims (clustered across sources) -> alerts, and each
changed claim's state (``ClaimUpdated``) to the ``claims`` topic.

State lives in tables on the single-partition statements topic: ``claims`` (claim id ->
ClaimRecord), ``seen_statements`` (idempotency and pending denials) and ``sent_alerts``
(alert id -> when it was sent), so a replay of the same archive sends no alert twice.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache

from schemas import ClaimRecord, ClaimUpdated, SeenStatement, StatementExtracted

from ..app import app, settings, topics
from ..codecs import DecodeError, decode, encode
from ..nlp.models import make_embedder, make_tracker
from ..nlp.tracker import ClaimTracker
from .deadletter import send_dead_letter
from .enrich import nlp_executor
from .state import ModelTable

log = logging.getLogger(__name__)

claims = app.Table("claims", partitions=1, help="claim id -> ClaimRecord")
seen_statements = app.Table("seen_statements", partitions=1, help="statement id -> SeenStatement")
sent_alerts = app.Table("sent_alerts", partitions=1, help="alert id -> time the alert was sent")


@lru_cache(maxsize=1)
def tracker() -> ClaimTracker:
    return make_tracker(ModelTable(claims, ClaimRecord), ModelTable(seen_statements, SeenStatement), settings)


def warm_up() -> None:
    """Load the spaCy pipeline and the embedding model before the first event arrives."""
    from ..nlp.pipeline import get_nlp

    get_nlp(settings.spacy_model)
    make_embedder(settings).encode(["claimwatch is ready."])


@app.task
async def load_models() -> None:
    await asyncio.get_running_loop().run_in_executor(nlp_executor, warm_up)
    log.info("models loaded")


@app.agent(topics.statements)
async def track_claims(stream):  # type: ignore[no-untyped-def]
    async for event in stream.events():
        try:
            statement = decode(event.value, StatementExtracted)
        except DecodeError as exc:
            await send_dead_letter(event, "track_claims", str(exc))
            yield 0  # one result per event (test_context and ask() wait for it)
            continue
        try:
            output = tracker().process(statement)
        except Exception as exc:  # noqa: BLE001 - one bad statement must not stop the stream
            log.exception("claim tracking failed for %s", statement.event_id)
            await send_dead_letter(event, "track_claims", f"claim tracking failed: {exc!r}")
            yield 0  # one result per event (test_context and ask() wait for it)
            continue
        for claim_id in output.touched:
            record = tracker().claims.get(claim_id)
            if record is not None:
                update = ClaimUpdated.of(record, at=statement.occurred_at, source=f"statement:{statement.event_id}")
                await topics.claims.send(key=claim_id.encode(), value=encode(update))
        for alert in output.alerts:
            if alert.alert_id in sent_alerts:
                continue
            await topics.alerts.send(key=alert.claim.claim_id.encode(), value=encode(alert))
            sent_alerts[alert.alert_id] = alert.occurred_at.isoformat()
            log.info("alert %s: %s %s", alert.alert_id, alert.stance, alert.denial.text[:80])
        yield len(output.alerts)
