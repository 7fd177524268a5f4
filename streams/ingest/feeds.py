"""Live newsfeed in: poll RSS 2.0 / Atom feeds and publish article and comment events.

``FeedPoller.run(urls)`` gives every feed its own polling loop, so a feed that is down, slow or
broken never holds the others up:

* **Conditional GET.** The ``ETag`` and ``Last-Modified`` of the last good response are sent back
  (``If-None-Match`` / ``If-Modified-Since``); a ``304`` costs nothing.
* **Backoff per feed.** An error (connection, timeout, HTTP status >= 400, a body over the size
  limit, XML that is not well-formed, a page that is not a feed) is logged and the feed is retried
  after ``min(max_backoff, interval * 2**failures)`` seconds, or later when the server sends
  ``Retry-After``. Nothing of a failed poll is published, and its validators are kept, so the next
  good response is read in full.
* **Deduplication across restarts.** Entry keys (the entry id, else its link, else a hash of title
  and date) and each feed's validators, failures and schedule are kept in SQLite
  (``<data_dir>/feeds.sqlite``), not in memory. Event ids are deterministic as well
  (``stable_id("article", document_id)``), so even a lost state file only re-sends events the
  worker already ignores.
* **Event time.** An entry's ``published`` date (else ``updated``) becomes ``occurred_at``; an entry
  with neither gets the time it was first fetched. Entries of one poll are published in event-time
  order.
* **Comment feeds.** An article entry that points at its own comment feed (``wfw:commentRss`` in RSS,
  ``<link rel="replies">`` in Atom, as WordPress and many news sites publish) has that feed polled
  too, for ``comment_ttl`` seconds after the article was last seen. Its entries become comment events
  under that article; an Atom ``thr:in-reply-to`` that names another comment becomes ``parent_id``.
* **Bad entries never vanish.** An entry that cannot become a valid event (no text, say) goes to the
  dead-letter topic with the reason, and the rest of the feed is published.

Well-formedness: ``feedparser`` reads almost anything. An undefined HTML entity (``&nbsp;`` in RSS,
very common) is accepted; any other XML error fails the poll, because what a lenient parser
recovers from a truncated document can be truncated itself.
"""

from __future__ import annotations

import asyncio
import calendar
import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, Protocol
from xml.sax import SAXParseException

import aiohttp
import feedparser
from multidict import CIMultiDict
from pydantic import ValidationError

from schemas import ArticlePublished, CommentPosted, DeadLetter, stable_id
from schemas.base import describe_validation_error

from ..httpio import read_capped, retry_after_seconds

from .html import html_to_text

log = logging.getLogger(__name__)

DocumentEvent = ArticlePublished | CommentPosted
FeedKind = Literal["articles", "comments"]
USER_AGENT = "claimwatch/0.1 (+https://github.com/claimwatch/claimwatch)"
ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
COMMENT_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "")
MAX_ORIGINAL = 10_000  # characters of an entry kept in its dead-letter record


