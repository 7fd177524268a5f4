"""A worker killed without warning is replaced; its state comes back from the changelogs and a
second replay of the same archive sends no alert twice."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from streams.broker import EmbeddedBroker
from streams.demo import stop_process
from streams.kafka import ensure_topics
from streams.settings import Settings

from .conftest import spawn_worker
from .test_seed_pipeline import raw_records, replay_seeds

pytestmark = pytest.mark.integration
log = logging.getLogger(__name__)


async def test_a_killed_worker_is_replaced_without_duplicate_alerts(broker: EmbeddedBroker, settings: Settings):
    await ensure_topics(settings, broker.url)
    first = spawn_worker(settings, "first")
    try:
        await first.wait_ready()
        await replay_seeds(first)
        await first.wait_idle()
        before = await raw_records(first, settings.topic_alerts)
        assert before
    finally:
        first.proc.kill()  # unclean: no LeaveGroup, no final commit
        first.proc.wait()

    started = time.monotonic()
    second = spawn_worker(settings, "second")
    try:
        await second.wait_ready(timeout=120)
        ready = time.monotonic() - started
        await replay_seeds(second)
        await second.wait_idle(timeout=240)
        caught_up = time.monotonic() - started
        after = await raw_records(second, settings.topic_alerts)
        log.warning("restart after kill -9: ready in %.1fs, replay processed in %.1fs", ready, caught_up)
        assert len(after) == len(before), "the restarted worker re-sent alerts it had already sent"
    finally:
        stop_process(second.proc)
