"""A trained stance classifier (numpy inference, no torch), combined with the cue lexicon.

The model is a class-weighted multinomial logistic regression over features of the pair
(statement, claim), trained by ``training/train_stance.py`` on RumourEval 2019 train (Twitter +
Reddit replies, each paired with its thread's source post). The artefact lives in
``resources/stance/`` (``model.npz`` weights, ``config.json`` settings, ``card.md`` data/scores);
``Settings.stance_model_path`` points at another directory with the same three files.

Features (all computed here, so training and inference share one code path):

- MiniLM sentence embeddings (``Embedder``) of the statement ``s`` and of the claim ``c``:
  ``s``, ``s * c``, ``|s - c|`` and ``cos(s, c)``;
- surface features of the statement: question marks, question/negation/falsity/confirmation words,
  URLs, mentions, length, and the cue classifier's decision (one-hot stance + confidence);
- signed feature hashing (CRC32, 2^18 buckets) of lower-cased word uni/bi-grams and character
  3/4-grams of the statement. Hashing keeps no vocabulary, so no training text is stored.

Classes: support / deny / query / comment (the RumourEval labels). The datasets have no
``non_confirm`` label, so non-confirmation stays with the cue lexicon (see ``combine``). Per-class
log-offsets added to the model's scores were tuned by grouped cross-validation on train only.

How the two are combined (``TrainedStanceClassifier.classify``):

- comments/tweets (``document_kind == "comment"``): the model decides among support/deny/query/
  comment, except that a cue ``non_confirm`` decision is kept (the model cannot say it);
- comments without a claim (``classify(statement, None)``): the article title stands in for the
  claim (as the source post did in training); no title: the cue decision;
- article sentences (news text, unlike the training data): the cue classifier decides, helped by the
  news stance model (``news_stance.py``, trained on news article sentences) when one is loaded and a
  claim is given: it raises a cue denial's confidence by 0.05 when it agrees, and may add a denial the
  cues missed (see ``_classify_news`` for when). Without a news model, this reply model plays the
  corroborating part only: a reply-model-only deny on news text is not trusted.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from schemas.claims import ClaimRecord
from schemas.statements import StatementExtracted

from .stance import CueStanceClassifier, StanceClassifier, StanceDecision

logger = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = Path(__file__).parent / "resources" / "stance"
CLASSES: tuple[str, ...] = ("support", "deny", "query", "comment")
CUE_STANCES: tuple[str, ...] = ("deny", "non_confirm", "support", "query", "comment")
HASH_BITS = 18

_URL_RX = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_MENTION_RX = re.compile(r"@\w+")
_LEADING_MENTIONS_RX = re.compile(r"^(?:\s*@\w+[:,]?)+\s*")
_WORD_RX = re.compile(r"[a-z0-9']+|[?!]")


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


# Small hand-written word lists (not derived from any dataset).
_LEXICONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("question_word", _rx("who", "what", "when", "where", "why", "how", "is it", "are they", "is this", "is that",
                          "really", "source", "proof", "evidence", "any", "confirmed\\?")),
    ("negation", _rx("no", "not", "n't", "never", "nobody", "nothing", "none", "isnt", "dont", "doesnt", "didnt",
                     "wasnt", "arent", "cant", "wont")),
    ("falsity", _rx("false", "fake", "hoax", "lie", "lies", "lying", "liar", "untrue", "not true", "bs", "bullshit",
                    "rubbish", "nonsense", "debunk\\w*", "made up", "fabricat\\w*", "wrong", "incorrect", "misinform\\w*",
                    "rumou?r", "rumou?rs", "unconfirmed", "satire", "photoshop\\w*", "old (?:photo|pic|picture|video)")),
    ("denial", _rx("den(?:y|ies|ied|ying)", "refut\\w*", "dispute\\w*", "reject\\w*", "not the case",
                   "not what happened", "no evidence", "there is no", "there was no", "didn't happen", "never happened")),
    ("confirm", _rx("confirm\\w*", "official\\w*", "report\\w*", "breaking", "verified", "according to", "true",
                    "indeed", "yes", "reuters", "ap", "bbc", "cnn", "police say", "police said")),
    ("doubt", _rx("doubt\\w*", "suspicious", "skeptic\\w*", "sceptic\\w*", "allegedly", "apparently", "unverified",
                  "not sure", "wait", "hmm+", "careful", "speculat\\w*")),
    ("emotion", _rx("rip", "pray\\w*", "sad", "terrible", "horrible", "omg", "wow", "god", "heart\\w*", "thoughts")),
)

N_SURFACE = 14 + len(_LEXICONS) + len(CUE_STANCES) + 1


def normalise_text(text: str) -> str:
    """URLs -> ``URL``, leading reply mentions dropped, other mentions -> ``@user``, spaces collapsed."""
    text = _URL_RX.sub(" URL ", text or "")
    text = _LEADING_MENTIONS_RX.sub("", text)
    text = _MENTION_RX.sub("@user", text)
    return " ".join(text.split())


def surface_features(raw: str, cue: StanceDecision | None) -> np.ndarray:
    """Hand-built features of the raw statement text plus the cue classifier's decision."""
    text = normalise_text(raw)
    lower = text.lower()
    words = lower.split()
    n_words = max(1, len(words))
    stripped = text.rstrip(" .!\"'”’")
    out = [
        1.0 if "?" in text else 0.0,
        min(3.0, float(text.count("?"))) / 3.0,
        1.0 if stripped.endswith("?") else 0.0,
        1.0 if "!" in text else 0.0,
        1.0 if _URL_RX.search(raw or "") else 0.0,
        min(3.0, float(len(_MENTION_RX.findall(raw or "")))) / 3.0,
        1.0 if "#" in text else 0.0,
        min(40.0, float(n_words)) / 40.0,
        1.0 if n_words <= 3 else 0.0,
        sum(1 for c in text if c.isupper()) / max(1, sum(1 for c in text if c.isalpha())),
        1.0 if re.match(r"^\s*(?:rt\b|breaking|update)", lower) else 0.0,
        1.0 if re.search(r"\b(?:lol|lmao|haha\w*)\b", lower) else 0.0,
        1.0 if re.search(r"[\U0001F300-\U0001FAFF]", text) else 0.0,
        1.0 if not text else 0.0,
    ]
    for _, pattern in _LEXICONS:
        out.append(min(2.0, float(len(pattern.findall(text)))) / 2.0)
    onehot = [0.0] * len(CUE_STANCES)
    conf = 0.0
    if cue is not None:
        onehot[CUE_STANCES.index(cue.stance)] = 1.0
        conf = float(cue.confidence)
    out.extend(onehot)
    out.append(conf)
    return np.asarray(out, dtype=np.float32)


