"""Emergent (Ferreira & Vlachos 2016): a claim headline vs a news article headline, labelled
``for`` / ``against`` / ``observing``.

* Each claim headline is an ``ArticlePublished`` (outlet ``Emergent claim``) through ``enrich_article``
  and ``ClaimTracker.process`` (``make_tracker``); when the ``ClaimRecognizer`` accepts no sentence the
  record is built directly from the headline (``common.source_claims``, counted as ``direct_claims``).
* Each article headline is an ``ArticlePublished`` (outlet ``Emergent article``, one hour after the
  claim: the data has no times) through ``enrich_article``; each sentence is scored against the claim
  with the tracker's ``ClaimMatcher`` and classified by ``make_stance_classifier`` (match score as
  ``relatedness``); sentences are aggregated with ``common.aggregate``.
* Mapping: ``deny`` and ``non_confirm`` -> ``against`` (``--non-confirm-as`` changes the latter),
  ``support`` -> ``for``, ``query`` / ``comment`` -> ``observing``.
* Matching (top-1): every article headline against every claim, (a) by MiniLM cosine between the
  headline and the claim headline (``make_embedder``), (b) by the tracker's ``ClaimMatcher`` score
  (best over the headline's sentences). Accuracy = the best claim is the row's ``claimId``; ties go to
  the claim seen first in the file (never to the gold one).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from schemas.claims import ClaimRecord
from schemas.documents import ArticlePublished
from schemas.statements import StatementExtracted

from ..nlp import news_stance
from ..nlp.enrich import enrich_article
from ..nlp.stance import StanceClassifier, StanceDecision
from ..nlp.models import make_embedder, make_stance_classifier, make_tracker
from ..settings import Settings
from .common import (
    DataError, Progress, Scored, aggregate, alerts_block, best_decision, cv_base, metrics_block, read_csv, source_claims,
    with_news_model, would_alert,
)

LABELS = ("for", "against", "observing")
T0 = datetime(2015, 6, 14, tzinfo=timezone.utc)
MAPPING = {"deny": "against", "support": "for", "query": "observing", "comment": "observing"}


@dataclass(frozen=True)
class Row:
    article_id: str
    claim_id: str
    claim: str
    headline: str
    stance: str


def load_rows(path: Path) -> list[Row]:
    need = {"claimHeadline", "articleHeadline", "articleHeadlineStance", "articleId", "claimId"}
    rows = [Row(r["articleId"], r["claimId"], r["claimHeadline"], r["articleHeadline"], r["articleHeadlineStance"])
            for r in read_csv(path, need, "Emergent CSV")]
    bad = {r.stance for r in rows} - set(LABELS)
    if bad:
        raise DataError(f"{path}: unknown stances {sorted(bad)}")
    return rows


def _article(doc: str, text: str, at: datetime, outlet: str) -> list[StatementExtracted]:
    if not text.strip():
        return []
    return enrich_article(ArticlePublished(event_id=f"article-{doc}", occurred_at=at, source="emergent", document_id=doc,
                                           title="", body=text, outlet=outlet))


def claim_records(claim_id: str, text: str, settings: Settings, counter: list[int]) -> tuple[list[ClaimRecord], object]:
    tracker = make_tracker({}, {}, settings)
    statements = _article(f"emergent-claim-{claim_id}", text, T0, "Emergent claim")
    ids, direct = source_claims(tracker, statements, text)
    counter[0] += direct
    return [tracker.claims[tracker.resolve(i)] for i in ids], tracker


def fold_classifiers(rows: list[Row], folds: int, settings: Settings, seed: int = 13) -> dict[str, StanceClassifier]:
    """For ``--cv``: per claim id, the service's stance classifier with a news model trained (with
    ``training/train_news_stance.py``'s features and settings) on the other folds' claims only."""
    base, embedder = cv_base(settings)
    labels = [news_stance.EMERGENT_LABELS[r.stance] for r in rows]
    groups = [r.claim_id for r in rows]
    dense, hashed = news_stance.featurize(embedder, [r.headline for r in rows], [r.claim for r in rows])
    out: dict[str, StanceClassifier] = {}
    for test in news_stance.grouped_folds(groups, folds, seed):
        train = np.setdiff1d(np.arange(len(rows)), test)
        loaded, _ = news_stance.fit(dense[train], [hashed[i] for i in train], [labels[i] for i in train],
                                    C=news_stance.C_DEFAULT, hash_weight=news_stance.HASH_WEIGHT_DEFAULT, seed=seed)
        clf = with_news_model(base, embedder, loaded)
        for i in test:
            out[rows[int(i)].claim_id] = clf
    return out


def evaluate(csv_path: Path, *, settings: Settings | None = None, limit: int | None = None,
             non_confirm_as: str = "against", matcher_top1: bool = True, cv: int | None = None,
             on_progress: Progress | None = None) -> dict[str, object]:
    """Score every row; ``cv=K``: K folds grouped by claim, each scored with a news model trained on
    the others (the bundled news model was trained on FNC-1 body sentences, built from Emergent's
    claims and articles, so scoring this file without ``cv`` is not held out by claim)."""
    started = time.perf_counter()
    settings = settings or Settings()
    rows = load_rows(csv_path)
    if limit is not None:
        rows = rows[:limit]
    if not rows:
        raise DataError(f"{csv_path}: no rows")
    stance = make_stance_classifier(settings)
    per_claim = fold_classifiers(rows, cv, settings) if cv else {}
    mapping = dict(MAPPING, non_confirm=non_confirm_as)
    claim_texts = {r.claim_id: r.claim for r in rows}
    counter = [0]
    claims: dict[str, list[ClaimRecord]] = {}
    matcher = None
    rules = None  # a claim tracker: its alert rules (``would_alert``)
    total = len(claim_texts) + len(rows)
    done = 0
    for cid, text in claim_texts.items():
        claims[cid], rules = claim_records(cid, text, settings, counter)
        matcher = rules.matcher  # type: ignore[attr-defined]
        done += 1
        if on_progress:
            on_progress(done, total)
    items: list[Scored] = []
    alerted: set[str] = set()
    bases: dict[tuple[int, str], StanceDecision] = {}
    article_statements: dict[str, list[StatementExtracted]] = {}
    for row in rows:
        doc = f"emergent-article-{row.article_id}"
        statements = _article(doc, row.headline, T0 + timedelta(hours=1), "Emergent article")
        article_statements[row.article_id] = statements
        classifier = per_claim.get(row.claim_id, stance)
        records = {c.claim_id: c for c in claims[row.claim_id]}
        decisions = []
        for st in statements:
            best = best_decision(st, claims[row.claim_id], matcher, classifier)  # type: ignore[arg-type]
            if best is not None:
                decisions.append(best[0])
                if would_alert(rules, classifier, st, records[best[1].claim_id], best[1], best[0], bases):  # type: ignore[arg-type]
                    alerted.add(row.article_id)
        agg = aggregate(decisions)
        raw = agg.stance if agg else "comment"
        items.append(Scored(row.article_id, row.stance, mapping[raw], raw, cluster=f"claim:{row.claim_id}"))
        done += 1
        if on_progress:
            on_progress(done, total)

    result = metrics_block(items, LABELS, "against", unit="claim")
    result["against"] = result["deny"]
    result["alerts"] = alerts_block(items, alerted, "against")

    # Matching: top-1 claim among all claims.
    embedder = make_embedder(settings)
    claim_ids = list(claim_texts)
    claim_matrix = embedder.encode([claim_texts[c] for c in claim_ids])
    head_matrix = embedder.encode([r.headline for r in rows])
    best = np.argmax(head_matrix @ claim_matrix.T, axis=1)
    cos_correct = sum(1 for r, b in zip(rows, best) if claim_ids[int(b)] == r.claim_id)
    matching: dict[str, object] = {"claims": len(claim_ids), "headlines": len(rows),
                                   "embedding_top1": cos_correct / len(rows)}
    if matcher_top1 and matcher is not None:
        all_claims = [(cid, rec) for cid in claim_ids for rec in claims[cid]]
        correct = 0
        for row in rows:
            scores: dict[str, float] = {}
            for st in article_statements[row.article_id]:
                feats = matcher.features(st)
                for cid, rec in all_claims:
                    s = matcher.score(st, rec, feats).score
                    if s > scores.get(cid, -1.0):
                        scores[cid] = s
            if scores and max(scores.items(), key=lambda kv: kv[1])[0] == row.claim_id:
                correct += 1
        matching["matcher_top1"] = correct / len(rows)
    result.update({
        "dataset": "emergent",
        "claims": len(claim_ids),
        "direct_claims": counter[0],
        "non_confirm_as": non_confirm_as,
        "cv_folds": cv or 0,
        "matching": matching,
        "seconds": round(time.perf_counter() - started, 1),
        "items": items,
    })
    return result
