"""Event-time order across enrichment workers: statements are held until every input partition has
got past them (watermarks), or has been drained, and leave in ``order_key`` order."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta, timezone

from schemas import InputProgress, StatementExtracted
from streams.ordering import EventTimeOrder, Extent, order_key, partition_key

from .factories import Spec, make_statement

T0 = datetime(2016, 12, 28, 8, 0, tzinfo=timezone.utc)
A = ("news.articles", 0)
B = ("news.articles", 1)
C = ("news.comments", 0)


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


def stmt(minute: int, doc: str | None = None, index: int = 0, kind: str = "article") -> StatementExtracted:
    doc = doc or f"{kind}-{minute}"
    text = f"Sentence {index} of {doc}."
    return make_statement(doc, index, Spec(text), doc_text=text, occurred_at=at(minute), outlet="Wire",
                          document_kind=kind, article_id=doc if kind == "article" else "article-0")


def marker(tp: tuple[str, int], offset: int, minute: int | None) -> InputProgress:
    return InputProgress(topic=tp[0], partition=tp[1], offset=offset,
                         watermark=at(minute) if minute is not None else None)


def new_order(*inputs: tuple[str, int], max_buffered: int = 20000,
              buffer: dict[str, StatementExtracted] | None = None,
              progress: dict[str, InputProgress] | None = None) -> EventTimeOrder:
    return EventTimeOrder({} if buffer is None else buffer, {} if progress is None else progress,
                          list(inputs or (A, B)), max_buffered=max_buffered)


def release(order: EventTimeOrder, *args) -> list[StatementExtracted]:  # type: ignore[no-untyped-def]
    """``order.release(...)``, each released statement then processed (``done``), as the agent does."""
    out = order.release(*args)
    for statement in out:
        order.done(statement)
    return out


def ids(statements: list[StatementExtracted]) -> list[str]:
    return [s.event_id for s in statements]


def drained(order: EventTimeOrder) -> dict[tuple[str, int], Extent]:
    """Extents in which every partition's marker covers the end (no marker: empty partition)."""
    out = {}
    for tp in order.inputs:
        mark = order.progress.get(partition_key(*tp))
        out[tp] = Extent(0, mark.offset + 1) if mark is not None else Extent(0, 0)
    return out


def test_nothing_is_released_before_every_partition_has_reported():
    order = new_order(A, B)
    early = stmt(1)
    order.add(early)
    assert release(order) == []
    order.advance(marker(A, 0, 5))
    assert order.low_watermark(None) is None
    assert release(order) == []
    order.advance(marker(B, 0, None))  # B reported, but has decoded no document yet
    assert order.low_watermark(None) is None
    assert release(order) == []
    order.advance(marker(B, 1, 3))
    assert ids(release(order)) == [early.event_id]


def test_scrambled_workers_are_released_in_event_time_order():
    # Worker A enriches partition A (documents at minutes 3, 5, 7), worker B partition B (2, 4, 6);
    # A runs ahead, so its later statements reach the tracker first.
    order = new_order(A, B)
    a3, a5, a7 = stmt(3, "a3"), stmt(5, "a5"), stmt(7, "a7")
    b2, b4, b6 = stmt(2, "b2"), stmt(4, "b4"), stmt(6, "b6")
    released: list[StatementExtracted] = []
    steps = [
        (a3, marker(A, 0, 3)), (a5, marker(A, 1, 5)),
        (b2, marker(B, 0, 2)),
        (a7, marker(A, 2, 7)),
        (b4, marker(B, 1, 4)),
        (b6, marker(B, 2, 6)),
    ]
    after_step = []
    for statement, mark in steps:
        order.add(statement)
        released += release(order)
        order.advance(mark)
        released += release(order)
        after_step.append(ids(released))
    assert after_step[1] == []  # B has not reported: nothing goes
    assert after_step[2] == []  # low watermark 2: b2 (at 2) waits
    assert after_step[4] == ids([b2, a3])  # low watermark 4: b4 (at 4) waits
    assert after_step[5] == ids([b2, a3, b4, a5])  # low watermark 6
    assert order.low_watermark(None) == at(6)
    assert ids(release(order, drained(order), order.arrived())) == ids([b6, a7])
    assert order.late == 0


def test_a_statement_at_exactly_the_low_watermark_waits():
    order = new_order(A, B)
    order.advance(marker(A, 0, 10))
    order.advance(marker(B, 0, 4))
    before, equal = stmt(3, "before"), stmt(4, "equal")
    order.add(equal)
    order.add(before)
    assert ids(release(order)) == [before.event_id]
    assert release(order) == []
    order.advance(marker(B, 1, 5))
    assert ids(release(order)) == [equal.event_id]


