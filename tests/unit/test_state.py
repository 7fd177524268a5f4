"""The claim tracker's state table (``streams/state.py``): sections, batches, and what a worker
killed at any point of a batch leaves for the next owner."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from schemas import ClaimRecord, InputProgress, SeenStatement, StatementExtracted
from streams.state import TXN, StateTable
from streams.nlp.embeddings import Embedder
from streams.nlp.tracker import ClaimTracker
from streams.ordering import EventTimeOrder, in_event_time_order

from .factories import seed_statements

T0 = datetime(2016, 12, 28, 8, 15, tzinfo=timezone.utc)


class RecordingTable(dict):
    """A dict that records every write (``(key, value)``; ``None`` for a delete), as the changelog would."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.log: list[tuple[str, Any]] = []

    def __setitem__(self, key: str, value: Any) -> None:
        self.log.append((key, value))
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.log.append((key, None))
        super().__delitem__(key)


def replayed(initial: dict[str, Any], log: list[tuple[str, Any]]) -> RecordingTable:
    """The table another worker restores from the changelog: ``initial`` plus the writes of ``log``."""
    table = RecordingTable(initial)
    for key, value in log:
        if value is None:
            table.pop(key, None)
        else:
            dict.__setitem__(table, key, value)
    return table


def seen(statement_id: str) -> SeenStatement:
    return SeenStatement(statement_id=statement_id, occurred_at=T0, outcome="none")


def test_sections_are_typed_views_of_their_prefix():
    table = RecordingTable()
    state = StateTable(table)
    marks = state.section("seen:", SeenStatement)
    sent = state.section("sent:", None)
    marks["s1"] = seen("s1")
    sent["a1"] = "2016-12-28T08:15:00+00:00"
    assert table == {"seen:s1": seen("s1").model_dump(mode="json"), "sent:a1": "2016-12-28T08:15:00+00:00"}
    assert marks["s1"] == seen("s1") and list(marks) == ["s1"] and len(marks) == 1 and "s1" in marks
    assert list(sent) == ["a1"] and "s1" not in sent
    del marks["s1"]
    assert "seen:s1" not in table and len(marks) == 0
    with pytest.raises(KeyError):
        del marks["s1"]
    with pytest.raises(TypeError):
        marks["s2"] = "not a model"  # type: ignore[assignment]
    with pytest.raises(ValueError, match="overlaps"):
        state.section("seen:x:", SeenStatement)
    with pytest.raises(ValueError):
        state.section(f"{TXN}:", None)


def test_a_table_written_by_another_worker_is_read_and_indexed():
    table = RecordingTable({"seen:s1": seen("s1").model_dump(mode="json"), "sent:a1": "x", "other": 1})
    state = StateTable(table)
    marks = state.section("seen:", SeenStatement)
    assert list(marks) == ["s1"] and marks["s1"] == seen("s1")


def test_a_batch_is_invisible_to_the_table_until_commit_and_visible_to_its_reads():
    table = RecordingTable({"seen:old": seen("old").model_dump(mode="json")})
    state = StateTable(table)
    marks = state.section("seen:", SeenStatement)
    state.begin("stmt-1")
    marks["s1"] = seen("s1")
    del marks["old"]
    assert marks["s1"] == seen("s1") and "old" not in marks and sorted(marks) == ["s1"]
    assert table.log == [] and "seen:old" in table
    assert state.commit() == 2
    assert sorted(k for k in table if k != TXN) == ["seen:s1"] and table[TXN] == {"batch": "stmt-1", "done": True}
    # The changelog order: the undo record (previous values), the changes, the undo record done.
    keys = [k for k, _ in table.log]
    assert keys[0] == TXN and keys[-1] == TXN and set(keys[1:-1]) == {"seen:s1", "seen:old"}
    assert table.log[0][1] == {"batch": "stmt-1", "done": False,
                               "prev": {"seen:s1": None, "seen:old": seen("old").model_dump(mode="json")}}


