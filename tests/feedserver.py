"""A real local HTTP server for feed tests: fixtures that change between polls.

Each path serves a :class:`Route` the test can change at any time: a body with an ETag (answering
``If-None-Match`` with 304), an HTTP error, a delay. Every request is recorded, headers included.
Also builds RSS 2.0 documents (and per-article comment feeds) from archive events.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from email.utils import format_datetime
from html import escape

from aiohttp import web

from schemas import ArticlePublished, CommentPosted


async def serve(app: web.Application) -> tuple[web.AppRunner, int]:
    """Serve ``app`` on a free loopback port; returns the runner (to clean up) and the port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = True  # send an ETag and honour If-None-Match


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    status: int


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def hits_for(self, path: str) -> list[Hit]:
        return [h for h in self.hits if h.path == path]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        route = self.routes.get(request.path)
        if route is None:
            self.hits.append(Hit(request.path, dict(request.headers), 404))
            return web.Response(status=404, text="no such feed")
        if route.delay:
            await asyncio.sleep(route.delay)
        headers = dict(route.headers)
        status = route.status
        if status == 200 and route.etag:
            tag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
            headers["ETag"] = tag
            if request.headers.get("If-None-Match") == tag:
                self.hits.append(Hit(request.path, dict(request.headers), 304))
                return web.Response(status=304, headers=headers)
        self.hits.append(Hit(request.path, dict(request.headers), status))
        return web.Response(status=status, body=route.body, headers={**headers, "Content-Type": route.content_type})

    async def start(self) -> FeedServer:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner, self.port = await serve(app)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FeedServer:
        return await self.start()

    async def __aexit__(self, *_: object) -> None:
        await self.stop()


def _item(guid: str, title: str, paragraphs: list[str], when, author: str | None, extra: str = "") -> str:
    html = "".join("<p>" + "<br>".join(escape(line) for line in p.split("\n")) + "</p>" for p in paragraphs)
    parts = [
        f"<guid isPermaLink=\"false\">{escape(guid)}</guid>",
        f"<title>{escape(title)}</title>",
        f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>",
        f"<content:encoded><![CDATA[{html}]]></content:encoded>",
    ]
    if author:
        parts.append(f"<dc:creator>{escape(author)}</dc:creator>")
    return "<item>" + "".join(parts) + extra + "</item>"


def rss(title: str, items: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wfw="http://wellformedweb.org/CommentAPI/">'
        f"<channel><title>{escape(title)}</title><link>http://example.invalid/</link>"
        f"<description>fixture</description>{''.join(items)}</channel></rss>"
    ).encode("utf-8")


def article_item(article: ArticlePublished, comments_url: str | None = None) -> str:
    extra = f"<wfw:commentRss>{escape(comments_url)}</wfw:commentRss>" if comments_url else ""
    paragraphs = [p for p in article.body.split("\n\n") if p.strip()]
    return _item(article.document_id, article.title, paragraphs, article.occurred_at, article.byline, extra)


def comment_item(comment: CommentPosted) -> str:
    paragraphs = [p for p in comment.text.split("\n\n") if p.strip()]
    return _item(comment.document_id, f"Comment by {comment.author}", paragraphs, comment.occurred_at, comment.author)
