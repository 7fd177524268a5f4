"""Plain aiokafka helpers shared by the CLI commands: client config, topic creation, lag."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

from schemas import DeadLetter

from .broker import BrokerError, bootstrap_of
from .codecs import encode
from .offsets import exact_end_offsets, known_end
from .settings import SASL_PROTOCOLS, TLS_PROTOCOLS, Settings, env_name
from .topics import topic_specs

log = logging.getLogger(__name__)

TOPIC_EXISTS = 36


class SecurityConfigError(BrokerError):
    """TLS material that cannot be loaded (a BrokerError: the CLI reports it in one line)."""


class Hidden(str):
    """A password as aiokafka and Faust need it (a str), whose repr hides it: a logged config dict,
    or a traceback that shows locals, prints stars instead."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'**********'"


def sasl_password(settings: Settings) -> Hidden | None:
    return Hidden(settings.sasl_password.get_secret_value()) if settings.sasl_password is not None else None


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The TLS context for SSL / SASL_SSL (else None): the brokers' certificates are verified against
    ``ssl_cafile`` (or the system CAs), the host name is checked unless ``ssl_check_hostname`` is off,
    and ``ssl_certfile``/``ssl_keyfile`` are the client certificate for mutual TLS."""
    if settings.security_protocol not in TLS_PROTOCOLS:
        return None
    try:
        context = ssl.create_default_context(cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None)
    except (OSError, ssl.SSLError) as exc:
        raise SecurityConfigError(f"cannot load {env_name('ssl_cafile')}={settings.ssl_cafile}: {exc}") from exc
    context.check_hostname = settings.ssl_check_hostname
    if settings.ssl_certfile is not None:
        _load_client_certificate(context, settings)
    return context


def _load_client_certificate(context: ssl.SSLContext, settings: Settings) -> None:
    secret = settings.ssl_keyfile_password

    def password() -> str:
        # A callable, so that an encrypted key without a password fails here instead of OpenSSL
        # prompting on the terminal (a worker would hang).
        if secret is None:
            raise SecurityConfigError(f"{env_name('ssl_keyfile')} is encrypted: set {env_name('ssl_keyfile_password')}")
        return secret.get_secret_value()

    keyfile = str(settings.ssl_keyfile) if settings.ssl_keyfile is not None else None
    try:
        context.load_cert_chain(str(settings.ssl_certfile), keyfile, password)
    except SecurityConfigError:
        raise
    except (OSError, ssl.SSLError) as exc:
        where = f"{env_name('ssl_certfile')}={settings.ssl_certfile}" + (
            f" with {env_name('ssl_keyfile')}={keyfile}" if keyfile else f" (no {env_name('ssl_keyfile')})"
        )
        raise SecurityConfigError(
            f"cannot load the client certificate {where}: {exc}; check that the key matches the certificate, "
            f"that {env_name('ssl_keyfile_password')} is right, and set {env_name('ssl_keyfile')} unless the "
            "certificate file holds the key"
        ) from exc


def client_config(settings: Settings, url: str) -> dict[str, Any]:
    """aiokafka keyword arguments (bootstrap servers and security) built from settings; the same
    security reaches Faust through ``streams.app.broker_credentials``."""
    config: dict[str, Any] = {"bootstrap_servers": bootstrap_of(url), "security_protocol": settings.security_protocol}
    context = ssl_context(settings)
    if context is not None:
        config["ssl_context"] = context
    if settings.security_protocol in SASL_PROTOCOLS:
        config["sasl_mechanism"] = settings.sasl_mechanism
        config["sasl_plain_username"] = settings.sasl_username
        config["sasl_plain_password"] = sasl_password(settings)
    return config


def describe_connection(settings: Settings, url: str) -> str:
    """``host:port over SASL_SSL (SCRAM-SHA-512 as 'alice')``, for error messages (never the password)."""
    text = f"{bootstrap_of(url)} over {settings.security_protocol}"
    if settings.security_protocol in SASL_PROTOCOLS:
        text += f" ({settings.sasl_mechanism} as {settings.sasl_username!r})"
    return text


async def ensure_topics(settings: Settings, url: str) -> list[str]:
    """Create claimwatch's topics with their partition counts; returns the ones created."""
    admin = AIOKafkaAdminClient(**client_config(settings, url))
    try:
        await admin.start()
    except KafkaError as exc:
        await admin.close()
        raise BrokerError(
            f"cannot connect to the broker at {describe_connection(settings, url)}: {exc}; "
            f"check {env_name('broker_url')} and the security settings"
        ) from exc
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
        if await consumer.position(tp) < known_end(consumer, tp, ends[tp]):
            return False
    return True


async def group_lags(settings: Settings, url: str, group_id: str, topics: list[str]) -> dict[TopicPartition, int]:
    """Per partition of ``topics``: records not yet committed by consumer group ``group_id`` (read
    without joining the group)."""
    consumer = AIOKafkaConsumer(**client_config(settings, url), group_id=group_id, enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [tp for topic in topics for tp in await topic_partitions(consumer, topic)]
        ends = await exact_end_offsets(consumer, partitions)
        return {tp: max(0, ends[tp] - (await consumer.committed(tp) or 0)) for tp in partitions}
    finally:
        await consumer.stop()


async def group_lag(settings: Settings, url: str, group_id: str, topics: list[str]) -> int:
    """Records in ``topics`` not yet committed by consumer group ``group_id`` (without joining it)."""
    return sum((await group_lags(settings, url, group_id, topics)).values())
