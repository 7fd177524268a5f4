"""FNC-1 (Fake News Challenge stage 1): a headline vs an article body, labelled ``agree`` /
``disagree`` / ``discuss`` / ``unrelated``.

* The headline is the claim: an ``ArticlePublished`` (outlet ``FNC-1 headline``) through
  ``enrich_article`` and ``ClaimTracker.process``; when the ``ClaimRecognizer`` accepts no sentence,
  the record is built directly from the headline (``common.source_claims``, counted as ``direct_claims``).
* The body is an ``ArticlePublished`` (outlet ``FNC-1 body``, one hour later; the data has no times)
  through ``enrich_article``, enriched once per Body ID (cached, with its sentence embeddings).
* Relatedness: every body sentence is scored against the headline claim with the tracker's
  ``ClaimMatcher``. When the best score is below ``related_threshold`` the pair is ``unrelated``.
  The default is the ``non_confirm_match_threshold`` setting (0.35): the lowest match score at which
  the tracker acts on a statement at all.
* Stance: the sentences at or above the threshold are classified by ``make_stance_classifier``
  toward the claim (match score as ``relatedness``) and aggregated (``common.aggregate``):
  ``deny`` / ``non_confirm`` -> ``disagree``, ``support`` -> ``agree``, anything else -> ``discuss``.
* Caveat: the bundled news stance model (``news_stance``) was trained on the sentences of the FNC-1
  train bodies outside the README's 300-body sample and the 200 development bodies
  (``training.data.fnc1_body_splits``). Scored on those 300 its figures are held out by body, but
  not by headline: headlines recur across bodies (``news_model_trained_on`` in the result says what
  the model was trained on).
* ``cv=K`` (``--cv K``) gives the held-out figure: K folds grouped by headline, each scored with a news
  model trained on the other folds' FNC-1 pairs only (``fold_classifiers``). A body paired with
  headlines in two folds has its sentences on both sides.
* Cost is per body (enrichment + sentence embeddings: about 2 s per body on a 2-core machine), so
  ``--bodies K`` first keeps the pairs of K Body IDs drawn at random (``random.Random(seed)``; a
  cluster sample: every pair of a drawn body), ``--sample N`` then draws N pairs at random
  (same seed), kept in file order, and ``--limit N`` keeps the first N.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from schemas.claims import ClaimRecord
from schemas.documents import ArticlePublished
from schemas.statements import StatementExtracted

import numpy as np

from ..nlp import news_stance
from ..nlp.enrich import enrich_article
from ..nlp.matching import ClaimMatcher, MatchCandidate, StatementFeatures
from ..nlp.stance import StanceClassifier, StanceDecision
from ..nlp.models import make_stance_classifier, make_tracker
from ..settings import Settings
from . import metrics
from .common import (
    DataError, Progress, Scored, aggregate, alerts_block, cv_base, metrics_block, read_csv, source_claims, with_news_model,
    would_alert,
)

LABELS = metrics.FNC_LABELS
T0 = datetime(2017, 1, 1, tzinfo=timezone.utc)
MAPPING = {"deny": "disagree", "support": "agree", "query": "discuss", "comment": "discuss"}
FNC_NEWS_LABELS = {"agree": "support", "disagree": "deny", "discuss": "comment"}


@dataclass(frozen=True)
class Pair:
    index: int
    headline: str
    body_id: str
    stance: str


def load(stances_csv: Path, bodies_csv: Path) -> tuple[list[Pair], dict[str, str]]:
    pairs = [Pair(i, r["Headline"], r["Body ID"], r["Stance"])
             for i, r in enumerate(read_csv(stances_csv, {"Headline", "Body ID", "Stance"}))]
    bodies = {r["Body ID"]: r["articleBody"] for r in read_csv(bodies_csv, {"Body ID", "articleBody"})}
    bad = {p.stance for p in pairs} - set(LABELS)
    if bad:
        raise DataError(f"{stances_csv}: unknown stances {sorted(bad)}")
    missing = {p.body_id for p in pairs} - bodies.keys()
    if missing:
        raise DataError(f"{bodies_csv}: {len(missing)} Body IDs of the stances file are missing")
    return pairs, bodies


def select(pairs: list[Pair], *, sample: int | None, limit: int | None, seed: int = 13,
           bodies: int | None = None) -> list[Pair]:
    if bodies is not None:
        ids = sorted({p.body_id for p in pairs}, key=lambda b: (len(b), b))
        if bodies < len(ids):
            keep_ids = set(random.Random(seed).sample(ids, bodies))
            pairs = [p for p in pairs if p.body_id in keep_ids]
    if sample is not None and sample < len(pairs):
        keep = set(random.Random(seed).sample(range(len(pairs)), sample))
        pairs = [p for pos, p in enumerate(pairs) if pos in keep]
    return pairs[:limit] if limit is not None else pairs


def evaluate(stances_csv: Path, bodies_csv: Path, *, settings: Settings | None = None, sample: int | None = None,
             limit: int | None = None, seed: int = 13, max_bodies: int | None = None, related_threshold: float | None = None,
             non_confirm_as: str = "disagree", cv: int | None = None,
             on_progress: Progress | None = None) -> dict[str, object]:
    started = time.perf_counter()
    settings = settings or Settings()
    threshold = settings.non_confirm_match_threshold if related_threshold is None else related_threshold
    pairs, bodies = load(stances_csv, bodies_csv)
    pairs = select(pairs, sample=sample, limit=limit, seed=seed, bodies=max_bodies)
    if not pairs:
        raise DataError(f"{stances_csv}: no pairs selected")
    stance = make_stance_classifier(settings)
    mapping = dict(MAPPING, non_confirm=non_confirm_as)
    base = make_tracker({}, {}, settings)
    scored_pairs, counts = score_pairs(pairs, bodies, settings, base.matcher)
    per_headline = fold_classifiers(pairs, scored_pairs, cv, settings, seed=seed) if cv else {}
    items: list[Scored] = []
    alerted: set[str] = set()
    bases: dict[tuple[int, str], StanceDecision] = {}  # claim-independent decisions, per classifier and sentence
    for n, (pair, scored) in enumerate(zip(pairs, scored_pairs, strict=True), 1):
        best = max((m.score for m, _, _ in scored), default=0.0)
        if best < threshold:
            raw, pred = "unrelated", "unrelated"
        else:
            classifier = per_headline.get(pair.headline, stance)
            related = [(m, st, claim) for m, st, claim in scored if m.score >= threshold]
            decisions = [classifier.classify(st, claim, relatedness=m.score) for m, st, claim in related]
            if any(would_alert(base, classifier, st, claim, m, decision, bases)
                   for (m, st, claim), decision in zip(related, decisions, strict=True)):
                alerted.add(f"{pair.index}")
            agg = aggregate(decisions)
            raw = agg.stance if agg else "comment"
            pred = mapping[raw]
        items.append(Scored(f"{pair.index}", pair.stance, pred, raw, cluster=f"body:{pair.body_id}"))
        if on_progress:
            on_progress(n, len(pairs))

    result = metrics_block(items, LABELS, "disagree", unit="article body")
    result["disagree"] = result["deny"]
    result["alerts"] = alerts_block(items, alerted, "disagree")
    score, best_score = metrics.fnc_score([i.gold for i in items], [i.pred for i in items])
    related = [Scored(i.item_id, "related" if i.gold != "unrelated" else "unrelated",
                      "related" if i.pred != "unrelated" else "unrelated", i.raw) for i in items]
    rel = metrics.report([i.gold for i in related], [i.pred for i in related], ("related", "unrelated"))
    result.update({
        "dataset": "fnc1",
        "news_model_trained_on": (f"FNC-1 pairs of the other {cv - 1} folds (grouped by headline)" if cv
                                  else _news_model_data(stance)),
        "cv_folds": cv or 0,
        "fnc_score": score,
        "fnc_max_score": best_score,
        "fnc_relative": score / best_score if best_score else 0.0,
        "related_vs_unrelated": {"accuracy": rel.accuracy,
                                 "related": rel.per_class["related"].as_dict(),
                                 "unrelated": rel.per_class["unrelated"].as_dict()},
        "related_threshold": threshold,
        "headlines": counts["headlines"],
        "bodies": counts["bodies"],
        "direct_claims": counts["direct_claims"],
        "sample": sample,
        "bodies_drawn": max_bodies,
        "limit": limit,
        "seed": seed,
        "non_confirm_as": non_confirm_as,
        "seconds": round(time.perf_counter() - started, 1),
        "items": items,
    })
    return result


def score_pairs(pairs: list[Pair], bodies: dict[str, str], settings: Settings, matcher: ClaimMatcher,
                ) -> tuple[list[list[tuple[MatchCandidate, StatementExtracted, ClaimRecord]]], dict[str, int]]:
    """For each pair, every (body sentence, headline claim) with its match score. Each headline goes
    through ``enrich_article`` and ``ClaimTracker.process`` once; each body through ``enrich_article``
    once (its sentence embeddings in one batch). Returns the scored pairs and counts (headlines,
    bodies, direct_claims)."""
    embedder = matcher.embedder
    direct = 0
    claim_cache: dict[str, list[ClaimRecord]] = {}
    body_cache: dict[str, list[tuple[StatementExtracted, StatementFeatures]]] = {}

    def headline_claims(headline: str) -> list[ClaimRecord]:
        nonlocal direct
        hit = claim_cache.get(headline)
        if hit is not None:
            return hit
        tracker = make_tracker({}, {}, settings)
        doc = f"fnc1-headline-{len(claim_cache)}"
        statements = enrich_article(ArticlePublished(event_id=f"article-{doc}", occurred_at=T0, source="fnc1",
                                                     document_id=doc, title="", body=headline,
                                                     outlet="FNC-1 headline")) if headline.strip() else []
        ids, was_direct = source_claims(tracker, statements, headline)
        direct += was_direct
        claim_cache[headline] = [tracker.claims[tracker.resolve(i)] for i in ids]
        return claim_cache[headline]

    def body(body_id: str) -> list[tuple[StatementExtracted, StatementFeatures]]:
        hit = body_cache.get(body_id)
        if hit is not None:
            return hit
        text = bodies[body_id]
        doc = f"fnc1-body-{body_id}"
        statements = enrich_article(ArticlePublished(
            event_id=f"article-{doc}", occurred_at=T0 + timedelta(hours=1), source="fnc1", document_id=doc,
            title="", body=text, outlet="FNC-1 body")) if text.strip() else []
        if embedder is not None and statements:
            # One batched call warms the embedder's cache for ``features`` (same texts it embeds).
            texts = []
            for st in statements:
                att = st.attribution
                texts.append(att.content.strip() if att.content.strip() and att.speaker_kind != "narrator" else st.text)
                texts.append(f"{st.context_before} {st.text}".strip())
            embedder.encode(texts)
        body_cache[body_id] = [(st, matcher.features(st)) for st in statements]
        return body_cache[body_id]

    scored = []
    for pair in pairs:
        claims = headline_claims(pair.headline)
        scored.append([(matcher.score(st, claim, feats), st, claim) for st, feats in body(pair.body_id) for claim in claims])
    return scored, {"headlines": len(claim_cache), "bodies": len(body_cache), "direct_claims": direct}


def sentence_rows(pairs: list[Pair], scored: list[list[tuple[MatchCandidate, StatementExtracted, ClaimRecord]]],
                  top: int = 3) -> list[tuple[int, str, str, str]]:
    """Training rows for a news stance model from labelled pairs: the labels are per body, the model
    reads sentences, so each related pair gives its ``top`` body sentences that match the headline
    best, labelled with the pair's stance (agree -> support, disagree -> deny, discuss -> comment).
    Rows are (pair position, sentence, headline claim text, label)."""
    rows: list[tuple[int, str, str, str]] = []
    for pos, (pair, candidates) in enumerate(zip(pairs, scored, strict=True)):
        if pair.stance == "unrelated":
            continue
        for _, st, claim in sorted(candidates, key=lambda c: -c[0].score)[:top]:
            rows.append((pos, st.text, claim.text, FNC_NEWS_LABELS[pair.stance]))
    return rows


def fold_classifiers(pairs: list[Pair], scored: list[list[tuple[MatchCandidate, StatementExtracted, ClaimRecord]]],
                     folds: int, settings: Settings, *, seed: int = 13, top: int = 3) -> dict[str, StanceClassifier]:
    """For ``--cv``: per headline, the service's stance classifier with a news model trained on the other
    folds' headlines only (folds grouped by headline), on their ``sentence_rows``."""
    base, embedder = cv_base(settings)
    rows = sentence_rows(pairs, scored, top)
    if not rows:
        raise DataError("--cv: the selected pairs have no related pair to train on")
    dense, hashed = news_stance.featurize(embedder, [r[1] for r in rows], [r[2] for r in rows])
    row_pair = np.asarray([r[0] for r in rows])
    out: dict[str, StanceClassifier] = {}
    for test in news_stance.grouped_folds([p.headline for p in pairs], folds, seed):
        train = np.flatnonzero(~np.isin(row_pair, test))
        labels = [rows[i][3] for i in train]
        if len(set(labels)) < len(news_stance.NEWS_CLASSES):
            raise DataError(f"--cv: a training fold lacks a class ({sorted(set(labels))}); draw more bodies")
        loaded, _ = news_stance.fit(dense[train], [hashed[i] for i in train], labels,
                                    C=news_stance.C_DEFAULT, hash_weight=news_stance.HASH_WEIGHT_DEFAULT, seed=seed)
        clf = with_news_model(base, embedder, loaded)
        for pos in test:
            out[pairs[int(pos)].headline] = clf
    return out


def _news_model_data(stance: object) -> str | None:
    """What the news stance model in use was trained on (``None``: no news model)."""
    news = getattr(stance, "news", None)
    if news is None:
        return None
    return str(news.config.get("data", "unknown"))
