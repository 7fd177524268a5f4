"""RSS/Atom polling against a real local HTTP server whose fixtures change between polls.

The poller's output goes to a recording sink here; tests/integration/test_feed.py runs the same
poller through the embedded broker and a worker to alerts.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest

from schemas import ArticlePublished, CommentPosted
from streams.ingest.feeds import FeedPoller, FeedState, PollerConfig
from streams.ingest.html import html_to_text
from tests.feedserver import FeedServer, Route, rss

T0 = datetime(2016, 12, 28, 8, 0, tzinfo=timezone.utc)


class RecordingSink:
    def __init__(self) -> None:
        self.documents: list = []
        self.dead: list = []
        self.fail = False

    async def publish(self, documents) -> None:
        if self.fail:
            raise ConnectionError("broker unavailable")
        self.documents.extend(documents)

    async def dead_letter(self, records) -> None:
        self.dead.extend(records)


def item(guid: str, title: str, body: str, pub: str, extra: str = "") -> str:
    return (
        f"<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title><pubDate>{pub}</pubDate>"
        f"<description><![CDATA[{body}]]></description>{extra}</item>"
    )


A1 = item("a1", "Ceasefire agreed", "<p>Turkey and Russia agreed a ceasefire.</p><p>Second&nbsp;paragraph.</p>",
          "Wed, 28 Dec 2016 13:40:00 GMT")
A2 = item("a2", "Rebels deny", "<p>Rebels say the news is incorrect.</p>", "Wed, 28 Dec 2016 09:00:00 GMT")
A3 = item("a3", "Kremlin", "<p>The Kremlin cannot confirm it.</p>", "Thu, 29 Dec 2016 10:00:00 GMT")


@pytest.fixture
async def server():
    async with FeedServer() as running:
        yield running


@pytest.fixture
def state(tmp_path):
    store = FeedState(tmp_path / "feeds.sqlite")
    yield store
    store.close()


def poller(state, sink, **config) -> FeedPoller:
    return FeedPoller(state, sink, PollerConfig(**{"interval": 60.0, "timeout": 2.0, **config}))


async def test_new_entries_are_published_in_event_time_order_then_304_then_only_what_is_new(server, state):
    server.routes["/news.xml"] = Route(rss("Example News", [A1, A2]))
    sink = RecordingSink()
    async with poller(state, sink) as feeds:
        status = state.ensure(server.url("/news.xml"))
        first = await feeds.poll(status)
        assert first.outcome == "new" and first.http_status == 200
        assert [d.document_id for d in sink.documents] == ["a2", "a1"]  # event time, not feed order
        a1 = sink.documents[1]
        assert isinstance(a1, ArticlePublished)
        assert a1.occurred_at == datetime(2016, 12, 28, 13, 40, tzinfo=timezone.utc)
        assert a1.body == "Turkey and Russia agreed a ceasefire.\n\nSecond paragraph."
        assert a1.outlet == "Example News" and a1.source == f"feed:{status.url}"

        second = await feeds.poll(state.get(status.url))
        assert second.outcome == "unchanged" and second.http_status == 304
        assert server.hits[-1].headers.get("If-None-Match", "").startswith('"')
        assert len(sink.documents) == 2

        server.routes["/news.xml"] = Route(rss("Example News", [A3, A1, A2]))
        third = await feeds.poll(state.get(status.url))
        assert third.outcome == "new" and third.skipped_seen == 2
        assert [d.document_id for d in sink.documents] == ["a2", "a1", "a3"]


async def test_seen_entries_and_validators_survive_a_restart(server, state, tmp_path):
    server.routes["/news.xml"] = Route(rss("Example News", [A1, A2]), etag=False)  # no ETag: full body again
    sink = RecordingSink()
    async with poller(state, sink) as feeds:
        await feeds.poll(state.ensure(server.url("/news.xml")))
    state.close()

    reopened = FeedState(tmp_path / "feeds.sqlite")
    try:
        again = RecordingSink()
        async with poller(reopened, again) as feeds:
            result = await feeds.poll(reopened.get(server.url("/news.xml")))
        assert result.outcome == "unchanged" and result.skipped_seen == 2 and again.documents == []
    finally:
        reopened.close()


async def test_a_500_backs_off_exponentially_then_recovers_and_publishes(server, state):
    server.routes["/news.xml"] = Route(b"oops", status=500)
    sink = RecordingSink()
    now = [1_000_000.0]
    async with FeedPoller(state, sink, PollerConfig(interval=10.0, max_backoff=100.0), clock=lambda: now[0]) as feeds:
        url = server.url("/news.xml")
        delays = []
        for _ in range(5):
            result = await feeds.poll(state.ensure(url))
            assert result.outcome == "error" and result.http_status == 500 and "HTTP 500" in result.error
            delays.append(state.get(url).next_poll_at - now[0])
        assert delays == [20.0, 40.0, 80.0, 100.0, 100.0]
        assert state.get(url).failures == 5 and sink.documents == []

        server.routes["/news.xml"] = Route(rss("Example News", [A1]))
        result = await feeds.poll(state.get(url))
        assert result.outcome == "new" and state.get(url).failures == 0
        assert state.get(url).next_poll_at - now[0] == 10.0
        assert [d.document_id for d in sink.documents] == ["a1"]


async def test_retry_after_is_honoured(server, state):
    server.routes["/news.xml"] = Route(b"busy", status=503, headers={"Retry-After": "600"})
    async with FeedPoller(state, RecordingSink(), PollerConfig(interval=10.0)) as feeds:
        result = await feeds.poll(state.ensure(server.url("/news.xml")))
    assert result.outcome == "error" and result.retry_in == 600.0


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'<rss version="2.0"><channel><title>T</title><item><guid>g1</guid><title>A</ti', "not well-formed XML"),
        (b"<html><body><p>Our site is down</p></body></html>", "not an RSS or Atom feed"),
    ],
)
async def test_broken_xml_or_a_web_page_fails_the_poll_and_publishes_nothing(server, state, body, reason):
    server.routes["/news.xml"] = Route(body)
    sink = RecordingSink()
    async with poller(state, sink) as feeds:
        result = await feeds.poll(state.ensure(server.url("/news.xml")))
        assert result.outcome == "error" and reason in result.error
        assert sink.documents == [] and state.get(server.url("/news.xml")).etag is None

        server.routes["/news.xml"] = Route(rss("Example News", [A1]))
        assert (await feeds.poll(state.get(server.url("/news.xml")))).outcome == "new"
    assert [d.document_id for d in sink.documents] == ["a1"]


async def test_a_broker_outage_marks_nothing_seen_so_the_entries_come_again(server, state):
    server.routes["/news.xml"] = Route(rss("Example News", [A1]))
    sink = RecordingSink()
    sink.fail = True
    async with poller(state, sink) as feeds:
        result = await feeds.poll(state.ensure(server.url("/news.xml")))
        assert result.outcome == "error" and "cannot publish" in result.error
        sink.fail = False
        assert (await feeds.poll(state.get(server.url("/news.xml")))).outcome == "new"  # no 304: ETag not kept
    assert [d.document_id for d in sink.documents] == ["a1"]


async def test_an_entry_that_cannot_be_an_event_goes_to_the_dead_letter_topic_and_the_rest_flows(server, state):
    empty = "<item><guid isPermaLink=\"false\">e1</guid><title></title><description></description></item>"
    server.routes["/news.xml"] = Route(rss("Example News", [empty, A1]))
    sink = RecordingSink()
    async with poller(state, sink) as feeds:
        await feeds.poll(state.ensure(server.url("/news.xml")))
        assert [d.document_id for d in sink.documents] == ["a1"]
        (dead,) = sink.dead
        assert dead.stage == "feed" and dead.key == "e1" and "body" in dead.reason and '"e1"' in dead.original
        await feeds.poll(state.get(server.url("/news.xml")))
    assert len(sink.dead) == 1  # dead-lettered once, not on every poll


async def test_comment_feeds_are_discovered_and_linked_to_their_article(server, state):
    comments_url = server.url("/a1/comments.xml")
    article = item("a1", "Ceasefire agreed", "<p>Turkey and Russia agreed a ceasefire.</p>",
                   "Wed, 28 Dec 2016 13:40:00 GMT", f"<wfw:commentRss>{comments_url}</wfw:commentRss>")
    server.routes["/news.xml"] = Route(rss("Example News", [article]))
    atom = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">'
        "<title>Comments on: Ceasefire agreed</title>"
        '<entry><id>c1</id><title>x</title><updated>2016-12-28T14:00:00Z</updated><author><name>reader1</name></author>'
        '<content type="html">&lt;p&gt;Is this confirmed?&lt;/p&gt;</content><thr:in-reply-to ref="a1"/></entry>'
        '<entry><id>c2</id><title>y</title><updated>2016-12-28T14:05:00Z</updated><author><name>reader2</name></author>'
        '<content type="html">&lt;p&gt;It is fake.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</content>'
        '<thr:in-reply-to ref="c1"/></entry></feed>'
    ).encode()
    server.routes["/a1/comments.xml"] = Route(atom, content_type="application/atom+xml")
    sink = RecordingSink()
    async with poller(state, sink) as feeds:
        summary = await feeds.run([server.url("/news.xml")], once=True)
    assert summary.polls == 2 and summary.events == 3 and summary.errors == 0
    comments = [d for d in sink.documents if isinstance(d, CommentPosted)]
    assert [(c.document_id, c.article_id, c.parent_id, c.author) for c in comments] == [
        ("c1", "a1", None, "reader1"),
        ("c2", "a1", "c1", "reader2"),
    ]
    assert comments[1].text == "It is fake."  # markup and scripts gone
    feed = state.get(comments_url)
    assert feed.kind == "comments" and feed.parent_url == server.url("/news.xml")


async def test_a_slow_feed_and_a_failing_feed_do_not_hold_up_the_others(server, state):
    server.routes["/slow.xml"] = Route(rss("Slow", [A2]), delay=3.0)
    server.routes["/down.xml"] = Route(b"", status=500)
    server.routes["/good.xml"] = Route(rss("Good", [A1]))
    sink = RecordingSink()
    async with poller(state, sink, timeout=0.5) as feeds:
        summary = await feeds.run([server.url(p) for p in ("/slow.xml", "/down.xml", "/good.xml")], once=True)
    assert summary.polls == 3 and summary.errors == 2 and summary.new == 1
    assert [d.document_id for d in sink.documents] == ["a1"]
    assert "within 0.5 s" in state.get(server.url("/slow.xml")).last_error


async def test_run_keeps_polling_on_its_interval_until_stopped(server, state):
    server.routes["/news.xml"] = Route(rss("Example News", [A1]))
    sink = RecordingSink()
    stop = asyncio.Event()
    async with poller(state, sink, interval=0.2) as feeds:
        task = asyncio.create_task(feeds.run([server.url("/news.xml")], stop=stop))
        deadline = asyncio.get_running_loop().time() + 10
        while not sink.documents and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        server.routes["/news.xml"] = Route(rss("Example News", [A1, A3]))
        while len(sink.documents) < 2 and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.05)
        stop.set()
        summary = await asyncio.wait_for(task, 5)
    assert [d.document_id for d in sink.documents] == ["a1", "a3"]
    assert summary.polls >= 2


def test_html_to_text_keeps_paragraphs_and_drops_markup():
    html = '<div><p>One &amp; two.</p><script>alert("x")</script><p>Three<br>four <img src=x onerror="alert(1)"></p></div>'
    assert html_to_text(html) == "One & two.\n\nThree\nfour"
    assert html_to_text("plain   text") == "plain text"


async def test_a_feed_larger_than_one_network_chunk_is_read_whole(server, state):
    items = [item(f"g{i}", f"Title {i}", "<p>" + "word " * 400 + "</p>", "Wed, 28 Dec 2016 13:40:00 GMT")
             for i in range(600)]
    server.routes["/big.xml"] = Route(rss("Big", items))
    assert len(server.routes["/big.xml"].body) > 1_000_000
    sink = RecordingSink()
    async with poller(state, sink) as feeds:
        result = await feeds.poll(state.ensure(server.url("/big.xml")))
    assert result.outcome == "new" and len(sink.documents) == 600


async def test_a_feed_over_the_size_limit_fails_the_poll(server, state):
    server.routes["/big.xml"] = Route(rss("Big", [A1] * 50))
    async with poller(state, RecordingSink(), max_bytes=1000) as feeds:
        result = await feeds.poll(state.ensure(server.url("/big.xml")))
    assert result.outcome == "error" and "larger than 1000 bytes" in result.error
