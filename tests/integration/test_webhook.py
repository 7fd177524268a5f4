"""`claimwatch webhook` through the embedded broker: retries, a crash mid-stream, dead letters.

The seeds are replayed once; the receiver fails the first two attempts of every alert. The webhook
process is killed (SIGKILL, no clean shutdown) after its first delivery and started again: every
alert still arrives, signed, because offsets are committed only after delivery.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest
import pytest_asyncio

from schemas import DeadLetter, DenialDetected
from streams.codecs import decode
from streams.kafka import group_lag
from streams.sinks.webhook import SIGNATURE_HEADER, verify
from tests.receiver import Receiver

from .conftest import Worker, wait_for, worker_env
from .test_seed_pipeline import alerts_of, raw_records, replay_seeds

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

ROOT = Path(__file__).resolve().parents[2]
SECRET = "webhook-test-secret"


def webhook_env(worker: Worker, group: str, **extra: str) -> dict[str, str]:
    return dict(
        worker_env(worker.settings), CLAIMWATCH_WEBHOOK_SECRET=SECRET, CLAIMWATCH_WEBHOOK_GROUP=group,
        CLAIMWATCH_WEBHOOK_BACKOFF_INITIAL="0.05", CLAIMWATCH_WEBHOOK_BACKOFF_MAX="0.2",
        CLAIMWATCH_CONSUMER_SESSION_TIMEOUT="6", CLAIMWATCH_CONSUMER_HEARTBEAT_INTERVAL="1", **extra,
    )


async def start_webhook(url: str, env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    handle = open(log, "ab")  # noqa: SIM115 - the child writes to it
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "streams.cli", "webhook", url, cwd=ROOT, env=env, stdout=handle, stderr=handle,
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def alerts(worker: Worker) -> list[DenialDetected]:
    await replay_seeds(worker)
    await worker.wait_idle()
    found = await alerts_of(worker)
    assert len(found) >= 5
    return found


async def test_every_alert_arrives_signed_despite_failures_and_a_crash(worker: Worker, alerts, tmp_path):
    expected = {a.alert_id for a in alerts}
    env = webhook_env(worker, "webhook-test-crash")
    log = tmp_path / "webhook.log"
    async with Receiver(fail_first=2) as receiver:
        proc = await start_webhook(receiver.url, env, log)
        try:
            async def first_delivery() -> bool:
                assert proc.returncode is None, log.read_text()
                return bool(receiver.accepted())

            await wait_for(first_delivery, 90, "the first delivery")
            proc.send_signal(signal.SIGKILL)
            await proc.wait()
            delivered_before = {d.headers["X-Claimwatch-Alert-Id"] for d in receiver.accepted()}
            assert delivered_before < expected  # killed mid-stream

            proc = await start_webhook(receiver.url, env, log)

            async def all_delivered() -> bool:
                assert proc.returncode is None, log.read_text()
                return {d.headers["X-Claimwatch-Alert-Id"] for d in receiver.accepted()} >= expected

            await wait_for(all_delivered, 150, "every alert to be delivered after the restart")
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
                await asyncio.wait_for(proc.wait(), 30)
    assert proc.returncode == 0, log.read_text()
    accepted = receiver.accepted()
    assert all(verify(SECRET, d.body, d.headers[SIGNATURE_HEADER]) for d in receiver.deliveries)
    assert {DenialDetected.model_validate_json(d.body).alert_id for d in accepted} == expected
    assert len(accepted) <= len(expected) + 1  # at most the alert in flight at the crash comes twice
    # two failures, then delivered; the attempt counter of the alert in flight at the crash restarts
    assert sum(d.headers["X-Claimwatch-Delivery"] != "3" for d in accepted) <= 1
    assert SECRET not in log.read_text()


async def test_an_unreachable_receiver_dead_letters_each_alert_and_moves_on(worker: Worker, alerts, tmp_path):
    group = "webhook-test-dlq"
    env = webhook_env(worker, group, CLAIMWATCH_WEBHOOK_MAX_ATTEMPTS="2")
    log = tmp_path / "webhook-dlq.log"
    async with Receiver(status=503) as receiver:
        proc = await start_webhook(receiver.url, env, log)
        try:
            async def dead_lettered() -> bool:
                assert proc.returncode is None, log.read_text()
                letters = [decode(v, DeadLetter) for v in await raw_records(worker, worker.settings.topic_deadletter)]
                return len([d for d in letters if d.stage == "webhook"]) >= len(alerts)

            await wait_for(dead_lettered, 150, "a dead letter for every alert")
            started = time.monotonic()

            async def committed() -> bool:
                return await group_lag(worker.settings, worker.url, group, [worker.settings.topic_alerts]) == 0

            await wait_for(committed, 30, "the webhook group to commit past every alert")
        finally:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), 30)
    letters = [decode(v, DeadLetter) for v in await raw_records(worker, worker.settings.topic_deadletter)]
    webhook_letters = [d for d in letters if d.stage == "webhook"]
    assert {DenialDetected.model_validate_json(d.original).alert_id for d in webhook_letters} == {a.alert_id for a in alerts}
    assert all("HTTP 503 after 2 attempts" in d.reason and d.topic == worker.settings.topic_alerts for d in webhook_letters)
    assert len(receiver.deliveries) == 2 * len(alerts)
    assert time.monotonic() - started < 30


async def test_sigterm_during_a_backoff_exits_at_once_without_committing(worker: Worker, alerts, tmp_path):
    group = "webhook-test-stop"
    env = dict(webhook_env(worker, group), CLAIMWATCH_WEBHOOK_BACKOFF_INITIAL="60", CLAIMWATCH_WEBHOOK_BACKOFF_MAX="60")
    log = tmp_path / "webhook-stop.log"
    async with Receiver(status=503) as receiver:
        proc = await start_webhook(receiver.url, env, log)

        async def first_attempt() -> bool:
            assert proc.returncode is None, log.read_text()
            return bool(receiver.deliveries)

        await wait_for(first_attempt, 90, "the first attempt")
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 30)
        assert time.monotonic() - started < 15  # not the 60 s backoff
    assert proc.returncode == 0, log.read_text()
    assert "not committed" in log.read_text()
    lag = await group_lag(worker.settings, worker.url, group, [worker.settings.topic_alerts])
    assert lag == len(alerts)  # nothing committed: the alert in retry is sent again after a restart


async def test_webhook_refuses_to_run_unsigned(worker: Worker):
    import subprocess

    env = {k: v for k, v in worker_env(worker.settings).items() if k != "CLAIMWATCH_WEBHOOK_SECRET"}
    result = subprocess.run([sys.executable, "-m", "streams.cli", "webhook", "http://127.0.0.1:9/hook"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "CLAIMWATCH_WEBHOOK_SECRET" in result.stderr