def test_at_equal_times_articles_go_before_comments_then_document_and_sentence():
    order = new_order(A, C)
    comment = stmt(5, "c-1", kind="comment")
    second, first = stmt(5, "doc-b", 1), stmt(5, "doc-b", 0)
    other = stmt(5, "doc-a", 3)
    for statement in (comment, second, first, other):
        order.add(statement)
    order.advance(marker(A, 0, 6))
    order.advance(marker(C, 0, 6))
    assert ids(release(order)) == ids([other, first, second, comment])


def test_drained_partitions_release_everything():
    order = new_order(A, B)
    order.advance(marker(A, 1, 5))
    order.advance(marker(B, 0, 2))
    statements = [stmt(5, "a5"), stmt(2, "b2"), stmt(9, "a9")]  # at and after both watermarks
    for statement in statements:
        order.add(statement)
    assert release(order) == []  # markers alone: low watermark 2
    extents = {A: Extent(0, 2), B: Extent(0, 1)}
    assert order.low_watermark(extents) is True
    assert ids(release(order, extents, order.arrived())) == ids(sorted(statements, key=order_key))
    assert order.buffer == {}


def test_an_empty_partition_without_a_marker_counts_as_drained():
    order = new_order(A, B, C)
    order.advance(marker(A, 0, 5))
    order.advance(marker(B, 3, 7))
    early, late = stmt(4, "early"), stmt(6, "late")
    order.add(late)
    order.add(early)
    assert release(order) == []  # C never reports: markers alone release nothing
    # C is empty (its start moved past deleted records); A and B still have records to enrich.
    extents = {A: Extent(0, 5), B: Extent(0, 9), C: Extent(12, 12)}
    assert order.low_watermark(extents) == at(5)
    assert ids(release(order, extents, order.arrived())) == [early.event_id]
    extents = {A: Extent(0, 1), B: Extent(0, 4), C: Extent(0, 0)}
    assert ids(release(order, extents, order.arrived())) == [late.event_id]


def test_a_partition_with_records_beyond_its_marker_blocks():
    order = new_order(A, B)
    order.advance(marker(A, 4, 9))  # drained
    order.advance(marker(B, 1, 3))  # offset 2 not enriched yet
    held = [stmt(2, "b2"), stmt(3, "b3"), stmt(8, "a8")]
    for statement in held:
        order.add(statement)
    extents = {A: Extent(0, 5), B: Extent(0, 3)}
    assert not order.drained(B, extents[B])
    assert ids(release(order, extents, order.arrived())) == [held[0].event_id]
    order.advance(marker(B, 2, 3))
    assert order.drained(B, extents[B])
    assert ids(release(order, extents, order.arrived())) == ids(held[1:])


def test_a_partition_with_records_and_no_marker_blocks_everything():
    order = new_order(A, B)
    order.advance(marker(A, 0, 9))
    order.add(stmt(1))
    extents = {A: Extent(0, 1), B: Extent(0, 2)}
    assert order.low_watermark(extents) is None
    assert release(order, extents, order.arrived()) == []


def test_statements_arriving_after_the_snapshot_are_held_to_the_watermarks():
    order = new_order(A, B)
    order.advance(marker(A, 0, 5))
    order.advance(marker(B, 0, 5))
    before = stmt(6, "before")
    order.add(before)
    snapshot_after = order.arrived()
    extents = {A: Extent(0, 1), B: Extent(0, 1)}  # read now: both drained
    after = stmt(7, "after")  # reached the tracker after the extents were read
    order.add(after)
    assert ids(release(order, extents, snapshot_after)) == [before.event_id]
    assert release(order, extents, snapshot_after) == []
    order.advance(marker(B, 1, 8))
    order.advance(marker(A, 1, 8))
    assert ids(release(order, None)) == [after.event_id]


def test_an_earlier_statement_arriving_after_the_snapshot_holds_back_later_ones():
    order = new_order(A, B)
    order.advance(marker(A, 0, 5))
    order.advance(marker(B, 0, 5))
    later = stmt(8, "later")
    order.add(later)
    snapshot_after = order.arrived()
    earlier = stmt(6, "earlier")
    order.add(earlier)
    assert release(order, {A: Extent(0, 1), B: Extent(0, 1)}, snapshot_after) == []
    assert len(order.held) == 2


def test_advance_never_moves_a_partition_backwards():
    order = new_order(A, B)
    key = partition_key(*A)
    order.advance(marker(A, 10, 5))
    order.advance(marker(A, 4, 2))  # a stale marker from the partition's previous owner
    assert (order.progress[key].offset, order.progress[key].watermark) == (10, at(5))
    order.advance(marker(A, 12, 3))  # further on, but an older document time
    assert (order.progress[key].offset, order.progress[key].watermark) == (12, at(5))
    order.advance(marker(A, 13, None))  # a record with no decodable document
    assert (order.progress[key].offset, order.progress[key].watermark) == (13, at(5))
    order.advance(marker(A, 11, 7))
    assert (order.progress[key].offset, order.progress[key].watermark) == (13, at(7))


