"""``claimwatch demo``: embedded broker + worker + replay + alerts, then exit when idle."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from typing import Any
from dataclasses import dataclass, field
from pathlib import Path

from schemas import ArticlePublished, CommentPosted, DenialDetected

from .broker import EmbeddedBroker, free_port
from .ingest.archive import load_archive
from .ingest.replay import publish
from .kafka import ensure_topics, group_lag, producer
from .settings import Settings
from .sinks.subscriber import iter_alerts

log = logging.getLogger(__name__)


class DemoError(RuntimeError):
    pass


@dataclass
class DemoResult:
    alerts: list[DenialDetected] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # seconds since start
    events: int = 0


def worker_command() -> list[str]:
    return [sys.executable, "-m", "streams.cli", "worker"]


def start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    log_file = open(log_path, "ab")  # noqa: SIM115 - owned by the child process
    return subprocess.Popen(worker_command(), env=env, stdout=log_file, stderr=subprocess.STDOUT)


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


WORKER_MILESTONES = (("[^Worker]: Ready", "worker ready"), ("models loaded", "models loaded"))


async def watch_worker_log(log_path: Path, phase: Callable[[str], None]) -> None:
    """Report the worker's own milestones (group joined, models loaded) as demo phases."""
    pending = list(WORKER_MILESTONES)
    while pending:
        text = log_path.read_text(errors="replace") if log_path.exists() else ""
        for marker, name in list(pending):
            if marker in text:
                phase(name)
                pending.remove((marker, name))
        await asyncio.sleep(0.2)


async def wait_until_idle(
    settings: Settings, url: str, worker: subprocess.Popen[bytes], last_alert: Callable[[], float],
    *, quiet: float, timeout: float, log_path: Path,
) -> None:
    """Wait until the worker group has committed every input and statement record and no alert
    arrived for ``quiet`` seconds."""
    deadline = time.monotonic() + timeout
    topics = [settings.topic_articles, settings.topic_comments, settings.topic_statements]
    while True:
        if worker.poll() is not None:
            raise DemoError(f"worker exited with code {worker.returncode}:\n{tail(log_path)}")
        lag = await group_lag(settings, url, settings.app_id, topics)
        if lag == 0 and time.monotonic() - last_alert() >= quiet:
            return
        if time.monotonic() > deadline:
            raise DemoError(f"not idle after {timeout:.0f}s (lag {lag}); worker log: {log_path}")
        await asyncio.sleep(0.5)


async def run_demo(
    archives: Sequence[Path],
    settings: Settings,
    **options: Any,
) -> DemoResult:
    """Replay archive files or folders (an unreadable archive fails before anything starts)."""
    return await run_pipeline(load_archive(archives), settings, **options)


async def run_pipeline(
    documents: Sequence[ArticlePublished | CommentPosted],
    settings: Settings,
    *,
    speed: float = 0.0,
    quiet: float = 3.0,
    timeout: float = 600.0,
    on_alert: Callable[[DenialDetected], None] | None = None,
    on_phase: Callable[[str, float], None] | None = None,
) -> DemoResult:
    """Embedded broker + a worker process; publish ``documents`` (in event-time order); collect the
    alerts until the worker is idle; stop everything."""
    result = DemoResult()
    t0 = time.monotonic()

    def phase(name: str) -> None:
        result.phases[name] = round(time.monotonic() - t0, 2)
        if on_phase:
            on_phase(name, result.phases[name])

    result.events = len(documents)
    workdir = Path(tempfile.mkdtemp(prefix="claimwatch-demo-"))
    broker = EmbeddedBroker().start()
    phase("broker started")
    worker = None
    last_alert = [time.monotonic()]
    try:
        await ensure_topics(settings, broker.url)
        env = dict(os.environ)
        env.update(
            CLAIMWATCH_BROKER_URL=broker.url,
            CLAIMWATCH_DATA_DIR=str(workdir),
            CLAIMWATCH_WEB_PORT=str(free_port()),
            CLAIMWATCH_APP_ID=settings.app_id,
        )
        log_path = workdir / "worker.log"
        worker = start_worker(env, log_path)
        phase("worker started")

        async def print_alerts() -> None:
            async for alert in iter_alerts(settings, broker.url, follow=True):
                if not result.alerts:
                    phase("first alert")
                result.alerts.append(alert)
                last_alert[0] = time.monotonic()
                if on_alert:
                    on_alert(alert)

        printer = asyncio.create_task(print_alerts())
        watcher = asyncio.create_task(watch_worker_log(log_path, phase))
        kafka = producer(settings, broker.url)
        await kafka.start()
        try:
            await publish(kafka, documents, settings, speed=speed)
        finally:
            await kafka.stop()
        phase("replay done")
        try:
            await wait_until_idle(
                settings, broker.url, worker, lambda: last_alert[0], quiet=quiet, timeout=timeout, log_path=log_path
            )
        finally:
            printer.cancel()
            watcher.cancel()
            await asyncio.gather(printer, watcher, return_exceptions=True)
        phase("idle")
        return result
    finally:
        if worker is not None:
            stop_process(worker)
        broker.stop()