class FeedFetchError(Exception):
    """One poll failed; ``retry_after`` is the server's ``Retry-After`` in seconds, if it sent one."""

    def __init__(self, reason: str, *, http_status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.http_status = http_status
        self.retry_after = retry_after


@dataclass
class FeedStatus:
    """What is kept per feed between polls and across restarts."""

    url: str
    kind: FeedKind = "articles"
    article_id: str | None = None  # comment feeds: the article their entries comment on
    parent_url: str | None = None  # comment feeds: the article feed they were found in
    etag: str | None = None
    modified: str | None = None
    failures: int = 0
    next_poll_at: float = 0.0  # epoch seconds
    expires_at: float | None = None  # comment feeds stop being polled after this
    last_status: int | None = None
    last_error: str | None = None
    last_ok_at: float | None = None


@dataclass
class PollResult:
    url: str
    outcome: Literal["new", "unchanged", "error"]
    http_status: int | None = None
    published: list[DocumentEvent] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    discovered: list[FeedStatus] = field(default_factory=list)
    skipped_seen: int = 0
    error: str | None = None
    retry_in: float | None = None


class FeedState:
    """SQLite-backed feed statuses and seen entry keys (one file; safe to delete, see module doc)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path))
        self._db.execute("PRAGMA journal_mode=WAL")
        columns = ", ".join(f"{f.name}" for f in fields(FeedStatus) if f.name != "url")
        self._db.execute(f"CREATE TABLE IF NOT EXISTS feeds (url TEXT PRIMARY KEY, {columns})")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, event_id TEXT, feed_url TEXT, seen_at REAL)"
        )
        self._db.commit()
        self._names = [f.name for f in fields(FeedStatus)]

    def close(self) -> None:
        self._db.close()

    def get(self, url: str) -> FeedStatus | None:
        row = self._db.execute(f"SELECT {', '.join(self._names)} FROM feeds WHERE url = ?", (url,)).fetchone()
        return FeedStatus(**dict(zip(self._names, row, strict=True))) if row else None

    def save(self, status: FeedStatus) -> None:
        values = asdict(status)
        marks = ", ".join("?" for _ in self._names)
        self._db.execute(
            f"INSERT OR REPLACE INTO feeds ({', '.join(self._names)}) VALUES ({marks})",
            [values[n] for n in self._names],
        )
        self._db.commit()

    def ensure(self, url: str) -> FeedStatus:
        """The status of an article feed the user named (created on first sight)."""
        status = self.get(url)
        if status is None:
            status = FeedStatus(url=url)
            self.save(status)
        return status

    def feeds(self) -> list[FeedStatus]:
        rows = self._db.execute(f"SELECT {', '.join(self._names)} FROM feeds ORDER BY url").fetchall()
        return [FeedStatus(**dict(zip(self._names, row, strict=True))) for row in rows]

    def unseen(self, keys: Iterable[str]) -> set[str]:
        keys = list(keys)
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            found.update(r[0] for r in self._db.execute(f"SELECT key FROM seen WHERE key IN ({marks})", chunk))
        return set(keys) - found

    def mark_seen(self, items: Iterable[tuple[str, str]], feed_url: str, at: float) -> None:
        self._db.executemany(
            "INSERT OR IGNORE INTO seen (key, event_id, feed_url, seen_at) VALUES (?, ?, ?, ?)",
            [(key, event_id, feed_url, at) for key, event_id in items],
        )
        self._db.commit()


class FeedSink(Protocol):
    """Where a poll's events go (Kafka in the service: :class:`KafkaFeedSink`)."""

    async def publish(self, documents: Sequence[DocumentEvent]) -> None: ...

    async def dead_letter(self, records: Sequence[DeadLetter]) -> None: ...


# -- entries to events ---------------------------------------------------------------------------------


def _entry_time(entry: Any, fallback: datetime) -> datetime:
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(name)
        if value:
            return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
    return fallback


def entry_key(entry: Any) -> str:
    """A stable key: the entry's id, else its link, else a hash of its title and date."""
    for name in ("id", "link"):
        value = entry.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return stable_id("entry", entry.get("title", ""), entry.get("published", entry.get("updated", "")))


def _entry_html(entry: Any) -> str:
    contents = entry.get("content") or []
    for content in contents:
        value = content.get("value") if isinstance(content, dict) else None
        if value:
            return str(value)
    return str(entry.get("summary") or entry.get("description") or "")


def comment_feed_of(entry: Any) -> str | None:
    """The entry's own comment feed: ``wfw:commentRss`` or an Atom ``<link rel="replies">`` to a feed."""
    url = entry.get("wfw_commentrss")
    if isinstance(url, str) and url.strip():
        return url.strip()
    for link in entry.get("links") or []:
        if link.get("rel") == "replies" and link.get("type", "") in COMMENT_FEED_TYPES and link.get("href"):
            return str(link["href"])
    return None


def _reply_parent(entry: Any, article_keys: set[str]) -> str | None:
    reply = entry.get("thr_in-reply-to")
    if isinstance(reply, dict):
        ref = reply.get("ref") or reply.get("href")
        if ref and ref not in article_keys:
            return str(ref)
    return None


def _jsonable_entry(entry: Any) -> str:
    def clean(value: Any) -> Any:
        if isinstance(value, time.struct_time):
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", value)
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        return value if isinstance(value, str | int | float | bool | type(None)) else str(value)

    return json.dumps(clean(dict(entry)), ensure_ascii=False)[:MAX_ORIGINAL]


def entry_to_event(
    entry: Any, feed: FeedStatus, *, outlet: str | None, fetched_at: datetime
) -> DocumentEvent:
    """One feed entry as an event; ``ValidationError`` when it cannot be one."""
    key = entry_key(entry)
    occurred_at = _entry_time(entry, fetched_at)
    text = html_to_text(_entry_html(entry))
    title = html_to_text(str(entry.get("title") or ""))
    source = f"feed:{feed.url}"
    if feed.kind == "comments":
        assert feed.article_id is not None
        article_keys = {feed.article_id}
        return CommentPosted(
            event_id=stable_id("comment", key),
            occurred_at=occurred_at,
            source=source,
            document_id=key,
            article_id=feed.article_id,
            author=str(entry.get("author") or "anonymous"),
            text=text or title,
            parent_id=_reply_parent(entry, article_keys),
            url=entry.get("link") or None,
        )
    return ArticlePublished(
        event_id=stable_id("article", key),
        occurred_at=occurred_at,
        source=source,
        document_id=key,
        title=title,
        body=text or title,
        outlet=outlet,
        byline=entry.get("author") or None,
        url=entry.get("link") or None,
    )


def _benign(exc: BaseException | None) -> bool:
    """Whether a feedparser ``bozo_exception`` still leaves a trustworthy document."""
    if exc is None:
        return True
    if isinstance(exc, SAXParseException):
        return "undefined entity" in str(exc)
    # CharacterEncodingOverride, NonXMLContentType and the like: the XML itself was fine.
    return True


def parse_feed(body: bytes, *, url: str, content_type: str = "") -> Any:
    """Parse RSS/Atom bytes; ``FeedFetchError`` for a document that is not a well-formed feed."""
    parsed = feedparser.parse(body, response_headers={"content-type": content_type})
    exc = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not _benign(exc):
        raise FeedFetchError(f"not well-formed XML: {exc}")
    if not parsed.get("version") and not parsed.entries:
        raise FeedFetchError("not an RSS or Atom feed")
    return parsed


# -- the poller ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PollerConfig:
    interval: float = 60.0
    timeout: float = 20.0
    max_backoff: float = 3600.0
    max_bytes: int = 10 * 1024 * 1024
    comment_ttl: float = 7 * 86400.0
    concurrency: int = 8
    user_agent: str = USER_AGENT


@dataclass
class RunSummary:
    polls: int = 0
    new: int = 0
    unchanged: int = 0
    errors: int = 0
    events: int = 0
    dead_letters: int = 0

    def add(self, result: PollResult) -> None:
        self.polls += 1
        self.events += len(result.published)
        self.dead_letters += len(result.dead_letters)
        if result.outcome == "new":
            self.new += 1
        elif result.outcome == "unchanged":
            self.unchanged += 1
        else:
            self.errors += 1


class FeedPoller:
    def __init__(
        self,
        state: FeedState,
        sink: FeedSink,
        config: PollerConfig = PollerConfig(),
        *,
        session: aiohttp.ClientSession | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = state
        self.sink = sink
        self.config = config
        self._session = session
        self._own_session = session is None
        self.clock = clock
        self._limit = asyncio.Semaphore(config.concurrency)

    async def __aenter__(self) -> FeedPoller:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
            self._session = None

    def backoff(self, failures: int, retry_after: float | None = None) -> float:
        delay = min(self.config.max_backoff, self.config.interval * 2 ** max(0, failures))
        return max(delay, retry_after or 0.0)

    async def fetch(self, status: FeedStatus) -> tuple[int, CIMultiDict[str], bytes]:
        """GET the feed with its validators; ``(304, headers, b"")`` when unchanged."""
        assert self._session is not None, "use FeedPoller as an async context manager"
        headers = {"Accept": ACCEPT, "User-Agent": self.config.user_agent}
        if status.etag:
            headers["If-None-Match"] = status.etag
        if status.modified:
            headers["If-Modified-Since"] = status.modified
        timeout = aiohttp.ClientTimeout(total=self.config.timeout)
        try:
            async with self._session.get(status.url, headers=headers, timeout=timeout) as response:
                got = CIMultiDict(response.headers)
                if response.status == 304:
                    return 304, got, b""
                if response.status >= 400:
                    raise FeedFetchError(
                        f"HTTP {response.status} {response.reason or ''}".strip(),
                        http_status=response.status,
                        retry_after=retry_after_seconds(response.headers.get("Retry-After"), self.clock()),
                    )
                body = await read_capped(response.content, self.config.max_bytes)
                if body is None:
                    raise FeedFetchError(f"larger than {self.config.max_bytes} bytes", http_status=response.status)
                return response.status, got, body
        except FeedFetchError:
            raise
        except TimeoutError as exc:
            raise FeedFetchError(f"no complete response within {self.config.timeout:g} s") from exc
        except aiohttp.ClientError as exc:
            raise FeedFetchError(f"{type(exc).__name__}: {exc}") from exc

    def _fail(self, status: FeedStatus, exc: FeedFetchError, now: float) -> PollResult:
        status.failures += 1
        retry_in = self.backoff(status.failures, exc.retry_after)
        status.next_poll_at = now + retry_in
        status.last_status = exc.http_status
        status.last_error = exc.reason
        self.state.save(status)
        log.warning(
            "feed %s: %s (failure %d in a row; next try in %.0f s)", status.url, exc.reason, status.failures, retry_in
        )
        return PollResult(status.url, "error", http_status=exc.http_status, error=exc.reason, retry_in=retry_in)

    async def poll(self, status: FeedStatus) -> PollResult:
        """Fetch one feed once, publish what is new, update its state. Never raises for feed trouble."""
        now = self.clock()
        try:
            http_status, headers, body = await self.fetch(status)
            if http_status == 304:
                log.debug("feed %s: not modified", status.url)
                return self._succeeded(status, PollResult(status.url, "unchanged"), 304, now)
            parsed = parse_feed(body, url=status.url, content_type=headers.get("Content-Type", ""))
            result = await self._publish_entries(status, parsed, now)
        except FeedFetchError as exc:
            return self._fail(status, exc, now)
        status.etag = headers.get("ETag") or None
        status.modified = headers.get("Last-Modified") or None
        return self._succeeded(status, result, http_status, now)

    def _succeeded(self, status: FeedStatus, result: PollResult, http_status: int, now: float) -> PollResult:
        status.failures, status.last_status, status.last_error = 0, http_status, None
        status.last_ok_at, status.next_poll_at = now, now + self.config.interval
        self.state.save(status)
        result.http_status, result.retry_in = http_status, self.config.interval
        return result

    async def _publish_entries(self, status: FeedStatus, parsed: Any, now: float) -> PollResult:
        fetched_at = datetime.fromtimestamp(now, tz=timezone.utc)
        outlet = html_to_text(str(parsed.feed.get("title") or "")) or None
        keyed = [(entry_key(e), e) for e in parsed.entries]
        fresh = self.state.unseen(k for k, _ in keyed)
        events: list[tuple[str, DocumentEvent]] = []
        dead: list[tuple[str, DeadLetter]] = []
        discovered: list[FeedStatus] = []
        taken: set[str] = set()
        for key, entry in keyed:
            if status.kind == "articles":
                comments = comment_feed_of(entry)
                if comments:
                    discovered.append(self._comment_feed(comments, key, status, now))
            if key not in fresh or key in taken:
                continue
            taken.add(key)
            try:
                events.append((key, entry_to_event(entry, status, outlet=outlet, fetched_at=fetched_at)))
            except ValidationError as exc:
                dead.append((key, self._dead_letter(status, key, entry, describe_validation_error(exc), fetched_at)))
        events.sort(key=lambda item: (item[1].occurred_at, item[1].document_id))
        try:
            if events:
                await self.sink.publish([e for _, e in events])
            if dead:
                await self.sink.dead_letter([d for _, d in dead])
        except Exception as exc:  # noqa: BLE001 - the broker is down: nothing is marked seen, retry later
            raise FeedFetchError(f"cannot publish: {exc!r}") from exc
        self.state.mark_seen([(k, e.event_id) for k, e in events] + [(k, d.event_id) for k, d in dead], status.url, now)
        for feed in discovered:
            self.state.save(feed)
        skipped = len(keyed) - len(taken)
        if events or dead:
            log.info("feed %s: %d new event(s), %d dead-lettered, %d already seen",
                     status.url, len(events), len(dead), skipped)
        return PollResult(
            status.url, "new" if events or dead else "unchanged",
            published=[e for _, e in events], dead_letters=[d for _, d in dead],
            discovered=discovered, skipped_seen=skipped,
        )

    def _comment_feed(self, url: str, article_key: str, parent: FeedStatus, now: float) -> FeedStatus:
        known = self.state.get(url)
        feed = known or FeedStatus(url=url, kind="comments", article_id=article_key, parent_url=parent.url)
        feed.expires_at = now + self.config.comment_ttl
        return feed

    def _dead_letter(self, status: FeedStatus, key: str, entry: Any, reason: str, at: datetime) -> DeadLetter:
        log.warning("feed %s: entry %s rejected: %s", status.url, key, reason)
        return DeadLetter(
            event_id=stable_id("dlq", status.url, key, "feed"),
            occurred_at=at,
            source=f"feed:{status.url}",
            topic=f"feed:{status.url}",
            stage="feed",
            reason=reason,
            original=_jsonable_entry(entry),
            key=key,
        )

    async def _guarded_poll(self, status: FeedStatus) -> PollResult:
        async with self._limit:
            try:
                return await self.poll(status)
            except Exception as exc:  # noqa: BLE001 - a bug on one feed must not stop the others
                log.exception("feed %s: unexpected error", status.url)
                return self._fail(status, FeedFetchError(f"unexpected error: {exc!r}"), self.clock())

    def _active(self, status: FeedStatus | None, now: float) -> bool:
        return status is not None and (status.expires_at is None or status.expires_at > now)

    async def run(self, urls: Sequence[str], *, once: bool = False, stop: asyncio.Event | None = None) -> RunSummary:
        """Poll ``urls`` (and the comment feeds found in them) until ``stop`` is set, or once each."""
        stop = stop or asyncio.Event()
        summary = RunSummary()
        tasks: dict[str, asyncio.Task[None]] = {}
        roots = set(urls)

        def spawn(url: str) -> None:
            if url not in tasks:
                tasks[url] = asyncio.create_task(loop(url), name=f"feed:{url}")

        async def loop(url: str) -> None:
            while not stop.is_set():
                status = self.state.get(url)
                if not self._active(status, self.clock()):
                    return
                assert status is not None
                delay = 0.0 if once else status.next_poll_at - self.clock()
                if delay > 0:
                    try:
                        await asyncio.wait_for(stop.wait(), timeout=delay)
                        return
                    except TimeoutError:
                        pass
                    status = self.state.get(url)
                    if not self._active(status, self.clock()):
                        return
                    assert status is not None
                result = await self._guarded_poll(status)
                summary.add(result)
                for feed in result.discovered:
                    spawn(feed.url)
                if once:
                    return

        for url in urls:
            self.state.ensure(url)
            spawn(url)
        now = self.clock()
        for status in self.state.feeds():
            if status.kind == "comments" and status.parent_url in roots and self._active(status, now):
                spawn(status.url)
        try:
            while True:
                pending = [t for t in tasks.values() if not t.done()]
                if not pending:
                    break
                waiters: set[asyncio.Future[Any]] = set(pending)
                stopper = asyncio.ensure_future(stop.wait())
                waiters.add(stopper)
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                stopper.cancel()
                if stop.is_set():
                    break
        finally:
            for task in tasks.values():
                task.cancel()
            await asyncio.gather(*tasks.values(), return_exceptions=True)
        return summary


class KafkaFeedSink:
    """Publishes feed events like a replay (same topics, keys and encoding) and dead letters."""

    def __init__(self, producer: Any, settings: Any) -> None:
        self.producer = producer
        self.settings = settings

    async def publish(self, documents: Sequence[DocumentEvent]) -> None:
        from .replay import publish

        await publish(self.producer, documents, self.settings)

    async def dead_letter(self, records: Sequence[DeadLetter]) -> None:
        from ..kafka import send_dead_letters

        await send_dead_letters(self.producer, self.settings, records)
