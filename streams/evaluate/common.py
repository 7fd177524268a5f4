"""What the evaluators share: turning stance decisions into one label per document, the claim
record for a source that the recognizer did not accept, and the metrics block every evaluator prints."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from schemas.claims import ClaimRecord
from schemas.statements import StatementExtracted

from ..nlp.claim_stance import ClaimStanceClassifier
from ..nlp.claims import entities_in, key_terms
from ..nlp.matching import ClaimMatcher, MatchCandidate
from ..nlp.stance import StanceClassifier, StanceDecision
from ..nlp.tracker import NEGATIVE, ClaimTracker
from ..settings import Settings
from . import metrics

class DataError(Exception):
    """A missing or unreadable data folder / key / file (the CLI prints it as one line)."""


def read_csv(path: Path, need: set[str], what: str = "CSV") -> list[dict[str, str]]:
    """The rows of a data set's CSV file, after checking that it exists and has the ``need`` columns."""
    if not path.is_file():
        raise DataError(f"{path}: {what} not found")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if not need <= set(reader.fieldnames or []):
            raise DataError(f"{path}: missing columns {sorted(need - set(reader.fieldnames or []))}")
        return list(reader)


#: ``on_progress(done, total)``; the CLI turns it into a rich progress bar.
Progress = Callable[[int, int], None]

#: Tie-break when two statements of one document have the same confidence: a denial outranks a
#: question, which outranks support (denials are what claimwatch is for, and they are rare).
PRECEDENCE = {"deny": 4, "non_confirm": 3, "query": 2, "support": 1, "comment": 0}


def aggregate(decisions: Sequence[StanceDecision]) -> StanceDecision | None:
    """One decision for a multi-sentence document: the most confident non-``comment`` decision, ties
    broken by ``PRECEDENCE`` (deny > non_confirm > query > support); ``None`` when every sentence is
    a comment (or there are no sentences)."""
    chosen = [d for d in decisions if d.stance != "comment"]
    if not chosen:
        return None
    return max(chosen, key=lambda d: (d.confidence, PRECEDENCE.get(d.stance, 0)))


def best_decision(
    statement: StatementExtracted, claims: Sequence[ClaimRecord], matcher: ClaimMatcher, stance: StanceClassifier
) -> tuple[StanceDecision, MatchCandidate] | None:
    """Stance of ``statement`` toward the best-matching of ``claims`` (exactly as the tracker does it:
    ``matcher.score`` gives the match, its score is the classifier's ``relatedness`` hint)."""
    best: tuple[StanceDecision, MatchCandidate] | None = None
    feats = matcher.features(statement) if claims else None
    for claim in claims:
        match = matcher.score(statement, claim, feats)
        if best is None or match.score > best[1].score:
            best = (stance.classify(statement, claim, relatedness=match.score), match)
    return best


def source_claims(
    tracker: ClaimTracker, statements: Sequence[StatementExtracted], text: str | None = None, *, fallback: bool = True,
) -> tuple[list[str], bool]:
    """The claim ids a labelled source document makes, processed by the tracker like any document.

    The evaluations measure stance and matching *given* that the source is a claim (that is what the
    data sets label), so when the ``ClaimRecognizer`` accepts none of its sentences (too short, no
    entities, a question ...) the tracker records one directly: text = ``text`` or the whole document,
    the first statement as origin and source. Returns (claim ids, whether it was recorded directly)."""
    ids: list[str] = []
    for statement in statements:
        out = tracker.process(statement)
        ids.extend(c.claim_id for c in out.created + out.updated)
    if ids or not statements or not fallback:
        return list(dict.fromkeys(ids)), False
    claim_text = (text or " ".join(s.text for s in statements)).strip()
    if not claim_text:
        return [], False
    entities = list(dict.fromkeys(e for s in statements for e in entities_in(s)))
    record = tracker.create_claim(
        statements[0], claim_text, key_terms(claim_text), entities, statement_ids=[s.event_id for s in statements]
    )
    return [record.claim_id], True


@dataclass(frozen=True)
class Scored:
    """One scored item: its id, gold label, predicted label and the classifier's raw stance."""

    item_id: str
    gold: str
    pred: str
    raw: str  # the classifier's stance before mapping (deny/non_confirm/support/query/comment/unrelated)
    group: str = ""  # e.g. "source" / "reply"
    cluster: str = ""  # the bootstrap's resampling unit (thread, claim, article body); "" = the item alone


def clusters_of(items: Sequence[Scored]) -> list[str]:
    return [i.cluster or f"item:{i.item_id}" for i in items]


