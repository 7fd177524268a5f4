"""Forward alerts to an HTTP endpoint: signed JSON POSTs, retries, dead letters, at-least-once.

``claimwatch webhook URL`` reads the alerts topic in its own consumer group
(``CLAIMWATCH_WEBHOOK_GROUP``) and POSTs each alert that passes the filter:

* **Body**: the alert JSON exactly as on the topic (``DenialDetected``).
* **Signature**: ``X-Claimwatch-Signature: sha256=<hex HMAC-SHA256 of the body>`` with
  ``CLAIMWATCH_WEBHOOK_SECRET``; also ``X-Claimwatch-Alert-Id`` (stable across redeliveries: the
  receiver de-duplicates on it) and ``X-Claimwatch-Delivery`` (the attempt number).
* **Retries**: a connection error, a timeout, 408, 429 or 5xx is retried after
  ``min(backoff_max, backoff_initial * 2**(attempt-1))`` seconds (or the ``Retry-After`` the receiver
  asked for, up to ``backoff_max``), up to ``max_attempts`` attempts. Any other 4xx is not retried.
* **Giving up**: the alert goes to the dead-letter topic (stage ``webhook``) with the reason.
* **Offsets** are committed only after an alert was delivered, filtered out, or dead-lettered, one
  record at a time, so a crash or restart re-sends at most the alert in flight and loses none.
* **Stopping** (SIGTERM / Ctrl-C) interrupts a backoff wait at once; the alert being retried is not
  committed, so it is sent again after a restart.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import OffsetAndMetadata

from schemas import DenialDetected

from ..codecs import DecodeError, dead_letter, decode
from ..httpio import retry_after_seconds
from ..kafka import client_config, producer, send_dead_letters
from ..settings import Settings
from .filters import AlertFilter

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Claimwatch-Signature"
RETRYABLE = frozenset({408, 425, 429})


def sign(secret: str, body: bytes) -> str:
    """The signature header value: ``sha256=`` + hex HMAC-SHA256 of ``body`` keyed with ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """What a receiver does (constant-time comparison)."""
    return header is not None and hmac.compare_digest(sign(secret, body), header)


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret: str
    max_attempts: int = 5
    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    timeout: float = 10.0

    def __repr__(self) -> str:  # never show the secret
        return f"WebhookConfig(url={self.url!r}, max_attempts={self.max_attempts}, secret=***)"

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        delay = min(self.backoff_max, self.backoff_initial * 2 ** max(0, attempt - 1))
        if retry_after is not None:
            delay = min(self.backoff_max, max(delay, retry_after))
        return delay


class Stopping(Exception):
    """Raised by an interruptible wait when the forwarder is asked to stop mid-retry."""


def sleep_unless(stop: asyncio.Event) -> Callable[[float], object]:
    """A retry wait that ends early, raising ``Stopping``, when ``stop`` is set: a SIGTERM during a
    backoff exits at once, and the alert (not committed) is sent again after a restart."""

    async def wait(seconds: float) -> None:
        try:
            await asyncio.wait_for(stop.wait(), timeout=seconds)
        except TimeoutError:
            return
        raise Stopping

    return wait


class DeliveryFailed(Exception):
    def __init__(self, reason: str, attempts: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts


class WebhookSender:
    """POSTs one body with retries. Use as an async context manager."""

    def __init__(self, config: WebhookConfig, *, sleep: Callable[[float], object] = asyncio.sleep) -> None:
        self.config = config
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> WebhookSender:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.config.timeout))
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def _attempt(self, body: bytes, alert_id: str, attempt: int) -> tuple[bool, str, float | None]:
        """(retryable, reason, retry_after) for a failed attempt; raises nothing. ("", ...) = delivered."""
        assert self._session is not None
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(self.config.secret, body),
            "X-Claimwatch-Alert-Id": alert_id,
            "X-Claimwatch-Delivery": str(attempt),
            "User-Agent": "claimwatch-webhook/0.1",
        }
        try:
            async with self._session.post(self.config.url, data=body, headers=headers) as response:
                if 200 <= response.status < 300:
                    return False, "", None
                wait = retry_after_seconds(response.headers.get("Retry-After"), time.time())
                retryable = response.status >= 500 or response.status in RETRYABLE
                return retryable, f"HTTP {response.status}", wait
        except TimeoutError:
            return True, f"no answer within {self.config.timeout:g} s", None
        except aiohttp.ClientError as exc:
            return True, f"{type(exc).__name__}: {exc}", None

    async def deliver(self, body: bytes, alert_id: str) -> int:
        """Deliver or raise ``DeliveryFailed``; returns the number of attempts it took."""
        for attempt in range(1, self.config.max_attempts + 1):
            retryable, reason, retry_after = await self._attempt(body, alert_id, attempt)
            if not reason:
                return attempt
            if not retryable:
                raise DeliveryFailed(f"{reason} (not retried)", attempt)
            if attempt == self.config.max_attempts:
                raise DeliveryFailed(f"{reason} after {attempt} attempts", attempt)
            delay = self.config.backoff(attempt, retry_after)
            log.warning("webhook: alert %s attempt %d failed (%s); retrying in %.1f s", alert_id, attempt, reason, delay)
            await self._sleep(delay)  # type: ignore[misc]
        raise AssertionError("unreachable")


