"""Event-time order for the claim tracker, whatever the number of enrichment workers.

Enrichment runs in parallel over the partitions of the input topics, so statements reach the
single-partition statements topic in the order enrichment finished, not in event-time order. The
tracker's decisions depend on order (which report founds a claim, which claim a denial meets), so
with two workers the alerts could differ from one worker's. ``EventTimeOrder`` restores the order
with watermarks, as event-time stream processors do:

* after the statements of each input record, enrichment sends an ``InputProgress`` marker for that
  input partition: its offset and the latest document time it has enriched there;
* the tracker buffers statements and releases them sorted by ``order_key`` once every input
  partition has got past them: a partition's watermark is later than the statement, or the
  partition is *drained* (its marker covers every record the broker holds in it, read from the
  broker's end offsets, taken after the statement arrived);
* a statement older than what was already released (a late feed entry) is released as soon as the
  same rule allows, and is then processed out of order, as before;
* a statement the tracker has already processed is a redelivery (a worker that took over an input
  partition re-enriches from the last committed offset: Kafka delivers at least once). It is dropped
  here and counted, because the tracker would ignore it anyway and it must not count as late.

Replays publish in event-time order and the broker keeps each partition's order, so with this the
tracker sees one order, the same as an in-process run over ``sorted(statements, key=order_key)``.
The buffer and the markers live in the tracker's table (changelogged, ``streams/state.py``),
so a tracker that moves to another worker resumes with them. Tables are plain ``MutableMapping``s here, so this module has no Faust.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from schemas import InputProgress, StatementExtracted

logger = logging.getLogger(__name__)

TopicPartition = tuple[str, int]


def order_key(statement: StatementExtracted) -> tuple[Any, ...]:
    """Event time; at equal times articles before comments (as ``load_archive``); then document, sentence."""
    return (statement.occurred_at, 0 if statement.document_kind == "article" else 1, statement.document_id,
            statement.index)


def in_event_time_order(statements: Iterable[StatementExtracted]) -> list[StatementExtracted]:
    return sorted(statements, key=order_key)


def partition_key(topic: str, partition: int) -> str:
    return f"{topic}:{partition}"


@dataclass(frozen=True)
class Extent:
    """A partition's first and next offsets on the broker (``end == start``: empty)."""

    start: int
    end: int