def _bucket(token: str) -> tuple[int, float]:
    h = zlib.crc32(token.encode("utf-8"))
    return h & ((1 << HASH_BITS) - 1), (1.0 if (h >> 31) & 1 else -1.0)


def hashed_features(raw: str) -> tuple[np.ndarray, np.ndarray]:
    """Signed hashed counts of word 1/2-grams and char 3/4-grams; (indices, values), L2-normalised."""
    lower = normalise_text(raw).lower()
    words = _WORD_RX.findall(lower)
    tokens = [f"w:{w}" for w in words] + [f"b:{a} {b}" for a, b in zip(words, words[1:])]
    for w in words:
        padded = f" {w} "
        for n in (3, 4):
            tokens.extend(f"c:{padded[i:i + n]}" for i in range(max(0, len(padded) - n + 1)))
    acc: dict[int, float] = {}
    for tok in tokens:
        idx, sign = _bucket(tok)
        acc[idx] = acc.get(idx, 0.0) + sign
    if not acc:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    idx = np.fromiter(acc.keys(), dtype=np.int64, count=len(acc))
    val = np.fromiter(acc.values(), dtype=np.float32, count=len(acc))
    val /= max(1e-6, float(np.linalg.norm(val)))
    return idx, val


def dense_features(statement_vec: np.ndarray, claim_vec: np.ndarray | None, surface: np.ndarray) -> np.ndarray:
    """[s, s*c, |s-c|, cos, has_claim, surface] as float32 (claim missing: zeros, has_claim = 0)."""
    s = statement_vec.astype(np.float32)
    if claim_vec is None:
        c = np.zeros_like(s)
        has = 0.0
    else:
        c = claim_vec.astype(np.float32)
        has = 1.0
    cos = float(np.dot(s, c))
    return np.concatenate([s, s * c, np.abs(s - c) * has, np.asarray([cos, has], dtype=np.float32), surface])