@dataclass
class WebhookSummary:
    delivered: int = 0
    filtered: int = 0
    dead_lettered: int = 0

    def add(self, outcome: str) -> None:
        if outcome == "delivered":
            self.delivered += 1
        elif outcome == "filtered":
            self.filtered += 1
        else:
            self.dead_lettered += 1


async def run_webhook(
    settings: Settings,
    broker_url: str,
    config: WebhookConfig,
    alert_filter: AlertFilter | None = None,
    *,
    start: str = "earliest",
    stop: asyncio.Event | None = None,
    on_record: Callable[[str, str], None] | None = None,
) -> WebhookSummary:
    """Forward alerts until ``stop`` is set. ``on_record(alert_id or offset, outcome)`` reports progress."""
    stop = stop or asyncio.Event()
    summary = WebhookSummary()
    consumer = AIOKafkaConsumer(
        settings.topic_alerts,
        **client_config(settings, broker_url),
        group_id=settings.webhook_group,
        enable_auto_commit=False,
        auto_offset_reset=start,
        session_timeout_ms=int(settings.consumer_session_timeout * 1000),
        heartbeat_interval_ms=int(settings.consumer_heartbeat_interval * 1000),
    )
    kafka = producer(settings, broker_url)
    await kafka.start()
    await consumer.start()
    try:
        async with WebhookSender(config, sleep=sleep_unless(stop)) as sender:
            log.info("webhook: forwarding %s to %s (group %s)", settings.topic_alerts, config.url, settings.webhook_group)
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=500, max_records=1)
                for tp, records in batch.items():
                    for record in records:
                        try:
                            outcome, label = await _handle(record, sender, alert_filter, kafka, settings)
                        except Stopping:
                            log.info("webhook: stopping mid-retry; offset %s not committed (sent again on restart)",
                                     record.offset)
                            return summary
                        summary.add(outcome)
                        await consumer.commit({tp: OffsetAndMetadata(record.offset + 1, "")})
                        if on_record is not None:
                            on_record(label, outcome)
    finally:
        await consumer.stop()
        await kafka.stop()
    return summary


async def _handle(record, sender: WebhookSender, alert_filter, kafka, settings: Settings) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    try:
        alert = decode(record.value, DenialDetected)
    except DecodeError as exc:
        await _dead_letter(kafka, settings, record, f"unreadable alert: {exc}")
        return "dead_lettered", f"offset {record.offset}"
    if alert_filter is not None and not alert_filter.matches(alert):
        return "filtered", alert.alert_id
    try:
        attempts = await sender.deliver(record.value, alert.alert_id)
    except DeliveryFailed as exc:
        await _dead_letter(kafka, settings, record, f"webhook {sender.config.url}: {exc.reason}")
        return "dead_lettered", alert.alert_id
    log.info("webhook: alert %s delivered (attempt %d)", alert.alert_id, attempts)
    return "delivered", alert.alert_id


async def _dead_letter(kafka: AIOKafkaProducer, settings: Settings, record, reason: str) -> None:  # type: ignore[no-untyped-def]
    letter = dead_letter(topic=record.topic, partition=record.partition, offset=record.offset, stage="webhook",
                         reason=reason, value=record.value, key=record.key)
    log.warning("webhook: dead letter for %s[%s]@%s: %s", letter.topic, letter.partition, letter.offset, reason)
    await send_dead_letters(kafka, settings, [letter])

