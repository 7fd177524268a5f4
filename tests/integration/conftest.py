"""Integration fixtures: a real Kafka-protocol broker (embedded Tansu) and real worker processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from streams.broker import EmbeddedBroker, free_port
from streams.demo import start_worker, stop_process, tail
from streams.kafka import ensure_topics, group_lag, group_lags
from streams.settings import Settings

pytestmark = pytest.mark.integration

INGEST_TOKEN = "test-token-not-a-secret"


async def wait_for(condition: Callable[[], Awaitable[bool]], timeout: float, what: str, every: float = 0.3) -> None:
    """Poll an async condition until it holds; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        await asyncio.sleep(every)


@dataclass
class Worker:
    proc: subprocess.Popen[bytes]
    log_path: Path
    settings: Settings
    url: str

    def log(self) -> str:
        return tail(self.log_path, 60)

    async def wait_ready(self, timeout: float = 90.0) -> None:
        async def ready() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited ({self.proc.returncode}):\n{self.log()}")
            return "Ready" in self.log_path.read_text(errors="replace") if self.log_path.exists() else False

        await wait_for(ready, timeout, "the worker to be ready")

    async def wait_idle(self, timeout: float = 120.0) -> None:
        topics = [self.settings.topic_articles, self.settings.topic_comments, self.settings.topic_statements]

        async def idle() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited ({self.proc.returncode}):\n{self.log()}")
            return await group_lag(self.settings, self.url, self.settings.app_id, topics) == 0

        try:
            await wait_for(idle, timeout, "the worker to process every record")
        except AssertionError as exc:
            lags = await group_lags(self.settings, self.url, self.settings.app_id, topics)
            behind = {f"{tp.topic}[{tp.partition}]": n for tp, n in lags.items() if n}
            raise AssertionError(f"{exc}; uncommitted records per partition: {behind}; log {self.log_path}") from None


@pytest.fixture(scope="module")
def broker() -> Iterator[EmbeddedBroker]:
    with EmbeddedBroker() as embedded:
        yield embedded


@pytest.fixture(scope="module")
def settings(broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("claimwatch")
    return Settings(broker_url=broker.url, data_dir=data_dir, app_id=f"claimwatch-test-{free_port()}",
                    web_port=free_port(), ingest_token=INGEST_TOKEN)


def worker_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        CLAIMWATCH_BROKER_URL=settings.broker_url,
        CLAIMWATCH_DATA_DIR=str(settings.data_dir),
        CLAIMWATCH_APP_ID=settings.app_id,
        CLAIMWATCH_WEB_PORT=str(settings.web_port),
    )
    if settings.ingest_token is not None:
        env["CLAIMWATCH_INGEST_TOKEN"] = settings.ingest_token.get_secret_value()
    return env


def spawn_worker(settings: Settings, name: str = "worker") -> Worker:
    """Start ``claimwatch worker`` (the same entry point users and docker-compose run)."""
    log_path = settings.data_dir / f"{name}.log"
    return Worker(start_worker(worker_env(settings), log_path), log_path, settings, settings.broker_url)


@pytest.fixture(scope="module")
def worker(settings: Settings, broker: EmbeddedBroker) -> Iterator[Worker]:
    asyncio.run(ensure_topics(settings, broker.url))
    running = spawn_worker(settings)
    proc = running.proc
    try:
        asyncio.run(running.wait_ready())
        yield running
    finally:
        stop_process(proc)
