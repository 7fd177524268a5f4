"""Send a record the service cannot process to the dead-letter topic, with the reason."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from faust.types import EventT

from schemas import DeadLetter, stable_id

from ..codecs import encode, printable

log = logging.getLogger(__name__)


def dead_letter_for(event: EventT, stage: str, reason: str) -> DeadLetter:
    message = event.message
    return DeadLetter(
        event_id=stable_id("dlq", message.topic, message.partition, message.offset, stage),
        occurred_at=datetime.now(timezone.utc),
        source=f"kafka:{message.topic}",
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        stage=stage,
        reason=reason,
        original=printable(event.value),
        key=printable(event.key) if event.key is not None else None,
    )


async def send_dead_letter(event: EventT, stage: str, reason: str) -> DeadLetter:
    from ..app import topics

    record = dead_letter_for(event, stage, reason)
    log.warning(
        "dead letter from %s[%s]@%s (%s): %s", record.topic, record.partition, record.offset, stage, reason
    )
    await topics.deadletter.send(key=record.topic.encode(), value=encode(record))
    return record