def cue_statement(text: str, *, at: Any = None, kind: str = "comment") -> StatementExtracted:
    """A ``StatementExtracted`` for a raw text, its author speaking (how training presents tweets and
    headlines to the cue classifier); ``kind`` is the document kind (``comment`` or ``article``)."""
    from datetime import datetime, timezone

    from schemas.statements import Attribution

    return StatementExtracted(
        event_id="stance-train",
        occurred_at=at or datetime(2020, 1, 1, tzinfo=timezone.utc),
        source="training",
        document_id="d",
        document_kind=kind,  # type: ignore[arg-type]
        article_id="a",
        index=0,
        text=text,
        char_start=0,
        char_end=len(text),
        attribution=Attribution(speaker="user", speaker_kind="author", content=text, content_start=0,
                                content_end=len(text)),
    )


def training_claim(claim_text: str) -> ClaimRecord:
    """A ``ClaimRecord`` for a raw claim text (a thread's source post, a claim headline), with its key terms."""
    from datetime import datetime, timezone

    from .claims import key_terms

    at = datetime(2020, 1, 1, tzinfo=timezone.utc)
    return ClaimRecord(claim_id="c", text=claim_text, first_seen_at=at, last_seen_at=at, origin_statement_id="s",
                       key_terms=key_terms(claim_text))


def cue_decisions(texts: Sequence[str], claim_texts: Sequence[str], *, kind: str = "comment") -> list[StanceDecision]:
    """The cue classifier's decision for each raw text toward its claim text, as training presents them
    (``cue_statement``; one ``training_claim`` per distinct claim text)."""
    cue = CueStanceClassifier()
    claims: dict[str, ClaimRecord] = {}
    out = []
    for text, claim_text in zip(texts, claim_texts, strict=True):
        claim = claims.get(claim_text)
        if claim is None:
            claim = claims[claim_text] = training_claim(claim_text)
        out.append(cue.classify(cue_statement(text, kind=kind), claim, relatedness=None))
    return out