class EventTimeOrder:
    """Buffers statements and releases them in event-time order (see the module docstring).

    ``buffer``: statement id -> statement; ``progress``: ``partition_key`` -> the latest
    ``InputProgress`` of that input partition; ``inputs``: every input partition; ``processed``:
    whether the tracker has already processed a statement id (a redelivery).
    """

    def __init__(
        self,
        buffer: MutableMapping[str, StatementExtracted],
        progress: MutableMapping[str, InputProgress],
        inputs: Sequence[TopicPartition],
        max_buffered: int = 20000,
        processed: Callable[[str], bool] = lambda statement_id: False,
    ) -> None:
        self.buffer = buffer
        self.processed = processed
        self.progress = progress
        self.inputs = list(inputs)
        self.max_buffered = max_buffered
        # In memory, rebuilt from ``buffer`` on first use (after a start, or when the tracker moved
        # here): statement id -> (statement, arrival number; 0 for what the table restored).
        self._held: dict[str, tuple[StatementExtracted, int]] | None = None
        self._seq = 0
        self._last: tuple[Any, ...] | None = None  # order_key of the last statement released
        self.late = 0  # statements released after a later one (arrived after their time had passed)
        self.redelivered = 0  # statements dropped because the tracker had processed them already

    # -- input ---------------------------------------------------------------------------------------

    @property
    def held(self) -> dict[str, tuple[StatementExtracted, int]]:
        if self._held is None:
            self._held = {sid: (self.buffer[sid], 0) for sid in list(self.buffer)}
        return self._held

    def add(self, statement: StatementExtracted) -> int:
        """Buffer a statement; returns its arrival number (compare with ``arrived()``). A statement the
        tracker has already processed is dropped (a redelivery) and returns 0."""
        if statement.event_id not in self.held and self.processed(statement.event_id):
            self.redelivered += 1
            logger.debug("statement %s was processed already: redelivery dropped", statement.event_id)
            return 0
        self._seq += 1
        if statement.event_id not in self.held:
            self.buffer[statement.event_id] = statement
        self.held[statement.event_id] = (statement, self._seq)
        return self._seq

    def arrived(self) -> int:
        """The arrival number of the newest statement; an extent snapshot taken after this call
        applies to every statement buffered so far."""
        return self._seq

    def advance(self, marker: InputProgress) -> None:
        """Record a progress marker (offsets and watermarks only move forward)."""
        key = partition_key(marker.topic, marker.partition)
        old = self.progress.get(key)
        if old is not None:
            watermark = max((w for w in (old.watermark, marker.watermark) if w is not None), default=None)
            if marker.offset <= old.offset and watermark == old.watermark:
                return
            marker = marker.model_copy(update={"offset": max(old.offset, marker.offset), "watermark": watermark})
        self.progress[key] = marker

    # -- output --------------------------------------------------------------------------------------

    def drained(self, tp: TopicPartition, extent: Extent | None) -> bool:
        """Whether every record the broker holds in ``tp`` has been enriched (its statements are here)."""
        if extent is None:
            return False
        marker = self.progress.get(partition_key(*tp))
        if marker is None:
            return extent.end <= extent.start
        return marker.offset + 1 >= extent.end

    def low_watermark(self, extents: Mapping[TopicPartition, Extent] | None) -> datetime | None | bool:
        """The time before which every input partition has been enriched: a datetime; ``True`` when
        every partition is drained (release everything); ``None`` when one has told nothing yet."""
        low: datetime | None = None
        for tp in self.inputs:
            if extents is not None and self.drained(tp, extents.get(tp)):
                continue
            marker = self.progress.get(partition_key(*tp))
            if marker is None or marker.watermark is None:
                return None
            low = marker.watermark if low is None else min(low, marker.watermark)
        return True if low is None else low

    def release(self, extents: Mapping[TopicPartition, Extent] | None = None, snapshot_after: int = 0
                ) -> list[StatementExtracted]:
        """Take out and return the statements that can go to the tracker now, in event-time order.

        ``extents``: the input partitions' extents, read from the broker after arrival number
        ``snapshot_after``; statements that arrived later are held to the watermarks alone.
        A released statement stays in ``buffer`` until ``done``: the caller deletes it together
        with what processing it wrote (``streams/state.py``), so a worker that stops in
        between leaves it in the buffer, to be released again by the next owner.
        """
        if not self.held:
            return []
        with_extents = self.low_watermark(extents)
        markers_only = self.low_watermark(None)
        queue = sorted(self.held.values(), key=lambda item: order_key(item[0]))
        ready: list[StatementExtracted] = []
        for statement, arrival in queue:
            low = with_extents if arrival <= snapshot_after else markers_only
            if not (low is True or (low is not None and statement.occurred_at < low)):
                break
            ready.append(statement)
        overflow = len(queue) - len(ready) - self.max_buffered
        if overflow > 0:
            logger.warning("ordering buffer over %d statements: releasing %d before their inputs caught up",
                           self.max_buffered, overflow)
            ready.extend(statement for statement, _ in queue[len(ready):len(ready) + overflow])
        for statement in ready:
            del self.held[statement.event_id]
            key = order_key(statement)
            if self._last is not None and key < self._last:
                self.late += 1
                logger.info("statement %s (%s) is late: released after a later statement",
                            statement.event_id, statement.occurred_at.isoformat())
            else:
                self._last = key
        return ready

    def done(self, statement: StatementExtracted) -> None:
        """``statement`` (released) has been processed: delete it from the buffer."""
        if statement.event_id in self.buffer:
            del self.buffer[statement.event_id]

    def forget(self) -> None:
        """Drop what is kept in memory (the partition moved: the tables are the truth)."""
        self._held = None
        self._last = None

    def status(self) -> dict[str, Any]:
        low = self.low_watermark(None)
        return {"buffered": len(self.buffer),
                "low_watermark": low.isoformat() if isinstance(low, datetime) else None,
                "partitions_reported": len(self.progress), "late": self.late, "redelivered": self.redelivered}
