"""The worker's HTTP endpoints (Faust's web server, ``CLAIMWATCH_WEB_PORT``).

* ``POST /ingest/articles``, ``POST /ingest/comments``: HTTP push ingest. Bearer token from
  ``CLAIMWATCH_INGEST_TOKEN`` (push is off without one), a body size limit
  (``CLAIMWATCH_INGEST_MAX_BYTES``), ``422`` with every field error, ``202`` with the event ids once
  the broker has the events. Validation lives in :mod:`streams.ingest.push`.
* ``GET /alerts/stream``: Server-Sent Events: ``alert`` events (``id:`` the alert id, so a
  reconnecting ``EventSource`` resumes after the last one it saw), and with ``?claims=1`` also
  ``claim`` events (each claim's new state). Query filters as ``claimwatch subscribe``:
  ``min_severity``, ``stance``, ``entity`` (repeatable), ``since``; ``replay=N`` recent alerts first.
* ``GET /alerts?limit=N`` (same filters): recent alerts, newest last.
* ``GET /claims/{claim_id}``: a claim with its sources, timeline (first report, sources,
  confirmations, support, denials) and status (unverified / contested / denied / confirmed).
  ``GET /claims?status=&limit=``: recent claims.
* ``GET /``: the dashboard (static HTML, CSS and JS under a strict Content-Security-Policy; every
  piece of text from feeds or comments is inserted as text, never as markup).
"""

from __future__ import annotations

import asyncio
import logging
from importlib import resources
from typing import Any, get_args

from aiohttp import web as aioweb
from faust.web import Request, Response, View

from schemas import ClaimStatus, DenialDetected

from ..app import app, settings
from ..broker import resolve_broker_url
from ..codecs import encode
from ..httpio import read_capped
from ..ingest.push import PushError, PushKind, check_bearer, check_size, parse_push, too_large
from ..ingest.replay import partition_key
from ..sinks.filters import AlertFilter, parse_since
from ..web.live import LiveViews
from .claims import ordering
from .gaps import consumed_topics, gap_repair

log = logging.getLogger(__name__)

_raw = {"key_serializer": "raw", "value_serializer": "raw"}
push_topics = {
    "article": app.topic(settings.topic_articles, **_raw),
    "comment": app.topic(settings.topic_comments, **_raw),
}


async def read_limited(request: Request, max_bytes: int) -> bytes:
    """The request body, or ``PushError(413)`` past ``max_bytes`` (whatever Content-Length said)."""
    check_size(request.content_length, max_bytes)  # type: ignore[attr-defined]
    body = await read_capped(request.content, max_bytes)  # type: ignore[attr-defined]
    if body is None:
        raise too_large(max_bytes)
    return body


class PushView(View):
    kind: PushKind = "article"

    def _rejected(self, error: PushError) -> Response:
        return self.json(error.body(), status=error.status, headers=error.headers)

    async def post(self, request: Request) -> Response:
        token = settings.ingest_token.get_secret_value() if settings.ingest_token else None
        try:
            check_bearer(request.headers.get("Authorization"), token)  # type: ignore[attr-defined]
            body = await read_limited(request, settings.ingest_max_bytes)
            remote = getattr(request, "remote", None) or "unknown"
            events = parse_push(body, self.kind, source=f"push:{remote}", max_items=settings.ingest_max_items)
        except PushError as error:
            if error.status >= 500:
                log.error("push ingest failed: %s", error.detail)
            return self._rejected(error)
        topic = push_topics[self.kind]
        futures: list[Any] = [
            await topic.send(key=partition_key(event), value=encode(event)) for event in events
        ]
        for future in futures:
            await future  # the broker has it before we say so
        log.info("push: %d %s(s) accepted", len(events), self.kind)
        return self.json({"accepted": len(events), "event_ids": [e.event_id for e in events]}, status=202)


@app.page("/ingest/articles")
class PushArticles(PushView):
    kind: PushKind = "article"


@app.page("/ingest/comments")
class PushComments(PushView):
    kind: PushKind = "comment"


# -- live views: alerts and claims ------------------------------------------------------------------

live = LiveViews()
STATUSES: tuple[str, ...] = get_args(ClaimStatus)
KEEPALIVE_SECONDS = 15.0
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@app.task
async def follow_live_views() -> None:
    await live.follow(settings, resolve_broker_url(settings))


class QueryError(ValueError):
    pass


def _int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)  # type: ignore[attr-defined]
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise QueryError(f"{name}: expected an integer, got {raw!r}") from exc
    return max(low, min(high, value))


def filter_from_query(request: Request) -> AlertFilter:
    query = request.query  # type: ignore[attr-defined]
    try:
        since = query.get("since")
        return AlertFilter(
            min_severity=query.get("min_severity", "low").lower(),
            stances=tuple(query.getall("stance", [])),
            entities=tuple(query.getall("entity", [])),
            since=parse_since(since) if since else None,
        )
    except ValueError as exc:
        raise QueryError(str(exc)) from exc


