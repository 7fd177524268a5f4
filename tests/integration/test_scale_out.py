"""Scale-out: one worker, two workers, and a second worker joining mid-replay, on 4 partitions, send
the same alerts, once each, as the in-process pipeline over the same archive in event-time order.

The archive is seeds/ plus a synthetic one (``streams/ingest/synthetic.py``: stories whose denials
come from other outlets, so claims and their denials are enriched on different partitions and, with
two workers, by different workers). Each case gets its own broker and consumer group.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from schemas import ArticlePublished, CommentPosted
from streams.broker import EmbeddedBroker, free_port
from streams.demo import start_worker, stop_process
from streams.ingest.archive import load_archive
from streams.ingest.replay import publish
from streams.ingest.synthetic import write_archive
from streams.kafka import ensure_topics, group_lag, producer
from streams.nlp.enrich import enrich_article, enrich_comment
from streams.nlp.models import make_tracker
from streams.ordering import in_event_time_order
from streams.settings import Settings
from streams.sinks.subscriber import iter_alerts

from .conftest import Worker, wait_for, worker_env

pytestmark = pytest.mark.integration
log = logging.getLogger(__name__)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PARTITIONS = 4
STORIES = 30


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("synthetic")
    write_archive(folder / "synthetic.jsonl", STORIES, seed=11)
    return [SEEDS, folder]


@pytest.fixture(scope="module")
def expected(archive: list[Path]) -> set[str]:
    """Alert ids of the in-process pipeline: every statement through the same tracker, in event-time order."""
    statements = [s for d in load_archive(archive)
                  for s in (enrich_article(d) if isinstance(d, ArticlePublished) else enrich_comment(d))]
    tracker = make_tracker({}, {}, Settings())
    ids = [a.alert_id for s in in_event_time_order(statements) for a in tracker.process(s).alerts]
    assert len(ids) == len(set(ids)) > 40, "the archive should give many alerts"
    return set(ids)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[EmbeddedBroker, Settings]]:
    with EmbeddedBroker() as broker:
        yield broker, Settings(broker_url=broker.url, data_dir=tmp_path, app_id=f"claimwatch-scale-{free_port()}",
                               topic_partitions=PARTITIONS)


def spawn(settings: Settings, name: str) -> Worker:
    own = settings.model_copy(update={"data_dir": settings.data_dir / name, "web_port": free_port()})
    own.data_dir.mkdir()
    env = worker_env(own) | {"CLAIMWATCH_TOPIC_PARTITIONS": str(PARTITIONS)}
    log_path = own.data_dir / "worker.log"
    return Worker(start_worker(env, log_path), log_path, own, own.broker_url)


def health(worker: Worker) -> dict:
    with urllib.request.urlopen(f"http://127.0.0.1:{worker.settings.web_port}/health", timeout=5) as response:
        return json.load(response)


async def replay(settings: Settings, documents: list[ArticlePublished | CommentPosted]) -> int:
    kafka = producer(settings, settings.broker_url)
    await kafka.start()
    try:
        return await publish(kafka, documents, settings)
    finally:
        await kafka.stop()


def enriched_by(worker: Worker) -> int:
    return worker.log_path.read_text(errors="replace").count("] enriched ")


async def run(settings: Settings, archive: list[Path], workers: int, join_midway: bool) -> tuple[Counter, list[Worker]]:
    """Replay ``archive`` into ``workers`` workers. ``join_midway``: the first worker gets the first
    part of the replay; the second starts while the first is part-way through it, and the rest of
    the replay is sent once the second has joined, so the group rebalances mid-replay and both
    workers have input after it (records the first had not committed are enriched again)."""
    await ensure_topics(settings, settings.broker_url)
    documents = load_archive(archive)
    started = [spawn(settings, "w0")] + ([spawn(settings, "w1")] if workers == 2 and not join_midway else [])
    try:
        await asyncio.gather(*(w.wait_ready() for w in started))
        if join_midway:
            first = await replay(settings, documents[:len(documents) // 2])
            topics = [settings.topic_articles, settings.topic_comments]

            async def under_way() -> bool:
                return 0 < await group_lag(settings, settings.broker_url, settings.app_id, topics) < first * 0.8

            await wait_for(under_way, 60, "the first worker to be part-way through the replay")
            late = spawn(settings, "w1")
            started.append(late)
            await late.wait_ready()
            await replay(settings, documents[len(documents) // 2:])
        else:
            await replay(settings, documents)
        try:
            await started[0].wait_idle(timeout=240)
        except AssertionError as exc:
            states = {w.log_path.parent.name: health(w)["ordering"] for w in started if w.proc.poll() is None}
            raise AssertionError(f"{exc}; ordering state per worker: {states}") from None
        alerts = Counter([a.alert_id async for a in iter_alerts(settings, settings.broker_url)])
        for worker in started:
            state = health(worker)["ordering"]
            assert state["late"] == 0, f"{worker.log_path}: statements reached the tracker out of order: {state}"
        return alerts, started
    finally:
        for worker in started:
            stop_process(worker.proc)


@pytest.mark.parametrize(("workers", "join_midway"), [(1, False), (2, False), (2, True)],
                         ids=["one-worker", "two-workers", "second-joins-mid-replay"])
async def test_the_same_alerts_once_each_however_many_workers(cluster, archive, expected, workers, join_midway):
    _, settings = cluster
    alerts, started = await run(settings, archive, workers, join_midway)
    duplicates = {a: n for a, n in alerts.items() if n > 1}
    assert not duplicates, f"alerts sent more than once: {duplicates}"
    assert set(alerts) == expected, (f"missing {sorted(expected - set(alerts))}, "
                                     f"unexpected {sorted(set(alerts) - expected)}")
    if workers == 2:
        assert all(enriched_by(w) > 0 for w in started), "both workers should have enriched documents"


async def test_the_tracker_moves_to_the_other_worker_when_its_worker_is_killed(cluster, archive, expected):
    """SIGKILL the worker that runs the claim tracker mid-replay: the other worker takes over its
    partitions, the statements partition included, restores the tables from the changelogs and
    finishes with the same set of alerts. Processing is at least once: an alert whose sent: record
    write was lost with the killed worker can be sent again (subscribers de-duplicate by alert_id);
    the test reports how many, and how long the take-over took."""
    _, settings = cluster
    await ensure_topics(settings, settings.broker_url)
    documents = load_archive(archive)
    workers = [spawn(settings, "w0"), spawn(settings, "w1")]
    try:
        await asyncio.gather(*(w.wait_ready() for w in workers))

        async def split() -> bool:
            states = [health(w) for w in workers]
            return all(s["partitions"] for s in states) and sum(s["tracker"] for s in states) == 1

        await wait_for(split, 60, "both workers to hold partitions, one of them the statements partition")
        first = await replay(settings, documents[:len(documents) // 2])
        statements = [settings.topic_statements]

        async def tracking() -> bool:
            return 0 < await group_lag(settings, settings.broker_url, settings.app_id, statements) and any(
                health(w)["alerts"] > 0 for w in workers)

        await wait_for(tracking, 90, "the tracker to be under way")
        (victim,) = [w for w in workers if health(w)["tracker"]]
        (survivor,) = [w for w in workers if w is not victim]
        victim.proc.kill()  # no LeaveGroup, no final commit, unflushed changelog writes lost
        victim.proc.wait()
        killed = time.monotonic()
        await replay(settings, documents[len(documents) // 2:])

        async def took_over() -> bool:
            return health(survivor)["tracker"]

        await wait_for(took_over, 120, "the survivor to take over the statements partition")
        takeover = time.monotonic() - killed
        await survivor.wait_idle(timeout=240)
        done = time.monotonic() - killed
        alerts = Counter([a.alert_id async for a in iter_alerts(settings, settings.broker_url)])
        state = health(survivor)["ordering"]
    finally:
        for worker in workers:
            stop_process(worker.proc)
    duplicates = {a: n for a, n in alerts.items() if n > 1}
    log.warning("tracker failover after SIGKILL (%d of %d events replayed before it): survivor took over the "
                "statements partition in %.1fs, processed everything %.1fs after the kill; %d alerts sent twice; "
                "ordering %s", first, len(documents), takeover, done, len(duplicates), state)
    assert set(alerts) == expected, (f"missing {sorted(expected - set(alerts))}, "
                                     f"unexpected {sorted(set(alerts) - expected)}")
