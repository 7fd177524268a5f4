"""CLAIMWATCH_STORE=rocksdb://: a worker keeps its tables on disk (through rocksdict), and a worker
stopped cleanly and started again on the same data directory and group sends no alert twice."""

from __future__ import annotations

import json
import logging
import re
import signal
import time
from pathlib import Path

import pytest

from streams.broker import EmbeddedBroker
from streams.demo import start_worker, stop_process
from streams.kafka import ensure_topics
from streams.settings import Settings
from streams.sinks.subscriber import iter_alerts

from .conftest import Worker, wait_for, worker_env
from .test_seed_pipeline import raw_records, replay_seeds

pytestmark = pytest.mark.integration
log = logging.getLogger(__name__)

rocksdict = pytest.importorskip("rocksdict", reason="the rocksdb extra (rocksdict) is not installed")

SEED_ALERTS = 9  # the alerts the seed archive yields (tests/integration/test_seed_pipeline.py)


def spawn_rocksdb_worker(settings: Settings, name: str) -> Worker:
    env = worker_env(settings)
    env["CLAIMWATCH_STORE"] = "rocksdb://"
    log_path = settings.data_dir / f"{name}.log"
    return Worker(start_worker(env, log_path), log_path, settings, settings.broker_url)


async def stop_cleanly(worker: Worker, timeout: float = 60.0) -> None:
    """SIGTERM, and wait for the worker to exit on its own."""
    worker.proc.send_signal(signal.SIGTERM)

    async def exited() -> bool:
        return worker.proc.poll() is not None

    await wait_for(exited, timeout, "the worker to exit after SIGTERM")
    assert worker.proc.returncode == 0, f"worker exited with {worker.proc.returncode}:\n{worker.log()}"


def table_files(settings: Settings, table: str) -> list[Path]:
    """The RocksDB folders of ``table`` (one per partition) under the worker's data directory."""
    return sorted(p for p in (settings.data_dir / "worker").rglob(f"{table}-*.db") if p.is_dir())


def stored_keys(path: Path) -> set[str]:
    """The keys of a table partition as RocksDB holds them on disk (opened read-only; Faust's own
    bookkeeping keys left out)."""
    db = rocksdict.Rdict(str(path), options=rocksdict.Options(raw_mode=True),
                         access_type=rocksdict.AccessType.read_only())
    try:
        return {json.loads(k) for k in db.keys() if not k.startswith(b"__faust")}  # Faust's json key serializer
    finally:
        db.close()


def section_keys(path: Path, prefix: str) -> set[str]:
    """The keys of one section of the tracker's table (``streams/state.py``), prefix removed."""
    return {k.removeprefix(prefix) for k in stored_keys(path) if k.startswith(prefix)}


def changelog_offsets(worker: Worker, table: str) -> list[int]:
    """[highwater, offset where reading starts] of a table's changelog, from Faust's recovery tables in
    the worker log (``| <app id>-<table>-changelog | 0 | 8 |``)."""
    row = rf"\|\s*{re.escape(worker.settings.app_id)}-{table}-changelog\s*\|\s*0\s*\|\s*(-?\d+)\s*\|"
    offsets = [int(n) for n in re.findall(row, worker.log_path.read_text(errors="replace"))]
    assert len(offsets) == 2, f"no recovery tables for {table} in the worker log:\n{worker.log()}"
    return offsets


async def test_rocksdb_tables_survive_a_restart_without_duplicate_alerts(broker: EmbeddedBroker, settings: Settings):
    await ensure_topics(settings, broker.url)

    first = spawn_rocksdb_worker(settings, "rocksdb-first")
    try:
        await first.wait_ready()
        await replay_seeds(first)
        await first.wait_idle()
        alerts = [a async for a in iter_alerts(settings, broker.url)]
        sent = await raw_records(first, settings.topic_alerts)
        await stop_cleanly(first)
    finally:
        stop_process(first.proc)
    assert "rocksdb:" in first.log_path.read_text(errors="replace"), "the worker did not report the rocksdb store"
    assert len(alerts) == SEED_ALERTS and len(sent) == SEED_ALERTS, [a.denial.text for a in alerts]

    # The table is on disk: every alert sent is a sent: key of tracker_state in RocksDB, next to the claims.
    (state_db,) = table_files(settings, "tracker_state")
    assert section_keys(state_db, "sent:") == {a.alert_id for a in alerts}
    assert section_keys(state_db, "claim:")

    started = time.monotonic()
    second = spawn_rocksdb_worker(settings, "rocksdb-second")
    try:
        await second.wait_ready(timeout=120)
        ready = time.monotonic() - started
        await replay_seeds(second)
        await second.wait_idle()
        after = await raw_records(second, settings.topic_alerts)
        log.warning("rocksdb restart: ready in %.1fs", ready)
        assert len(after) == len(sent), "the restarted worker re-sent alerts it had already sent"
        # The state came from disk: recovery started reading the table's changelog at its end.
        highwater, start = changelog_offsets(second, "tracker_state")
        assert start == highwater >= 0, f"recovery read tracker_state's changelog from {start} to {highwater}"
        await stop_cleanly(second)
    finally:
        stop_process(second.proc)
    assert section_keys(state_db, "sent:") == {a.alert_id for a in alerts}


def test_the_worker_refuses_an_unknown_store(settings: Settings, tmp_path: Path):
    env = worker_env(settings)
    env["CLAIMWATCH_STORE"] = "redis://"
    proc = start_worker(env, tmp_path / "worker.log")
    try:
        assert proc.wait(timeout=60) != 0
    finally:
        stop_process(proc)
    assert "CLAIMWATCH_STORE must be memory:// or rocksdb://" in (tmp_path / "worker.log").read_text()


def test_rocksdb_without_rocksdict_stops_the_worker_at_startup(settings: Settings, tmp_path: Path):
    blocker = tmp_path / "site"
    blocker.mkdir()
    (blocker / "rocksdict.py").write_text('raise ImportError("rocksdict is not installed (test)")\n')
    env = worker_env(settings)
    env.update(CLAIMWATCH_STORE="rocksdb://", PYTHONPATH=str(blocker))
    proc = start_worker(env, tmp_path / "worker.log")
    try:
        assert proc.wait(timeout=60) != 0
    finally:
        stop_process(proc)
    assert ("CLAIMWATCH_STORE=rocksdb:// needs the rocksdict package: pip install 'claimwatch[rocksdb]'"
            in " ".join((tmp_path / "worker.log").read_text().split()))
