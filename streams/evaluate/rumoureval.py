"""RumourEval 2019 (SemEval-2019 Task 7, subtask A: support / deny / query / comment).

Layout (the official release): ``<event>/<thread>/`` (Twitter) or ``<group>/<thread>/`` (Reddit)
folders, each with ``source-tweet/<id>.json``, ``replies/<id>.json`` and ``structure.json``. Any
folder that holds ``structure.json`` and ``source-tweet/`` is a thread; DATA_DIR may be the release
root, ``twitter-english/``, one event, ``reddit-dev-data/`` ...; only threads with a post in the key
are used. The key is ``{"subtaskaenglish": {post_id: label}}``.

How a thread becomes stream events (the functions the Faust agents call):

* the source post is an ``ArticlePublished`` (outlet ``Twitter`` / ``Reddit``, byline the account;
  Reddit: title + self text) and goes through ``enrich_article``. A sentence the attributor leaves to
  the *narrator* belongs to the account (``ArticlePublished.author = "@account"``, which enrichment
  honours: ``speaker_kind="person"``, verb ``write``): a post is its account's claim, not an outlet's
  narration. Sentences with their own speaker ("Police say ...") keep it.
* the source statements go through ``ClaimTracker.process`` (``make_tracker``); the claims they create
  or join are the thread's claims. When the ``ClaimRecognizer`` accepts none of them, a record is built
  directly from the whole post (``common.source_claims``) and put in the tracker's claim store; the
  count is reported as ``direct_claims``.
* replies are ``CommentPosted`` events (author = account) through ``enrich_comment``.

Modes:

* ``linked``: the reply tree is known, so each reply's target is its thread's claim(s). Each reply
  sentence is scored against them with the tracker's ``ClaimMatcher`` and classified with the
  stance classifier (match score as ``relatedness``), toward the best-matching claim.
* ``unlinked``: the tree is dropped (``article_id`` = the reply itself, no ``parent_id``). All threads
  of one group (a Twitter event folder; for Reddit the folder that holds the threads) are replayed
  in ``created_at`` order through ONE ``ClaimTracker``. A reply's stance comes from the ``stances``
  of its own ``process()`` output (its decision at arrival time) toward the claim it matched best
  (highest match score over its sentences); no candidate means ``comment``. Claim-matching accuracy
  = the fraction of replies whose best match is (after merges) one of their own thread's claims.

Labels: a document's sentences are aggregated with ``common.aggregate`` (most confident
non-comment decision; ties deny > non_confirm > query > support). ``non_confirm`` ("cannot
confirm") counts as ``deny`` by default (claimwatch alerts on both); ``--non-confirm-as`` changes it.
Reddit ``more`` placeholders carry no text and are not scored (``skipped_in_key`` counts the
labelled ones). Source posts in the key (nearly all ``support``) are scored like replies, against their own claim;
the ``replies`` block reports replies alone.
"""

from __future__ import annotations

import html
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from schemas.documents import ArticlePublished, CommentPosted
from schemas.statements import StatementExtracted

from ..nlp.enrich import enrich_article, enrich_comment
from ..nlp.models import make_stance_classifier, make_tracker
from ..settings import Settings
from .common import DataError, Progress, Scored, aggregate, best_decision, metrics_block, source_claims

LABELS = ("support", "deny", "query", "comment")


@dataclass
class Post:
    post_id: str
    thread_id: str
    group: str
    platform: str  # twitter | reddit
    author: str
    text: str
    created_at: datetime
    parent_id: str | None
    is_source: bool


@dataclass
class Thread:
    thread_id: str
    group: str
    platform: str
    source: Post
    replies: list[Post] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # reply files with no text (Reddit "more" placeholders)


# --------------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------------


def load_key(path: Path) -> dict[str, str]:
    if not path.is_file():
        raise DataError(f"{path}: key file not found")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        key = data["subtaskaenglish"]
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{path}: not a RumourEval key ({exc.__class__.__name__}: {exc})") from None
    bad = {v for v in key.values() if v not in LABELS}
    if bad:
        raise DataError(f"{path}: unknown labels {sorted(bad)}")
    return {str(k): str(v) for k, v in key.items()}


def find_thread_dirs(data_dir: Path) -> list[Path]:
    if not data_dir.is_dir():
        raise DataError(f"{data_dir}: data folder not found")
    found = {p.parent for p in data_dir.rglob("structure.json") if (p.parent / "source-tweet").is_dir()}
    return sorted(found)


