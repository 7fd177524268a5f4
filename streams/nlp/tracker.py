"""``ClaimTracker``: the claim / denial state machine the Faust agent calls. Pure: no Faust import.

State lives in two injected ``MutableMapping``s (a Faust table behaves like a dict):

* ``claims``: claim id -> ``ClaimRecord``;
* ``seen``: statement id -> ``SeenStatement`` (idempotency, and the pending buffer of negative
  statements in ``SeenStatement.pending``).

Values are pydantic models and are always re-assigned (``store[key] = value``) after a change, so a
Faust table sees the write. A small in-memory index of pending ids is rebuilt from ``seen`` on first
use (after a restart the table is the truth).

Rules (``process``):

1. A statement id already in ``seen`` emits nothing (idempotent replays).
2. The statement is matched to existing claims (``ClaimMatcher``) and its stance toward each
   candidate is decided (``StanceClassifier``).
3. ``deny`` / ``non_confirm`` toward a candidate whose match score passes the threshold emits a
   ``DenialDetected``, unless: the speaker is the narrator (reported silence is not a denial), the
   statement is one of the claim's own sources (same sentence), every source of the claim is in the
   statement's own article and has its speaker (``said_by``: a speaker does not deny what the same
   article has them say), the statement precedes the claim's first source in event time (by more than
   ``max_lead_seconds``), or it already alerted on that claim.
   The statement must be negative whatever the claim (its claim-independent stance: ``may_deny``);
   with ``model_denials`` a ``deny`` that the news stance model decided or corroborated toward the
   claim also counts, the narrator's included, when its sentence has a refuting word or a negation
   (``negative_toward``).
4. A ``support`` restatement with a high match joins the best claim as a new source (claims cluster
   across documents and outlets); otherwise an assertive statement the ``ClaimRecognizer`` accepts
   creates a claim (``claim_id = stable_id("claim", statement.event_id)``), unless it has a negation
   and ``negated_claims`` is off (an answer or background, not a report to watch).
5. Event time: ``first_seen_at`` is the earliest source's time and the claim text the earliest
   source's content; negative statements stay in a bounded pending buffer and are re-checked when a
   claim is created or gains a source, so the arrival order does not change the set of alerts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from schemas.alerts import AlertClaim, AlertStatement, ClaimSource, DenialDetected, Severity
from schemas.base import stable_id
from schemas.claims import ClaimEvidence, ClaimRecord, SeenStatement, TimelineEntry
from schemas.statements import StatementExtracted

from .claim_stance import refutes
from .claims import ClaimRecognizer, claim_source, describe_speaker, entities_in, weak_terms
from .embeddings import Embedder
from .matching import ClaimMatcher, MatchCandidate, MatchConfig, evidence_from
from .news_stance import states_refutation
from .stance import CueStanceClassifier, StanceClassifier, StanceDecision

logger = logging.getLogger(__name__)

NEGATIVE = ("deny", "non_confirm")
ELIGIBLE_DENIERS = ("person", "organisation", "anonymous", "author")


@dataclass(frozen=True)
class TrackerConfig:
    join_threshold: float = 0.55  # a supporting restatement joins the claim at or above this score
    narrator_join_threshold: float = 0.70  # narrator restatements must be near paraphrases
    deny_threshold: float = 0.40  # min match score for a deny alert
    non_confirm_threshold: float = 0.35  # min match score for a non-confirmation alert
    min_confidence: float = 0.45  # min stance confidence for an alert
    best_margin: float = 0.08  # a negative statement alerts claims within this of its best match only
    narrator_min_content_cosine: float = 0.70  # narrator restatements: raw cosine to a claim text
    min_content_cosine: float = 0.50  # attributed restatements: raw cosine of the quote to a claim text
    paraphrase_cosine: float = 0.60  # attributed restatements this close to an attributed claim always join
    max_lead_seconds: float = 0.0  # a denial may precede the claim's first source by at most this
    claim_horizon_seconds: float = 30 * 86400  # claims idle longer than this are not matched
    pending_horizon_seconds: float = 14 * 86400  # negative statements re-checked for this long
    max_pending: int = 2000
    max_evidence: int = 8
    max_timeline: int = 200  # timeline entries kept per claim (reader support dropped first)
    max_key_terms: int = 80
    max_entities: int = 40
    #: Denials the news stance model decided or corroborated alert even where the cue lexicon alone
    #: would not: an outlet's own-voice denial (a narrator ``deny`` the model agrees with), and a
    #: speaker's statement in which the cues found nothing negative without the claim. Such a
    #: denial depends on the claim, so it alerts only a claim already known when it arrives. Needs a
    #: news model trained on article sentences, as the bundled one is (docs/evaluation.md, "The news stance model").
    model_denials: bool = True
    #: Reader comments (and other posts by their author) alert; their alerts carry ``comment_severity``.
    comment_alerts: bool = True
    comment_severity: Severity = "low"
    #: Non-confirmations alert at most at this severity.
    non_confirm_max_severity: Severity = "medium"
    #: A negative statement alerts only the earliest claim among those it matches within ``best_margin``
    #: of its best match (a denial answers the report that started the story, not the background
    #: sentences and quotes that later became claims of their own); false: every claim in the margin.
    earliest_claim_only: bool = False
    #: Whether a sentence with a negation or a refuting word may found a claim ("I'm not going
    #: anywhere", "The records shown are not from our production systems" are answers, not reports).
    negated_claims: bool = True


@dataclass(frozen=True)
class StanceResult:
    statement_id: str
    claim_id: str
    decision: StanceDecision
    match: MatchCandidate


@dataclass
class TrackerOutput:
    statement_id: str
    duplicate: bool = False
    created: list[ClaimRecord] = field(default_factory=list)
    updated: list[ClaimRecord] = field(default_factory=list)
    stances: list[StanceResult] = field(default_factory=list)
    alerts: list[DenialDetected] = field(default_factory=list)
    touched: list[str] = field(default_factory=list)  # claims whose record (timeline) changed, merged ones included


SEVERITY_ORDER: tuple[Severity, ...] = ("low", "medium", "high")


def capped(severity: Severity, cap: Severity) -> Severity:
    return severity if SEVERITY_ORDER.index(severity) <= SEVERITY_ORDER.index(cap) else cap


def severity_for(stance: str, confidence: float, speaker_kind: str, match_score: float) -> Severity:
    """Named person / organisation > anonymous > comment author; deny > non_confirm (the tracker then
    applies ``TrackerConfig.non_confirm_max_severity`` and ``comment_severity``)."""
    kind_weight = {"person": 1.0, "organisation": 1.0, "anonymous": 0.75, "author": 0.4}.get(speaker_kind, 0.3)
    stance_weight = 1.0 if stance == "deny" else 0.8
    value = confidence * kind_weight * stance_weight * (0.6 + 0.4 * match_score)
    if value >= 0.5:
        return "high"
    if value >= 0.3:
        return "medium"
    return "low"


def distinct_sources(sources: list[ClaimSource]) -> list[ClaimSource]:
    """One entry per (outlet, speaker, document): several sentences of one source count once."""
    seen: set[tuple[str | None, str, str]] = set()
    out = []
    for source in sources:
        key = (source.outlet, source.speaker, source.document_id)
        if key not in seen:
            seen.add(key)
            out.append(source)
    return out


#: Words a report uses without negating it: "turning back anyone who arrives without a valid visa" (how),
#: "accused the West of not just supporting Kurdish militia but even IS" (not only ... but).
_NOT_NEGATING = re.compile(r"\bwithout\b|\bnot\s+(?:just|only|least)\b", re.IGNORECASE)


def _speaker_name(speaker: str) -> str:
    name = re.sub(r"\s*\(.*?\)", "", speaker).strip().lower()
    return re.sub(r"^(?:the|a|an)\s+", "", name)


def said_by(statement: StatementExtracted, evidence: ClaimEvidence) -> bool:
    """Whether ``evidence`` (a sentence of a claim) has the speaker of ``statement``: one name contains
    the other as whole words ("Tighe" and "Brendan Tighe", "police" and "a police spokeswoman")."""
    if "narrator" in (statement.attribution.speaker_kind, evidence.speaker_kind):
        return False
    a, b = sorted((_speaker_name(statement.attribution.speaker), _speaker_name(evidence.speaker)), key=len)
    return bool(a) and re.search(rf"\b{re.escape(a)}\b", b) is not None


def _human_lag(seconds: float) -> str:
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 3600:
        return f"{sign}{seconds / 60:.0f} min"
    if seconds < 86400 * 2:
        return f"{sign}{seconds / 3600:.1f} h"
    return f"{sign}{seconds / 86400:.1f} days"


MAX_ENTRY_TEXT = 600
CONFIRMERS = ("person", "organisation", "anonymous")


def shown_speaker(statement: StatementExtracted) -> str:
    """Who a reader is shown as having said it: the speaker, or the outlet for its own narration."""
    att = statement.attribution
    return att.speaker if att.speaker_kind != "narrator" else (statement.outlet or att.speaker)


def timeline_entry(
    kind: str, statement: StatementExtracted, *, confidence: float | None = None, alert_id: str | None = None
) -> TimelineEntry:
    att = statement.attribution
    text = statement.text if len(statement.text) <= MAX_ENTRY_TEXT else statement.text[: MAX_ENTRY_TEXT - 1] + "\u2026"
    return TimelineEntry(
        kind=kind,  # type: ignore[arg-type]
        statement_id=statement.event_id,
        text=text,
        speaker=shown_speaker(statement),
        speaker_kind=att.speaker_kind,
        outlet=statement.outlet,
        document_id=statement.document_id,
        document_kind=statement.document_kind,
        index=statement.index,
        occurred_at=statement.occurred_at,
        confidence=None if confidence is None else round(max(0.0, min(1.0, confidence)), 3),
        alert_id=alert_id,
    )


def merge_timeline(entries: list[TimelineEntry], cap: int) -> list[TimelineEntry]:
    """One entry per (kind, statement), event-time order, the earliest report labelled ``first_report``;
    past ``cap`` the oldest reader support goes first, then the oldest further sources."""
    unique: dict[tuple[str, str], TimelineEntry] = {}
    for entry in entries:
        if entry.kind == "first_report":  # relabelled below: an earlier report may have arrived
            entry = entry.model_copy(update={"kind": "source"})
        unique.setdefault((entry.kind, entry.statement_id), entry)
    ordered = sorted(unique.values(), key=lambda e: (e.occurred_at, e.document_id, e.index, e.kind))
    for i, entry in enumerate(ordered):
        if entry.kind == "source":
            ordered[i] = entry.model_copy(update={"kind": "first_report"})
            break
    for drop in ("support", "source"):
        while len(ordered) > cap and any(e.kind == drop for e in ordered):
            ordered.remove(next(e for e in ordered if e.kind == drop))
    return ordered[-cap:]


class ClaimTracker:
    def __init__(
        self,
        claims: MutableMapping[str, ClaimRecord],
        seen: MutableMapping[str, SeenStatement],
        *,
        embedder: Embedder | None = None,
        config: TrackerConfig | None = None,
        match_config: MatchConfig | None = None,
        stance: StanceClassifier | None = None,
        recognizer: ClaimRecognizer | None = None,
        matcher: ClaimMatcher | None = None,
    ) -> None:
        self.claims = claims
        self.seen = seen
        self.config = config or TrackerConfig()
        self.matcher = matcher or ClaimMatcher(embedder, match_config)
        self.stance = stance or CueStanceClassifier()
        self.recognizer = recognizer or ClaimRecognizer()
        self._pending_ids: set[str] | None = None
        self._watermark: datetime | None = None

    def forget(self) -> None:
        """Drop the in-memory indexes (the tables moved between workers, or writes were dropped: they
        are rebuilt on use)."""
        self._pending_ids = None
        self.matcher.forget()

    # -- pending buffer --------------------------------------------------------------------------

    def _pending(self) -> set[str]:
        if self._pending_ids is None:
            self._pending_ids = {k for k, v in self.seen.items() if v.pending is not None}
        return self._pending_ids

    def _add_pending(self, statement: StatementExtracted, mark: SeenStatement) -> SeenStatement:
        pending = self._pending()
        mark = mark.model_copy(update={"pending": statement})
        pending.add(statement.event_id)
        self._expire_pending(extra=mark)
        return mark

    def _drop_pending(self, statement_id: str) -> None:
        self._pending().discard(statement_id)
        mark = self.seen.get(statement_id)
        if mark is not None and mark.pending is not None:
            self.seen[statement_id] = mark.model_copy(update={"pending": None})

    def _expire_pending(self, extra: SeenStatement | None = None) -> None:
        pending = self._pending()
        if self._watermark is None:
            return
        horizon = self._watermark - timedelta(seconds=self.config.pending_horizon_seconds)
        entries: list[tuple[datetime, str]] = []
        for sid in list(pending):
            mark = extra if extra is not None and extra.statement_id == sid else self.seen.get(sid)
            if mark is None or mark.pending is None:
                pending.discard(sid)
                continue
            if mark.occurred_at < horizon:
                logger.debug("pending statement %s expired", sid)
                self._drop_pending(sid)
                continue
            entries.append((mark.occurred_at, sid))
        overflow = len(entries) - self.config.max_pending
        if overflow > 0:
            for _, sid in sorted(entries)[:overflow]:
                logger.info("pending buffer full: dropping %s", sid)
                if extra is not None and sid == extra.statement_id:
                    pending.discard(sid)
                else:
                    self._drop_pending(sid)

    # -- claims --------------------------------------------------------------------------------------

    def _live_claims(self, at: datetime) -> list[ClaimRecord]:
        horizon = timedelta(seconds=self.config.claim_horizon_seconds)
        return [
            c for c in self.claims.values()
            if c.merged_into is None and (abs(at - c.last_seen_at) <= horizon or c.first_seen_at >= at)
        ]

    def resolve(self, claim_id: str) -> str:
        """The live claim id for ``claim_id`` (follows ``merged_into`` after merges)."""
        seen: set[str] = set()
        while claim_id not in seen:
            seen.add(claim_id)
            record = self.claims.get(claim_id)
            if record is None or record.merged_into is None:
                return claim_id
            claim_id = record.merged_into
        return claim_id

    def _merge(self, survivor_id: str, other_id: str) -> ClaimRecord:
        """Merge claim ``other_id`` into ``survivor_id`` (a statement bridged the two); ``other`` becomes a tombstone."""
        cfg = self.config
        a, b = self.claims[survivor_id], self.claims[other_id]
        evidence = sorted(a.evidence + b.evidence, key=lambda e: (e.occurred_at, e.document_id, e.index))[: cfg.max_evidence]
        order = {e.statement_id: e.index for e in a.evidence + b.evidence}
        sources = sorted(a.sources + b.sources,
                         key=lambda s: (s.occurred_at or a.first_seen_at, s.document_id,
                                        order.get(s.statement_id or "", 10**6), s.statement_id or ""))
        merged = a.model_copy(update={
            "text": evidence[0].text if evidence else a.text,
            "first_seen_at": min(a.first_seen_at, b.first_seen_at),
            "last_seen_at": max(a.last_seen_at, b.last_seen_at),
            "sources": sources,
            "evidence": evidence,
            "key_terms": list(dict.fromkeys(a.key_terms + b.key_terms))[: cfg.max_key_terms],
            "entities": list(dict.fromkeys(a.entities + b.entities))[: cfg.max_entities],
            "statement_ids": list(dict.fromkeys(a.statement_ids + b.statement_ids)),
            "alerted_statement_ids": list(dict.fromkeys(a.alerted_statement_ids + b.alerted_statement_ids)),
            "timeline": merge_timeline(a.timeline + b.timeline, cfg.max_timeline),
        })
        self.claims[survivor_id] = merged
        self.claims[other_id] = b.model_copy(update={
            "merged_into": survivor_id, "evidence": [], "key_terms": [], "entities": [],
        })
        logger.info("claim %s merged into %s", other_id, survivor_id)
        return merged

    def create_claim(
        self, statement: StatementExtracted, text: str, terms: list[str], entities: list[str],
        statement_ids: list[str] | None = None,
    ) -> ClaimRecord:
        """Record a new claim first seen in ``statement`` (``statement_ids``: every statement it spans)."""
        cfg = self.config
        claim_id = stable_id("claim", statement.event_id)
        speaker = describe_speaker(statement.attribution, statement.outlet)
        (embedding,) = self.matcher.embed([text])
        record = ClaimRecord(
            claim_id=claim_id,
            text=text,
            first_seen_at=statement.occurred_at,
            last_seen_at=statement.occurred_at,
            origin_statement_id=statement.event_id,
            sources=[claim_source(statement)],
            evidence=[evidence_from(statement, text, terms, embedding, speaker)],
            key_terms=terms[: cfg.max_key_terms],
            entities=entities[: cfg.max_entities],
            statement_ids=statement_ids or [statement.event_id],
            timeline=[timeline_entry("first_report", statement)],
        )
        self.claims[claim_id] = record
        logger.info("claim %s created from %s: %r", claim_id, statement.event_id, text[:80])
        return record

    def _join_claim(self, claim: ClaimRecord, statement: StatementExtracted) -> ClaimRecord:
        cfg = self.config
        text = self.recognizer.claim_text(statement)
        from .claims import key_terms

        terms = key_terms(text)
        speaker = describe_speaker(statement.attribution, statement.outlet)
        evidence = list(claim.evidence)
        order = {e.statement_id: e.index for e in evidence} | {statement.event_id: statement.index}
        sources = list(claim.sources) + [claim_source(statement)]
        sources.sort(key=lambda s: (s.occurred_at or claim.first_seen_at, s.document_id,
                                    order.get(s.statement_id or "", 10**6), s.statement_id or ""))
        if len(evidence) < cfg.max_evidence or statement.occurred_at < max(e.occurred_at for e in evidence):
            (embedding,) = self.matcher.embed([text])
            evidence.append(evidence_from(statement, text, terms, embedding, speaker))
            evidence.sort(key=lambda e: (e.occurred_at, e.document_id, e.index))
            evidence = evidence[: cfg.max_evidence]
        first = min(claim.first_seen_at, statement.occurred_at)
        earliest = evidence[0] if evidence else None
        updated = claim.model_copy(
            update={
                "text": earliest.text if earliest is not None else claim.text,
                "first_seen_at": first,
                "last_seen_at": max(claim.last_seen_at, statement.occurred_at),
                "sources": sources,
                "evidence": evidence,
                "key_terms": list(dict.fromkeys(claim.key_terms + terms))[: cfg.max_key_terms],
                "entities": list(dict.fromkeys(claim.entities + entities_in(statement)))[: cfg.max_entities],
                "statement_ids": claim.statement_ids + [statement.event_id],
                "timeline": self._timeline_with(claim, timeline_entry("source", statement)),
            }
        )
        self.claims[claim.claim_id] = updated
        logger.info("statement %s joins claim %s (%d sources)", statement.event_id, claim.claim_id, len(sources))
        return updated

    # -- alerts --------------------------------------------------------------------------------------

    def _can_join(self, statement: StatementExtracted, cand: MatchCandidate) -> bool:
        cfg = self.config
        if statement.document_kind != "article":
            return False
        if not set(cand.shared_terms) - weak_terms(statement):
            # Sharing only places or dates ("Russia", "Wednesday") is not restating the same event.
            return False
        claim = self.claims[cand.claim_id]
        narrator_claim = all(e.speaker_kind == "narrator" for e in claim.evidence)
        if statement.attribution.speaker_kind == "narrator" or narrator_claim:
            # The outlet's own narration (background) and a speaker's claim are different claims unless
            # they are near paraphrases.
            return cand.score >= cfg.narrator_join_threshold and cand.content_similarity >= cfg.narrator_min_content_cosine
        if cand.content_similarity >= cfg.paraphrase_cosine:
            return True  # a paraphrase of an attributed claim joins it across documents and outlets
        return cand.score >= cfg.join_threshold and cand.content_similarity >= cfg.min_content_cosine

    def _timeline_with(self, claim: ClaimRecord, entry: TimelineEntry) -> list[TimelineEntry]:
        return merge_timeline(claim.timeline + [entry], self.config.max_timeline)

    def _can_support(
        self, statement: StatementExtracted, claim: ClaimRecord, match: MatchCandidate, decision: StanceDecision
    ) -> bool:
        """Whether a supporting statement that does not join ``claim`` goes on its timeline."""
        cfg = self.config
        if statement.attribution.speaker_kind not in ELIGIBLE_DENIERS or statement.event_id in claim.statement_ids:
            return False
        if match.score < cfg.join_threshold or decision.confidence < cfg.min_confidence:
            return False
        return (statement.occurred_at - claim.first_seen_at).total_seconds() >= -cfg.max_lead_seconds

    def _record_support(self, statement: StatementExtracted, claim_id: str, decision: StanceDecision) -> None:
        """A named speaker's explicit confirmation ("X confirmed ...") confirms; anything else supports."""
        explicit = any(c.startswith("confirm verb") for c in decision.cues)
        kind = "confirmation" if explicit and statement.attribution.speaker_kind in CONFIRMERS else "support"
        claim = self.claims[claim_id]
        entry = timeline_entry(kind, statement, confidence=decision.confidence)
        self.claims[claim_id] = claim.model_copy(update={"timeline": self._timeline_with(claim, entry)})
        logger.info("statement %s: %s of claim %s", statement.event_id, kind, claim_id)

    @staticmethod
    def may_deny(statement: StatementExtracted, base: StanceDecision) -> bool:
        """Whether a statement is negative whatever the claim: its claim-independent stance (``base``)
        is ``deny``/``non_confirm`` and its speaker is one who can deny (not the narrator). Such a
        statement neither founds nor joins a claim, and waits in the pending buffer for claims."""
        return base.stance in NEGATIVE and statement.attribution.speaker_kind in ELIGIBLE_DENIERS

    def negative_toward(self, statement: StatementExtracted, base: StanceDecision, decision: StanceDecision) -> bool:
        """Whether ``decision`` (toward one claim) is a denial the tracker acts on: the statement is
        negative whatever the claim (``may_deny``), or, with ``model_denials``, the news stance model
        decided or corroborated a ``deny`` by an eligible speaker or by the outlet itself (narrator),
        in a sentence that says in words that something is false or did not happen
        (``news_stance.states_refutation``). The narrator's cue-only negations stay background ("no
        match for Ebola", "there was no confirmation"): reporting, not a denial."""
        if decision.stance not in NEGATIVE:
            return False
        kind = statement.attribution.speaker_kind
        if "pair" in decision.models:
            # The claim stance model decided it toward this claim: any speaker who can deny, or the
            # outlet itself when its sentence says in words that something is false or did not happen.
            return kind in ELIGIBLE_DENIERS or (kind == "narrator" and decision.stance == "deny"
                                                and self.config.model_denials and states_refutation(statement.text))
        if self.may_deny(statement, base):
            return True
        return (self.config.model_denials and decision.stance == "deny" and "news" in decision.models
                and (kind in ELIGIBLE_DENIERS or kind == "narrator") and states_refutation(statement.text))

    def would_alert(self, statement: StatementExtracted, claim: ClaimRecord, match: MatchCandidate,
                    decision: StanceDecision, base: StanceDecision) -> bool:
        """Whether ``process`` would alert ``claim`` on ``statement``, given its decision toward the
        claim and its claim-independent ``base`` decision (for the evaluators: the stance decision
        is what they score, this is what reaches the ``alerts`` topic). The best-match margin
        between several claims is not applied: the evaluators ask about one claim."""
        return self.negative_toward(statement, base, decision) and self._eligible(statement, claim, match, decision)

    def _eligible(
        self, statement: StatementExtracted, claim: ClaimRecord, match: MatchCandidate, decision: StanceDecision
    ) -> bool:
        """Whether ``decision`` on ``claim`` may alert (before the best-match margin), once the statement
        is known to be negative toward it (``negative_toward``)."""
        cfg = self.config
        if decision.stance not in NEGATIVE:
            return False
        if statement.document_kind == "comment" and not cfg.comment_alerts:
            return False
        if statement.event_id in claim.statement_ids or statement.event_id in claim.alerted_statement_ids:
            return False
        if decision.stance == "non_confirm" and all(e.speaker_kind == "narrator" for e in claim.evidence):
            return False  # one does not "decline to confirm" the outlet's own background narration
        threshold = cfg.deny_threshold if decision.stance == "deny" else cfg.non_confirm_threshold
        if match.score < threshold or decision.confidence < cfg.min_confidence:
            return False
        if claim.evidence and all(e.document_id == statement.document_id for e in claim.evidence):
            if all(e.index > statement.index for e in claim.evidence):
                return False  # a statement answers what came before it, not a claim its own article makes later
            if all(said_by(statement, e) for e in claim.evidence):
                return False  # a speaker does not deny, in one article, what the same article has them say
        lag = (statement.occurred_at - claim.first_seen_at).total_seconds()
        # A statement before the claim's first source is re-checked from the pending buffer if an
        # earlier source arrives.
        return lag >= -cfg.max_lead_seconds

    def _severity(self, statement: StatementExtracted, decision: StanceDecision, match: MatchCandidate) -> Severity:
        cfg = self.config
        if statement.document_kind == "comment":
            return cfg.comment_severity
        severity = severity_for(decision.stance, decision.confidence, statement.attribution.speaker_kind, match.score)
        return capped(severity, cfg.non_confirm_max_severity) if decision.stance == "non_confirm" else severity

    def _try_alert(
        self, statement: StatementExtracted, claim: ClaimRecord, match: MatchCandidate, decision: StanceDecision
    ) -> DenialDetected | None:
        if not self._eligible(statement, claim, match, decision):
            return None
        lag = (statement.occurred_at - claim.first_seen_at).total_seconds()
        alert_id = stable_id("alert", claim.claim_id, statement.event_id)
        att = statement.attribution
        speaker = describe_speaker(att, statement.outlet)
        verb = "denies" if decision.stance == "deny" else "does not confirm"
        first_source = claim.sources[0] if claim.sources else None
        origin = f" first reported by {first_source.speaker}" if first_source else ""
        explanation = (
            f'{speaker} {verb} the claim "{claim.text}"{origin} ({_human_lag(lag)} later): '
            f"{decision.explanation}; match {match.score:.2f} ({'; '.join(match.reasons)})"
        )
        alert = DenialDetected(
            event_id=alert_id,
            occurred_at=statement.occurred_at,
            source=statement.source,
            alert_id=alert_id,
            claim=AlertClaim(claim_id=claim.claim_id, text=claim.text, first_seen_at=claim.first_seen_at,
                             sources=distinct_sources(claim.sources), entities=list(claim.entities)),
            denial=AlertStatement(
                statement_id=statement.event_id,
                text=statement.text,
                quote=att.content if att.content and att.content != statement.text else "",
                speaker=shown_speaker(statement),
                speaker_kind=att.speaker_kind,
                speaker_org=att.speaker_org,
                document_id=statement.document_id,
                document_kind=statement.document_kind,
                outlet=statement.outlet,
                char_start=statement.char_start,
                char_end=statement.char_end,
                occurred_at=statement.occurred_at,
                entities=entities_in(statement),
            ),
            stance=decision.stance,  # type: ignore[arg-type]
            confidence=max(0.0, min(1.0, decision.confidence)),
            lag_seconds=lag,
            explanation=explanation,
            severity=self._severity(statement, decision, match),
            match_score=max(0.0, min(1.0, match.score)),
            match_reasons=list(match.reasons),
        )
        entry = timeline_entry(decision.stance, statement, confidence=decision.confidence, alert_id=alert_id)
        self.claims[claim.claim_id] = claim.model_copy(
            update={
                "alerted_statement_ids": claim.alerted_statement_ids + [statement.event_id],
                "timeline": self._timeline_with(claim, entry),
            }
        )
        logger.info("alert %s: %s %s claim %s", alert_id, speaker, decision.stance, claim.claim_id)
        return alert

    def _recheck_pending(self, claim_id: str, out: TrackerOutput) -> None:
        """Re-check buffered negative statements against a claim that was created or gained a source."""
        cfg = self.config
        for sid in sorted(self._pending()):
            mark = self.seen.get(sid)
            if mark is None or mark.pending is None:
                continue
            statement = mark.pending
            claim = self.claims[claim_id]
            match = self.matcher.score(statement, claim)
            if match.score < self.matcher.config.min_score:
                continue
            decision = self.stance.classify(statement, claim, relatedness=match.score)
            out.stances.append(StanceResult(sid, claim_id, decision, match))
            # Only statements negative whatever the claim wait here (``may_deny``: a speaker who can deny,
            # so a claim stance model decision on them is one ``negative_toward`` accepts).
            if not self._eligible(statement, claim, match, decision):
                continue
            if match.score < mark.best_match - cfg.best_margin:
                continue
            if cfg.earliest_claim_only and any(
                    c in self.claims and self.claims[c].first_seen_at <= claim.first_seen_at for c in mark.claim_ids):
                continue  # it already answers an earlier claim
            alert = self._try_alert(statement, claim, match, decision)
            if alert is not None:
                out.alerts.append(alert)
                mark = mark.model_copy(update={"claim_ids": mark.claim_ids + [claim_id],
                                               "best_match": max(mark.best_match, match.score)})
                self.seen[sid] = mark

    # -- public --------------------------------------------------------------------------------------

    def process(self, statement: StatementExtracted) -> TrackerOutput:
        """Process one statement (see the module docstring for the rules)."""
        cfg = self.config
        sid = statement.event_id
        out = TrackerOutput(statement_id=sid)
        if sid in self.seen:
            out.duplicate = True
            return out
        self.matcher.prime(statement)  # vectors computed at enrichment, when the statement carries them
        if self._watermark is None or statement.occurred_at > self._watermark:
            self._watermark = statement.occurred_at
        base = self.stance.classify(statement, None)
        negative = self.may_deny(statement, base)
        feats = self.matcher.features(statement)
        candidates = self.matcher.match(statement, self._live_claims(statement.occurred_at), feats)
        mark = SeenStatement(statement_id=sid, occurred_at=statement.occurred_at, outcome="none")
        join_targets: list[tuple[MatchCandidate, ClaimRecord]] = []
        negatives: list[tuple[MatchCandidate, ClaimRecord, StanceDecision]] = []
        supports: list[tuple[MatchCandidate, ClaimRecord, StanceDecision]] = []
        contradicts = False  # negative toward some candidate, whether or not it may alert it
        for cand in candidates:
            claim = self.claims[cand.claim_id]
            decision = self.stance.classify(statement, claim, relatedness=cand.score)
            out.stances.append(StanceResult(sid, claim.claim_id, decision, cand))
            if self.negative_toward(statement, base, decision):
                contradicts = True
                if self._eligible(statement, claim, cand, decision):
                    negatives.append((cand, claim, decision))
            elif decision.stance == "support" and base.stance not in NEGATIVE + ("query",):
                if self._can_join(statement, cand):
                    join_targets.append((cand, claim))
                elif self._can_support(statement, claim, cand, decision):
                    supports.append((cand, claim, decision))
        if negatives:
            best = max(c.score for c, _, _ in negatives)
            mark = mark.model_copy(update={"best_match": best})
            within = [n for n in negatives if n[0].score >= best - cfg.best_margin]
            if cfg.earliest_claim_only and within:
                earliest = min(within, key=lambda n: (n[1].first_seen_at, -n[0].score, n[1].claim_id))
                within = [earliest]
            for cand, claim, decision in within:
                alert = self._try_alert(statement, self.claims[claim.claim_id], cand, decision)
                if alert is not None:
                    out.alerts.append(alert)
                    mark = mark.model_copy(update={"claim_ids": mark.claim_ids + [claim.claim_id]})
        if negative:
            mark = mark.model_copy(update={"outcome": "negative"})
            mark = self._add_pending(statement, mark)
        elif contradicts:
            # A denial of a known claim that the cues alone did not see (``model_denials``, the claim
            # stance model): it does not found or join a claim, even when its match is too weak to
            # alert ("X is alive and well, her agent said" never founds a rival claim), and, being
            # claim-dependent, is not buffered.
            mark = mark.model_copy(update={"outcome": "negative"})
        elif join_targets:
            updated = self._join_claim(join_targets[0][1], statement)
            # The statement restates several claims: they are one claim (clusters built in another
            # arrival order would have been joined already).
            for _, other in join_targets[1:]:
                updated = self._merge(updated.claim_id, other.claim_id)
                out.touched.append(other.claim_id)
            out.updated.append(updated)
            mark = mark.model_copy(update={"outcome": "joined", "claim_ids": [updated.claim_id]})
            self.seen[sid] = mark
            self._recheck_pending(updated.claim_id, out)
        else:
            opinion = any(c.startswith(("evaluative", "reservation")) for c in base.cues)
            candidate = self.recognizer.recognise(statement, base.stance, opinion=opinion)
            if candidate is not None and not cfg.negated_claims and refutes(_NOT_NEGATING.sub("", candidate.text)):
                candidate = None  # a negated assertion is a denial or background, not a claim to watch
            if candidate is not None:
                record = self.create_claim(statement, candidate.text, candidate.key_terms, candidate.entities)
                out.created.append(record)
                mark = mark.model_copy(update={"outcome": "created", "claim_ids": [record.claim_id]})
                self.seen[sid] = mark
                self._recheck_pending(record.claim_id, out)
        if supports and not join_targets and not negatives:
            best = max(c.score for c, _, _ in supports)
            for cand, claim, decision in supports:
                if cand.score >= best - cfg.best_margin:
                    self._record_support(statement, cand.claim_id, decision)
                    out.touched.append(cand.claim_id)
        self.seen[sid] = mark
        out.touched = list(dict.fromkeys(
            [c.claim_id for c in out.created + out.updated] + [a.claim.claim_id for a in out.alerts] + out.touched
        ))
        if out.updated or out.created:
            # Report the final state of touched claims (alerts may have updated them).
            out.updated = [self.claims[c.claim_id] for c in out.updated]
            out.created = [self.claims[c.claim_id] for c in out.created]
        return out
