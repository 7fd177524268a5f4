"""What the worker's web endpoints serve: the latest state of every claim and the recent alerts,
followed live from the ``claims`` and ``alerts`` topics, and fanned out to SSE subscribers.

Every worker reads both topics in full (no consumer group), so any worker of a scaled-out
deployment answers ``/claims/{id}`` and streams every alert, whichever worker tracked the claim.
Memory is bounded: the newest ``max_claims`` claims (by last activity) and ``max_alerts`` alerts.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from aiokafka import AIOKafkaConsumer

from schemas import ClaimUpdated, DenialDetected

from ..codecs import DecodeError, decode
from ..kafka import caught_up, client_config, topic_partitions
from ..settings import Settings

log = logging.getLogger(__name__)

Item = tuple[Literal["alert"], DenialDetected] | tuple[Literal["claim"], ClaimUpdated]


@dataclass(eq=False)  # hashable by identity: kept in a set
class Subscriber:
    queue: asyncio.Queue[Item]
    dropped: bool = False


class LiveViews:
    def __init__(self, *, max_claims: int = 10_000, max_alerts: int = 1_000, queue_size: int = 1_000) -> None:
        self.claims: OrderedDict[str, ClaimUpdated] = OrderedDict()
        self.alerts: deque[DenialDetected] = deque(maxlen=max_alerts)
        self._alert_ids: set[str] = set()
        self.max_claims = max_claims
        self.queue_size = queue_size
        self._subscribers: set[Subscriber] = set()
        self.ready = asyncio.Event()  # set once the topics were read up to their end

    # -- state ---------------------------------------------------------------------------------------

    def apply_claim(self, update: ClaimUpdated) -> None:
        current = self.claims.get(update.claim_id)
        if current is not None and len(current.timeline) > len(update.timeline) and current.merged_into is None \
                and update.merged_into is None:
            return  # an older snapshot (timelines only grow until a merge)
        self.claims.pop(update.claim_id, None)
        self.claims[update.claim_id] = update
        while len(self.claims) > self.max_claims:
            self.claims.popitem(last=False)
        self._publish(("claim", update))

    def apply_alert(self, alert: DenialDetected) -> None:
        if alert.alert_id in self._alert_ids:
            return
        if len(self.alerts) == self.alerts.maxlen:
            self._alert_ids.discard(self.alerts[0].alert_id)
        self.alerts.append(alert)
        self._alert_ids.add(alert.alert_id)
        self._publish(("alert", alert))

    def claim(self, claim_id: str) -> ClaimUpdated | None:
        return self.claims.get(claim_id)

    def recent_alerts(self, limit: int, after: str | None = None) -> list[DenialDetected]:
        """The newest ``limit`` alerts, oldest first; with ``after`` (an alert id) only those after it."""
        alerts = list(self.alerts)
        if after is not None:
            ids = [a.alert_id for a in alerts]
            if after in ids:
                return alerts[ids.index(after) + 1 :]
        return alerts[-limit:] if limit > 0 else []

    def recent_claims(self, limit: int, status: str | None = None) -> list[ClaimUpdated]:
        """Live (not merged) claims, most recently active first."""
        found = [c for c in reversed(self.claims.values()) if c.merged_into is None and (status is None or c.status == status)]
        return found[:limit]

    # -- fan-out ------------------------------------------------------------------------------------

    def subscribe(self) -> Subscriber:
        subscriber = Subscriber(asyncio.Queue(maxsize=self.queue_size))
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.discard(subscriber)

    def _publish(self, item: Item) -> None:
        for subscriber in list(self._subscribers):
            try:
                subscriber.queue.put_nowait(item)
            except asyncio.QueueFull:
                # A subscriber that does not read is cut off rather than slowing everyone down.
                subscriber.dropped = True
                self._subscribers.discard(subscriber)
                log.warning("dropping a live subscriber that fell %d items behind", self.queue_size)

    # -- following the topics -----------------------------------------------------------------------

    def apply_records(self, topic: str, values: Iterable[bytes | None], settings: Settings) -> None:
        for value in values:
            try:
                if topic == settings.topic_alerts:
                    self.apply_alert(decode(value, DenialDetected))
                else:
                    self.apply_claim(decode(value, ClaimUpdated))
            except DecodeError as exc:
                log.warning("live views: skipping an unreadable record on %s: %s", topic, exc)

    async def follow(self, settings: Settings, url: str, *, poll_ms: int = 500, retry: float = 2.0) -> None:
        """Read ``claims`` and ``alerts`` from the beginning, then keep following. Runs until cancelled."""
        topics = (settings.topic_claims, settings.topic_alerts)
        while True:
            consumer = AIOKafkaConsumer(**client_config(settings, url), group_id=None, enable_auto_commit=False)
            try:
                await consumer.start()
                tps = [tp for topic in topics for tp in await topic_partitions(consumer, topic)]
                if {tp.topic for tp in tps} != set(topics):
                    raise RuntimeError(f"topics {', '.join(topics)} not there yet")
                consumer.assign(tps)
                await consumer.seek_to_beginning(*tps)
                while True:
                    batch = await consumer.getmany(*tps, timeout_ms=poll_ms)
                    for tp, records in batch.items():
                        self.apply_records(tp.topic, (r.value for r in records), settings)
                    if not self.ready.is_set() and not batch and await caught_up(consumer, tps):
                        self.ready.set()
                        log.info("live views ready: %d claims, %d alerts", len(self.claims), len(self.alerts))
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - keep serving what we have; try again
                log.warning("live views: %s; retrying in %.0f s", exc, retry)
                await asyncio.sleep(retry)
            finally:
                await consumer.stop()
