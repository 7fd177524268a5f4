"""Builds the faust.App from Settings. Run a worker with ``faust -A streams.app worker`` or
``claimwatch worker``."""

from __future__ import annotations

import logging
from importlib import import_module

import faust
from faust.exceptions import ImproperlyConfigured
from faust.web.drivers.aiohttp import Web as AiohttpWeb

from .broker import BrokerError, resolve_broker_url
from .kafka import sasl_password, ssl_context
from .offsets import install_exact_highwaters
from .settings import SASL_PROTOCOLS, Settings, get_settings
from .topics import declare_topics

log = logging.getLogger(__name__)

UNRESOLVED_BROKER = "kafka://127.0.0.1:9092"


def broker_credentials(settings: Settings) -> faust.types.auth.CredentialsT | None:
    """The security of ``streams.kafka.client_config`` as Faust credentials. Faust hands them to aiokafka
    (``credentials_to_aiokafka_auth``): SASLCredentials carry the mechanism (PLAIN or SCRAM-SHA-*), and
    become SASL_SSL when they hold an SSL context; SSLCredentials are plain SSL."""
    context = ssl_context(settings)
    if settings.security_protocol in SASL_PROTOCOLS:
        return faust.SASLCredentials(
            username=settings.sasl_username,
            password=sasl_password(settings),
            mechanism=settings.sasl_mechanism,
            ssl_context=context,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def table_store(settings: Settings) -> str:
    """The Faust store URL; rocksdb:// fails here, at startup, when no RocksDB binding can be imported
    (Faust itself would fail only once the worker opens its first table)."""
    if settings.store == "rocksdb://" and not any(_importable(m) for m in ("rocksdict", "rocksdb")):
        raise ImproperlyConfigured(
            "CLAIMWATCH_STORE=rocksdb:// needs the rocksdict package: pip install 'claimwatch[rocksdb]' "
            "(or use CLAIMWATCH_STORE=memory://)"
        )
    return settings.store


def _importable(module: str) -> bool:
    try:
        import_module(module)
    except ImportError:
        return False
    return True


class ClaimwatchWeb(AiohttpWeb):
    """Faust's aiohttp web server without its JSON index page at ``/``: the dashboard lives there."""

    production_blueprints = []  # type: ignore[misc]


class ClaimwatchApp(faust.App):
    def _new_web(self) -> AiohttpWeb:
        return ClaimwatchWeb(self)


def create_app(settings: Settings) -> faust.App:
    install_exact_highwaters()
    try:
        broker = resolve_broker_url(settings)
    except BrokerError:
        broker = UNRESOLVED_BROKER  # the CLI resolves and reports this before a worker starts
    return ClaimwatchApp(
        settings.app_id,
        broker=broker,
        broker_credentials=broker_credentials(settings),
        store=table_store(settings),
        datadir=str(settings.data_dir / "worker"),
        web_enabled=settings.web_enabled,
        web_host=settings.web_host,
        web_port=settings.web_port,
        topic_partitions=1,
        topic_replication_factor=settings.topic_replication,
        topic_allow_declare=True,
        consumer_auto_offset_reset="earliest",
        broker_session_timeout=settings.consumer_session_timeout,
        broker_heartbeat_interval=settings.consumer_heartbeat_interval,
        broker_commit_interval=settings.broker_commit_interval,
        table_standby_replicas=0,
        autodiscover=False,
    )


settings = get_settings()
app = create_app(settings)
topics = declare_topics(app, settings)

from . import agents  # noqa: E402,F401  (registers the agents and tables on ``app``)
