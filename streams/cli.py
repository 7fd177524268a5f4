"""The ``claimwatch`` command. Each command wraps an async function that tests call directly."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .broker import BrokerError, EmbeddedBroker, resolve_broker_url
from .evaluate.cli import evaluate_cli
from .settings import get_settings

if TYPE_CHECKING:
    from .ingest.feeds import RunSummary
    from .sinks.filters import AlertFilter

cli = typer.Typer(add_completion=False, no_args_is_help=True, help="Watch claims travel; catch later denials.")
cli.add_typer(evaluate_cli, name="evaluate")
out = Console()
err = Console(stderr=True)

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def default_seeds() -> Path:
    """``seeds/`` of this checkout (relative to the working directory when inside it), else ./seeds."""
    if not DEFAULT_SEEDS.is_dir():
        return Path("seeds")
    try:
        return DEFAULT_SEEDS.relative_to(Path.cwd())
    except ValueError:
        return DEFAULT_SEEDS


def fail(message: str) -> None:
    err.print(f"[red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(1)


def setup_logging(level: str) -> None:
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def require_http(url: str) -> None:
    if not url.startswith(("http://", "https://")):
        fail(f"not an http(s) URL: {url}")


def stop_on_signals() -> asyncio.Event:
    """An event that SIGINT / SIGTERM set (call inside the running loop): long-running commands stop cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def broker_url() -> str:
    try:
        return resolve_broker_url(get_settings())
    except BrokerError as exc:
        fail(str(exc))
        raise  # unreachable


# Alert filters (subscribe, webhook): see streams/sinks/filters.py
MinSeverityOption = Annotated[str, typer.Option("--min-severity", help="low, medium or high.")]
StanceOption = Annotated[Optional[list[str]], typer.Option("--stance", help="deny or non_confirm (repeatable).")]
EntityOption = Annotated[Optional[list[str]], typer.Option("--entity", help="Only alerts naming this entity (repeatable: any).")]
SinceOption = Annotated[Optional[str], typer.Option("--since", help="Event time at or after: 2h, 7d, or an ISO date-time.")]


