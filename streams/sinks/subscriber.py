"""Read alerts from the ``alerts`` topic: an async iterator for programs, a formatter for people."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime

from aiokafka import AIOKafkaConsumer
from rich.markup import escape

from schemas import DenialDetected

from ..codecs import DecodeError, decode
from ..kafka import caught_up, client_config, topic_partitions
from ..settings import Settings

log = logging.getLogger(__name__)


async def iter_alerts(
    settings: Settings,
    url: str,
    *,
    from_beginning: bool = True,
    follow: bool = False,
    poll_ms: int = 500,
) -> AsyncIterator[DenialDetected]:
    """Yield alerts, each ``alert_id`` once. Without ``follow`` stop when caught up.

    Reads every partition without joining a consumer group, so any number of subscribers can
    watch the topic without taking partitions from each other.
    """
    consumer = AIOKafkaConsumer(**client_config(settings, url), group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = await topic_partitions(consumer, settings.topic_alerts)
        if not tps:
            log.warning("topic %s does not exist yet", settings.topic_alerts)
            return
        consumer.assign(tps)
        if from_beginning:
            await consumer.seek_to_beginning(*tps)
        else:
            await consumer.seek_to_end(*tps)
        seen: set[str] = set()
        while True:
            batch = await consumer.getmany(*tps, timeout_ms=poll_ms)
            for records in batch.values():
                for record in records:
                    try:
                        alert = decode(record.value, DenialDetected)
                    except DecodeError as exc:
                        log.warning("skipping unreadable alert at offset %s: %s", record.offset, exc)
                        continue
                    if alert.alert_id in seen:
                        continue
                    seen.add(alert.alert_id)
                    yield alert
            if not follow and not batch:
                if await caught_up(consumer, tps):
                    return
    finally:
        await consumer.stop()


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _lag(seconds: float) -> str:
    if abs(seconds) < 60:
        return f"{seconds:+.0f} s"
    if abs(seconds) < 3600:
        return f"{seconds / 60:+.0f} min"
    return f"{seconds / 3600:+.1f} h"


def format_alert(alert: DenialDetected) -> str:
    """A readable, rich-markup block. All text from documents is escaped."""
    d, c = alert.denial, alert.claim
    colour = {"high": "bold red", "medium": "yellow", "low": "cyan"}[alert.severity]
    who = escape(d.speaker) + (f" ({escape(d.speaker_org)})" if d.speaker_org else "")
    sources = "; ".join(
        f"{escape(s.speaker)}" + (f" via {escape(s.outlet)}" if s.outlet else "") for s in c.sources
    )
    label = "DENIED" if alert.stance == "deny" else "NOT CONFIRMED"
    return "\n".join(
        [
            f"[{colour}]{label}[/] [dim]severity {alert.severity}, confidence {alert.confidence:.2f}, "
            f"alert {alert.alert_id}[/]",
            f"  [bold]claim[/]  \u201c{escape(c.text)}\u201d",
            f"         first seen {_when(c.first_seen_at)} \u00b7 sources: {sources}",
            f"  [bold]{'denial' if alert.stance == 'deny' else 'reply'}[/] \u201c{escape(d.text)}\u201d",
            f"         \u2014 {who}, {escape(d.outlet or d.document_kind)}, {_when(d.occurred_at)} "
            f"({_lag(alert.lag_seconds)} after the claim)",
            f"  [bold]why[/]    {escape(alert.explanation)}",
        ]
    )
