"""track_claims: enriched statements -> claims (clustered across sources) -> alerts, and each
changed claim's state (``ClaimUpdated``) to the ``claims`` topic.

State lives in ONE table, ``tracker_state``, on the single-partition statements topic, under key
prefixes (``streams/state.py`` says why one, and how a statement's writes are one batch):

* ``claim:`` claim id -> ClaimRecord;
* ``seen:`` statement id -> SeenStatement (idempotency and pending denials);
* ``sent:`` alert id -> when the alert was sent, so a replay of the same archive sends no alert twice;
* ``hold:`` statement id -> StatementExtracted waiting for every input partition to get past it, and
  ``progress:`` topic:partition -> the latest ``InputProgress`` of each input partition: event-time
  order across enrichment workers (``streams/ordering.py``).
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache

from aiokafka import AIOKafkaConsumer
from faust.types import EventT

from schemas import ClaimRecord, ClaimUpdated, InputProgress, SeenStatement, StatementExtracted, stable_id

from ..app import app, settings, topics
from ..broker import resolve_broker_url
from ..codecs import DecodeError, dead_letter, decode_statements_record, encode
from ..kafka import client_config, topic_partitions
from ..nlp.models import make_embedder, make_tracker
from ..nlp.tracker import ClaimTracker
from ..gaps import SkippedRecord
from ..offsets import exact_end_offsets
from ..ordering import EventTimeOrder, Extent, TopicPartition
from ..state import Section, StateTable
from .deadletter import send_dead_letter
from .enrich import nlp_executor
from .gaps import process_in_order

log = logging.getLogger(__name__)

tracker_state = app.Table("tracker_state", partitions=1,
                          help="the claim tracker's state under key prefixes (streams/state.py)")


class TrackerState:
    """The sections of ``tracker_state`` (``streams/state.py``)."""

    def __init__(self, table: StateTable) -> None:
        self.table = table
        self.claims: Section[ClaimRecord] = table.section("claim:", ClaimRecord, cached=True)
        self.seen: Section[SeenStatement] = table.section("seen:", SeenStatement)
        self.sent: Section[str] = table.section("sent:", None)  # type: ignore[arg-type]
        self.held: Section[StatementExtracted] = table.section("hold:", StatementExtracted)
        self.progress: Section[InputProgress] = table.section("progress:", InputProgress)


@lru_cache(maxsize=1)
def state() -> TrackerState:
    return TrackerState(StateTable(tracker_state))


@lru_cache(maxsize=1)
def tracker() -> ClaimTracker:
    return make_tracker(state().claims, state().seen, settings)


def input_partitions() -> list[TopicPartition]:
    """The input partitions by the settings (the broker's metadata replaces this once read)."""
    return [(topic, p) for topic in (settings.topic_articles, settings.topic_comments)
            for p in range(settings.topic_partitions)]


@lru_cache(maxsize=1)
def ordering() -> EventTimeOrder:
    return EventTimeOrder(state().held, state().progress, input_partitions(),
                          max_buffered=settings.ordering_max_buffered,
                          processed=lambda statement_id: statement_id in state().seen)


class InputExtents:
    """Reads the input partitions' first and next offsets from the broker (a group-less consumer)."""

    def __init__(self) -> None:
        self._consumer: AIOKafkaConsumer | None = None

    async def __call__(self) -> dict[TopicPartition, Extent]:
        if self._consumer is None:
            consumer = AIOKafkaConsumer(**client_config(settings, resolve_broker_url(settings)), group_id=None,
                                        enable_auto_commit=False)
            await consumer.start()
            self._consumer = consumer
        tps = [tp for topic in (settings.topic_articles, settings.topic_comments)
               for tp in await topic_partitions(self._consumer, topic)]
        starts = await self._consumer.beginning_offsets(tps)
        ends = await exact_end_offsets(self._consumer, tps)
        return {(tp.topic, tp.partition): Extent(starts[tp], ends[tp]) for tp in tps}

    async def close(self) -> None:
        if self._consumer is not None:
            consumer, self._consumer = self._consumer, None
            await consumer.stop()


input_extents = InputExtents()


@app.on_partitions_revoked.connect
async def forget_in_memory_state(sender: object, revoked: object = None, **kwargs: object) -> None:
    """The statements partition may move: what memory mirrors of its table hold is rebuilt on use."""
    forget_all()


@app.on_rebalance_complete.connect
async def forget_after_recovery(sender: object, **kwargs: object) -> None:
    """The table has been restored from its changelog: mirrors built while it was being restored (a
    ``GET /health`` during recovery) are stale. The agent's streams resume after this signal."""
    forget_all()


def forget_all() -> None:
    state().table.forget()
    ordering().forget()
    if tracker.cache_info().currsize:
        tracker().forget()


@app.on_before_shutdown.connect
async def close_input_extents(sender: object, **kwargs: object) -> None:
    await input_extents.close()


async def ready_statements(record: StatementExtracted | InputProgress) -> list[StatementExtracted]:
    """The statements the tracker may process now that ``record`` arrived (in event-time order)."""
    if settings.ordering == "arrival":
        return [record] if isinstance(record, StatementExtracted) else []
    order = ordering()
    if isinstance(record, StatementExtracted):
        order.add(record)
        return order.release()
    order.advance(record)
    if not order.held:
        return []
    snapshot_after = order.arrived()
    try:
        extents = await input_extents()
    except Exception as exc:  # noqa: BLE001 - the next marker tries again; watermarks still work
        log.warning("could not read the input partitions' offsets (%r); ordering by watermarks only", exc)
        return order.release()
    order.inputs = sorted(extents)
    return order.release(extents, snapshot_after)


async def dead_letter_statement(event: EventT | SkippedRecord, statement: StatementExtracted, reason: str) -> None:
    message = event.message
    record = dead_letter(topic=message.topic, partition=message.partition, offset=message.offset,
                         stage="track_claims", reason=reason, value=encode(statement),
                         key=statement.article_id).model_copy(
        update={"event_id": stable_id("dlq", statement.event_id, "track_claims")})
    log.warning("dead letter for statement %s (track_claims): %s", statement.event_id, reason)
    await topics.deadletter.send(key=record.topic.encode(), value=encode(record))


async def track(event: EventT | SkippedRecord, statement: StatementExtracted) -> int:
    """Run one statement through the tracker, send its claim updates and new alerts, then record it
    (one batch of ``tracker_state``, written once the broker has acknowledged the sends, see
    ``streams/state.py``). Returns the alerts sent."""
    st = state()
    st.table.begin(statement.event_id)
    try:
        output = tracker().process(statement)
    except Exception as exc:  # noqa: BLE001 - one bad statement must not stop the stream
        st.table.abort()
        tracker().forget()  # its in-memory indexes may have seen the dropped writes
        log.exception("claim tracking failed for %s", statement.event_id)
        ordering().done(statement)  # not released again: it is in the dead-letter topic
        await dead_letter_statement(event, statement, f"claim tracking failed: {exc!r}")
        return 0
    ordering().done(statement)
    acks = []
    for claim_id in output.touched:
        record = tracker().claims.get(claim_id)
        if record is not None:
            update = ClaimUpdated.of(record, at=statement.occurred_at, source=f"statement:{statement.event_id}")
            acks.append(await topics.claims.send(key=claim_id.encode(), value=encode(update)))
    sent = 0
    for alert in output.alerts:
        if alert.alert_id in st.sent:
            continue
        acks.append(await topics.alerts.send(key=alert.claim.claim_id.encode(), value=encode(alert)))
        st.sent[alert.alert_id] = alert.occurred_at.isoformat()
        sent += 1
        log.info("alert %s: %s %s", alert.alert_id, alert.stance, alert.denial.text[:80])
    try:
        await asyncio.gather(*acks)  # on the broker before the batch says they were sent
    except BaseException:
        # Not recorded: the statement stays in the buffer and runs again (the sends that did arrive
        # arrive twice: at least once). Memory mirrors are rebuilt from the table.
        st.table.abort()
        forget_all()
        raise
    st.table.commit()
    return sent


def warm_up() -> None:
    """Load the spaCy pipeline and the embedding model before the first event arrives."""
    from ..nlp.pipeline import get_nlp

    get_nlp(settings.spacy_model)
    embedder = make_embedder(settings)
    embedder.encode(["claimwatch is ready."])
    log.info("embedding model %s", embedder.fingerprint)  # what statement vectors must carry to be used


@app.task
async def load_models() -> None:
    await asyncio.get_running_loop().run_in_executor(nlp_executor, warm_up)
    log.info("models loaded")


async def track_record(event: EventT | SkippedRecord) -> int:
    """One record of the statements topic (a Faust event, or a record the stream skipped and
    ``GapRepair`` read back): buffer it, and process what it releases. Returns the alerts sent."""
    try:
        record = decode_statements_record(event.value)
    except DecodeError as exc:
        await send_dead_letter(event, "track_claims", str(exc))
        return 0
    sent = 0
    for statement in await ready_statements(record):
        sent += await track(event, statement)
    return sent


@app.agent(topics.statements)
async def track_claims(stream):  # type: ignore[no-untyped-def]
    async for event in stream.events():
        state().table.repair()  # a batch the last owner of the table stopped inside is undone first
        sent = await process_in_order(event, track_record)
        yield sent  # one result per event (test_context and ask() wait for it)
