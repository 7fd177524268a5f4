"""The claim–statement stance model: a fine-tuned MiniLM-L6 cross-encoder that reads a claim and a
later statement together and says ``deny``, ``non_confirm``, ``support`` or ``unrelated``.

Trained by ``training/claim_stance/train_claim_stance.py`` (torch, outside the project's environment)
on the project's hand-written pair corpus (``training/pairs/``) plus public NLI, FNC-1 and RumourEval
train pairs; served here as int8 ONNX with onnxruntime and the bundled MiniLM tokenizer, no torch.
The artefact directory (``resources/claim_stance/`` or ``Settings.claim_stance_model_path``) holds
``model.onnx``, ``config.json`` and ``card.md``.

Each pair is scored on its own (batch of one), so a pair's probabilities never depend on which other
claims were scored with it: the tracker's decisions are the same in any arrival order.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .claims import rebutted_report
from .crossencoder import log_softmax, pair_inputs, pair_tokenizer
from .embeddings import DEFAULT_TOKENIZER_PATH, onnx_session
from .news_stance import states_refutation, without_sourcing
from .stance import CueStanceClassifier, StanceDecision

logger = logging.getLogger(__name__)

DEFAULT_CLAIM_STANCE_DIR = Path(__file__).parent / "resources" / "claim_stance"
FORMAT = "claimwatch-claim-stance/1"
CLAIM_STANCE_FILES = ("model.onnx", "config.json")
CLASSES = ("deny", "non_confirm", "support", "unrelated")


class ClaimStanceModel:
    """``proba(claim_text, statement_text)`` -> ``{class: probability}``. Loads on first use (thread-safe);
    construction only reads ``config.json``, so a wrong artefact fails at start-up."""

    def __init__(self, model_dir: str | Path | None = None, *, tokenizer_path: str | Path | None = None,
                 intra_op_num_threads: int = 0, cache_size: int = 4096) -> None:
        self.model_dir = Path(model_dir) if model_dir is not None else DEFAULT_CLAIM_STANCE_DIR
        self.tokenizer_path = Path(tokenizer_path) if tokenizer_path is not None else DEFAULT_TOKENIZER_PATH
        self.config: dict[str, Any] = json.loads((self.model_dir / "config.json").read_text(encoding="utf-8"))
        if self.config.get("format") != FORMAT:
            raise ValueError(f"{self.model_dir}/config.json: format {self.config.get('format')!r}, expected {FORMAT!r}")
        self.classes: tuple[str, ...] = tuple(self.config["classes"])
        if set(self.classes) != set(CLASSES):
            raise ValueError(f"{self.model_dir}/config.json: classes {self.classes}, expected {CLASSES}")
        self.max_len = int(self.config["max_len"])
        self.intra_op_num_threads = intra_op_num_threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], dict[str, float]] = {}
        self._cache_size = cache_size

    def _ensure_loaded(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            tokenizer = pair_tokenizer(self.tokenizer_path, self.max_len)
            session = onnx_session(self.model_dir / "model.onnx", self.intra_op_num_threads)
            self._tokenizer = tokenizer
            self._session = session
            logger.info("loaded claim stance model %s", self.model_dir)

    def logits(self, claim_text: str, text: str) -> np.ndarray:
        self._ensure_loaded()
        (out,) = self._session.run(["logits"], pair_inputs(self._tokenizer, claim_text, text))
        return np.asarray(out[0], dtype=np.float64)

    def proba(self, claim_text: str, text: str) -> dict[str, float]:
        key = (claim_text, text)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        p = np.exp(log_softmax(self.logits(claim_text, text)))
        out = {c: float(v) for c, v in zip(self.classes, p)}
        if len(self._cache) >= self._cache_size:
            self._cache.pop(next(iter(self._cache)))
        self._cache[key] = out
        return out


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


#: Words that say something is false or did not happen (with ``news_stance.states_refutation``'s).
_NEGATIONS = _rx("nobody", "nothing", "none", "neither", "nor", "without", "no one", "not a single")
#: A refusal or an inability to confirm, said the way agency copy says it: a refusing or negated verb
#: governing a verb of confirming or telling ("declined to confirm", "would not say whether", "is not in
#: a position to comment", "not going to speculate"), "no comment", a negated state of knowing ("had not
#: been notified", "is not aware") or having seen no sign ("has seen no evidence", "had received no
#: report"). A negation elsewhere in the sentence ("not a decision we took lightly", "would not
#: appeal", "no plans to change its tariffs") is not one.
_REFUSING = (r"(?:declin\w*|refus\w*|unable|not\s+able|not\s+in\s+a\s+position|not\s+going|too\s+early|"
             r"(?:can|could|would|will|did|does|do|should)\s*(?:not|n't)|cannot|won't)")
_TELLING = r"(?:confirm\w*|verif\w*|comment\w*|say|tell|disclose|discuss\w*|speculat\w*|corroborat\w*)"
_KNOWING = r"(?:aware|notified|informed|told|contacted)"
_SIGN = r"(?:evidence|record|report|indication|knowledge|information|sign|notification|confirmation)"
_DECLINING = re.compile(
    rf"\b{_REFUSING}\s+(?:\w+\s+){{0,2}}?(?:to\s+)?{_TELLING}\b"
    r"|\bno\s+comment\b|\bunaware\b"
    rf"|\b(?:not|never)\s+(?:yet\s+)?(?:been\s+|be\s+)?{_KNOWING}\b"
    rf"|\bno\s+(?:\w+\s+)?{_SIGN}\b",
    re.IGNORECASE)


def refutes(text: str) -> bool:
    """Whether ``text`` says in words that something is false or did not happen: a refuting word or a
    negation. The claim stance model learnt denials from contradictions too (NLI pairs: two captions
    that cannot describe one photo), and on news it reads many a neutral sentence about the same story
    as one; a denial the service acts on says so. Negations that only report a source's anonymity do not
    count (``without_sourcing``)."""
    return states_refutation(text) or bool(_NEGATIONS.search(without_sourcing(text)))


def declines(text: str) -> bool:
    """Whether ``text`` says that someone cannot or will not confirm something, or has no knowledge of it
    ("declined to confirm", "would not say whether", "has seen no evidence", "was not notified")."""
    return bool(_DECLINING.search(text))


#: Negations and what an affirmative sentence says in their place (``affirmed``), applied in order.
_AFFIRM: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(a, re.IGNORECASE), b) for a, b in (
    (r"\bwon't\b", "will"), (r"\bcan't\b|\bcannot\b", "can"), (r"\bshan't\b", "shall"),
    (r"\b(\w+)n't\b", r"\1"),
    (r"\bnot\s+(?:a\s+single|any|one)\b", "a"), (r"\bnot\s+at\s+all\b", ""),
    (r"\bno\s+one\b|\bnobody\b", "somebody"), (r"\bnothing\b", "something"), (r"\bnone\b", "some"),
    (r"\bnowhere\b", "somewhere"), (r"\bnever\b", ""), (r"\bno\b", ""), (r"\bnot\b", ""),
))
_NEGATED = re.compile(r"\b(?:not|no|never|nobody|nothing|none|nowhere|no one|cannot)\b|n't\b", re.IGNORECASE)


def affirmed(text: str) -> str | None:
    """``text`` with its negations taken out ("Withdrawals have not been suspended" -> "Withdrawals have
    been suspended"), or ``None`` when it has none. A sentence that denies a claim by negating it says
    the claim once its negations are gone; one that negates another matter ("There is no sale process",
    "It did not name the school") then still says something else. ``ClaimStanceClassifier`` asks the
    model whether the affirmed sentence supports the claim before it lets a negated sentence deny it."""
    text = without_sourcing(text)
    if not _NEGATED.search(text):
        return None
    for pattern, repl in _AFFIRM:
        text = pattern.sub(repl, text)
    return re.sub(r"\s{2,}", " ", text).strip()


class ClaimStanceClassifier:
    """The service's stance classifier, with the claim stance model reading every (claim, statement)
    pair the tracker asks about.

    * Without a claim (``claim=None``, "could this be negative whatever the claim?"), ``base`` decides:
      the cue lexicon and the trained reply/news models. For comments too, unless ``comment_denials``
      lets the model add a denial of a negated comment that, affirmed, says the claim.
    * Toward a claim, for article sentences:
      - a question stays a ``query``;
      - ``deny`` when the sentence rebuts a report (``claims.rebutted_report``: "..., dismissing reports
        that Z") and the model reads Z as the claim (p(support) >= ``rebuttal_support_min``);
      - ``deny`` when p(deny) reaches ``deny_min``, the sentence ``refutes`` and, if it is negated, the
        sentence with its negations taken out (``affirmed``) reads as the claim (p(support) >=
        ``affirm_support_min``): a denial is the claim negated, not any negation near its words;
      - ``non_confirm`` when p(non_confirm) reaches ``non_confirm_min`` and the sentence ``declines``;
      - a denial or non-confirmation of ``base`` (cues, reply and news models) stands, unless the
        model gives p(unrelated) >= ``unrelated_veto`` and the matcher scored the pair below
        ``veto_max_match`` (then it was about something else), or the denial is one only the
        reply/news models saw in a negated sentence and the model gives neither p(deny) nor the
        affirmed sentence's p(support) ``corroborate_min``;
      - ``support`` when p(support) reaches ``support_min`` and beats both negative classes (the
        tracker joins such restatements to the claim);
      - otherwise ``comment``.
    Every decision names the model's probabilities in its explanation, and keeps the cues it rests on.
    """

    def __init__(self, base: Any, model: ClaimStanceModel, *, deny_min: float = 0.5, non_confirm_min: float = 0.5,
                 support_min: float = 0.5, unrelated_veto: float = 0.5, veto_max_match: float = 1.01,
                 affirm_support_min: float = 0.0, corroborate_min: float = 0.0,
                 rebuttal_support_min: float = 1.01, comment_denials: bool = False,
                 counter_fact_min: float = 1.01) -> None:
        self.base = base
        self.model = model
        self.cue = getattr(base, "cue", None) or CueStanceClassifier()
        self.deny_min = deny_min
        self.non_confirm_min = non_confirm_min
        self.support_min = support_min
        self.unrelated_veto = unrelated_veto
        self.veto_max_match = veto_max_match
        self.affirm_support_min = affirm_support_min
        self.corroborate_min = corroborate_min
        self.rebuttal_support_min = rebuttal_support_min
        self.comment_denials = comment_denials
        self.counter_fact_min = counter_fact_min

    def with_base(self, base: Any) -> ClaimStanceClassifier:
        """The same model and thresholds over another ``base`` (the evaluators' fold news models)."""
        clone = copy.copy(self)
        clone.base = base
        clone.cue = getattr(base, "cue", None) or self.cue
        return clone

    def affirmed_support(self, claim_text: str, text: str) -> float | None:
        """The model's p(support) for the claim read from ``text`` with its negations taken out
        (``affirmed``), or ``None`` when ``text`` negates nothing."""
        flipped = affirmed(text)
        return None if flipped is None else self.model.proba(claim_text, flipped)["support"]

    def classify(self, statement: Any, claim: Any = None, *, relatedness: float | None = None) -> Any:
        if claim is None:
            return self.base.classify(statement, claim, relatedness=relatedness)
        if statement.document_kind == "comment":
            # Comments and replies: the reply model and the reply cross-encoder, trained and tuned on
            # replies, decide as before (with this model deciding them, RumourEval 2019 dev deny F1 fell
            # from 0.185 to 0.080). With ``comment_denials`` the model may add one denial the reply models
            # missed: a negated comment that, its negations taken out, says the claim.
            base = self.base.classify(statement, claim, relatedness=relatedness)
            if not self.comment_denials or base.stance in ("deny", "non_confirm", "query"):
                return base
            said = self.affirmed_support(claim.text, statement.text)
            if said is None or said < self.affirm_support_min or not refutes(statement.text):
                return base
            p = self.model.proba(claim.text, statement.text)
            if p["deny"] < self.deny_min:
                return base
            return StanceDecision("deny", round(p["deny"], 3), [f"claim stance model: deny p={p['deny']:.2f}"],
                                  f"claim stance model (deny {p['deny']:.2f}) in a comment that, its negations taken "
                                  f"out, says the claim (support p={said:.2f}); {base.explanation}", models=("pair",))
        asked = self.cue.classify(statement, claim, relatedness=relatedness)
        if asked.stance == "query":
            return asked  # a question stays a question
        p = self.model.proba(claim.text, statement.text)
        shown = ", ".join(f"{k} {v:.2f}" for k, v in sorted(p.items(), key=lambda kv: -kv[1]))
        rumour = rebutted_report(statement.text) if self.rebuttal_support_min <= 1.0 else None
        if rumour is not None:
            says = self.model.proba(claim.text, rumour)["support"]
            if says >= self.rebuttal_support_min:
                return StanceDecision("deny", round(says, 3), [f'rebuts a report: "{rumour[:80]}"'],
                                      f"rebuts a report that, the claim stance model reads, says the claim (support "
                                      f"p={says:.2f}); the sentence: {shown}", models=("pair",))
        if p["deny"] >= self.deny_min and p["deny"] >= p["non_confirm"] and refutes(statement.text):
            said = self.affirmed_support(claim.text, statement.text)
            if said is None or said >= self.affirm_support_min:
                why = ("in a sentence that refutes" if said is None else
                       f"in a sentence that, its negations taken out, says the claim (support p={said:.2f})")
                return StanceDecision("deny", round(p["deny"], 3), [f"claim stance model: deny p={p['deny']:.2f}"],
                                      f"claim stance model ({shown}) {why}", models=("pair",))
        if p["deny"] >= self.counter_fact_min and not refutes(statement.text) and not declines(statement.text):
            return StanceDecision("deny", round(p["deny"], 3), [f"claim stance model: deny p={p['deny']:.2f}"],
                                  f"claim stance model ({shown}): states a fact incompatible with the claim",
                                  models=("pair",))
        if p["non_confirm"] >= self.non_confirm_min and declines(statement.text):
            return StanceDecision("non_confirm", round(p["non_confirm"], 3),
                                  [f"claim stance model: non_confirm p={p['non_confirm']:.2f}"],
                                  f"claim stance model ({shown}) in a sentence that declines to confirm", models=("pair",))
        base = self.base.classify(statement, claim, relatedness=relatedness)
        if base.stance in ("deny", "non_confirm"):
            if p["unrelated"] >= self.unrelated_veto and (relatedness or 0.0) < self.veto_max_match:
                return StanceDecision("comment", round(p["unrelated"], 3), [f"claim stance model: unrelated p={p['unrelated']:.2f}"],
                                      f"{base.explanation}; but the claim stance model reads it as about something else "
                                      f"({shown})", models=base.models)
            if (base.stance == "deny" and asked.stance != "deny" and self.corroborate_min > 0
                    and p["deny"] < self.corroborate_min):
                # A denial only the reply/news models saw (the cue lexicon found none): those models read
                # any negation near the story's words as one ("It did not name the school").
                said = self.affirmed_support(claim.text, statement.text)
                if said is not None and said < self.corroborate_min:
                    return StanceDecision("comment", round(1.0 - p["deny"], 3), [f"claim stance model: deny p={p['deny']:.2f}"],
                                          f"{base.explanation}; but the claim stance model reads neither the sentence as a "
                                          f"denial nor, its negations taken out, as the claim (support p={said:.2f}): it "
                                          f"negates something else ({shown})", models=base.models)
            return StanceDecision(base.stance, base.confidence, list(base.cues),
                                  f"{base.explanation}; claim stance model: {shown}", models=base.models)
        if p["support"] >= self.support_min and p["support"] >= max(p["deny"], p["non_confirm"]):
            return StanceDecision("support", round(p["support"], 3), [f"claim stance model: support p={p['support']:.2f}"]
                                  + [c for c in base.cues if c.startswith("confirm verb")],
                                  f"claim stance model ({shown})", models=("pair",))
        return StanceDecision("comment", round(p["unrelated"], 3), [f"claim stance model: {max(p, key=p.__getitem__)}"],
                              f"claim stance model ({shown}); {base.explanation}", models=("pair",))
