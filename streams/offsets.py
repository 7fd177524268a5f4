"""Where each partition ends, read so that it is right on Tansu as well as on Apache Kafka.

Kafka's ListOffsets (``AIOKafkaConsumer.end_offsets``) answers a partition's high watermark. The
embedded Tansu broker answers the base offset of the partition's last record batch plus one
instead: after a producer sent a batch of five records the "end" is one past the first of them
(probed, and checked by ``tests/integration/test_offsets.py``). A fetch response carries the true
high watermark on both, so:

* ``high_watermarks`` sends one non-waiting Fetch per leader, from just before the listed end of
  each non-empty partition, and reads the high watermark from the response (no consumer state is
  touched: it works on any started ``AIOKafkaConsumer``'s client);
* ``known_end`` corrects ListOffsets with the high watermark of a consumer's own last fetch, for a
  consumer that is reading the partitions anyway;
* ``install_exact_highwaters`` gives Faust's consumer (table recovery) the same correction.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.protocol.fetch import FetchRequest

log = logging.getLogger(__name__)

PROBE_MAX_BYTES = 1024  # per partition; the broker still answers the first batch whole
PROBE_MAX_WAIT_MS = 10  # Tansu answers a Fetch with max_wait 0 with no partitions at all


async def exact_end_offsets(consumer: AIOKafkaConsumer, partitions: Sequence[TopicPartition]) -> dict[TopicPartition, int]:
    """The next offset of each partition (its high watermark)."""
    tps = list(partitions)
    if not tps:
        return {}
    starts = await consumer.beginning_offsets(tps)
    ends = dict(await consumer.end_offsets(tps))
    probe = [tp for tp in tps if ends[tp] > starts[tp]]
    if probe:
        for tp, high in (await high_watermarks(consumer, probe, ends)).items():
            ends[tp] = max(ends[tp], high)
    return ends


async def high_watermarks(consumer: AIOKafkaConsumer, partitions: Sequence[TopicPartition],
                          listed: dict[TopicPartition, int]) -> dict[TopicPartition, int]:
    """The high watermark of each partition from a Fetch at ``listed[tp] - 1`` that does not wait."""
    client = consumer._client  # aiokafka's public AIOKafkaClient, the consumer's connection pool
    by_node: dict[int, dict[str, list[tuple[int, int, int]]]] = defaultdict(lambda: defaultdict(list))
    for tp in partitions:
        node = client.cluster.leader_for_partition(tp)
        if node is None or node < 0:
            continue  # no leader known: the caller keeps the listed offset
        by_node[node][tp.topic].append((tp.partition, max(0, listed[tp] - 1), PROBE_MAX_BYTES))
    found: dict[TopicPartition, int] = {}
    for node, topics in by_node.items():
        request = FetchRequest(PROBE_MAX_WAIT_MS, 0, PROBE_MAX_BYTES * 64, 0, [(t, parts) for t, parts in topics.items()])
        response = await client.send(node, request)
        for topic, parts in response.topics:
            for part in parts:
                partition, error, high = part[0], part[1], part[2]
                if error == 0 and high >= 0:
                    found[TopicPartition(topic, partition)] = high
    return found


def known_end(consumer: AIOKafkaConsumer, tp: TopicPartition, listed: int) -> int:
    """``listed`` (ListOffsets) corrected by the high watermark of ``consumer``'s last fetch of ``tp``."""
    high = consumer.highwater(tp)
    return max(listed, high) if high is not None else listed


def install_exact_highwaters() -> None:
    """Make Faust's consumer read true high watermarks (``exact_end_offsets``' correction).

    Faust's table recovery compares the offset a RocksDB store has persisted with the changelog's
    highwater from ListOffsets. On Tansu that highwater can be short of the last records, so a
    worker restarted on its RocksDB state stopped with "offset in RocksDB > highwater"
    (``tests/integration/test_store.py``). The correction only ever raises a listed offset to the
    high watermark a Fetch reports, so on Apache Kafka, where the two agree, nothing changes.
    Idempotent; applied by ``streams.app.create_app``.
    """
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

    listed_highwaters = AIOKafkaConsumerThread._highwaters
    if getattr(listed_highwaters, "claimwatch_exact", False):
        return

    async def _highwaters(self: AIOKafkaConsumerThread, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        listed = dict(await listed_highwaters(self, partitions))
        if self.consumer.in_transaction:
            return listed
        probe = [tp for tp in partitions if listed.get(tp)]
        try:
            highs = await high_watermarks(self._ensure_consumer(), probe, listed) if probe else {}
        except Exception as exc:  # noqa: BLE001 - the listed offsets are still an answer
            log.warning("could not read the high watermarks of %d partitions (%r): using ListOffsets", len(probe), exc)
            return listed
        return {tp: max(end, highs.get(tp, end)) if end is not None else end for tp, end in listed.items()}

    _highwaters.claimwatch_exact = True  # type: ignore[attr-defined]
    AIOKafkaConsumerThread._highwaters = _highwaters  # type: ignore[method-assign]