def print_alert(alert, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    from .sinks.subscriber import format_alert

    if as_json:
        sys.stdout.write(alert.model_dump_json() + "\n")
        sys.stdout.flush()
    else:
        out.print(format_alert(alert), highlight=False)
        out.print()


@cli.command()
def demo(
    archives: Annotated[Optional[list[Path]], typer.Argument(help="Archive files or folders (default: seeds/).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One alert per line as JSON.")] = False,
    speed: Annotated[float, typer.Option(help="0 = as fast as possible, 1 = real time.")] = 0.0,
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 600.0,
) -> None:
    """Start the embedded broker and a worker, replay archives, print the alerts, exit when idle."""
    from .demo import DemoError, run_demo
    from .ingest.errors import ArchiveError

    setup_logging("warning")
    paths = archives or [default_seeds()]

    def on_phase(name: str, at: float) -> None:
        err.print(f"[dim]{at:6.1f}s  {name}[/]", highlight=False)

    try:
        result = asyncio.run(
            run_demo(
                paths, get_settings(), speed=speed, timeout=timeout,
                on_alert=lambda a: print_alert(a, as_json), on_phase=on_phase,
            )
        )
    except (ArchiveError, DemoError, BrokerError) as exc:
        fail(str(exc))
        return
    err.print(
        f"[bold]{len(result.alerts)} alert(s)[/] from {result.events} replayed events; "
        f"first alert after {result.phases.get('first alert', float('nan')):.1f}s, "
        f"idle after {result.phases['idle']:.1f}s",
        highlight=False,
    )


@cli.command()
def broker(
    port: Annotated[int, typer.Option(help="Loopback port (0 = any free port).")] = 9092,
) -> None:
    """Run the embedded Kafka-protocol broker (Tansu, in memory) until interrupted."""
    from .kafka import ensure_topics

    setup_logging("info")
    settings = get_settings()
    embedded = EmbeddedBroker(port=port, url_file=settings.data_dir / "broker.url")
    try:
        embedded.start()
    except BrokerError as exc:
        fail(str(exc))
    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        asyncio.run(ensure_topics(settings, embedded.url))
        out.print(f"broker ready at {embedded.url}  (Ctrl-C to stop)")
        while embedded.running():
            time.sleep(1.0)
        fail("the embedded broker exited")
    except KeyboardInterrupt:
        pass
    finally:
        embedded.stop()


@cli.command()
def worker(loglevel: Annotated[str, typer.Option(help="Log level.")] = "info") -> None:
    """Run a Faust worker: enrich, track claims, emit alerts."""
    from .kafka import ensure_topics

    settings = get_settings()
    url = broker_url()
    try:
        asyncio.run(ensure_topics(settings, url))
    except Exception as exc:  # noqa: BLE001
        fail(f"cannot reach the broker at {url}: {exc}")
    import faust

    from .app import app

    faust.Worker(app, loglevel=loglevel).execute_from_commandline()


async def replay_async(paths: list[Path], speed: float, progress: bool = True) -> int:
    from .ingest.archive import load_archive
    from .ingest.replay import publish
    from .kafka import ensure_topics, producer

    settings = get_settings()
    documents = load_archive(paths)  # an unreadable archive fails before any broker work
    url = resolve_broker_url(settings)
    await ensure_topics(settings, url)
    kafka = producer(settings, url)
    await kafka.start()
    try:
        with Progress(
            TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=err, disable=not progress,
        ) as bar:
            task = bar.add_task("replay", total=len(documents))
            return await publish(kafka, documents, settings, speed=speed, on_sent=lambda _: bar.advance(task))
    finally:
        await kafka.stop()


@cli.command()
def replay(
    paths: Annotated[list[Path], typer.Argument(help="Archive files (.txt seed format, .jsonl) or folders.")],
    speed: Annotated[Optional[float], typer.Option(help="0 = fast, 1 = real time, 60 = a minute per second.")] = None,
) -> None:
    """Replay archives onto news.articles and news.comments in event-time order."""
    from .ingest.errors import ArchiveError

    setup_logging("warning")
    try:
        sent = asyncio.run(replay_async(paths, get_settings().replay_speed if speed is None else speed))
    except (ArchiveError, BrokerError) as exc:
        fail(str(exc))
        return
    err.print(f"replayed {sent} events")


async def feed_async(urls: list[str], interval: float, once: bool, stop: asyncio.Event | None = None) -> RunSummary:
    from .ingest.feeds import FeedPoller, FeedState, KafkaFeedSink, PollerConfig
    from .kafka import ensure_topics, producer

    settings = get_settings()
    url = resolve_broker_url(settings)
    await ensure_topics(settings, url)
    config = PollerConfig(
        interval=interval, timeout=settings.feed_timeout, max_backoff=settings.feed_max_backoff,
        max_bytes=settings.feed_max_bytes, comment_ttl=settings.feed_comment_ttl,
    )
    kafka = producer(settings, url)
    await kafka.start()
    state = FeedState(settings.data_dir / "feeds.sqlite")
    try:
        async with FeedPoller(state, KafkaFeedSink(kafka, settings), config) as poller:
            return await poller.run(urls, once=once, stop=stop)
    finally:
        state.close()
        await kafka.stop()


@cli.command()
def feed(
    urls: Annotated[list[str], typer.Argument(help="RSS 2.0 or Atom feed URLs.")],
    interval: Annotated[Optional[float], typer.Option(help="Seconds between polls of each feed (default: settings).")] = None,
    once: Annotated[bool, typer.Option("--once", help="Poll each feed (and the comment feeds found) once, then exit; "
                                       "exit 1 if any poll failed.")] = False,
) -> None:
    """Poll live RSS/Atom feeds and publish their articles and comments (state in <data_dir>/feeds.sqlite)."""
    setup_logging("info")
    for url in urls:
        require_http(url)
    broker_url()
    settings = get_settings()

    async def main() -> RunSummary:
        return await feed_async(urls, interval or settings.feed_interval, once, stop_on_signals())

    summary = asyncio.run(main())
    err.print(
        f"{summary.polls} poll(s): {summary.new} with new entries, {summary.unchanged} unchanged, "
        f"{summary.errors} failed; {summary.events} event(s) published, {summary.dead_letters} dead-lettered",
        highlight=False,
    )
    if once and summary.errors:
        raise typer.Exit(1)


async def subscribe_async(from_beginning: bool, as_json: bool, follow: bool, alert_filter: AlertFilter | None = None) -> int:
    from .sinks.subscriber import iter_alerts

    settings = get_settings()
    count = 0
    async for alert in iter_alerts(settings, resolve_broker_url(settings), from_beginning=from_beginning, follow=follow):
        if alert_filter is not None and not alert_filter.matches(alert):
            continue
        print_alert(alert, as_json)
        count += 1
    return count


@cli.command()
def subscribe(
    from_beginning: Annotated[bool, typer.Option("--from-beginning", help="Start at the oldest alert.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One alert per line as JSON.")] = False,
    follow: Annotated[bool, typer.Option("--follow", help="Keep waiting for new alerts.")] = False,
    min_severity: MinSeverityOption = "low",
    stance: StanceOption = None,
    entity: EntityOption = None,
    since: SinceOption = None,
) -> None:
    """Print alerts from the alerts topic, optionally filtered."""
    setup_logging("warning")
    alert_filter = alert_filter_from(min_severity, stance, entity, since)
    broker_url()
    try:
        asyncio.run(subscribe_async(from_beginning, as_json, follow, alert_filter))
    except KeyboardInterrupt:
        pass


def alert_filter_from(min_severity: str, stance: list[str] | None, entity: list[str] | None, since: str | None) -> AlertFilter:
    from .sinks.filters import AlertFilter, parse_since

    try:
        return AlertFilter(
            min_severity=min_severity.lower(), stances=tuple(stance or ()), entities=tuple(entity or ()),
            since=parse_since(since) if since else None,
        )
    except ValueError as exc:
        fail(str(exc))
        raise  # unreachable


@cli.command()
def webhook(
    url: Annotated[str, typer.Argument(help="Receiver URL (http or https).")],
    start: Annotated[str, typer.Option(help="Where a new consumer group starts: earliest or latest.")] = "earliest",
    min_severity: MinSeverityOption = "low",
    stance: StanceOption = None,
    entity: EntityOption = None,
    since: SinceOption = None,
) -> None:
    """Forward alerts as signed JSON POSTs (HMAC-SHA256), with retries; failures go to the dead-letter topic."""
    from .sinks.webhook import WebhookConfig, run_webhook

    setup_logging("info")
    settings = get_settings()
    require_http(url)
    if settings.webhook_secret is None or not settings.webhook_secret.get_secret_value():
        fail("set CLAIMWATCH_WEBHOOK_SECRET: every POST is signed with it")
    if start not in ("earliest", "latest"):
        fail(f"--start must be earliest or latest, got {start!r}")
    alert_filter = alert_filter_from(min_severity, stance, entity, since)
    assert settings.webhook_secret is not None
    config = WebhookConfig(
        url=url, secret=settings.webhook_secret.get_secret_value(), max_attempts=settings.webhook_max_attempts,
        backoff_initial=settings.webhook_backoff_initial, backoff_max=settings.webhook_backoff_max,
        timeout=settings.webhook_timeout,
    )
    broker = broker_url()

    async def main() -> None:
        summary = await run_webhook(settings, broker, config, alert_filter, start=start, stop=stop_on_signals())
        err.print(f"{summary.delivered} delivered, {summary.filtered} filtered out, "
                  f"{summary.dead_lettered} dead-lettered", highlight=False)

    asyncio.run(main())


@cli.command()
def schema(out_dir: Annotated[Path, typer.Option("--out", help="Folder for the JSON Schema files.")] = Path("schemas/json")) -> None:
    """Export the event schemas as JSON Schema, for subscribers in other languages."""
    from schemas.export import export_json_schemas

    for path in export_json_schemas(out_dir):
        out.print(str(path))


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