def _twitter_post(obj: dict, *, thread_id: str, group: str, is_source: bool) -> Post:
    text = obj.get("full_text") or obj.get("text") or ""
    return Post(
        post_id=str(obj.get("id_str") or obj["id"]),
        thread_id=thread_id,
        group=group,
        platform="twitter",
        author=(obj.get("user") or {}).get("screen_name") or "anonymous",
        text=html.unescape(text),
        created_at=datetime.strptime(obj["created_at"], "%a %b %d %H:%M:%S %z %Y").astimezone(timezone.utc),
        parent_id=None if is_source else (obj.get("in_reply_to_status_id_str") or thread_id),
        is_source=is_source,
    )


def _reddit_post(obj: dict, *, thread_id: str, group: str, is_source: bool) -> Post | None:
    if obj.get("kind") == "Listing":
        children = obj.get("data", {}).get("children") or []
        if not children:
            return None
        obj = children[0]
    if obj.get("kind") not in ("t1", "t3"):
        return None  # "more" placeholders carry no text
    data = obj.get("data") or {}
    if obj["kind"] == "t3":
        title, body = data.get("title") or "", data.get("selftext") or ""
        text = f"{title}\n\n{body}".strip() if body.strip() else title
    else:
        text = data.get("body") or ""
    parent = data.get("parent_id")
    return Post(
        post_id=str(data.get("id")),
        thread_id=thread_id,
        group=group,
        platform="reddit",
        author=data.get("author") or "anonymous",
        text=html.unescape(text),
        created_at=datetime.fromtimestamp(float(data.get("created_utc") or 0), tz=timezone.utc),
        parent_id=None if is_source else (parent.split("_", 1)[-1] if parent else thread_id),
        is_source=is_source,
    )


