"""Records an agent's stream skipped, found by their offsets and read back from the broker.

faust-streaming 0.15.3 can lose records around a rebalance. When the flow stops (a worker joins or
leaves, tables are being recovered) its consumer drops records it has already taken from aiokafka,
and its stream skips and *acks* the events of the old generation; when the next record it delivers
is further on, it marks the offsets in between as done (``Consumer._add_gap``, meant for compacted
topics) and commits past them. ``tests/integration/test_scale_out.py`` lost 4 to 6 records of each
partition a worker took over this way, and up to 27 of 207 documents in a mid-replay join, so the
alerts differed from one worker's.

claimwatch's topics are not compacted, so within one assignment a partition's offsets arrive one
after the other. ``GapRepair`` keeps, for each partition, the next offset it expects: the committed
offset when the partition was assigned, then one past each record delivered. A record further on
than that means the records in between were skipped: the agent reads them from the broker
(``read``) and processes them first, in order, then the record it was given. A record before the
expected offset is a redelivery, which the agents already tolerate (at least once).

Faust-free: ``committed`` and ``read`` are injected (``streams/agents/gaps.py`` reads the broker
with a consumer that joins no group).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

TopicPartition = tuple[str, int]


@dataclass(frozen=True)
class Position:
    topic: str
    partition: int
    offset: int


@dataclass(frozen=True)
class SkippedRecord:
    """A record read back from the broker; it stands in for a Faust event in the agents
    (``message.topic``, ``message.partition``, ``message.offset``, ``key``, ``value``)."""

    message: Position
    key: bytes | None
    value: bytes | None


Committed = Callable[[Sequence[TopicPartition]], Awaitable[dict[TopicPartition, int | None]]]
Reader = Callable[[str, int, int, int], Awaitable[list[SkippedRecord]]]


@dataclass
class GapRepair:
    committed: Committed
    read: Reader
    expected: dict[TopicPartition, int] = field(default_factory=dict)
    repaired: int = 0  # records read back so far (GET /health)
    lost: int = 0  # skipped records that could not be read back (logged as errors)

    async def assigned(self, partitions: Iterable[TopicPartition]) -> None:
        """Start expecting each newly assigned partition at its committed offset."""
        tps = [tp for tp in partitions if tp not in self.expected]
        if not tps:
            return
        for tp, offset in (await self.committed(tps)).items():
            if offset is not None and offset >= 0:
                self.expected[tp] = offset

    def revoked(self, partitions: Iterable[TopicPartition]) -> None:
        for tp in partitions:
            self.expected.pop(tp, None)

    async def skipped_before(self, topic: str, partition: int, offset: int) -> list[SkippedRecord]:
        """The records the stream skipped before the one at ``offset`` (oldest first; usually none)."""
        tp = (topic, partition)
        expected = self.expected.get(tp)
        self.expected[tp] = max(expected, offset + 1) if expected is not None else offset + 1
        if expected is None or offset <= expected:
            return []
        try:
            records = [r for r in await self.read(topic, partition, expected, offset)
                       if expected <= r.message.offset < offset]
        except Exception as exc:  # noqa: BLE001 - the record in hand is still processed
            self.lost += offset - expected
            log.error("%s[%d]: the stream skipped offsets %d..%d and reading them back failed (%r): "
                      "they are not processed", topic, partition, expected, offset - 1, exc)
            return []
        self.repaired += len(records)
        log.warning("%s[%d]: the stream skipped offsets %d..%d; read %d of them back from the broker",
                    topic, partition, expected, offset - 1, len(records))
        return sorted(records, key=lambda r: r.message.offset)