def test_abort_drops_the_batch_and_forget_keeps_it_from_committing():
    table = RecordingTable()
    state = StateTable(table)
    marks = state.section("seen:", SeenStatement)
    state.begin("a")
    marks["s1"] = seen("s1")
    state.abort()
    assert "s1" not in marks and table == {}
    state.begin("b")
    marks["s2"] = seen("s2")
    state.forget()  # the partition moved while the statement was waiting for its acks
    assert state.commit() == 0 and table == {}
    with pytest.raises(RuntimeError):
        state.commit()
    state.begin("c")
    with pytest.raises(RuntimeError, match="open already"):
        state.begin("d")


def test_every_cut_of_a_commit_leaves_the_state_before_or_after_it():
    before = {"seen:old": seen("old").model_dump(mode="json"), "claim:x": {"v": 1}}
    table = RecordingTable(before)
    state = StateTable(table)
    marks, claims = state.section("seen:", SeenStatement), state.section("claim:", None)
    state.begin("stmt-1")
    marks["s1"] = seen("s1")
    claims["x"] = {"v": 2}
    claims["y"] = {"v": 3}
    del marks["old"]
    state.commit()
    after = {k: v for k, v in table.items() if k != TXN}
    for cut in range(len(table.log) + 1):
        restored = replayed(before, table.log[:cut])
        next_owner = StateTable(restored)
        next_owner.section("seen:", SeenStatement)
        next_owner.section("claim:", None)
        undone = next_owner.repair()
        visible = {k: v for k, v in restored.items() if k != TXN}
        finished = cut == len(table.log)
        assert visible == (after if finished else before), f"cut after {cut} of {len(table.log)} writes"
        assert undone == (0 < cut < len(table.log))
        assert next_owner.repair() is False  # once per ownership


def test_cached_sections_keep_validated_models():
    table = RecordingTable()
    state = StateTable(table)
    marks = state.section("seen:", SeenStatement, cached=True)
    plain = state.section("sent:", SeenStatement)
    marks["s1"] = plain["s1"] = seen("s1")
    assert marks["s1"] is marks["s1"]
    assert plain["s1"] is not plain["s1"] and plain["s1"] == seen("s1")


# -- the tracker on the table, killed mid-stream -----------------------------------------------------

def run_tracker(table: RecordingTable, statements: list[StatementExtracted], embedder: Embedder,
                stop_after_writes: int | None = None) -> Iterator[str]:
    """What ``streams/agents/claims.py`` does with each statement (ordering by arrival: every
    statement is released at once), yielding the alert ids it sends; stops (a SIGKILL) once the
    table has taken ``stop_after_writes`` writes."""
    state = StateTable(table)
    claims = state.section("claim:", ClaimRecord, cached=True)
    marks = state.section("seen:", SeenStatement)
    sent = state.section("sent:", None)
    held = state.section("hold:", StatementExtracted)
    progress = state.section("progress:", InputProgress)
    tracker = ClaimTracker(claims, marks, embedder=embedder)
    order = EventTimeOrder(held, progress, [], processed=marks.__contains__)
    state.repair()
    for statement in statements:
        order.add(statement)
        for ready in order.release({}, order.arrived()):
            state.begin(ready.event_id)
            output = tracker.process(ready)
            order.done(ready)
            for alert in output.alerts:
                if alert.alert_id not in sent:
                    yield alert.alert_id  # on the broker (acknowledged) before the batch commits
                    sent[alert.alert_id] = "sent"
            state.commit()
            if stop_after_writes is not None and len(table.log) >= stop_after_writes:
                return


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


def test_a_tracker_killed_anywhere_is_resumed_with_the_same_alerts(embedder: Embedder):
    statements = in_event_time_order(seed_statements())
    full = RecordingTable()
    expected = list(run_tracker(full, statements, embedder))
    assert len(expected) >= 5
    total = len(full.log)
    cuts = sorted({1, 2, 3, total // 7, total // 3, total // 2, 2 * total // 3, total - 3, total - 1})
    for cut in cuts:
        first = RecordingTable()
        sent_before = list(run_tracker(first, statements, embedder, stop_after_writes=cut))
        # Killed: of its writes only the first `cut` reached the changelog (a prefix, one partition).
        restored = replayed({}, first.log[:cut])
        # The next owner re-reads the statements from the committed offset: here, all of them.
        sent_after = list(run_tracker(restored, statements, embedder))
        assert set(sent_before) | set(sent_after) == set(expected), f"cut at write {cut} of {total}"