@dataclass
class LoadedModel:
    dense_w: np.ndarray  # (n_dense, n_classes)
    hash_w: np.ndarray  # (2^bits, n_classes)
    bias: np.ndarray  # (n_classes,)
    mean: np.ndarray  # (n_dense,) standardisation of dense features
    scale: np.ndarray
    offsets: np.ndarray  # (n_classes,) log-offsets tuned by CV on train
    classes: tuple[str, ...]
    config: dict[str, Any]

    @classmethod
    def load(cls, directory: Path) -> LoadedModel:
        config = json.loads((directory / "config.json").read_text(encoding="utf-8"))
        with np.load(directory / "model.npz") as z:
            return cls(
                dense_w=z["dense_w"].astype(np.float32),
                hash_w=z["hash_w"].astype(np.float32),
                bias=z["bias"].astype(np.float32),
                mean=z["mean"].astype(np.float32),
                scale=z["scale"].astype(np.float32),
                offsets=np.asarray(config.get("offsets", [0.0] * len(config.get("classes", CLASSES))), dtype=np.float32),
                classes=tuple(config.get("classes", CLASSES)),
                config=config,
            )

    def scores(self, dense: np.ndarray, hashed: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        x = (dense - self.mean) / self.scale
        z = x @ self.dense_w + self.bias
        idx, val = hashed
        if idx.size:
            z = z + val @ self.hash_w[idx]
        return z

    def proba(self, dense: np.ndarray, hashed: tuple[np.ndarray, np.ndarray], *, adjusted: bool = True) -> np.ndarray:
        z = self.scores(dense, hashed) + (self.offsets if adjusted else 0.0)
        z = z - z.max()
        e = np.exp(z)
        return e / e.sum()


def model_available(directory: Path | None = None) -> bool:
    d = Path(directory) if directory is not None else DEFAULT_MODEL_DIR
    return (d / "model.npz").is_file() and (d / "config.json").is_file()


class LazyModel:
    """A ``LoadedModel`` from ``model_dir`` and an embedder, both loaded on first use (thread-safe)."""

    model_dir: Path
    _model: LoadedModel | None
    _embedder: Any
    _lock: threading.Lock

    @property
    def model(self) -> LoadedModel:
        if self._model is None:
            with self._lock:
                if self._model is None:
                    self._model = LoadedModel.load(self.model_dir)
                    logger.info("loaded %s", self.model_dir)
        return self._model

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            from .embeddings import Embedder

            self._embedder = Embedder()
        return self._embedder


class TrainedStanceClassifier(LazyModel):
    """The trained pair model for comments/tweets, the cue lexicon for news text and non-confirmation.

    ``embedder`` defaults to the service's MiniLM ``Embedder``; the weights load on first use.
    """

    def __init__(
        self,
        model_dir: str | Path | None = None,
        *,
        embedder: Any = None,
        cue: CueStanceClassifier | None = None,
        news: Any = None,
        news_deny_min: float = 0.5,
        news_attributed_min_match: float = 0.5,
        crossencoder: Any = None,
    ) -> None:
        self.model_dir = Path(model_dir) if model_dir is not None else DEFAULT_MODEL_DIR
        self.crossencoder = crossencoder  # a crossencoder.CrossEncoder, or None
        self.cue = cue or CueStanceClassifier()
        self.news = news  # a news_stance.NewsStanceModel, or None
        self.news_deny_min = news_deny_min
        self.news_attributed_min_match = news_attributed_min_match
        self._embedder = embedder
        self._model: LoadedModel | None = None
        self._lock = threading.Lock()

    # -- model -------------------------------------------------------------------------------------

    def model_proba(self, text: str, claim_text: str | None, cue: StanceDecision | None) -> dict[str, float]:
        """Class probabilities of the trained model (offsets applied) for a raw statement and claim text.
        With a cross-encoder and a claim, the probabilities are those of the two models' ensemble
        (``CrossEncoder.combine``: its own offsets, instead of the reply model's)."""
        texts = [normalise_text(text)] + ([normalise_text(claim_text)] if claim_text else [])
        vecs = self.embedder.encode(texts)
        dense = dense_features(vecs[0], vecs[1] if claim_text else None, surface_features(text, cue))
        hashed = hashed_features(text)
        if self.crossencoder is not None and claim_text:
            p = self.crossencoder.combine(self.model.scores(dense, hashed), self.crossencoder.logits(texts[1], texts[0]))
        else:
            p = self.model.proba(dense, hashed)
        return {c: float(v) for c, v in zip(self.model.classes, p)}

    # -- StanceClassifier --------------------------------------------------------------------------

    def classify(
        self, statement: StatementExtracted, claim: ClaimRecord | None = None, *, relatedness: float | None = None
    ) -> StanceDecision:
        cue = self.cue.classify(statement, claim, relatedness=relatedness)
        if cue.stance == "non_confirm":
            return cue  # the model has no non_confirm class
        if statement.document_kind == "comment":
            # The claim stands in for the thread's source post; without one, the article's title does.
            claim_text = claim.text if claim is not None else (statement.document_title or None)
            if claim_text is None:
                return cue
            proba = self.model_proba(statement.text, claim_text, cue)
            best = max(proba, key=proba.__getitem__)
            shown = ", ".join(f"{k} {v:.2f}" for k, v in sorted(proba.items(), key=lambda kv: -kv[1]))
            if best == cue.stance:
                conf = max(cue.confidence, proba[best])
                cues = list(cue.cues) + [f"model: {best} p={proba[best]:.2f}"]
                return StanceDecision(best, round(conf, 3), cues, f"{cue.explanation}; model agrees ({shown})",  # type: ignore[arg-type]
                                      models=("reply",))
            return StanceDecision(
                best,  # type: ignore[arg-type]
                round(proba[best], 3),
                [f"model: {best} p={proba[best]:.2f}"],
                f"trained stance model ({shown}); cue classifier said {cue.stance}",
                models=("reply",),
            )
        return self._classify_news(statement, claim, cue, relatedness)

    def _classify_news(self, statement: StatementExtracted, claim: ClaimRecord | None, cue: StanceDecision,
                       relatedness: float | None = None) -> StanceDecision:
        """News text. The cue lexicon's denials stand (corroborated by a model when one agrees). Toward a
        given claim, the news model may add a denial the cues missed: in the outlet's own voice
        (``narrator``, as in the headlines it was trained on), or for an attributed speaker when the
        statement matches the claim at ``news_attributed_min_match`` or more. The model reads negation
        as denial toward any claim (its training pairs were all on-topic), so weaker matches are left
        to the cue lexicon: on the seeds, "... the proposal has not been formally presented" got deny
        p=0.90 toward an unrelated claim it matched at 0.43."""
        if self.news is not None and claim is not None:
            # A model-only denial: the outlet's own voice (as in the headlines the model was trained
            # on), or an attributed speaker whose statement is clearly about this claim.
            may_add = cue.stance not in ("deny", "non_confirm") and (
                statement.attribution.speaker_kind == "narrator" or (relatedness or 0.0) >= self.news_attributed_min_match)
            if cue.stance != "deny" and not may_add:
                return cue  # nothing the model says would change the decision
            proba = self.news.proba(statement.text, claim.text, cue)
            shown = ", ".join(f"{k} {v:.2f}" for k, v in sorted(proba.items(), key=lambda kv: -kv[1]))
            p_deny = proba.get("deny", 0.0)
            if cue.stance == "deny" and p_deny >= self.news_deny_min:
                return StanceDecision("deny", round(min(1.0, cue.confidence + 0.05), 3),
                                      list(cue.cues) + [f"news model: deny p={p_deny:.2f}"],
                                      f"{cue.explanation}; the news stance model agrees ({shown})", models=("news",))
            if may_add and p_deny >= self.news_deny_min and p_deny == max(proba.values()):
                return StanceDecision("deny", round(p_deny, 3), [f"news model: deny p={p_deny:.2f}"],
                                      f"news stance model ({shown}); cue classifier said {cue.stance}", models=("news",))
            return cue
        if cue.stance == "deny":
            proba = self.model_proba(statement.text, claim.text if claim is not None else None, cue)
            if proba.get("deny", 0.0) >= 0.5:
                return StanceDecision("deny", round(min(1.0, cue.confidence + 0.05), 3),
                                      list(cue.cues) + [f"model: deny p={proba['deny']:.2f}"],
                                      f"{cue.explanation}; the trained model agrees (deny p={proba['deny']:.2f})",
                                      models=("reply",))
        return cue


def _check_protocol(x: TrainedStanceClassifier) -> StanceClassifier:  # pragma: no cover - typing only
    return x
