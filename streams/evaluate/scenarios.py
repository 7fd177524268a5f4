"""Scenario stories (``docs/scenarios.md``): hand-written news stories with gold alerts, replayed
through the tracker the worker runs, and scored as a newsroom would judge the alerts.

* Every story of a set is enriched (``enrich_article`` / ``enrich_comment``) and all their statements
  go through ONE ``ClaimTracker`` (``make_tracker``), in event-time order (documents by
  ``occurred_at``, then story and file order; a document's statements in order), as the worker's
  event-time ordering releases them: stories that share an entity meet.
* Each alert is put in one class by its denial statement (character overlap with a gold span of the
  same document) and by its claim (one of the claim's sources overlaps a span of the gold claim):
  ``right``, ``wrong_claim`` (an expected statement, another claim), ``optional`` (a statement
  marked acceptable: left out of precision), ``false`` (a statement gold does not expect).
  ``cross_story`` counts alerts whose claim comes from another story's documents.
* Intervals: 95 % percentile bootstrap over stories (1,000 resamples, seed 13), from the per-story
  counts.
* A folder holding ``tuned/`` and ``heldout/`` is scored split by split, each replayed on its own.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from schemas import ArticlePublished, DenialDetected
from schemas.statements import StatementExtracted

from ..nlp.enrich import enrich_article, enrich_comment
from ..nlp.models import make_tracker
from ..nlp.tracker import ClaimTracker
from ..settings import Settings
from .common import DataError, Progress
from .scenario_format import Story, doc_text, load_stories, span_offsets

SPLITS = ("tuned", "heldout")
RESAMPLES = 1000
SEED = 13

Span = tuple[str, int, int]  # document id, start, end


def _overlaps(a: Span, b: Span) -> bool:
    return a[0] == b[0] and a[1] < b[2] and b[1] < a[2]


@dataclass
class StoryCounts:
    story_id: str
    domain: str
    documents: int
    expected: int = 0
    found: int = 0
    alerts: int = 0  # scored alerts: every alert except those on optional statements
    right: int = 0
    wrong_claim: int = 0
    false: int = 0
    optional: int = 0
    cross_story: int = 0
    claims_created: int = 0
    gold_claims: int = 0
    gold_claims_recognised: int = 0
    by_stance: dict[str, list[int]] = field(default_factory=dict)  # gold stance -> [expected, found]
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # document kind -> [expected, found]


@dataclass(frozen=True)
class Gold:
    story: Story
    expected: list[tuple[Span, str, str, str]]  # span, gold claim key, stance, document kind
    optional: list[Span]
    claim_spans: dict[str, list[Span]]  # gold claim key (story_id/claim id) -> its source spans


def gold_of(story: Story) -> Gold:
    texts = {d.document_id: doc_text(d) for d in story.documents}
    kinds = {d.document_id: d.kind for d in story.documents}

    def span(document_id: str, text: str) -> Span:
        return (document_id, *span_offsets(texts, document_id, text))

    claim_spans = {f"{story.story_id}/{c.id}": [span(s.document_id, s.span) for s in c.sources] for c in story.claims}
    expected = [(span(e.document_id, e.span), f"{story.story_id}/{e.claim}", e.stance, kinds[e.document_id])
                for e in story.expected]
    optional = [span(o.document_id, o.span) for o in story.optional]
    return Gold(story, expected, optional, claim_spans)


def enrich_stories(stories: Sequence[Story], on_progress: Progress | None = None) -> list[StatementExtracted]:
    """Every statement of the stories, in the order the tracker sees them: documents by event time
    (then story and file order), each document's statements in order."""
    docs = [(d.occurred_at, si, di, d) for si, s in enumerate(stories) for di, d in enumerate(s.documents)]
    docs.sort(key=lambda t: (t[0], t[1], t[2]))
    out: list[StatementExtracted] = []
    for n, (_, _, _, doc) in enumerate(docs):
        out.extend(enrich_article(doc) if isinstance(doc, ArticlePublished) else enrich_comment(doc))
        if on_progress:
            on_progress(n + 1, len(docs))
    return out


