"""Match a statement to earlier claims.

The score in [0, 1] is a weighted sum of components, each in [0, 1]:

* ``content``: embedding cosine between the statement's content span and the claim's evidence texts
  (max over evidence), rescaled from [cos_floor, cos_ceil] to [0, 1];
* ``context``: the same for the sentence with its ``context_before`` (short, anaphoric quotes such as
  "News talking about their approval ... is incorrect." get their topic from the previous sentence);
* ``terms``: key-term overlap (light synonyms: ceasefire/truce/cease-fire, plan/proposal/deal/
  agreement; place names count half), content terms first, sentence terms at a discount;
* ``entities``: exact (normalised) named-entity string overlap;
* ``speaker``: the statement's speaker shares a distinctive token with a claim source ("Anadolu");
* ``document``: same-document prior, higher for nearby sentences; a comment under the article that
  reports the claim gets a smaller prior;
* ``time``: proximity in event time (half-life).

Statements whose content carries little information (few key terms: "he could not answer on an issue
...") shift the content weight to context and document: they are anaphoric and their topic comes from
around them. All weights and thresholds are parameters (``MatchConfig``), they become settings.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from schemas.claims import ClaimEvidence, ClaimRecord
from schemas.statements import StatementExtracted

from .claims import entities_in, key_terms, speaker_tokens, weak_terms
from .embeddings import Embedder
from .vectors import content_text, context_text, prime

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MatchConfig:
    w_content: float = 0.30
    w_context: float = 0.12
    w_terms: float = 0.23
    w_entities: float = 0.05
    w_speaker: float = 0.05
    w_document: float = 0.20
    w_time: float = 0.05
    cos_floor: float = 0.15
    cos_ceil: float = 0.75
    term_norm: float = 4.0  # shared-term weight that counts as full overlap (divided by min(|S|, term_norm))
    sentence_term_discount: float = 0.6
    informative_terms: float = 4.0  # content with fewer non-place terms is treated as (partly) anaphoric
    proximity_scale: float = 6.0  # sentences
    comment_document_prior: float = 0.3
    time_half_life_hours: float = 72.0
    min_score: float = 0.2  # candidates below are not returned
    top_k: int = 5


@dataclass(frozen=True)
class StatementFeatures:
    """What the matcher derives from a statement once (reused across claims)."""

    content: str
    content_terms: list[str]
    sentence_terms: list[str]
    weak_terms: frozenset[str]
    entities: frozenset[str]
    speaker_tokens: frozenset[str]
    content_vec: np.ndarray | None
    context_vec: np.ndarray | None
    mentions: frozenset[str] = frozenset()  # @handles the statement (or its comment) addresses, lower-cased


@dataclass(frozen=True)
class MatchCandidate:
    claim_id: str
    score: float
    components: dict[str, float] = field(default_factory=dict)
    content_similarity: float = 0.0
    context_similarity: float = 0.0
    shared_terms: list[str] = field(default_factory=list)
    shared_entities: list[str] = field(default_factory=list)
    same_document: bool = False
    sentence_distance: int | None = None
    hours_apart: float = 0.0
    reasons: list[str] = field(default_factory=list)


def _rescale(value: float, lo: float, hi: float) -> float:
    return float(min(1.0, max(0.0, (value - lo) / (hi - lo))))


class ClaimMatcher:
    """Scores statements against claims; ``embedder=None`` disables the embedding components."""

    def __init__(self, embedder: Embedder | None = None, config: MatchConfig | None = None) -> None:
        self.embedder = embedder
        self.config = config or MatchConfig()
        self._evidence_cache: dict[tuple[str, int], np.ndarray] = {}

    # -- embeddings ------------------------------------------------------------------------------

    def embed(self, texts: list[str]) -> list[list[float]]:
        if self.embedder is None or not texts:
            return [[] for _ in texts]
        return [[round(float(x), 4) for x in row] for row in self.embedder.encode(texts)]

    def _evidence_matrix(self, claim: ClaimRecord) -> np.ndarray | None:
        key = (claim.claim_id, len(claim.evidence))
        hit = self._evidence_cache.get(key)
        if hit is not None:
            return hit
        rows = [e.embedding for e in claim.evidence if e.embedding]
        if not rows:
            return None
        matrix = np.asarray(rows, dtype=np.float32)
        matrix /= np.clip(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12, None)
        if len(self._evidence_cache) > 50_000:
            self._evidence_cache.clear()
        self._evidence_cache[key] = matrix
        return matrix

    # -- features --------------------------------------------------------------------------------

    def forget(self) -> None:
        """Drop the cached evidence matrices (claims may have changed behind the matcher's back)."""
        self._evidence_cache.clear()

    def prime(self, statement: StatementExtracted) -> int:
        """Use the vectors enrichment computed for ``statement`` (``streams/nlp/vectors.py``)."""
        return prime(self.embedder, statement) if self.embedder is not None else 0

    def features(self, statement: StatementExtracted) -> StatementFeatures:
        att = statement.attribution
        content = content_text(statement)
        context = context_text(statement)
        content_vec = context_vec = None
        if self.embedder is not None:
            vecs = self.embedder.encode([content, context])
            content_vec, context_vec = vecs[0], vecs[1]
        return StatementFeatures(
            content=content,
            content_terms=key_terms(content),
            sentence_terms=key_terms(statement.text),
            weak_terms=weak_terms(statement),
            entities=frozenset(entities_in(statement)),
            speaker_tokens=frozenset(speaker_tokens(att)) if att.speaker_kind not in ("narrator", "author") else frozenset(),
            content_vec=content_vec,
            context_vec=context_vec,
            mentions=frozenset(m.lower() for m in _MENTION.findall(f"{statement.context_before} {statement.text}"))
            if statement.document_kind == "comment" else frozenset(),
        )

    # -- scoring ---------------------------------------------------------------------------------

    def _term_overlap(self, terms: list[str], claim_terms: set[str], weak: frozenset[str]) -> tuple[float, list[str]]:
        if not terms:
            return 0.0, []
        shared = [t for t in terms if t in claim_terms]
        weight = sum(0.5 if t in weak else 1.0 for t in shared)
        norm = min(sum(0.5 if t in weak else 1.0 for t in terms), self.config.term_norm)
        return (min(1.0, weight / norm) if norm > 0 else 0.0), shared

    def score(self, statement: StatementExtracted, claim: ClaimRecord, feats: StatementFeatures | None = None) -> MatchCandidate:
        cfg = self.config
        f = feats or self.features(statement)
        reasons: list[str] = []
        comp: dict[str, float] = {}

        # Embeddings.
        content_sim = context_sim = 0.0
        matrix = self._evidence_matrix(claim)
        if matrix is not None and f.content_vec is not None and f.context_vec is not None:
            content_sim = float(np.max(matrix @ f.content_vec))
            context_sim = float(np.max(matrix @ f.context_vec))
        comp["content"] = _rescale(content_sim, cfg.cos_floor, cfg.cos_ceil)
        comp["context"] = _rescale(context_sim, cfg.cos_floor, cfg.cos_ceil)
        if content_sim or context_sim:
            reasons.append(f"embedding cosine {content_sim:.2f} (quote) / {context_sim:.2f} (sentence with context)")

        # Terms.
        claim_terms = set(claim.key_terms)
        t_content, shared_c = self._term_overlap(f.content_terms, claim_terms, f.weak_terms)
        t_sentence, shared_s = self._term_overlap(f.sentence_terms, claim_terms, f.weak_terms)
        comp["terms"] = max(t_content, cfg.sentence_term_discount * t_sentence)
        shared_terms = list(dict.fromkeys(shared_c + shared_s))
        if shared_terms:
            reasons.append(f"shared key terms: {', '.join(shared_terms)}")

        # Entities.
        shared_entities = sorted(f.entities & set(claim.entities))
        comp["entities"] = min(1.0, len(shared_entities) / 2.0)
        if shared_entities:
            reasons.append(f"shared entities: {', '.join(shared_entities)}")

        # Speaker.
        speakers: set[str] = set()
        for ev in claim.evidence:
            speakers.update(_speaker_tokens_text(ev.speaker))
        shared_speaker = sorted(f.speaker_tokens & speakers)
        comp["speaker"] = 1.0 if shared_speaker else 0.0
        if shared_speaker:
            reasons.append(f"same claimant ({', '.join(shared_speaker)})")

        # Document prior and sentence proximity.
        same_doc = [ev for ev in claim.evidence if ev.document_id == statement.document_id]
        distance: int | None = None
        if same_doc:
            distance = min(abs(ev.index - statement.index) for ev in same_doc)
            comp["document"] = 0.5 + 0.5 * math.exp(-distance / cfg.proximity_scale)
            reasons.append(f"same document ({distance} sentence{'s' if distance != 1 else ''} from a source)")
        elif statement.document_kind == "comment" and any(ev.document_id == statement.article_id for ev in claim.evidence):
            comp["document"] = cfg.comment_document_prior
            reasons.append("comment under an article that reports the claim")
        elif f.mentions and (addressed := sorted(f.mentions & claim_handles(claim))):
            # A reply addressed to the account that made the claim ("@acct this is fake"), seen without
            # its thread: as good a link as a comment under the article.
            comp["document"] = cfg.comment_document_prior
            reasons.append(f"addressed to the claim's source ({', '.join(addressed)})")
        else:
            comp["document"] = 0.0

        # Time.
        hours = min(abs((statement.occurred_at - ev.occurred_at).total_seconds()) / 3600.0 for ev in claim.evidence) \
            if claim.evidence else abs((statement.occurred_at - claim.first_seen_at).total_seconds()) / 3600.0
        comp["time"] = 0.5 ** (hours / cfg.time_half_life_hours)
        reasons.append(f"{hours:.1f} h from the nearest source")

        # Anaphoric content: move the content weights to context and document.
        informative = sum(0.5 if t in f.weak_terms else 1.0 for t in f.content_terms)
        info = min(1.0, informative / cfg.informative_terms)
        w_content = cfg.w_content * info
        moved = cfg.w_content - w_content
        weights = {
            "content": w_content,
            "context": cfg.w_context + moved * 0.5,
            "terms": cfg.w_terms,
            "entities": cfg.w_entities,
            "speaker": cfg.w_speaker,
            "document": cfg.w_document + moved * 0.5,
            "time": cfg.w_time,
        }
        total = sum(weights.values())
        score = sum(weights[k] * comp[k] for k in weights) / total
        return MatchCandidate(
            claim_id=claim.claim_id,
            score=round(float(min(1.0, max(0.0, score))), 4),
            components={k: round(v, 3) for k, v in comp.items()},
            content_similarity=round(content_sim, 4),
            context_similarity=round(context_sim, 4),
            shared_terms=shared_terms,
            shared_entities=shared_entities,
            same_document=bool(same_doc),
            sentence_distance=distance,
            hours_apart=round(hours, 2),
            reasons=reasons,
        )

    def match(
        self, statement: StatementExtracted, claims: Iterable[ClaimRecord], feats: StatementFeatures | None = None
    ) -> list[MatchCandidate]:
        """Ranked candidates (best first) with ``score >= config.min_score``, at most ``config.top_k``."""
        f = feats or self.features(statement)
        out = [self.score(statement, claim, f) for claim in claims]
        out = [c for c in out if c.score >= self.config.min_score]
        out.sort(key=lambda c: (-c.score, c.claim_id))
        return out[: self.config.top_k]


_MENTION = re.compile(r"(?<![\w@])@\w{1,30}")


def claim_handles(claim: ClaimRecord) -> set[str]:
    """The @handles among the speakers of a claim's sources and the accounts that posted them,
    lower-cased. Every evidence entry is also a source, and sources are all kept (evidence only the
    earliest few): a story that many accounts posted is addressed through any of them."""
    return {m.lower() for src in claim.sources for m in _MENTION.findall(f"{src.speaker} {src.author or ''}")}


def _speaker_tokens_text(text: str) -> set[str]:
    from schemas.statements import Attribution

    return speaker_tokens(Attribution(speaker=text, speaker_kind="person"))


def evidence_from(statement: StatementExtracted, text: str, terms: list[str], embedding: list[float], speaker: str) -> ClaimEvidence:
    return ClaimEvidence(
        statement_id=statement.event_id,
        document_id=statement.document_id,
        article_id=statement.article_id,
        document_kind=statement.document_kind,
        index=statement.index,
        occurred_at=statement.occurred_at,
        speaker=speaker,
        speaker_kind=statement.attribution.speaker_kind,
        text=text,
        terms=terms,
        embedding=embedding,
    )