def sse(event: str, data: str, event_id: str | None = None) -> bytes:
    """One Server-Sent Event. ``data`` is JSON (one line), so it needs no further escaping."""
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {event}\ndata: {data}\n\n".encode()


@app.page("/alerts/stream")
class AlertStream(View):
    async def get(self, request: Request) -> Any:
        try:
            alert_filter = filter_from_query(request)
            replay = _int(request, "replay", 50, 0, 1000)
        except QueryError as exc:
            return self.json({"detail": str(exc)}, status=400)
        with_claims = request.query.get("claims") in ("1", "true", "yes")  # type: ignore[attr-defined]
        response = aioweb.StreamResponse(headers={
            "Content-Type": "text/event-stream", "Cache-Control": "no-cache", "X-Accel-Buffering": "no",
            **SECURITY_HEADERS,
        })
        await response.prepare(request)  # type: ignore[arg-type]
        subscriber = live.subscribe()
        try:
            await response.write(b"retry: 2000\n\n")
            last = request.headers.get("Last-Event-ID")  # type: ignore[attr-defined]
            for alert in live.recent_alerts(replay, after=last):
                if alert_filter.matches(alert):
                    await response.write(sse("alert", alert.model_dump_json(), alert.alert_id))
            while not subscriber.dropped:
                try:
                    kind, item = await asyncio.wait_for(subscriber.queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                if kind == "alert" and isinstance(item, DenialDetected):
                    if alert_filter.matches(item):
                        await response.write(sse("alert", item.model_dump_json(), item.alert_id))
                elif kind == "claim" and with_claims:
                    await response.write(sse("claim", item.model_dump_json()))
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            live.unsubscribe(subscriber)
        return response


@app.page("/alerts")
class RecentAlerts(View):
    async def get(self, request: Request) -> Response:
        try:
            alert_filter = filter_from_query(request)
            limit = _int(request, "limit", 100, 0, 1000)
        except QueryError as exc:
            return self.json({"detail": str(exc)}, status=400)
        alerts = [a for a in live.alerts if alert_filter.matches(a)][-limit:] if limit else []
        return self.json([a.model_dump(mode="json") for a in alerts], headers=dict(SECURITY_HEADERS))


@app.page("/claims")
class RecentClaims(View):
    async def get(self, request: Request) -> Response:
        status = request.query.get("status")  # type: ignore[attr-defined]
        try:
            limit = _int(request, "limit", 100, 0, 1000)
        except QueryError as exc:
            return self.json({"detail": str(exc)}, status=400)
        if status is not None and status not in STATUSES:
            return self.json({"detail": f"status: {', '.join(STATUSES)}, not {status!r}"}, status=400)
        claims = live.recent_claims(limit, status)
        return self.json([c.model_dump(mode="json") for c in claims], headers=dict(SECURITY_HEADERS))


@app.page("/claims/{claim_id}")
class ClaimDetail(View):
    async def get(self, request: Request, claim_id: str) -> Response:
        claim = live.claim(claim_id)
        if claim is None:
            return self.json({"detail": f"no claim {claim_id!r} (yet)"}, status=404)
        return self.json(claim.model_dump(mode="json"), headers=dict(SECURITY_HEADERS))


# -- dashboard -----------------------------------------------------------------------------------------

STATIC = {
    "index.html": "text/html; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}


def static_file(name: str) -> bytes:
    return resources.files("streams.web").joinpath("static", name).read_bytes()


def static_response(name: str) -> aioweb.Response:
    return aioweb.Response(
        body=static_file(name),
        headers={"Content-Type": STATIC[name], "Content-Security-Policy": CSP, "Cache-Control": "no-cache",
                 **SECURITY_HEADERS},
    )


@app.page("/")
class Dashboard(View):
    async def get(self, request: Request) -> Any:
        return static_response("index.html")


@app.page("/static/{name}")
class Static(View):
    async def get(self, request: Request, name: str) -> Any:
        if name not in STATIC:
            return self.json({"detail": "not found"}, status=404)
        return static_response(name)


@app.page("/favicon.ico")
class Favicon(View):
    async def get(self, request: Request) -> Any:
        return static_response("favicon.svg")


def assigned_partitions() -> list[str]:
    """This worker's partitions of the input and statements topics (``topic[partition]``)."""
    mine = consumed_topics()
    try:
        assignment = app.consumer.assignment()
    except Exception:  # noqa: BLE001 - no consumer yet (starting up)
        return []
    return sorted(f"{tp.topic}[{tp.partition}]" for tp in assignment if tp.topic in mine)


@app.page("/health")
class Health(View):
    async def get(self, request: Request) -> Response:
        partitions = assigned_partitions()
        return self.json({"status": "ok", "live_views_ready": live.ready.is_set(),
                          "claims": len(live.claims), "alerts": len(live.alerts),
                          "partitions": partitions,
                          # whether this worker runs the claim tracker (holds the statements partition)
                          "tracker": f"{settings.topic_statements}[0]" in partitions,
                          "ordering": ordering().status(),
                          # records Faust's streams skipped around a rebalance, read back (streams/gaps.py)
                          "repaired": gap_repair.repaired, "lost": gap_repair.lost})
