"""Replay pacing and routing (the Kafka side is covered by the integration tests)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from schemas import ArticlePublished, CommentPosted
from streams.ingest.archive import load_archive
from streams.ingest.replay import pacing_delays, partition_key, topic_for
from streams.settings import Settings

T0 = datetime(2016, 12, 28, 8, 15, tzinfo=timezone.utc)
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def article(minutes: float) -> ArticlePublished:
    return ArticlePublished(event_id=f"a{minutes}", occurred_at=T0 + timedelta(minutes=minutes), source="t",
                            document_id=f"a{minutes}", body="Body.")


@pytest.mark.parametrize(
    "speed, expected",
    [(0, [0.0, 0.0, 0.0]), (1, [0.0, 60.0, 7200.0]), (60, [0.0, 1.0, 120.0]), (3600, [0.0, 1 / 60, 2.0])],
)
def test_speed_scales_event_time_to_wall_time(speed, expected):
    delays = pacing_delays([article(0), article(1), article(120)], speed)
    assert delays == pytest.approx(expected)


def test_articles_and_comments_go_to_their_topics_keyed_by_article():
    settings = Settings()
    comment = CommentPosted(event_id="c", occurred_at=T0, source="t", document_id="c1", article_id="a0",
                            author="x", text="y")
    assert topic_for(article(0), settings) == "news.articles"
    assert topic_for(comment, settings) == "news.comments"
    assert partition_key(article(0)) == partition_key(comment) == b"a0"


def test_seed_replay_at_one_minute_per_second_spans_the_archive():
    documents = load_archive([SEEDS])
    delays = pacing_delays(documents, 60)
    assert delays == sorted(delays)
    span = (documents[-1].occurred_at - documents[0].occurred_at).total_seconds()
    assert delays[-1] == pytest.approx(span / 60)