def test_a_stale_marker_cannot_undrain_a_partition():
    order = new_order(A, B)
    order.advance(marker(A, 4, 5))
    order.advance(marker(B, 2, 5))
    order.advance(marker(A, 1, 1))
    order.add(stmt(9))
    assert len(release(order, {A: Extent(0, 5), B: Extent(0, 3)}, order.arrived())) == 1


def test_a_duplicate_statement_is_held_once_and_released_once():
    order = new_order(A, B)
    statement = stmt(3)
    order.add(statement)
    order.add(statement.model_copy())
    assert list(order.buffer) == [statement.event_id]
    assert len(order.held) == 1
    order.advance(marker(A, 0, 4))
    order.advance(marker(B, 0, 4))
    assert ids(release(order)) == [statement.event_id]
    assert release(order) == []
    assert order.buffer == {}


def test_a_released_statement_stays_in_the_buffer_until_done():
    # The agent deletes it in the same batch as what processing it wrote (streams/state.py):
    # a worker that stops in between leaves it in the buffer for the next owner to release again.
    buffer: dict[str, StatementExtracted] = {}
    progress: dict[str, InputProgress] = {}
    order = new_order(A, B, buffer=buffer, progress=progress)
    a3 = stmt(3, "a3")
    order.add(a3)
    order.advance(marker(A, 0, 5))
    order.advance(marker(B, 0, 5))
    assert ids(order.release()) == [a3.event_id]
    assert order.held == {} and list(buffer) == [a3.event_id]
    assert order.release() == []  # not released twice by the same owner
    restarted = new_order(A, B, buffer=buffer, progress=progress)  # the worker stopped before done(): the next owner
    assert ids(release(restarted)) == [a3.event_id]
    assert buffer == {}
    restarted.done(a3)  # done twice (or for a statement never buffered) is harmless


def test_a_redelivered_statement_the_tracker_processed_is_dropped_not_late():
    # A worker that takes over an input partition re-enriches from the last committed offset, so
    # statements the tracker has already processed arrive again (at least once delivery).
    processed: set[str] = set()
    order = EventTimeOrder({}, {}, [A, B], processed=processed.__contains__)
    a3, b4 = stmt(3, "a3"), stmt(4, "b4")
    order.add(a3)
    order.add(b4)
    order.advance(marker(A, 0, 5))
    order.advance(marker(B, 0, 5))
    released = release(order)
    assert ids(released) == ids([a3, b4])
    processed.update(ids(released))
    assert order.add(a3.model_copy()) == 0
    assert order.held == {} and order.buffer == {}
    assert release(order) == []
    assert (order.late, order.redelivered) == (0, 1)
    assert order.status()["redelivered"] == 1
    # One still held when it arrives again is a duplicate in the buffer, not a redelivery.
    b6 = stmt(6, "b6")
    order.add(b6)
    order.add(b6.model_copy())
    assert order.redelivered == 1 and list(order.buffer) == [b6.event_id]


def test_a_new_order_over_the_same_tables_releases_what_the_old_one_held():
    buffer: dict[str, StatementExtracted] = {}
    progress: dict[str, InputProgress] = {}
    old = new_order(A, B, buffer=buffer, progress=progress)
    old.advance(marker(A, 0, 5))
    old.advance(marker(B, 0, 5))
    held = [stmt(7, "x"), stmt(6, "y")]
    for statement in held:
        old.add(statement)
    assert release(old) == []

    moved = new_order(A, B, buffer=buffer, progress=progress)  # a restart, or the tracker moved
    assert moved.arrived() == 0
    assert {sid for sid, (_, arrival) in moved.held.items() if arrival == 0} == set(buffer)
    extents = {A: Extent(0, 1), B: Extent(0, 1)}  # read after the restart: covers what was restored
    assert ids(release(moved, extents, moved.arrived())) == ids(sorted(held, key=order_key))
    assert buffer == {}


def test_forget_rebuilds_the_held_statements_from_the_buffer():
    buffer: dict[str, StatementExtracted] = {}
    order = new_order(A, B, buffer=buffer)
    order.add(stmt(7))
    order.forget()
    order.advance(marker(A, 0, 5))
    order.advance(marker(B, 0, 5))
    assert len(release(order, {A: Extent(0, 1), B: Extent(0, 1)}, 0)) == 1
    assert buffer == {}


