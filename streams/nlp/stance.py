"""Stance of a statement toward a claim: deny, non_confirm, support, query or comment.

``StanceClassifier`` is the interface (a trained model replaces or augments the cue-based
implementation later). ``CueStanceClassifier`` is transparent: every decision lists the cues it
fired on, in words.

Cues are evaluated on the *attributed content span* (``statement.attribution.content``), not the
whole sentence, so in "Erdogan made no reference to the plan, while Peskov said he could not answer
..." only Peskov's clause counts. Two exceptions, both documented in ``StanceLexicon``: the
reporting verb itself (``deny``, ``refute``; ``reject``/``dismiss`` only with a report-like object),
and silence cues in the reporting frame of an attributed speaker ("... but did not comment about the
possibility of a cease-fire").

Relation to the claim: a denial must be *about* the claim. Falsity predicates and denial verbs need
term overlap between the content and the claim's key terms (or a relatedness hint from the matcher);
negated existence ("there was no agreement") needs the negated clause to share a key term with the
claim. Non-confirmations ("could not answer on an issue ...") are anaphoric, so they rely on the
matcher's score (``relatedness``) instead.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Protocol

from schemas.alerts import Stance
from schemas.claims import ClaimRecord
from schemas.statements import StatementExtracted

from .claims import describe_speaker, key_terms, weak_terms

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StanceDecision:
    stance: Stance
    confidence: float
    cues: list[str] = field(default_factory=list)
    explanation: str = ""
    #: The trained models whose verdict the decision carries: ``"reply"`` (the reply stance model),
    #: ``"news"`` (the news stance model); empty for the cue lexicon alone.
    models: tuple[str, ...] = ()


class StanceClassifier(Protocol):
    def classify(
        self, statement: StatementExtracted, claim: ClaimRecord | None = None, *, relatedness: float | None = None
    ) -> StanceDecision:
        """Stance of ``statement`` toward ``claim`` (``None``: claim-independent, "could it be negative?").

        ``relatedness`` is an optional hint in [0, 1] from the matcher (how well the statement
        matches the claim); implementations may ignore it.
        """
        ...


# --------------------------------------------------------------------------------------------------
# The lexicon: every cue the classifier knows, in one place
# --------------------------------------------------------------------------------------------------


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class StanceLexicon:
    """Cue lexicon. Strengths are in [0, 1]; confidence = strength x relation factor.

    falsity: the content calls something false ("X is incorrect", "assertions ... are not true").
    denial_verbs: reporting verbs (or verbs in the content) that deny outright.
    rebuttal_verbs / rebuttal_objects: "rejected the misinformation / reports / claims" is a denial;
        "rejected the resolution" is not (that is evaluative, see ``evaluative``).
    negators / existence_predicates: "there was no agreement", "have not received any proposal",
        "has not been formally presented", "not agreed": negated existence, receipt or agreement.
    negation_exceptions: "not just", "not only", "no doubt", "no longer" ... are not negations of a fact.
    non_confirm: cannot confirm / no information / no confirmation / could not answer / declined to
        comment ... (in the content).
    silence_frame: the same silence cues when they sit in the reporting frame of an attributed speaker.
    evaluative: rejection of a proposal or resolution as bad ("categorically unacceptable", "oppose");
        never a denial of a fact.
    reservation: withholding judgement ("withholding their approval", "difficult to accept or refuse
        before we look at the details"); a comment.
    confirm_verbs: reporting verbs that confirm (support).
    """

    falsity: tuple[tuple[re.Pattern[str], float], ...] = (
        (
            _rx(
                r"(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?(?:incorrect|untrue|false|baseless|groundless|"
                r"unfounded|fabricated|fake|inaccurate|wrong|not\s+true|not\s+correct|not\s+accurate|lies|a\s+lie|"
                r"a\s+fabrication|nonsense)"
            ),
            0.9,
        ),
        (_rx(r"no\s+truth", r"not\s+true", r"untrue", r"baseless", r"groundless", r"unfounded", r"fabricated",
             r"fabrication", r"fake\s+news", r"incorrect", r"misinformation", r"disinformation"), 0.75),
        (_rx(r"false"), 0.6),
    )
    denial_verbs: frozenset[str] = frozenset({"deny", "refute", "rebut", "contradict", "disprove", "debunk"})
    denial_verb_strength: float = 0.85
    content_denial_rx: re.Pattern[str] = _rx(r"den(?:y|ies|ied|ying)", r"refut\w*", r"rebut\w*", r"debunk\w*")
    content_denial_strength: float = 0.7
    rebuttal_verbs: frozenset[str] = frozenset({"reject", "dismiss", "dispute"})
    rebuttal_objects: re.Pattern[str] = _rx(
        r"reports?", r"claims?", r"allegations?", r"assertions?", r"misinformation", r"disinformation",
        r"rumou?rs?", r"news", r"accusations?", r"speculation", r"suggestions?", r"stor(?:y|ies)", r"propaganda",
    )
    rebuttal_strength: float = 0.8
    negators: re.Pattern[str] = _rx(r"no", r"not", r"n't", r"never", r"none", r"nothing", r"neither", r"nor",
                                    r"without", r"yet\s+to")
    negation_exceptions: re.Pattern[str] = re.compile(
        r"^\s*(?:just|only|least|doubt|longer|matter|less|more\s+than|sooner|wonder)\b", re.IGNORECASE
    )
    existence_predicates: re.Pattern[str] = _rx(
        r"receiv\w*", r"present\w*", r"submit\w*", r"reach\w*", r"sign\w*", r"agree\w*", r"approv\w*", r"accept\w*",
        r"finali[sz]\w*", r"conclud\w*", r"announc\w*", r"exist\w*", r"offer\w*", r"made", r"happen\w*",
        r"occur\w*", r"take\s+place", r"took\s+place", r"decid\w*", r"struck", r"settled", r"informed",
    )
    negated_existence_strength: float = 0.75
    negated_predicate_strength: float = 0.7
    non_confirm: tuple[tuple[re.Pattern[str], float], ...] = (
        (_rx(r"(?:can|could|would|will|did)\s*(?:not|n't)\s+(?:confirm|verify|answer|say|comment)",
             r"cannot\s+(?:confirm|verify|answer|say|comment)", r"unable\s+to\s+(?:confirm|verify|answer|comment)",
             r"neither\s+confirm\w*\s+nor\s+den\w*", r"declin\w*\s+to\s+(?:comment|confirm|answer)",
             r"refus\w*\s+to\s+(?:comment|confirm|answer)", r"no\s+comment"), 0.8),
        (_rx(r"no\s+(?:\w+\s+)?(?:information|confirmation|knowledge|details)",
             r"(?:do|does|did)\s*(?:not|n't)\s+(?:have|know)\s+(?:\w+\s+){0,2}(?:information|details|knowledge)",
             r"not\s+aware", r"unaware", r"not\s+been\s+(?:confirmed|informed|notified)"), 0.7),
    )
    silence_frame: re.Pattern[str] = _rx(
        r"(?:did|would|could)\s*(?:not|n't)\s+(?:comment|confirm|respond|answer)", r"declin\w*\s+to\s+(?:comment|confirm)",
        r"refus\w*\s+to\s+(?:comment|confirm)", r"no\s+comment",
    )
    silence_frame_strength: float = 0.6
    evaluative: re.Pattern[str] = _rx(
        r"unacceptable", r"oppose[sd]?", r"opposing\s+(?:the|any|a)", r"condemn\w*", r"denounc\w*", r"criticis\w*", r"criticiz\w*", r"deplor\w*",
        r"veto\w*", r"warn\w*",
    )
    reservation: re.Pattern[str] = _rx(r"withhold\w*", r"before\s+we\s+(?:look|see|study)", r"difficult\s+to\s+accept",
                                       r"until\s+(?:they|we)\s+receive")
    cue_vocabulary: frozenset[str] = frozenset(
        {"answer", "information", "confirm", "confirmation", "comment", "true", "correct", "incorrect", "untrue", "false",
         "wrong", "baseless", "fabricated", "fake", "lie", "truth", "detail", "knowledge", "aware", "far", "inform",
         "verify", "respond", "assertion", "allegation", "rumour", "rumor", "claim", "talk", "misinformation",
         "disinformation", "accurate", "inaccurate", "unfounded", "groundless", "deny", "denied", "refute"}
    )
    confirm_verbs: frozenset[str] = frozenset({"confirm", "acknowledge", "verify", "corroborate", "affirm"})
    confirm_strength: float = 0.8
    clause_split: re.Pattern[str] = re.compile(r"[,;:]|\.\.\.|\s--\s|\b(?:but|while|although|though|whereas)\b",
                                               re.IGNORECASE)
    negation_scope_tokens: int = 8


DEFAULT_LEXICON = StanceLexicon()


def _quote(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class _Cue:
    stance: Stance
    strength: float
    label: str  # in words
    related: float  # 0..1: how clearly the cue is about the claim (1 when claim-independent)


class CueStanceClassifier:
    """Transparent, lexicon-driven stance classifier (see ``StanceLexicon``)."""

    def __init__(self, lexicon: StanceLexicon = DEFAULT_LEXICON, *, min_anaphoric_relatedness: float = 0.35):
        self.lexicon = lexicon
        #: An anaphoric quote ("That is not true.") is taken to be about a claim when the matcher's
        #: score reaches this.
        self.min_anaphoric_relatedness = min_anaphoric_relatedness

    # -- relation to the claim -----------------------------------------------------------------

    @staticmethod
    def _term_relation(text_terms: list[str], claim: ClaimRecord | None, weak_terms: set[str]) -> tuple[float, list[str]]:
        """Overlap weight of ``text_terms`` with the claim's key terms (entity-only setting terms count half)."""
        if claim is None:
            return 1.0, []
        claim_terms = set(claim.key_terms)
        shared = [t for t in text_terms if t in claim_terms]
        strong = sum(1 for t in shared if t not in weak_terms)
        weight = strong + 0.5 * (len(shared) - strong)
        # Shared places alone ("Syria", "Turkish") never make a statement about the claim.
        return (min(1.0, weight) if strong else min(0.5, weight)), shared

    # -- cue finders -----------------------------------------------------------------------------

    def _relation(
        self, terms: list[str], claim: ClaimRecord | None, weak: set[str], hint: float
    ) -> tuple[float, list[str], bool]:
        """(relation in [0, 1], shared terms, anaphoric?) of ``terms`` to the claim.

        Terms from the cue vocabulary ("information", "true", ...) say nothing about the topic; when
        nothing else is left the text is anaphoric ("That is not true") and the matcher's
        ``hint`` stands in for the relation. Otherwise the text must share key terms with the claim
        (a place name alone counts half).
        """
        if claim is None:
            return 1.0, [], False
        informative = [t for t in terms if t not in self.lexicon.cue_vocabulary]
        if not informative:
            return hint, [], True
        weight, shared = self._term_relation(informative, claim, weak)
        return weight, shared, False

    def _related_enough(self, rel: float, anaphoric: bool) -> bool:
        return rel >= (self.min_anaphoric_relatedness if anaphoric else 1.0)

    def _negation_cues(
        self, content: str, claim: ClaimRecord | None, weak: set[str], skip: list[tuple[int, int]], hint: float
    ) -> list[_Cue]:
        lex = self.lexicon
        cues: list[_Cue] = []
        bounds = [0] + [m.end() for m in lex.clause_split.finditer(content)] + [len(content)]
        for c_start, c_end in zip(bounds, bounds[1:]):
            clause = content[c_start:c_end]
            for neg in lex.negators.finditer(clause):
                abs_start = c_start + neg.start()
                if any(s <= abs_start < e for s, e in skip):
                    continue
                after = clause[neg.end():]
                if lex.negation_exceptions.match(after):
                    continue
                scope_words = after.split()[: lex.negation_scope_tokens]
                word = neg.group(0).lower()
                existence = word in ("no", "none", "nothing") and bool(key_terms(" ".join(scope_words[:3])))
                pred = lex.existence_predicates.search(" ".join(scope_words[:4]))
                if not (existence or pred):
                    continue
                if existence:
                    # "no agreement", "no official proposal": the negated thing is the head noun.
                    head_terms = key_terms(" ".join(scope_words[:3]))
                else:
                    # "the proposal has not been presented", "have not received any proposal for a ceasefire":
                    # the subject just before the negation and the object right after the predicate.
                    before = clause[: neg.start()].split()[-3:]
                    pred_end = len(" ".join(scope_words[:4])[: pred.end()].split())
                    obj = scope_words[pred_end : pred_end + 5]
                    head_terms = key_terms(" ".join(before + obj))
                rel, shared, anaphoric = self._relation(head_terms, claim, weak, hint)
                if not self._related_enough(rel, anaphoric):
                    continue  # negation unrelated to the claim
                phrase = _quote(f"{neg.group(0)} {' '.join(scope_words)}")
                strength = lex.negated_existence_strength if existence else lex.negated_predicate_strength
                what = "negated existence" if existence else "negated receipt/agreement"
                about = f" (about {', '.join(shared)})" if shared else ""
                cues.append(_Cue("deny", strength, f'{what} "{phrase}"{about}', min(1.0, rel)))
        return cues

    def _cues(
        self, statement: StatementExtracted, claim: ClaimRecord | None, relatedness: float | None
    ) -> tuple[list[_Cue], list[str]]:
        lex = self.lexicon
        att = statement.attribution
        content = att.content.strip() if att.content.strip() else statement.text
        weak = set(weak_terms(statement))
        content_terms = key_terms(content)
        hint = relatedness if relatedness is not None else 0.0
        cues: list[_Cue] = []
        notes: list[str] = []
        skip: list[tuple[int, int]] = []

        # Falsity predicates: the rest of the content is the proposition called false.
        for pattern, strength in lex.falsity:
            for m in pattern.finditer(content):
                if any(s <= m.start() < e for s, e in skip):
                    continue
                skip.append((m.start(), m.end()))
                cue_terms = set(key_terms(m.group(0)))
                rel, shared, anaphoric = self._relation([t for t in content_terms if t not in cue_terms], claim, weak, hint)
                if self._related_enough(rel, anaphoric):
                    about = f" (about {', '.join(shared)})" if shared else ""
                    cues.append(_Cue("deny", strength, f'falsity cue "{_quote(m.group(0))}"{about}', min(1.0, rel)))
                else:
                    notes.append(f'falsity cue "{m.group(0)}" not about the claim')
        # Denial verbs: the reporting verb, or in the content (not negated: "no longer denies").
        verb = (att.verb or "").lower()
        rel, shared, anaphoric = self._relation(content_terms, claim, weak, hint)
        about = f" (about {', '.join(shared)})" if shared else ""
        if verb in lex.denial_verbs and att.speaker_kind != "narrator" and self._related_enough(rel, anaphoric):
            cues.append(_Cue("deny", lex.denial_verb_strength, f'denial verb "{verb}"{about}', min(1.0, rel)))
        if verb in lex.rebuttal_verbs and att.speaker_kind != "narrator":
            obj = lex.rebuttal_objects.search(content)
            if obj is None:
                notes.append(f'"{verb}" of something that is not a report or claim (evaluative)')
            elif self._related_enough(rel, anaphoric):
                cues.append(_Cue("deny", lex.rebuttal_strength, f'"{verb}" of "{obj.group(0)}"{about}', min(1.0, rel)))
        for m in lex.content_denial_rx.finditer(content):
            before = content[max(0, m.start() - 25) : m.start()].lower()
            if re.search(r"\b(?:not|n't|never|no longer|no)\s*(?:\w+\s+)?$", before):
                notes.append(f'negated denial verb "{m.group(0)}"')
                continue
            if self._related_enough(rel, anaphoric):
                cues.append(_Cue("deny", lex.content_denial_strength, f'denial verb "{m.group(0)}" in the content{about}',
                                 min(1.0, rel)))
        # Non-confirmation.
        for pattern, strength in lex.non_confirm:
            for m in pattern.finditer(content):
                skip.append((m.start(), m.end()))
                if self._related_enough(rel, anaphoric) or (claim is not None and not anaphoric and rel >= 0.5
                                                            and hint >= self.min_anaphoric_relatedness):
                    cues.append(_Cue("non_confirm", strength, f'non-confirmation cue "{_quote(m.group(0))}"{about}',
                                     min(1.0, rel)))
                else:
                    notes.append(f'non-confirmation "{m.group(0)}" not about the claim')
        # Negated existence / receipt / agreement.
        cues.extend(self._negation_cues(content, claim, weak, skip, hint))
        # Silence in the reporting frame of an attributed speaker ("... but did not comment about X").
        if att.speaker_kind in ("person", "organisation", "anonymous") and att.content.strip():
            frame = statement.text.replace(att.content, " ")
            for m in lex.silence_frame.finditer(frame):
                f_rel, f_shared, f_anaphoric = self._relation(key_terms(frame[m.end() :]), claim, weak, hint)
                if self._related_enough(f_rel, f_anaphoric):
                    f_about = f" about {', '.join(f_shared)}" if f_shared else ""
                    cues.append(_Cue("non_confirm", lex.silence_frame_strength,
                                     f'silence "{_quote(m.group(0))}"{f_about} in the reporting frame', min(1.0, f_rel)))
        # Evaluative rejection and reservations (recorded so the explanation can say why not a denial).
        for m in lex.evaluative.finditer(content):
            notes.append(f'evaluative "{m.group(0)}" (not a denial of fact)')
        for m in lex.reservation.finditer(content):
            notes.append(f'reservation "{m.group(0)}"')
        return cues, notes

    # -- public --------------------------------------------------------------------------------------

    def classify(
        self, statement: StatementExtracted, claim: ClaimRecord | None = None, *, relatedness: float | None = None
    ) -> StanceDecision:
        lex = self.lexicon
        att = statement.attribution
        content = att.content.strip() if att.content.strip() else statement.text.strip()
        where = self._where(statement)
        if content.rstrip("\"'”’ ").endswith("?") or (att.speaker_kind in ("narrator", "author")
                                                       and statement.text.rstrip("\"'”’ ").endswith("?")):
            return StanceDecision("query", 0.8, ["question"], f"a question {where}")
        cues, notes = self._cues(statement, claim, relatedness)
        negative = [c for c in cues if c.stance in ("deny", "non_confirm")]
        if negative:
            deny = [c for c in negative if c.stance == "deny"]
            chosen = deny if deny else negative
            best = max(chosen, key=lambda c: c.strength * (0.6 + 0.4 * c.related))
            # Several agreeing cues raise confidence a little.
            bonus = min(0.1, 0.05 * (len(chosen) - 1))
            confidence = min(1.0, best.strength * (0.6 + 0.4 * best.related) + bonus)
            stance: Stance = "deny" if deny else "non_confirm"
            words = "; ".join(c.label for c in chosen)
            kind = "deny cue" if stance == "deny" else "non-confirmation cue"
            explanation = f"{kind}{'s' if len(chosen) > 1 else ''}: {words} {where}"
            return StanceDecision(stance, round(confidence, 3), [c.label for c in chosen], explanation)
        verb = (att.verb or "").lower()
        if any(n.startswith("evaluative") or n.startswith("reservation") for n in notes):
            return StanceDecision("comment", 0.6, notes, f"{'; '.join(notes)} {where}")
        if claim is None:
            return StanceDecision("comment", 0.5, notes, f"no stance cue {where}")
        weak = set(weak_terms(statement))
        weight, shared = self._term_relation(key_terms(content), claim, weak)
        rel = max(weight, relatedness or 0.0)
        if verb in lex.confirm_verbs and rel >= 0.5:
            return StanceDecision("support", round(min(1.0, lex.confirm_strength * (0.6 + 0.4 * rel)), 3),
                                  [f'confirm verb "{verb}"'], f'confirm verb "{verb}" {where}')
        if att.speaker_kind in ("person", "organisation", "anonymous", "narrator") and rel >= 0.5:
            about = f" (shared terms: {', '.join(shared)})" if shared else ""
            return StanceDecision("support", round(0.5 + 0.4 * rel, 3), ["restates the claim without negation"],
                                  f"restates the claim without negation{about} {where}")
        return StanceDecision("comment", 0.5, notes, f"{'; '.join(notes) or 'no stance cue'} {where}")

    @staticmethod
    def _where(statement: StatementExtracted) -> str:
        att = statement.attribution
        if att.speaker_kind == "narrator":
            return "in the narrator's sentence"
        if att.speaker_kind == "author":
            return f"in the comment by {att.speaker}"
        who = describe_speaker(att, statement.outlet)
        kind = "quote" if (statement.quoted or att.carried_over) else "statement"
        carried = " (carried over from the previous sentence)" if att.carried_over else ""
        return f"in the {kind}{carried} attributed to {who}"