def _read(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: unreadable ({exc})") from None


def load_thread(folder: Path) -> Thread | None:
    """The thread in ``folder`` (``None`` when it has no readable source post)."""
    thread_id = folder.name
    group = folder.parent.name
    sources = sorted((folder / "source-tweet").glob("*.json"))
    if not sources:
        return None
    first = _read(sources[0])
    reddit = "kind" in first and "data" in first
    make = _reddit_post if reddit else _twitter_post
    source = make(first, thread_id=thread_id, group=group, is_source=True)
    if source is None:
        return None
    thread = Thread(thread_id, group, source.platform, source)
    replies_dir = folder / "replies"
    for path in sorted(replies_dir.glob("*.json")) if replies_dir.is_dir() else []:
        post = make(_read(path), thread_id=thread_id, group=group, is_source=False)
        if post is None:
            thread.skipped.append(path.stem)
        elif post.post_id != source.post_id:
            thread.replies.append(post)
    thread.replies.sort(key=lambda p: (p.created_at, p.post_id))
    return thread


def load_threads(data_dir: Path, key: dict[str, str], *, platform: str = "all",
                 max_threads: int | None = None) -> list[Thread]:
    """Threads under ``data_dir`` with at least one post in ``key``, filtered by platform."""
    threads: list[Thread] = []
    for folder in find_thread_dirs(data_dir):
        if max_threads is not None and len(threads) >= max_threads:
            break
        replies = folder / "replies"
        ids = {folder.name} | {p.stem for p in replies.glob("*.json")} if replies.is_dir() else {folder.name}
        if not ids & key.keys():
            continue
        thread = load_thread(folder)
        if thread is None or (platform != "all" and thread.platform != platform):
            continue
        threads.append(thread)
    return threads


# --------------------------------------------------------------------------------------------------
# Posts -> stream events -> statements
# --------------------------------------------------------------------------------------------------


def load_labelled(data_dir: Path, key_path: Path, *, platform: str = "all",
                  max_threads: int | None = None) -> tuple[dict[str, str], list[Thread]]:
    """The key and the threads with a labelled post; a clear ``DataError`` when there are none."""
    if not data_dir.is_dir():
        raise DataError(f"{data_dir}: data folder not found")
    key = load_key(key_path)
    threads = load_threads(data_dir, key, platform=platform, max_threads=max_threads)
    if not threads:
        raise DataError(f"{data_dir}: no {'' if platform == 'all' else platform + ' '}threads with posts in {key_path.name}")
    return key, threads


def doc_id(post: Post) -> str:
    return f"{post.platform}-{post.post_id}"


def source_document(post: Post) -> ArticlePublished:
    """The source post as an article written by its account (``author``), not narrated by an outlet."""
    return ArticlePublished(
        event_id=f"article-{doc_id(post)}", occurred_at=post.created_at, source=f"rumoureval:{post.thread_id}",
        document_id=doc_id(post), title="", body=post.text, outlet=post.platform.capitalize(),
        byline=post.author, author=f"@{post.author}",
    )


def source_statements(post: Post) -> list[StatementExtracted]:
    """``enrich_article`` on the source post (sentences without a speaker are the account's)."""
    if not post.text.strip():
        return []
    return enrich_article(source_document(post))


def reply_document(post: Post, *, linked: bool) -> CommentPosted:
    """A reply as a comment; ``unlinked`` drops the tree (the comment is its own article, no parent)."""
    source_doc = f"{post.platform}-{post.thread_id}"
    return CommentPosted(
        event_id=f"comment-{doc_id(post)}", occurred_at=post.created_at, source=f"rumoureval:{post.thread_id}",
        document_id=doc_id(post),
        article_id=source_doc if linked else doc_id(post),
        author=post.author or "anonymous", text=post.text,
        parent_id=(f"{post.platform}-{post.parent_id}" if post.parent_id else None) if linked else None,
    )


def reply_statements(post: Post, *, linked: bool) -> list[StatementExtracted]:
    return enrich_comment(reply_document(post, linked=linked))


# --------------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------------


def to_label(stance: str | None, non_confirm_as: str) -> str:
    if stance is None:
        return "comment"
    if stance == "non_confirm":
        return non_confirm_as
    return stance


@dataclass
class RumourEvalRun:
    items: list[Scored] = field(default_factory=list)
    matched: dict[str, bool] = field(default_factory=dict)  # reply id -> best match is its own thread's claim
    unmatched: int = 0  # replies with no candidate claim at all (unlinked)
    direct_claims: int = 0
    direct_claims_enabled: bool = True  # False: a source the recognizer rejects makes no claim (as in the stream)
    threads: int = 0
    alerts: int = 0
    alerts_on_gold_deny: int = 0
    alerted: set[str] = field(default_factory=set)  # labelled posts that raised an alert (unlinked)


def _source_claims(tracker, post: Post, statements: list[StatementExtracted], run: RumourEvalRun) -> list[str]:  # type: ignore[no-untyped-def]
    """Process the source statements through the tracker; the claim ids they created or joined."""
    ids, direct = source_claims(tracker, statements, post.text, fallback=run.direct_claims_enabled)
    run.direct_claims += direct
    return ids


def _score_against(tracker, stance, statements, claim_ids) -> str | None:  # type: ignore[no-untyped-def]
    claims = [tracker.claims[tracker.resolve(c)] for c in dict.fromkeys(claim_ids)]
    decisions = []
    for st in statements:
        best = best_decision(st, claims, tracker.matcher, stance)
        if best is not None:
            decisions.append(best[0])
    agg = aggregate(decisions)
    return agg.stance if agg else None


def evaluate(
    data_dir: Path, key_path: Path, *, platform: str = "all", mode: str = "linked",
    settings: Settings | None = None, non_confirm_as: str = "deny", max_threads: int | None = None,
    on_progress: Progress | None = None, direct_claims: bool = True,
) -> dict[str, object]:
    """Run the evaluation; returns the result object ``--json`` prints (plus ``items`` for tests).

    ``direct_claims=False``: a source post the recognizer rejects makes no claim, as in the stream
    (``--broker`` runs have these semantics)."""
    if mode not in ("linked", "unlinked"):
        raise DataError(f"unknown mode {mode!r} (linked or unlinked)")
    if platform not in ("twitter", "reddit", "all"):
        raise DataError(f"unknown platform {platform!r} (twitter, reddit or all)")
    if non_confirm_as not in LABELS:
        raise DataError(f"--non-confirm-as must be one of {', '.join(LABELS)}")
    started = time.perf_counter()
    settings = settings or Settings()
    key, threads = load_labelled(data_dir, key_path, platform=platform, max_threads=max_threads)
    stance = make_stance_classifier(settings)
    run = RumourEvalRun(threads=len(threads), direct_claims_enabled=direct_claims)
    total = sum(1 + len(t.replies) for t in threads)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if on_progress:
            on_progress(done, total)

    def score(post: Post, raw: str | None) -> None:
        if post.post_id in key:
            run.items.append(Scored(post.post_id, key[post.post_id], to_label(raw, non_confirm_as),
                                    raw or "comment", "source" if post.is_source else "reply", cluster=f"thread:{post.thread_id}"))

    if mode == "linked":
        for thread in threads:
            tracker = make_tracker({}, {}, settings)
            src = source_statements(thread.source)
            claim_ids = _source_claims(tracker, thread.source, src, run)
            score(thread.source, _score_against(tracker, stance, src, claim_ids))
            tick()
            for reply in thread.replies:
                if reply.post_id in key:
                    score(reply, _score_against(tracker, stance, reply_statements(reply, linked=True), claim_ids))
                tick()
    else:
        groups: dict[str, list[Thread]] = defaultdict(list)
        for thread in threads:
            groups[f"{thread.platform}:{thread.group}"].append(thread)
        for group_threads in groups.values():
            tracker = make_tracker({}, {}, settings)
            thread_claims: dict[str, list[str]] = {}
            posts = sorted((p for t in group_threads for p in [t.source, *t.replies]),
                           key=lambda p: (p.created_at, not p.is_source, p.post_id))
            best_claim: dict[str, str] = {}
            for post in posts:
                if post.is_source:
                    src = source_statements(post)
                    thread_claims[post.thread_id] = _source_claims(tracker, post, src, run)
                    score(post, _score_against(tracker, stance, src, thread_claims[post.thread_id]))
                    tick()
                    continue
                if post.post_id not in key:
                    # Unlabelled replies still flow through the tracker (they are part of the stream).
                    for st in reply_statements(post, linked=False):
                        tracker.process(st)
                    tick()
                    continue
                results = []
                alerted = False
                for st in reply_statements(post, linked=False):
                    out = tracker.process(st)
                    results.extend(r for r in out.stances if r.statement_id == st.event_id)
                    alerted = alerted or bool(out.alerts)
                if alerted:
                    run.alerted.add(post.post_id)
                    run.alerts += 1
                    run.alerts_on_gold_deny += key[post.post_id] == "deny"
                if not results:
                    run.unmatched += 1
                    score(post, None)
                    tick()
                    continue
                top = max(results, key=lambda r: r.match.score)
                best_claim[post.post_id] = top.claim_id
                agg = aggregate([r.decision for r in results if r.claim_id == top.claim_id])
                score(post, agg.stance if agg else None)
                tick()
            for post in posts:
                if post.is_source or post.post_id not in key:
                    continue
                own = {tracker.resolve(c) for c in thread_claims.get(post.thread_id, [])}
                chosen = best_claim.get(post.post_id)
                run.matched[post.post_id] = chosen is not None and tracker.resolve(chosen) in own

    result = metrics_block(run.items, LABELS, "deny", unit="thread")
    replies = [i for i in run.items if i.group == "reply"]
    rep = metrics_block(replies, LABELS, "deny", unit="thread") if replies else {}
    result.update({
        "dataset": "rumoureval2019",
        "mode": mode,
        "platform": platform,
        "threads": run.threads,
        "n_sources": sum(1 for i in run.items if i.group == "source"),
        "n_replies": len(replies),
        "direct_claims": run.direct_claims,
        "skipped_in_key": sum(1 for t in threads for pid in t.skipped if pid in key),
        "non_confirm_as": non_confirm_as,
        "replies": {k: rep[k] for k in ("n", "accuracy", "macro_f1", "deny", "per_class")} if rep else {},
        "seconds": round(time.perf_counter() - started, 1),
    })
    if mode == "unlinked":
        scored = len(run.matched)
        result["claim_matching"] = {
            "accuracy": sum(run.matched.values()) / scored if scored else 0.0,
            "correct": sum(run.matched.values()),
            "replies": scored,
            "no_candidate": run.unmatched,
        }
        result["claim_matching_accuracy"] = result["claim_matching"]["accuracy"]
        result["alerts"] = {"replies_alerted": run.alerts, "of_which_gold_deny": run.alerts_on_gold_deny,
                            "posts": sorted(run.alerted)}
    result["items"] = run.items
    return result