def replay(statements: Sequence[StatementExtracted], tracker: ClaimTracker
           ) -> tuple[list[DenialDetected], dict[str, StatementExtracted], list[tuple[str, list[str]]]]:
    """Run the statements through ``tracker``. Returns the alerts, every statement by id, and
    (statement id, claim ids created) for each statement that founded a claim."""
    alerts: list[DenialDetected] = []
    created: list[tuple[str, list[str]]] = []
    for statement in statements:
        out = tracker.process(statement)
        alerts.extend(out.alerts)
        if out.created:
            created.append((statement.event_id, [c.claim_id for c in out.created]))
    return alerts, {s.event_id: s for s in statements}, created


def score(stories: Sequence[Story], alerts: Sequence[DenialDetected], statements: dict[str, StatementExtracted],
          created: Sequence[tuple[str, list[str]]]) -> tuple[list[StoryCounts], list[dict[str, object]]]:
    """Per-story counts and one row per alert (its class and why)."""
    golds = {s.story_id: gold_of(s) for s in stories}
    story_of_doc = {d.document_id: s.story_id for s in stories for d in s.documents}
    counts = {s.story_id: StoryCounts(s.story_id, s.domain, len(s.documents), gold_claims=len(s.claims))
              for s in stories}

    def span_of(statement_id: str | None) -> Span | None:
        st = statements.get(statement_id or "")
        return None if st is None else (st.document_id, st.char_start, st.char_end)

    found: set[tuple[str, int]] = set()
    rows: list[dict[str, object]] = []
    for alert in alerts:
        denial = (alert.denial.document_id, alert.denial.char_start, alert.denial.char_end)
        story_id = story_of_doc.get(alert.denial.document_id, "")
        gold = golds[story_id]
        source_spans = [sp for sp in (span_of(s.statement_id) for s in alert.claim.sources) if sp is not None]
        claim_stories = {story_of_doc.get(sp[0], "") for sp in source_spans}
        cross = bool(claim_stories - {story_id})
        hits = [i for i, (sp, _, _, _) in enumerate(gold.expected) if _overlaps(sp, denial)]
        right = [i for i in hits
                 if any(_overlaps(a, b) for a in source_spans for b in gold.claim_spans[gold.expected[i][1]])]
        if right:
            kind = "right"
            found.update((story_id, i) for i in right)
        elif hits:
            kind = "wrong_claim"
        elif any(_overlaps(sp, denial) for sp in gold.optional):
            kind = "optional"
        else:
            kind = "false"
        c = counts[story_id]
        setattr(c, kind, getattr(c, kind) + 1)
        if kind != "optional":
            c.alerts += 1
        c.cross_story += cross
        rows.append({"story": story_id, "class": kind, "cross_story": cross, "stance": alert.stance,
                     "severity": alert.severity, "document_kind": alert.denial.document_kind,
                     "denial": alert.denial.text, "speaker": alert.denial.speaker, "claim": alert.claim.text,
                     "claim_story": sorted(claim_stories), "match": alert.match_score,
                     "confidence": alert.confidence, "explanation": alert.explanation})
    for story_id, gold in golds.items():
        c = counts[story_id]
        c.expected = len(gold.expected)
        for i, (_, _, stance, kind) in enumerate(gold.expected):
            hit = (story_id, i) in found
            c.found += hit
            for table, key in ((c.by_stance, stance), (c.by_kind, kind)):
                table.setdefault(key, [0, 0])
                table[key][0] += 1
                table[key][1] += hit
    founded: dict[str, list[Span]] = {}
    for statement_id, _ in created:
        sp = span_of(statement_id)
        if sp is not None:
            founded.setdefault(story_of_doc.get(sp[0], ""), []).append(sp)
    for story_id, gold in golds.items():
        c = counts[story_id]
        spans = founded.get(story_id, [])
        c.claims_created = len(spans)
        c.gold_claims_recognised = sum(any(_overlaps(a, b) for a in spans for b in claim) for claim in gold.claim_spans.values())
    return list(counts.values()), rows


