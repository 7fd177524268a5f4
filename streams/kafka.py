"""Plain aiokafka helpers shared by the CLI commands: client config, topic creation, lag."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from schemas import DeadLetter

from .broker import bootstrap_of
from .codecs import encode
from .settings import Settings
from .topics import topic_specs

log = logging.getLogger(__name__)

TOPIC_EXISTS = 36


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context for SSL / SASL_SSL connections (``ssl_cafile`` or the system CAs), else None."""
    if settings.security_protocol.upper() not in ("SSL", "SASL_SSL"):
        return None
    return ssl.create_default_context(cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None)


def client_config(settings: Settings, url: str) -> dict[str, Any]:
    """aiokafka keyword arguments (bootstrap servers and security) built from settings."""
    config: dict[str, Any] = {"bootstrap_servers": bootstrap_of(url)}
    protocol = settings.security_protocol.upper()
    config["security_protocol"] = protocol
    context = ssl_context(settings)
    if context is not None:
        config["ssl_context"] = context
    if protocol.startswith("SASL"):
        config["sasl_mechanism"] = settings.sasl_mechanism
        config["sasl_plain_username"] = settings.sasl_username
        config["sasl_plain_password"] = (
            settings.sasl_password.get_secret_value() if settings.sasl_password else None
        )
    return config


async def ensure_topics(settings: Settings, url: str) -> list[str]:
    """Create claimwatch's topics with their partition counts; returns the ones created."""
    admin = AIOKafkaAdminClient(**client_config(settings, url))
    await admin.start()
    try:
        specs = topic_specs(settings)
        response = await admin.create_topics(
            [NewTopic(s.name, s.partitions, s.replication) for s in specs]
        )
        created = []
        for name, code, *_ in response.topic_errors:
            if code == 0:
                created.append(name)
            elif code != TOPIC_EXISTS:
                raise RuntimeError(f"cannot create topic {name}: error code {code}")
        log.info("topics created: %s", created or "none (all existed)")
        return created
    finally:
        await admin.close()


def producer(settings: Settings, url: str, **extra: Any) -> AIOKafkaProducer:
    return AIOKafkaProducer(**client_config(settings, url), acks="all", enable_idempotence=False, **extra)


async def send_dead_letters(producer: AIOKafkaProducer, settings: Settings, records: Sequence[DeadLetter]) -> None:
    """Send dead letters (keyed by the topic they came from) and wait until the broker has them all."""
    futures = [
        await producer.send(settings.topic_deadletter, encode(r), key=r.topic.encode("utf-8")) for r in records
    ]
    for future in futures:
        await future


async def topic_partitions(consumer: AIOKafkaConsumer, topic: str) -> list[TopicPartition]:
    """The partitions of ``topic`` (fetching fresh metadata first); [] when it does not exist."""
    await consumer.topics()
    return [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]


async def caught_up(consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> bool:
    """Whether the consumer's position is at the end of every partition."""
    ends = await consumer.end_offsets(partitions)
    for tp in partitions:
        if await consumer.position(tp) < ends[tp]:
            return False
    return True


async def group_lag(settings: Settings, url: str, group_id: str, topics: list[str]) -> int:
    """Messages in ``topics`` not yet committed by consumer group ``group_id`` (without joining it)."""
    consumer = AIOKafkaConsumer(**client_config(settings, url), group_id=group_id, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [tp for topic in topics for tp in await topic_partitions(consumer, topic)]
        ends = await consumer.end_offsets(partitions)
        lag = 0
        for tp in partitions:
            committed = await consumer.committed(tp) or 0
            lag += max(0, ends[tp] - committed)
        return lag
    finally:
        await consumer.stop()