def test_overflow_releases_the_oldest_in_order_with_a_warning(caplog):
    order = new_order(A, B, max_buffered=2)
    order.advance(marker(A, 0, 50))  # B never reports: nothing can go by the rules
    statements = [stmt(4, "d4"), stmt(1, "d1"), stmt(3, "d3"), stmt(2, "d2")]
    with caplog.at_level(logging.WARNING, logger="streams.ordering"):
        for statement in statements[:2]:
            order.add(statement)
            assert release(order) == []
        assert not caplog.records
        order.add(statements[2])
        assert ids(release(order)) == [statements[1].event_id]  # d1
        order.add(statements[3])
        assert ids(release(order)) == [statements[3].event_id]  # d2
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.WARNING]
    assert "before their inputs caught up" in caplog.records[0].getMessage()
    assert sorted(s.occurred_at for s, _ in order.held.values()) == [at(3), at(4)]
    assert order.late == 0


def test_overflow_releases_several_at_once_in_order():
    order = new_order(A, B, max_buffered=2)
    order.advance(marker(A, 0, 50))
    for minute in (5, 1, 4, 2, 3):
        order.add(stmt(minute, f"d{minute}"))
    released = release(order)
    assert [s.occurred_at for s in released] == [at(1), at(2), at(3)]
    assert len(order.held) == 2


def test_late_counts_a_statement_released_after_a_later_one():
    order = new_order(A, B)
    order.advance(marker(A, 0, 5))
    order.advance(marker(B, 0, 4))
    a5, b4 = stmt(5, "a5"), stmt(4, "b4")
    order.add(a5)
    order.add(b4)
    extents = {A: Extent(0, 1), B: Extent(0, 1)}
    assert ids(release(order, extents, order.arrived())) == ids([b4, a5])
    assert order.late == 0
    # A late feed entry reaches partition B: B is no longer drained, its watermark (4) still holds.
    b3 = stmt(3, "b3")
    order.add(b3)
    extents = {A: Extent(0, 1), B: Extent(0, 2)}
    assert not order.drained(B, extents[B])
    assert ids(release(order, extents, order.arrived())) == [b3.event_id]
    assert order.late == 1
    assert order.status()["late"] == 1
    order.advance(marker(B, 1, 4))
    b9 = stmt(9, "b9")
    order.add(b9)
    assert ids(release(order, {A: Extent(0, 1), B: Extent(0, 2)}, order.arrived())) == [b9.event_id]
    assert order.late == 1


def partition_stream(rng: random.Random, tp: tuple[str, int], records: int) -> list[StatementExtracted | InputProgress]:
    """What one enrichment worker sends for one input partition: each record's statements, then its marker."""
    kind = "comment" if tp[0] == "news.comments" else "article"
    out: list[StatementExtracted | InputProgress] = []
    minute = 0
    for offset in range(records):
        minute += rng.choice((0, 0, 1, 2, 5))  # document times only go forward in a partition (ties too)
        doc = f"{tp[0]}-{tp[1]}-{offset}"
        out += [stmt(minute, doc, index, kind) for index in range(rng.randint(0, 3))]
        out.append(marker(tp, offset, minute))
    return out


def test_any_interleaving_of_ordered_partitions_comes_out_in_event_time_order():
    for seed in range(20):
        rng = random.Random(seed)
        inputs = [A, B, C] + ([("news.comments", 1)] if seed % 4 == 0 else [])  # sometimes an empty one
        counts = {tp: rng.randint(1, 8) for tp in inputs[:3]} | {tp: 0 for tp in inputs[3:]}
        extents = {tp: Extent(0, n) for tp, n in counts.items()}  # a replay: the broker has it all
        streams = {tp: partition_stream(rng, tp, n) for tp, n in counts.items()}
        every = [item for items in streams.values() for item in items if isinstance(item, StatementExtracted)]
        cursors = {tp: 0 for tp in inputs}
        order = new_order(*inputs)
        released: list[StatementExtracted] = []
        while any(cursors[tp] < len(streams[tp]) for tp in inputs):
            tp = rng.choice([tp for tp in inputs if cursors[tp] < len(streams[tp])])
            item = streams[tp][cursors[tp]]
            cursors[tp] += 1
            if isinstance(item, StatementExtracted):
                order.add(item)
                released += release(order)
            else:
                order.advance(item)
                with_extents = rng.random() < 0.5
                released += release(order, extents if with_extents else None, order.arrived())
        released += release(order, extents, order.arrived())
        assert ids(released) == ids(sorted(every, key=order_key)), f"seed {seed}"
        assert order.late == 0, f"seed {seed}"
        assert order.buffer == {} and order.held == {}, f"seed {seed}"
