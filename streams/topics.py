"""Every topic claimwatch uses, declared once. Names and partition counts come from Settings.

``news.statements`` has a single partition on purpose: the claim tracker must see statements in
one order to cluster claims and pair them with later denials (see README, "Design").
"""

from __future__ import annotations

from dataclasses import dataclass

import faust

from .settings import Settings


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication: int = 1


def topic_specs(settings: Settings) -> list[TopicSpec]:
    """What must exist on the broker before a worker subscribes (Tansu would otherwise
    auto-create unknown topics with 4 partitions and Faust would stop with PartitionsMismatch)."""
    n, r = settings.topic_partitions, settings.topic_replication
    return [
        TopicSpec(settings.topic_articles, n, r),
        TopicSpec(settings.topic_comments, n, r),
        TopicSpec(settings.topic_statements, 1, r),
        TopicSpec(settings.topic_alerts, n, r),
        TopicSpec(settings.topic_claims, n, r),
        TopicSpec(settings.topic_deadletter, 1, r),
    ]


@dataclass(frozen=True)
class Topics:
    documents: faust.TopicT  # news.articles + news.comments, consumed together
    statements: faust.TopicT
    alerts: faust.TopicT
    claims: faust.TopicT  # ClaimUpdated snapshots, keyed by claim id
    deadletter: faust.TopicT


def declare_topics(app: faust.App, settings: Settings) -> Topics:
    raw = {"key_serializer": "raw", "value_serializer": "raw"}
    return Topics(
        documents=app.topic(settings.topic_articles, settings.topic_comments, **raw),
        statements=app.topic(settings.topic_statements, partitions=1, **raw),
        alerts=app.topic(settings.topic_alerts, **raw),
        claims=app.topic(settings.topic_claims, **raw),
        deadletter=app.topic(settings.topic_deadletter, partitions=1, **raw),
    )
