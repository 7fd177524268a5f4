"""Send a record the service cannot process to the dead-letter topic, with the reason."""

from __future__ import annotations

import logging

from faust.types import EventT

from schemas import DeadLetter

from ..codecs import dead_letter, encode
from ..gaps import SkippedRecord

log = logging.getLogger(__name__)


def dead_letter_for(event: EventT | SkippedRecord, stage: str, reason: str) -> DeadLetter:
    message = event.message
    return dead_letter(topic=message.topic, partition=message.partition, offset=message.offset, stage=stage,
                       reason=reason, value=event.value, key=event.key)


async def send_dead_letter(event: EventT | SkippedRecord, stage: str, reason: str) -> DeadLetter:
    from ..app import topics

    record = dead_letter_for(event, stage, reason)
    log.warning(
        "dead letter from %s[%s]@%s (%s): %s", record.topic, record.partition, record.offset, stage, reason
    )
    await topics.deadletter.send(key=record.topic.encode(), value=encode(record))
    return record
