"""The commands docker-compose.yml runs, run here against the embedded broker, so the compose path
cannot rot silently.

Each service's ``command`` and ``environment`` come from ``docker-compose config`` (over the image's
``ENV``), and run as subprocesses with this checkout's ``claimwatch`` first on PATH. Only what must
differ on this machine is replaced: the broker URL (the embedded broker stands in for the ``kafka``
service), ``/data`` (a temporary folder per service), the web port (a free one), and the
``/archive`` mount (its host folder, ``seeds/``). Like ``docker compose up``, the worker and the
one-shot replay start together.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer

from streams.broker import EmbeddedBroker, free_port
from streams.demo import stop_process
from streams.kafka import client_config, topic_partitions
from streams.settings import Settings
from tests.feedserver import FeedServer, Route
from tests.unit.test_compose import (
    command_of, compose_config, dockerfile_env, dockerfile_healthcheck_command, environment_of, mounts_of,
)

from .conftest import Worker, wait_for
from .test_feed import seed_feeds
from .test_seed_pipeline import alerts_of, one

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

VENV_BIN = Path(sys.executable).parent
GOLDEN_ALERTS = 9  # the seed archive's alerts (tests/integration/test_seed_pipeline.py)
SEED_EVENTS = 27   # 2 articles and 25 comments


def run_env(service: dict[str, Any], **replaced: str) -> dict[str, str]:
    """The container's environment (image ENV, then the service's), with ``replaced`` values; the
    variables replaced must be ones the container has. The data folder is created, as the image's
    /data (or a volume over it) exists."""
    container = {**dockerfile_env(), **environment_of(service)}
    assert set(replaced) <= set(container), f"not set by compose or the image: {set(replaced) - set(container)}"
    if "CLAIMWATCH_DATA_DIR" in replaced:
        Path(replaced["CLAIMWATCH_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLAIMWATCH_")}
    env.update(container, **replaced)
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    assert Path(shutil.which("claimwatch", path=env["PATH"]) or "").parent == VENV_BIN
    return env


def settings_of(env: dict[str, str]) -> Settings:
    """The Settings a process with ``env`` reads."""
    fields = {k.removeprefix("CLAIMWATCH_").lower(): v for k, v in env.items() if k.startswith("CLAIMWATCH_")}
    return Settings(_env_file=None, **fields)  # type: ignore[arg-type]


def host_command(service: dict[str, Any]) -> list[str]:
    """The service's command with each mounted container path replaced by its host folder."""
    mounts = {target: source for target, (source, _) in mounts_of(service).items() if source.startswith("/")}
    return [mounts.get(arg, arg) for arg in command_of(service)]


