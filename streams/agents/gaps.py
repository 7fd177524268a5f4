"""The agents' ``GapRepair`` (``streams/gaps.py``), reading the broker without joining a group."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from faust.types import TP

from ..app import app, settings, topics
from ..broker import resolve_broker_url
from ..gaps import GapRepair, Position, SkippedRecord
from ..kafka import client_config

log = logging.getLogger(__name__)

READ_TIMEOUT_MS = 1000
READ_ATTEMPTS = 10


class BrokerReads:
    """One group-less consumer, started on first use, for committed offsets and records."""

    def __init__(self) -> None:
        self._reader: AIOKafkaConsumer | None = None
        self._lock = asyncio.Lock()  # both agents read: one assignment at a time

    async def _consumer(self) -> AIOKafkaConsumer:
        if self._reader is None:
            reader = AIOKafkaConsumer(**client_config(settings, resolve_broker_url(settings)), group_id=None,
                                      enable_auto_commit=False)
            await reader.start()
            self._reader = reader
        return self._reader

    async def committed(self, tps: Sequence[tuple[str, int]]) -> dict[tuple[str, int], int | None]:
        """The workers' group's committed offsets (read with ``group_id`` set but never joining)."""
        probe = AIOKafkaConsumer(**client_config(settings, resolve_broker_url(settings)), group_id=settings.app_id,
                                 enable_auto_commit=False)
        await probe.start()
        try:
            return {tp: await probe.committed(TopicPartition(*tp)) for tp in tps}
        finally:
            await probe.stop()

    async def read(self, topic: str, partition: int, start: int, end: int) -> list[SkippedRecord]:
        """The records of ``topic[partition]`` with offsets in ``[start, end)``."""
        async with self._lock:
            consumer = await self._consumer()
            tp = TopicPartition(topic, partition)
            consumer.assign([tp])
            consumer.seek(tp, start)
            out: list[SkippedRecord] = []
            for _ in range(READ_ATTEMPTS):
                batch = await consumer.getmany(tp, timeout_ms=READ_TIMEOUT_MS)
                for record in batch.get(tp, []):
                    if record.offset < end:
                        out.append(SkippedRecord(Position(topic, partition, record.offset), record.key, record.value))
                if await consumer.position(tp) >= end:
                    break
            return out

    async def close(self) -> None:
        if self._reader is not None:
            reader, self._reader = self._reader, None
            await reader.stop()


class _Processed:
    """What Faust's ``Consumer.ack`` needs of a message, for a record read back and processed."""

    def __init__(self, record: SkippedRecord) -> None:
        self.topic = record.message.topic
        self.partition = record.message.partition
        self.offset = record.message.offset
        self.tp = TP(self.topic, self.partition)
        self.acked = False


def mark_processed(record: SkippedRecord) -> None:
    """Tell Faust's consumer a record it skipped has been processed, so its offset can be committed.

    Faust marks the offsets of a jump as done itself, but from one past its read offset, which after
    a rebalance is the committed offset, not yet read: that offset was never acked and the
    partition's commits stopped there for good (``news.statements`` 364 records behind in one run)."""
    app.consumer.ack(_Processed(record))  # type: ignore[arg-type]


def consumed_topics() -> set[str]:
    """The topics the agents consume (documents and statements): the partitions ``GapRepair`` watches."""
    return {*topics.documents.topics, *topics.statements.topics}


reads = BrokerReads()
gap_repair = GapRepair(committed=reads.committed, read=reads.read)


async def process_in_order(event: Any, handle: Callable[[Any], Awaitable[int]]) -> int:
    """``handle`` the records Faust skipped before ``event`` (read back, then acked), then ``event``.

    Returns the sum of what ``handle`` returned (the records each one sent)."""
    message = event.message
    sent = 0
    for skipped in await gap_repair.skipped_before(message.topic, message.partition, message.offset):
        sent += await handle(skipped)
        mark_processed(skipped)
    return sent + await handle(event)


@app.on_partitions_revoked.connect
async def forget_revoked(sender: object, revoked: object = None, **kwargs: object) -> None:
    gap_repair.revoked((tp.topic, tp.partition) for tp in (revoked or ()))  # type: ignore[attr-defined]


@app.on_partitions_assigned.connect
async def expect_assigned(sender: object, assigned: object = None, **kwargs: object) -> None:
    """Before the streams resume: where each newly assigned partition must go on from."""
    mine = consumed_topics()
    tps = [(tp.topic, tp.partition) for tp in (assigned or ()) if tp.topic in mine]  # type: ignore[attr-defined]
    try:
        await gap_repair.assigned(tps)
    except Exception as exc:  # noqa: BLE001 - without the offsets, gaps inside the assignment are still found
        log.warning("could not read the committed offsets of %d assigned partitions (%r)", len(tps), exc)


@app.on_before_shutdown.connect
async def close_reads(sender: object, **kwargs: object) -> None:
    await reads.close()
