"""The claim tracker's state: one Faust table, written one statement at a time.

The tracker keeps everything in ONE table on the single statements partition: claims, what each
statement did (``seen``), the alerts sent, the statements held for event-time order and the input
partitions' progress (``streams/ordering.py``), under key prefixes. A table has one changelog
partition, and the producer delivers one partition's records in the order they were written, so a
worker killed at any moment leaves a prefix of its writes on the broker. (With a table each, a
claim's write could be lost while the deletion of its statement from the ordering buffer was not:
the statement then disappeared, and another worker's alerts differed; ``test_scale_out.py`` caught
it.)

What one statement changes is written as a batch (``StateTable.batch``): reads see the batch's own
writes, nothing reaches the table until ``commit``, and ``commit`` writes, in order,

1. ``txn``: the statement id and the previous value of every key the batch changes;
2. the changes;
3. ``txn`` again, marked done.

A worker that takes over finds ``txn`` not done when the last worker stopped inside step 2, and
puts the previous values back (``repair``) before it processes anything, so the statement runs again
on the state it first ran on. The agent sends a statement's alerts and claim updates, and waits for
the broker to acknowledge them, before it commits the batch that records them as sent: a crash in
between sends them again (at least once) but never loses one.

``Section`` is a typed ``MutableMapping`` view of one prefix (pydantic models in and out), with the
validated models and the keys of each prefix kept in memory: the tracker scans every live claim for
each statement, and validating each claim from JSON every time would cost more than the matching.
Values stored with ``model=None`` are plain JSON. Any ``MutableMapping`` stands in for the Faust table
(a dict in tests and in evaluation).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, MutableMapping
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)
TXN = "txn"
_DELETED = object()


class StateTable:
    """One table, key prefixes as sections, batches with undo (see the module docstring)."""

    def __init__(self, table: MutableMapping[str, Any]) -> None:
        self.table = table
        self._batch: dict[str, Any] | None = None  # full key -> value (model or JSON) or _DELETED
        self._batch_id: str | None = None
        self._cache: dict[str, Any] = {}  # full key -> value as last read or written, cached sections only
        self._keys: dict[str, set[str]] | None = None  # prefix -> full keys in the table
        self._prefixes: list[str] = []
        self._cached: set[str] = set()  # the prefixes whose values are kept in memory
        self._generation = 0  # forget() moves it on: a batch begun before cannot commit
        self._batch_generation = 0
        self._repaired = False
        self.repairs = 0

    def section(self, prefix: str, model: type[M] | None, *, cached: bool = False) -> Section[M]:
        """The keys under ``prefix``; ``cached``: keep the values in memory too (for a section the
        tracker scans often: the claims)."""
        if not prefix.endswith(":") or prefix == f"{TXN}:" or any(p.startswith(prefix) or prefix.startswith(p)
                                                                 for p in self._prefixes):
            raise ValueError(f"a section prefix ends with ':', is not {TXN!r}, and overlaps no other: {prefix!r}")
        self._prefixes.append(prefix)
        if cached:
            self._cached.add(prefix)
        self._keys = None
        return Section(self, prefix, model)

    # -- raw access (with the open batch on top) ---------------------------------------------------

    def get(self, key: str, model: type[M] | None) -> Any:
        """The value of ``key`` (a model of ``model``, or JSON), or KeyError."""
        if self._batch is not None and key in self._batch:
            value = self._batch[key]
            if value is _DELETED:
                raise KeyError(key)
            return value
        if key in self._cache:
            return self._cache[key]
        raw = self.table[key]
        value = model.model_validate(raw) if model is not None and not isinstance(raw, model) else raw
        if self._prefix_of(key) in self._cached:
            self._cache[key] = value
        return value

    def contains(self, key: str) -> bool:
        if self._batch is not None and key in self._batch:
            return self._batch[key] is not _DELETED
        return key in self._cache or key in self.table

    def put(self, key: str, value: Any) -> None:
        if self._batch is not None:
            self._batch[key] = value
        else:
            self._write(key, value)

    def delete(self, key: str) -> None:
        if not self.contains(key):
            raise KeyError(key)
        if self._batch is not None:
            self._batch[key] = _DELETED
        else:
            self._write(key, _DELETED)

    def keys(self, prefix: str) -> Iterator[str]:
        index = self._index().get(prefix, set())
        if self._batch is None:
            yield from list(index)
            return
        pending = {k: v for k, v in self._batch.items() if k.startswith(prefix)}
        for key in list(index):
            if pending.get(key, None) is not _DELETED:
                yield key
        for key, value in pending.items():
            if value is not _DELETED and key not in index:
                yield key

    def _index(self) -> dict[str, set[str]]:
        if self._keys is None:
            keys: dict[str, set[str]] = {p: set() for p in self._prefixes}
            for key in list(self.table):
                prefix = self._prefix_of(key)
                if prefix is not None:
                    keys[prefix].add(key)
            self._keys = keys
        return self._keys

    def _prefix_of(self, key: str) -> str | None:
        for prefix in self._prefixes:
            if key.startswith(prefix):
                return prefix
        return None

    def _write(self, key: str, value: Any) -> None:
        prefix = self._prefix_of(key)
        if value is _DELETED:
            if key in self.table:
                del self.table[key]
            self._cache.pop(key, None)
            if self._keys is not None and prefix is not None:
                self._keys[prefix].discard(key)
            return
        self.table[key] = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
        if prefix in self._cached:
            self._cache[key] = value
        if self._keys is not None and prefix is not None:
            self._keys[prefix].add(key)

    # -- batches -----------------------------------------------------------------------------------

    def begin(self, batch_id: str) -> None:
        """Start collecting the writes of one statement (``commit`` or ``abort`` ends it)."""
        if self._batch is not None:
            raise RuntimeError(f"a batch is open already ({self._batch_id})")
        self.repair()
        self._batch, self._batch_id, self._batch_generation = {}, batch_id, self._generation

    def commit(self) -> int:
        """Write the batch: the undo record, the changes, the undo record marked done. Returns the
        number of keys changed."""
        batch, batch_id = self._batch, self._batch_id
        if batch is None:
            if self._batch_generation != self._generation:
                self._batch_generation = self._generation
                log.info("batch %s not written: the table moved to another worker while it was open", batch_id)
                return 0
            raise RuntimeError("no batch is open")
        self._batch = self._batch_id = None
        if not batch:
            return 0
        prev = {key: self._raw_or_none(key) for key in batch}
        self.table[TXN] = {"batch": batch_id, "done": False, "prev": prev}
        for key, value in batch.items():
            self._write(key, value)
        self.table[TXN] = {"batch": batch_id, "done": True}
        return len(batch)

    def abort(self) -> None:
        """Drop the open batch's writes (nothing was written)."""
        self._batch = self._batch_id = None

    @property
    def in_batch(self) -> bool:
        return self._batch is not None

    def _raw_or_none(self, key: str) -> Any:
        raw = self.table.get(key)
        return raw.model_dump(mode="json") if isinstance(raw, BaseModel) else raw

    def repair(self) -> bool:
        """Undo a batch the previous owner stopped inside; True when one was undone. Once per
        ownership of the table (``forget`` resets it)."""
        if self._repaired:
            return False
        self._repaired = True
        txn = self.table.get(TXN)
        if not txn or txn.get("done", True):
            return False
        for key, raw in txn.get("prev", {}).items():
            if raw is None:
                if key in self.table:
                    del self.table[key]
            else:
                self.table[key] = raw
        self.table[TXN] = {"batch": txn.get("batch"), "done": True, "undone": True}
        self._cache.clear()
        self._keys = None
        self.repairs += 1
        log.warning("undid the partial writes of %s (its worker stopped while writing them); it runs again",
                    txn.get("batch"))
        return True

    def forget(self) -> None:
        """Drop what is kept in memory (the table moved between workers: the table is the truth)."""
        self._batch = None
        self._generation += 1
        self._cache.clear()
        self._keys = None
        self._repaired = False


class Section(MutableMapping[str, M], Generic[M]):
    """The keys of one prefix of a ``StateTable``, as a mapping of models (or JSON for ``model=None``)."""

    def __init__(self, state: StateTable, prefix: str, model: type[M] | None) -> None:
        self.state = state
        self.prefix = prefix
        self.model = model

    def __getitem__(self, key: str) -> M:
        return self.state.get(self.prefix + key, self.model)

    def __setitem__(self, key: str, value: M) -> None:
        if self.model is not None and not isinstance(value, self.model):
            raise TypeError(f"{self.prefix}{key}: expected {self.model.__name__}, got {type(value).__name__}")
        self.state.put(self.prefix + key, value)

    def __delitem__(self, key: str) -> None:
        self.state.delete(self.prefix + key)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.state.contains(self.prefix + key)

    def __iter__(self) -> Iterator[str]:
        n = len(self.prefix)
        for full in self.state.keys(self.prefix):
            yield full[n:]

    def __len__(self) -> int:
        return sum(1 for _ in self.state.keys(self.prefix))
