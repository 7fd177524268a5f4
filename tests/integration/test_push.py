"""HTTP push ingest on the worker's web server, through the broker to alerts.

The seed archive is pushed as two JSON batches (articles, then comments, with ``event_id``,
``source`` and ``kind`` left out); the alerts must be the replay's, id for id.
"""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp
import pytest

from schemas import ArticlePublished, CommentPosted, stable_id
from streams.ingest.archive import load_archive

from .conftest import INGEST_TOKEN, Worker
from .test_seed_pipeline import alerts_of, replay_seeds

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
AUTH = {"Authorization": f"Bearer {INGEST_TOKEN}"}


def endpoint(worker: Worker, kind: str) -> str:
    return f"http://127.0.0.1:{worker.settings.web_port}/ingest/{kind}"


def pushed(document: ArticlePublished | CommentPosted) -> dict:
    data = document.model_dump(mode="json")
    for field in ("event_id", "source", "kind", "schema_version"):
        data.pop(field)
    return data


async def post(worker: Worker, kind: str, body: bytes | str, headers: dict[str, str] | None = None):
    async with aiohttp.ClientSession() as session:
        async with session.post(endpoint(worker, kind), data=body, headers={"Content-Type": "application/json", **(headers or {})}) as r:
            return r.status, await r.json(content_type=None), dict(r.headers)


async def test_push_needs_the_bearer_token(worker: Worker):
    body = json.dumps({"document_id": "x", "occurred_at": "2016-12-28T08:00:00Z", "body": "Text."})
    status, answer, headers = await post(worker, "articles", body)
    assert status == 401 and "bearer" in answer["detail"] and headers.get("WWW-Authenticate", "").startswith("Bearer")
    status, _, _ = await post(worker, "articles", body, {"Authorization": "Bearer wrong"})
    assert status == 401


async def test_invalid_payloads_get_422_with_every_field_error(worker: Worker):
    batch = [
        {"document_id": "ok", "occurred_at": "2016-12-28T08:00:00Z", "body": "Fine."},
        {"document_id": "", "occurred_at": "yesterday", "body": "Bad."},
        {"kind": "comment", "document_id": "c", "occurred_at": "2016-12-28T08:00:00Z"},
    ]
    status, answer, _ = await post(worker, "articles", json.dumps(batch), AUTH)
    assert status == 422
    where = {(e.get("index"), tuple(e["loc"])) for e in answer["detail"]}
    assert {(1, ("document_id",)), (1, ("occurred_at",)), (2, ("kind",))} <= where, answer
    assert 0 not in {e.get("index") for e in answer["detail"]}

    status, answer, _ = await post(worker, "comments", "{not json", AUTH)
    assert status == 422 and "invalid JSON" in answer["detail"][0]["msg"]
    status, answer, _ = await post(worker, "comments", json.dumps({"document_id": "c1"}), AUTH)
    assert status == 422 and {("article_id",), ("author",), ("text",), ("occurred_at",)} <= {tuple(e["loc"]) for e in answer["detail"]}


async def test_a_body_over_the_size_limit_gets_413(worker: Worker):
    big = json.dumps({"document_id": "big", "occurred_at": "2016-12-28T08:00:00Z",
                      "body": "x" * (worker.settings.ingest_max_bytes + 10)})
    status, answer, _ = await post(worker, "articles", big, AUTH)
    assert status == 413 and "bytes" in answer["detail"]


async def test_a_body_larger_than_one_network_chunk_is_read_whole(worker: Worker):
    # 600 KB (under the 1 MiB limit) and no "body": the answer must name that field, not "invalid JSON"
    big = json.dumps({"document_id": "long", "occurred_at": "2016-12-28T08:00:00Z", "title": "x" * 600_000})
    status, answer, _ = await post(worker, "articles", big, AUTH)
    assert status == 422 and [tuple(e["loc"]) for e in answer["detail"]] == [("body",)], answer["detail"][:1]


async def test_pushed_seeds_give_the_replays_alerts(worker: Worker):
    documents = load_archive([SEEDS])
    articles = [pushed(d) for d in documents if isinstance(d, ArticlePublished)]
    comments = [pushed(d) for d in documents if isinstance(d, CommentPosted)]

    status, answer, _ = await post(worker, "articles", json.dumps(articles), AUTH)
    assert status == 202, answer
    assert answer["accepted"] == 2 and set(answer["event_ids"]) == {stable_id("article", a["document_id"]) for a in articles}
    status, answer, _ = await post(worker, "comments", json.dumps(comments[0]), AUTH)  # a single object
    assert status == 202 and answer["accepted"] == 1, answer
    status, answer, _ = await post(worker, "comments", json.dumps(comments[1:]), AUTH)
    assert status == 202 and answer["accepted"] == len(comments) - 1, answer

    await worker.wait_idle()
    from_push = {a.alert_id for a in await alerts_of(worker)}
    assert len(from_push) >= 5
    await replay_seeds(worker)
    await worker.wait_idle()
    assert {a.alert_id for a in await alerts_of(worker)} == from_push
