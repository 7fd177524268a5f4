"""`claimwatch feed` against a local HTTP server, through the embedded broker and a worker, to alerts.

The two seed articles are served as two outlets' RSS feeds (the AP article's 25 comments as its
own comment feed, found through ``wfw:commentRss``). In the first run one feed answers 500 and the
comment feed is cut off mid-document (broken XML); the second run gets both, and a 304 for the feed
it already has. The alerts must be the replay's alerts, id for id:
replaying the seed archive afterwards adds none.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from schemas import ArticlePublished, CommentPosted
from streams.ingest.archive import load_archive
from tests.feedserver import FeedServer, Route, article_item, comment_item, rss

from .conftest import Worker, worker_env
from .test_seed_pipeline import alerts_of, raw_records, replay_seeds

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "seeds"


async def claimwatch_async(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "streams.cli", *args, cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), 180)
    assert proc.returncode is not None
    return subprocess.CompletedProcess(args, proc.returncode, out.decode(), err.decode())


def seed_feeds(server: FeedServer) -> dict[str, bytes]:
    """One RSS feed per seed outlet; each article's comments as its own comment feed."""
    documents = load_archive([SEEDS])
    articles = [d for d in documents if isinstance(d, ArticlePublished)]
    feeds: dict[str, bytes] = {}
    for n, article in enumerate(articles):
        comments = [d for d in documents if isinstance(d, CommentPosted) and d.article_id == article.document_id]
        comments_path = f"/articles/{n}/comments.xml" if comments else None
        if comments_path:
            feeds[comments_path] = rss(f"Comments on: {article.title}", [comment_item(c) for c in comments])
        item = article_item(article, server.url(comments_path) if comments_path else None)
        feeds[f"/outlet{n}.xml"] = rss(article.outlet or f"outlet {n}", [item])
    return feeds


async def test_feeds_poll_to_alerts_through_the_broker_and_match_the_replay(worker: Worker):
    env = dict(worker_env(worker.settings), CLAIMWATCH_FEED_TIMEOUT="5")
    async with FeedServer() as server:
        feeds = seed_feeds(server)
        assert len(feeds) == 3, sorted(feeds)
        for path, body in feeds.items():
            server.routes[path] = Route(body)
        server.routes["/outlet1.xml"] = Route(b"upstream error", status=500)
        comments_path = "/articles/0/comments.xml"
        server.routes[comments_path] = Route(feeds[comments_path][: len(feeds[comments_path]) // 2])  # cut off
        urls = [server.url("/outlet0.xml"), server.url("/outlet1.xml")]

        first = await claimwatch_async("feed", *urls, "--once", env=env)
        assert first.returncode == 1, first.stderr
        assert "HTTP 500" in first.stderr and "not well-formed XML" in first.stderr, first.stderr
        assert "3 poll(s): 1 with new entries, 0 unchanged, 2 failed" in first.stderr, first.stderr

        server.routes["/outlet1.xml"] = Route(feeds["/outlet1.xml"])
        server.routes[comments_path] = Route(feeds[comments_path])
        second = await claimwatch_async("feed", *urls, "--once", env=env)
        assert second.returncode == 0, second.stderr
        assert "3 poll(s): 2 with new entries, 1 unchanged, 0 failed" in second.stderr, second.stderr
        assert ("/outlet0.xml", 304) in {(h.path, h.status) for h in server.hits}  # conditional GET
        # the comment feed found in the first run is polled again in the second, though its article is old news
        assert [h.status for h in server.hits_for(comments_path)] == [200, 200]

    await worker.wait_idle()
    from_feeds = {a.alert_id: a for a in await alerts_of(worker)}
    speakers = {a.denial.speaker for a in from_feeds.values()}
    assert "Labib Nahhas" in speakers and "Dmitry Peskov" in speakers, speakers
    assert all(a.denial.occurred_at.year == 2016 for a in from_feeds.values())  # entry dates, not poll time

    articles = await raw_records(worker, worker.settings.topic_articles)
    comments = await raw_records(worker, worker.settings.topic_comments)
    assert (len(articles), len(comments)) == (2, 25)  # each entry published once over the two runs

    await replay_seeds(worker)  # the same documents from the archive: same event ids, no new alert
    await worker.wait_idle()
    assert {a.alert_id for a in await alerts_of(worker)} == set(from_feeds)


async def test_feed_rejects_a_url_that_is_not_http():
    result = subprocess.run([sys.executable, "-m", "streams.cli", "feed", "file:///etc/passwd", "--once"],
                            cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "not an http(s) URL" in result.stderr