@dataclass
class Stack:
    broker: EmbeddedBroker
    worker: Worker
    worker_env: dict[str, str]
    replay: subprocess.CompletedProcess[str]
    workdir: Path

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.worker.settings.web_port}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stack(broker: EmbeddedBroker, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    """`docker compose up`: the worker and the one-shot replay, started together."""
    services = compose_config()["services"]
    workdir = tmp_path_factory.mktemp("compose")
    worker_env = run_env(services["worker"], CLAIMWATCH_BROKER_URL=broker.url,
                         CLAIMWATCH_DATA_DIR=str(workdir / "worker-data"), CLAIMWATCH_WEB_PORT=str(free_port()))
    replay_env = run_env(services["replay"], CLAIMWATCH_BROKER_URL=broker.url,
                         CLAIMWATCH_DATA_DIR=str(workdir / "replay-data"))
    log_path = workdir / "worker.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(command_of(services["worker"]), env=worker_env, cwd=workdir,
                                stdout=log, stderr=subprocess.STDOUT)
    worker = Worker(proc, log_path, settings_of(worker_env), broker.url)
    try:
        replay = await asyncio.create_subprocess_exec(
            *host_command(services["replay"]), env=replay_env, cwd=workdir,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(replay.communicate(), 120)
        assert replay.returncode is not None
        await worker.wait_ready()
        await worker.wait_idle()
        yield Stack(broker, worker, worker_env,
                    subprocess.CompletedProcess(host_command(services["replay"]), replay.returncode,
                                                out.decode(), err.decode()), workdir)
    finally:
        stop_process(proc)


async def test_compose_up_replays_the_seeds_to_the_golden_alerts(stack: Stack):
    assert stack.replay.returncode == 0, stack.replay.stderr
    assert f"replayed {SEED_EVENTS} events" in stack.replay.stderr
    alerts = await alerts_of(stack.worker)
    assert len(alerts) == GOLDEN_ALERTS, [a.denial.text for a in alerts]
    assert one(alerts, "News talking about their approval of a ceasefire is incorrect").stance == "deny"
    assert one(alerts, "has not been formally presented to the opposition").denial.document_id == "001_8fff56c466814f58"
    assert one(alerts, "Assertions the United States government is supporting Daesh").stance == "deny"
    # CLAIMWATCH_TOPIC_PARTITIONS from compose reached the processes that created the topics
    consumer = AIOKafkaConsumer(**client_config(stack.worker.settings, stack.broker.url))
    await consumer.start()
    try:
        for topic in ("news.articles", "news.comments", "alerts"):
            assert len(await topic_partitions(consumer, topic)) == 4, topic
    finally:
        await consumer.stop()


async def test_the_worker_serves_health_the_dashboard_and_the_alerts(stack: Stack):
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{stack.web}/health") as response:
            assert response.status == 200 and (await response.json())["status"] == "ok"

        async def dashboard_has_the_alerts() -> bool:
            async with session.get(f"{stack.web}/alerts?limit=50") as response:
                return response.status == 200 and len(await response.json()) == GOLDEN_ALERTS

        await wait_for(dashboard_has_the_alerts, 30, "the worker's live views to hold the alerts")
        async with session.get(f"{stack.web}/") as response:
            assert response.status == 200 and "text/html" in response.headers["Content-Type"]
        # compose leaves CLAIMWATCH_INGEST_TOKEN empty unless the user sets it: push is off
        async with session.post(f"{stack.web}/ingest/articles", data=b"{}") as response:
            assert response.status == 403


async def test_the_dockerfile_healthcheck_passes_against_the_worker_and_fails_without_one(stack: Stack):
    command = dockerfile_healthcheck_command()  # its `python` is the venv's, first on PATH
    healthy = subprocess.run(command, env=stack.worker_env, capture_output=True, text=True, timeout=30)
    assert healthy.returncode == 0, healthy.stderr
    nobody = subprocess.run(command, env={**stack.worker_env, "CLAIMWATCH_WEB_PORT": str(free_port())},
                            capture_output=True, text=True, timeout=30)
    assert nobody.returncode != 0


async def test_the_subscribe_service_prints_the_alerts(stack: Stack):
    service = compose_config()["services"]["subscribe"]
    env = run_env(service, CLAIMWATCH_BROKER_URL=stack.broker.url,
                  CLAIMWATCH_DATA_DIR=str(stack.workdir / "subscribe-data"))
    expected = {a.alert_id for a in await alerts_of(stack.worker)}
    proc = await asyncio.create_subprocess_exec(
        *command_of(service), env=env, cwd=stack.workdir,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    printed = ""
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + 60
        while set(re.findall(r"alert\s+(alert-[0-9a-f]+)", printed)) != expected:
            assert time.monotonic() < deadline, f"timed out; printed:\n{printed[-3000:]}"
            chunk = await asyncio.wait_for(proc.stdout.read(65536), max(0.1, deadline - time.monotonic()))
            assert chunk, f"subscribe exited ({await proc.wait()}); printed:\n{printed[-3000:]}"
            printed += chunk.decode()
        assert proc.returncode is None  # --follow: still waiting for more
    finally:
        if proc.returncode is None:
            proc.terminate()
        await proc.wait()
    assert printed.count("DENIED") + printed.count("NOT CONFIRMED") == GOLDEN_ALERTS


async def test_the_feed_service_polls_the_feeds_it_is_given(stack: Stack):
    async with FeedServer() as server:
        for path, body in seed_feeds(server).items():
            server.routes[path] = Route(body)
        urls = f"{server.url('/outlet0.xml')} {server.url('/outlet1.xml')}"
        service = compose_config(CLAIMWATCH_FEED_URLS=urls)["services"]["feed"]
        state = stack.workdir / "feed-state"  # the feed-state volume
        env = run_env(service, CLAIMWATCH_BROKER_URL=stack.broker.url, CLAIMWATCH_DATA_DIR=str(state))
        log_path = stack.workdir / "feed.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(command_of(service), env=env, cwd=stack.workdir, stdout=log, stderr=subprocess.STDOUT)
        try:
            async def published_every_feed() -> bool:
                assert proc.poll() is None, log_path.read_text()
                return len(re.findall(r"new event\(s\)", log_path.read_text())) == 3  # 2 feeds + 1 comment feed

            await wait_for(published_every_feed, 60, "the feed service to publish the three feeds")
        finally:
            stop_process(proc)  # SIGTERM, as `docker compose stop` sends
    summary = log_path.read_text()
    assert proc.returncode == 0, summary
    assert f"3 poll(s): 3 with new entries, 0 unchanged, 0 failed; {SEED_EVENTS} event(s) published" in summary
    assert (state / "feeds.sqlite").exists()
    await stack.worker.wait_idle()  # the same documents as the replay: the same alerts, none added
    assert len(await alerts_of(stack.worker)) == GOLDEN_ALERTS
