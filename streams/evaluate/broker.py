"""``claimwatch evaluate rumoureval --broker``: the same threads through the real stream.

The threads become the events a producer would publish (``source_document`` / ``reply_document``,
unlinked: no reply tree), replayed in event-time order through an embedded broker and a
``claimwatch worker`` process, exactly like ``claimwatch demo``. What arrives on the ``alerts`` topic
is the stream's verdict: a labelled post that raised an alert is predicted ``deny`` (claimwatch
alerts on deny and non-confirmation), every other post ``other``. Only deny precision/recall/F1
can be scored this way; the in-process mode scores all four classes with the same functions.
"""

from __future__ import annotations

import time
from pathlib import Path

from schemas import ArticlePublished, CommentPosted

from ..demo import run_pipeline
from ..settings import Settings
from . import metrics
from .rumoureval import doc_id, load_labelled, reply_document, source_document


async def evaluate_rumoureval_broker(
    data_dir: Path, key_path: Path, *, platform: str = "all", max_threads: int | None = None,
    settings: Settings | None = None, timeout: float = 1800.0,
) -> dict[str, object]:
    started = time.perf_counter()
    key, threads = load_labelled(data_dir, key_path, platform=platform, max_threads=max_threads)
    documents: list[ArticlePublished | CommentPosted] = [
        source_document(t.source) for t in threads if t.source.text.strip()
    ]
    documents += [reply_document(r, linked=False) for t in threads for r in t.replies if r.text.strip()]
    documents.sort(key=lambda d: (d.occurred_at, d.kind != "article", d.document_id))
    run = await run_pipeline(documents, settings or Settings(), timeout=timeout)

    posts = [p for t in threads for p in (t.source, *t.replies)]
    post_of = {doc_id(p): p for p in posts}
    alerted = {post_of[a.denial.document_id].post_id for a in run.alerts if a.denial.document_id in post_of}
    labelled = [p for p in posts if p.post_id in key]
    gold = ["deny" if key[p.post_id] == "deny" else "other" for p in labelled]
    pred = ["deny" if p.post_id in alerted else "other" for p in labelled]
    deny = metrics.report(gold, pred, ("deny", "other")).per_class["deny"]
    ci = metrics.intervals(gold, pred, [p.thread_id for p in labelled], ("deny", "other"), "deny")["negative_f1"]
    return {
        "dataset": "rumoureval2019",
        "mode": "unlinked",
        "via": "broker",
        "platform": platform,
        "threads": len(threads),
        "n": len(labelled),
        "deny": {"precision": deny.precision, "recall": deny.recall, "f1": deny.f1},
        "deny_f1_ci95": ci,  # cluster bootstrap over threads (metrics.bootstrap_f1)
        "alerts": {
            "total": len(run.alerts),
            "posts": sorted(p.post_id for p in labelled if p.post_id in alerted and not p.is_source),
        },
        "events": run.events,
        "phases": run.phases,
        "seconds": round(time.perf_counter() - started, 1),
    }