def _ratio(num: np.ndarray, den: np.ndarray, scale: float = 1.0) -> np.ndarray:
    return np.divide(num * scale, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def summarise(counts: Sequence[StoryCounts], resamples: int = RESAMPLES, seed: int = SEED) -> dict[str, object]:
    """The headline figures with their 95 % bootstrap intervals over stories."""
    cols = {k: np.array([getattr(c, k) for c in counts], dtype=float)
            for k in ("expected", "found", "alerts", "right", "false", "wrong_claim", "documents", "cross_story")}
    figures = {
        "recall": lambda s: _ratio(s["found"], s["expected"]),
        "precision": lambda s: _ratio(s["right"], s["alerts"]),
        "false_per_100_docs": lambda s: _ratio(s["false"], s["documents"], 100.0),
    }
    rng = np.random.default_rng(seed)
    n = len(counts)
    idx = rng.integers(0, n, size=(resamples, n)) if n else np.zeros((resamples, 0), dtype=int)
    sums = {k: v[idx].sum(axis=1) for k, v in cols.items()}
    totals = {k: np.array([v.sum()]) for k, v in cols.items()}
    out: dict[str, object] = {}
    for name, fn in figures.items():
        value = float(fn(totals)[0])
        boot = fn(sums)
        out[name] = round(value, 4)
        out[f"{name}_ci95"] = [round(float(np.percentile(boot, 2.5)), 4), round(float(np.percentile(boot, 97.5)), 4)]
    out.update({k: int(v.sum()) for k, v in cols.items()})
    return out


def _breakdown(counts: Sequence[StoryCounts], attr: str) -> dict[str, dict[str, float]]:
    table: dict[str, list[int]] = {}
    for c in counts:
        for key, (exp, hit) in getattr(c, attr).items():
            t = table.setdefault(key, [0, 0])
            t[0] += exp
            t[1] += hit
    return {k: {"expected": e, "found": f, "recall": round(f / e, 4) if e else 0.0} for k, (e, f) in sorted(table.items())}


def evaluate_set(stories: Sequence[Story], settings: Settings, on_progress: Progress | None = None,
                 statements: Sequence[StatementExtracted] | None = None) -> dict[str, object]:
    """The figures of one story set; ``statements`` (``enrich_stories``) may be passed in to score
    several tracker settings on one enrichment."""
    start = time.perf_counter()
    if statements is None:
        statements = enrich_stories(stories, on_progress)
    alerts, by_id, created = replay(statements, make_tracker({}, {}, settings))
    counts, rows = score(stories, alerts, by_id, created)
    alert_stances = Counter(str(r["stance"]) for r in rows)
    right_by_stance = Counter(str(r["stance"]) for r in rows if r["class"] == "right")
    return {
        "stories": len(stories),
        "domains": sorted({s.domain for s in stories}),
        **summarise(counts),
        "optional_alerts": sum(c.optional for c in counts),
        "per_stance": _breakdown(counts, "by_stance"),
        "per_document_kind": _breakdown(counts, "by_kind"),
        "alerts_by_stance": {k: {"alerts": v, "right": right_by_stance.get(k, 0)} for k, v in sorted(alert_stances.items())},
        "claims": {"created": sum(c.claims_created for c in counts), "gold": sum(c.gold_claims for c in counts),
                   "gold_recognised": sum(c.gold_claims_recognised for c in counts)},
        "statements": len(by_id),
        "seconds": round(time.perf_counter() - start, 1),
        "per_story": [{"story": c.story_id, "domain": c.domain, "expected": c.expected, "found": c.found,
                       "alerts": c.alerts, "right": c.right, "wrong_claim": c.wrong_claim, "false": c.false,
                       "cross_story": c.cross_story, "claims_created": c.claims_created} for c in counts],
        "alert_rows": rows,
    }


def split_dirs(path: Path) -> dict[str, Path]:
    """``{"tuned": path/tuned, "heldout": path/heldout}`` when ``path`` holds those folders, else ``{"all": path}``."""
    if path.is_dir() and all((path / s).is_dir() for s in SPLITS):
        return {s: path / s for s in SPLITS}
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    return {"all": path}


def evaluate(paths: Sequence[Path], split: str | None = None, settings: Settings | None = None,
             on_progress: Progress | None = None) -> dict[str, object]:
    """Score every set under ``paths``: ``{"splits": {name: figures}}``; ``split`` picks one split."""
    settings = settings or Settings()
    sets: dict[str, list[Path]] = {}
    for path in paths:
        for name, folder in split_dirs(path).items():
            sets.setdefault(name, []).append(folder)
    if split is not None:
        if split not in sets:
            raise DataError(f"no {split!r} split under {', '.join(map(str, paths))} (found: {', '.join(sets)})")
        sets = {split: sets[split]}
    return {"splits": {name: evaluate_set(load_stories(folders), settings, on_progress) for name, folders in sets.items()}}
