"""Push-ingest validation and authentication (the HTTP path is in tests/integration/test_push.py)."""

from __future__ import annotations

import json

import pytest

from schemas import stable_id
from streams.ingest.push import PushError, check_bearer, check_size, parse_push

ARTICLE = {"document_id": "a1", "occurred_at": "2016-12-28T13:40:00+03:00", "body": "Text."}


def test_a_single_object_gets_defaults_like_an_archive_line():
    (event,) = parse_push(json.dumps(ARTICLE).encode(), "article", source="push:1.2.3.4")
    assert event.event_id == stable_id("article", "a1") and event.source == "push:1.2.3.4"
    assert event.occurred_at.utcoffset().total_seconds() == 0  # normalised to UTC


def test_a_batch_comes_back_in_event_time_order():
    later = dict(ARTICLE, document_id="a2", occurred_at="2016-12-29T00:00:00Z")
    events = parse_push(json.dumps([later, ARTICLE]).encode(), "article", source="push")
    assert [e.document_id for e in events] == ["a1", "a2"]


def test_every_error_of_a_batch_is_reported_with_its_index():
    batch = [ARTICLE, {"document_id": "a3"}, "nope", dict(ARTICLE, kind="comment")]
    with pytest.raises(PushError) as caught:
        parse_push(json.dumps(batch).encode(), "article", source="push")
    assert caught.value.status == 422
    detail = caught.value.detail
    assert {(e["index"], tuple(e["loc"])) for e in detail} >= {(1, ("occurred_at",)), (1, ("body",)), (2, ()), (3, ("kind",))}
    assert all(e["index"] != 0 for e in detail)


@pytest.mark.parametrize(("body", "status"), [(b"[]", 422), (b"{", 422), (b"\xff\xfe", 422)])
def test_empty_or_unreadable_bodies_are_rejected(body, status):
    with pytest.raises(PushError) as caught:
        parse_push(body, "comment", source="push")
    assert caught.value.status == status


def test_too_many_items_is_413():
    with pytest.raises(PushError) as caught:
        parse_push(json.dumps([ARTICLE] * 3).encode(), "article", source="push", max_items=2)
    assert caught.value.status == 413


def test_bearer_token_rules():
    check_bearer("Bearer s3cret", "s3cret")
    check_bearer("bearer  s3cret", "s3cret")
    for header in (None, "", "Bearer wrong", "Basic s3cret", "s3cret"):
        with pytest.raises(PushError) as caught:
            check_bearer(header, "s3cret")
        assert caught.value.status == 401 and caught.value.headers
    with pytest.raises(PushError) as caught:
        check_bearer("Bearer anything", None)
    assert caught.value.status == 403 and "CLAIMWATCH_INGEST_TOKEN" in caught.value.detail


def test_size_limit():
    check_size(10, 10)
    check_size(None, 10)
    with pytest.raises(PushError) as caught:
        check_size(11, 10)
    assert caught.value.status == 413
