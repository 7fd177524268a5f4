"""Records an agent's stream skipped are found by their offsets and read back (``streams/gaps.py``)."""

from __future__ import annotations

import logging

from streams.gaps import GapRepair, Position, SkippedRecord

T = "news.articles"


class Broker:
    """Committed offsets and the records of one partition (offsets 0..19)."""

    def __init__(self, committed: dict[tuple[str, int], int | None]) -> None:
        self.committed_offsets = committed
        self.reads: list[tuple[str, int, int, int]] = []

    async def committed(self, tps):  # type: ignore[no-untyped-def]
        return {tp: self.committed_offsets.get(tp) for tp in tps}

    async def read(self, topic: str, partition: int, start: int, end: int) -> list[SkippedRecord]:
        self.reads.append((topic, partition, start, end))
        # the broker answers batches: a few records either side of the range come back too
        return [SkippedRecord(Position(topic, partition, o), None, f"r{o}".encode())
                for o in range(max(0, start - 2), min(20, end + 3))]


def repair(broker: Broker) -> GapRepair:
    return GapRepair(committed=broker.committed, read=broker.read)


async def test_in_order_records_need_nothing():
    broker = Broker({(T, 0): 5})
    gaps = repair(broker)
    await gaps.assigned([(T, 0)])
    for offset in range(5, 10):
        assert await gaps.skipped_before(T, 0, offset) == []
    assert broker.reads == [] and gaps.repaired == 0


async def test_the_first_record_after_an_assignment_is_checked_against_the_committed_offset(caplog):
    broker = Broker({(T, 2): 10})
    gaps = repair(broker)
    await gaps.assigned([(T, 2)])
    with caplog.at_level(logging.WARNING, logger="streams.gaps"):
        skipped = await gaps.skipped_before(T, 2, 15)  # Faust delivered 15 first: 10..14 were dropped
    assert [r.message.offset for r in skipped] == [10, 11, 12, 13, 14]
    assert [r.value for r in skipped] == [b"r10", b"r11", b"r12", b"r13", b"r14"]
    assert broker.reads == [(T, 2, 10, 15)] and gaps.repaired == 5
    assert "skipped offsets 10..14" in caplog.text
    assert await gaps.skipped_before(T, 2, 16) == []


async def test_a_jump_inside_an_assignment_is_repaired_and_redeliveries_are_not():
    broker = Broker({})
    gaps = repair(broker)
    await gaps.assigned([(T, 0)])  # nothing committed: the first record sets the expectation
    assert await gaps.skipped_before(T, 0, 3) == []
    assert [r.message.offset for r in await gaps.skipped_before(T, 0, 7)] == [4, 5, 6]
    assert await gaps.skipped_before(T, 0, 5) == []  # a redelivery (at least once): nothing to read
    assert await gaps.skipped_before(T, 0, 8) == []
    assert gaps.repaired == 3


async def test_partitions_are_independent_and_revocation_forgets_them():
    broker = Broker({(T, 0): 2, (T, 1): 0})
    gaps = repair(broker)
    await gaps.assigned([(T, 0), (T, 1)])
    assert await gaps.skipped_before(T, 1, 0) == []
    assert [r.message.offset for r in await gaps.skipped_before(T, 0, 4)] == [2, 3]
    gaps.revoked([(T, 0)])
    assert (T, 0) not in gaps.expected and gaps.expected[(T, 1)] == 1
    broker.committed_offsets[(T, 0)] = 9  # another worker got on with it meanwhile
    await gaps.assigned([(T, 0)])
    assert await gaps.skipped_before(T, 0, 9) == []


async def test_an_assignment_does_not_move_an_expectation_already_held():
    broker = Broker({(T, 0): 0})
    gaps = repair(broker)
    await gaps.assigned([(T, 0)])
    assert await gaps.skipped_before(T, 0, 0) == []
    await gaps.assigned([(T, 0)])  # kept through a rebalance: the committed offset may lag behind
    assert gaps.expected[(T, 0)] == 1


async def test_a_failed_read_back_is_an_error_and_the_stream_goes_on(caplog):
    broker = Broker({(T, 0): 0})

    async def down(*args):  # type: ignore[no-untyped-def]
        raise ConnectionError("broker gone")

    gaps = GapRepair(committed=broker.committed, read=down)
    await gaps.assigned([(T, 0)])
    with caplog.at_level(logging.ERROR, logger="streams.gaps"):
        assert await gaps.skipped_before(T, 0, 3) == []
    assert gaps.lost == 3 and "reading them back failed" in caplog.text
    assert await gaps.skipped_before(T, 0, 4) == []