def metrics_block(items: Sequence[Scored], labels: Sequence[str], negative: str,
                  macro_labels: Sequence[str] | None = None, *, unit: str = "item") -> dict[str, object]:
    """The JSON block every evaluator prints: ``n``, ``accuracy``, ``macro_f1``, ``per_class``,
    ``confusion_matrix``, the negative class's scores under ``deny`` (and under its own name), and
    ``intervals``: 95 % cluster-bootstrap intervals of that F1 (``negative_f1``) and of macro-F1
    (``macro_f1``), resampling the items' ``cluster`` (``unit`` names it)."""
    gold = [i.gold for i in items]
    pred = [i.pred for i in items]
    rep = metrics.report(gold, pred, labels, macro_labels)
    neg = rep.per_class[negative]
    out = rep.as_dict()
    ci = metrics.intervals(gold, pred, clusters_of(items), labels, negative, macro_labels, unit=unit)
    out["deny"] = {"precision": neg.precision, "recall": neg.recall, "f1": neg.f1}
    out["intervals"] = ci
    out["negative_class"] = negative
    out["raw_stances"] = dict(sorted(Counter(i.raw for i in items).items()))
    return out


def alerts_block(items: Sequence[Scored], alerted: set[str], negative: str) -> dict[str, object]:
    """What would reach the ``alerts`` topic: the items (documents) of which at least one statement
    passes the tracker's alert rules (``ClaimTracker.would_alert``), scored against the gold
    ``negative`` label. The metrics block scores stance decisions; an alert needs more (an eligible
    speaker, a match and a confidence above the tracker's thresholds)."""
    labels = (negative, "other")
    gold = [negative if i.gold == negative else "other" for i in items]
    pred = [negative if i.item_id in alerted else "other" for i in items]
    rep = metrics.report(gold, pred, labels)
    s = rep.per_class[negative]
    ci = metrics.intervals(gold, pred, clusters_of(items), labels, negative)["negative_f1"]
    return {"alerted": s.predicted, f"of_which_gold_{negative}": rep.matrix[0][0], "gold": s.support,
            "precision": s.precision, "recall": s.recall, "f1": s.f1, "ci95": ci}


def would_alert(rules: ClaimTracker, classifier: StanceClassifier, statement: StatementExtracted, claim: ClaimRecord,
                match: MatchCandidate, decision: StanceDecision, bases: dict[tuple[int, str], StanceDecision]) -> bool:
    """``rules.would_alert`` for a decision the evaluator made with ``classifier``. The statement's
    claim-independent decision is asked only for a negative ``decision``, once per (classifier,
    statement) (``bases`` caches it: a body sentence is scored against many headlines)."""
    if decision.stance not in NEGATIVE:
        return False
    key = (id(classifier), statement.event_id)
    if key not in bases:
        bases[key] = classifier.classify(statement, None)
    return rules.would_alert(statement, claim, match, decision, bases[key])


def cv_base(settings: Settings) -> tuple[Any, Any]:
    """For ``--cv``: the service's trained stance classifier and the embedder, or ``DataError``."""
    try:
        import sklearn  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise DataError("--cv trains a model per fold and needs the train extra: pip install -e '.[train]'") from exc
    from ..nlp.models import make_embedder, make_stance_classifier
    from ..nlp.stance_model import TrainedStanceClassifier

    base = make_stance_classifier(settings)
    trained = base.base if isinstance(base, ClaimStanceClassifier) else base
    if not isinstance(trained, TrainedStanceClassifier):
        raise DataError("--cv needs the trained stance model (stance_model_path or the bundled one)")
    return base, make_embedder(settings)


def with_news_model(base: Any, embedder: Any, loaded: Any) -> StanceClassifier:
    """The service's classifier (``cv_base``) with a news stance model trained in a fold; the claim stance
    model, when the service has one, stays (it never trained on Emergent, nor on FNC-1's scored bodies)."""
    from ..nlp import news_stance
    from ..nlp.stance_model import TrainedStanceClassifier

    pair = base if isinstance(base, ClaimStanceClassifier) else None
    trained = pair.base if pair is not None else base
    fold = TrainedStanceClassifier(trained.model_dir, embedder=embedder, cue=trained.cue,
                                   news=news_stance.NewsStanceModel(embedder=embedder, loaded=loaded),
                                   news_deny_min=trained.news_deny_min,
                                   news_attributed_min_match=trained.news_attributed_min_match,
                                   crossencoder=trained.crossencoder)
    return fold if pair is None else pair.with_base(fold)
