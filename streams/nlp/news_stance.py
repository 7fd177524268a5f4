"""News stance: how a news sentence (a headline, an article sentence) stands toward a claim.

A second linear pair model next to the reply model of ``stance_model``, trained by
``training/train_news_stance.py``: the bundled one on FNC-1 body sentences (each related headline-body
pair's 3 sentences that match the headline best; agree / disagree / discuss), or with ``--source
emergent`` on Emergent's headlines (Ferreira & Vlachos 2016: for / against / observing); both read
as support / deny / comment. Artefact:
``resources/news_stance/`` (``model.npz``, ``config.json``, ``card.md``); ``Settings.news_stance_model_path``
points at another one.

Features (shared by training and inference through ``pair_features``):

- everything the reply model uses (``stance_model.dense_features``: MiniLM embeddings of statement
  and claim, their product, difference and cosine, the surface/cue features; hashed n-grams of the
  statement);
- ``news_features``: hand-written refuting / hedging / reporting word counts in the statement and in
  the claim, negation alignment (negated in one, not the other), a closing question, and the
  share of the claim's content words the statement repeats (after Ferreira & Vlachos' features).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .stance import StanceDecision
from .stance_model import LazyModel, LoadedModel, dense_features, hashed_features, normalise_text, surface_features

DEFAULT_NEWS_MODEL_DIR = Path(__file__).parent / "resources" / "news_stance"
NEWS_CLASSES: tuple[str, ...] = ("support", "deny", "comment")
EMERGENT_LABELS = {"for": "support", "against": "deny", "observing": "comment"}


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


# Hand-written word lists (not derived from any dataset).
_REFUTE = _rx("fake", "fakes", "fraud", "hoax\\w*", "false\\w*", "den(?:y|ies|ied|ying)", "not", "n't", "despite", "nope",
              "doubt\\w*", "bogus", "debunk\\w*", "prank\\w*", "retract\\w*", "untrue", "myth", "satir\\w*", "no",
              "never", "rejects?", "refut\\w*", "dismiss\\w*", "wrong", "incorrect", "lie", "lies", "scam", "rumou?rs?",
              "photoshop\\w*", "debunked", "isn't", "wasn't", "aren't", "didn't", "doesn't")
_HEDGE = _rx("alleged\\w*", "reported\\w*", "reports?", "claims?", "claimed", "could", "may", "might", "possibl\\w*",
             "apparent\\w*", "rumou?red", "suggest\\w*", "appears?", "seems?", "purported\\w*", "supposed\\w*",
             "unconfirmed", "unverified", "according to", "says?", "said", "believed", "likely", "perhaps")
_NEGATION = _rx("no", "not", "n't", "never", "nobody", "nothing", "none", "neither", "nor", "without")
_CONTRACTED_NOT = re.compile(r"\w+n't\b|\bcannot\b", re.IGNORECASE)  # "don't", "hasn't": ``\bn't`` never matches


#: How a source's anonymity or reticence is reported: negations that deny nothing ("who asked not to be
#: named", "was not authorised to speak publicly").
_SOURCING = re.compile(
    r",?\s*\b(?:who|as|because\s+(?:he|she|they))\s+(?:\w+\s+){0,2}?(?:asked|requested|spoke|declined|wished)\s+"
    r"not\s+to\s+be\s+(?:named|identified|quoted)\b,?"
    r"|,?\s*\b(?:who|as|because\s+(?:he|she|they))\s+(?:was|were|is|are)\s+not\s+(?:authori[sz]ed|allowed|permitted)\s+"
    r"to\s+(?:speak|comment|talk)\b(?:\s+(?:publicly|on\s+the\s+record|to\s+the\s+media|about\s+it))?,?",
    re.IGNORECASE)


def without_sourcing(text: str) -> str:
    """``text`` without the negations that only report a source's anonymity ("The council worker, who
    asked not to be named, said ..." -> "The council worker said ...")."""
    return re.sub(r"\s{2,}", " ", _SOURCING.sub(" ", text)).strip()


def states_refutation(text: str) -> bool:
    """Whether ``text`` says in words that something is false, doubted or did not happen: a refuting
    word of the news model's feature list ("hoax", "doubt", "denied", "not", "no", "never" ...) or a
    negated verb. A denial that only the news stance model sees alerts only when its sentence says
    this (``ClaimTracker.negative_toward``): the model also learnt which *stories* FNC-1's disagreeing
    articles tell, and reads "The spider was removed with tweezers" as a denial of a spider story."""
    text = without_sourcing(text)
    return bool(_REFUTE.search(text) or _CONTRACTED_NOT.search(text))


_WORD = re.compile(r"[a-z0-9']+")
_STOP = frozenset(
    "a an the of to in on at for by with from and or but is are was were be been being has have had it its this that "
    "these those as into about after over than then so if he she they we you i his her their our your who what which "
    "will would can could may might says said say new".split()
)

N_NEWS = 12
# Training settings: the reply model's (training/train_stance.py). A search of C on news data, grouped by
# story, chose 0.0001, which lowered the service's news figures; 0.003 stayed
# (training/experiments/news_hyperparams.py). The hash weight was not searched on news data.
C_DEFAULT = 0.003
HASH_WEIGHT_DEFAULT = 30.0


def _count(pattern: re.Pattern[str], text: str) -> float:
    return min(3.0, float(len(pattern.findall(text)))) / 3.0


def news_features(text: str, claim_text: str | None) -> np.ndarray:
    """``N_NEWS`` hand-built features of a news statement and the claim it is compared with."""
    s = normalise_text(text)
    c = normalise_text(claim_text or "")
    s_words = {w for w in _WORD.findall(s.lower()) if w not in _STOP}
    c_words = {w for w in _WORD.findall(c.lower()) if w not in _STOP}
    overlap = len(s_words & c_words) / max(1, len(c_words))
    neg_s = 1.0 if _NEGATION.search(s) else 0.0
    neg_c = 1.0 if _NEGATION.search(c) else 0.0
    stripped = s.rstrip(" .!\"'”’")
    return np.asarray([
        _count(_REFUTE, s),
        _count(_HEDGE, s),
        _count(_NEGATION, s),
        _count(_REFUTE, c),
        _count(_HEDGE, c),
        neg_s,
        neg_c,
        1.0 if neg_s != neg_c else 0.0,
        1.0 if stripped.endswith("?") else 0.0,
        overlap,
        1.0 if overlap >= 0.5 else 0.0,
        1.0 if claim_text else 0.0,
    ], dtype=np.float32)


def pair_features(
    statement_vec: np.ndarray, claim_vec: np.ndarray | None, text: str, claim_text: str | None,
    cue: StanceDecision | None,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """(dense, hashed) features of one (statement, claim) pair: the reply model's plus ``news_features``."""
    dense = dense_features(statement_vec, claim_vec, surface_features(text, cue))
    return np.concatenate([dense, news_features(text, claim_text)]), hashed_features(text)


def embed_pairs(embedder: Any, texts: Sequence[str], claim_texts: Sequence[str | None]) -> tuple[np.ndarray, list[np.ndarray | None]]:
    """MiniLM vectors of the statements and claims (each distinct text embedded once)."""
    distinct = sorted({normalise_text(t) for t in texts} | {normalise_text(c) for c in claim_texts if c})
    vecs = embedder.encode(distinct) if distinct else np.zeros((0, 384), dtype=np.float32)
    index = {t: i for i, t in enumerate(distinct)}
    s = np.vstack([vecs[index[normalise_text(t)]] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)
    c = [vecs[index[normalise_text(t)]] if t else None for t in claim_texts]
    return s, c


class NewsStanceModel(LazyModel):
    """The trained news model: ``proba(text, claim_text, cue)`` -> {support, deny, comment: p}."""

    def __init__(self, model_dir: str | Path | None = None, *, embedder: Any = None,
                 loaded: LoadedModel | None = None) -> None:
        self.model_dir = Path(model_dir) if model_dir is not None else DEFAULT_NEWS_MODEL_DIR
        self._embedder = embedder
        self._model = loaded
        self._lock = threading.Lock()

    @property
    def config(self) -> dict[str, Any]:
        return self.model.config

    def proba(self, text: str, claim_text: str, cue: StanceDecision | None) -> dict[str, float]:
        vecs = self.embedder.encode([normalise_text(text), normalise_text(claim_text)])
        dense, hashed = pair_features(vecs[0], vecs[1], text, claim_text, cue)
        p = self.model.proba(dense, hashed)
        return {c: float(v) for c, v in zip(self.model.classes, p)}


def write_config(out: Path, config: dict[str, Any]) -> None:
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def featurize(embedder: Any, texts: Sequence[str], claim_texts: Sequence[str]) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """Features of (headline, claim) pairs as training and ``evaluate emergent --cv`` build them: each
    headline is an article statement by its outlet, the cue decision is taken toward the claim."""
    from .stance_model import cue_decisions

    svecs, cvecs = embed_pairs(embedder, texts, claim_texts)
    decisions = cue_decisions(texts, claim_texts, kind="article")
    dense, hashed = [], []
    for i, (text, claim_text, decision) in enumerate(zip(texts, claim_texts, decisions, strict=True)):
        d, h = pair_features(svecs[i], cvecs[i], text, claim_text, decision)
        dense.append(d)
        hashed.append(h)
    return np.vstack(dense).astype(np.float32), hashed


def fit(dense: np.ndarray, hashed: list[tuple[np.ndarray, np.ndarray]], labels: Sequence[str], *, C: float,
        hash_weight: float, seed: int) -> tuple[LoadedModel, Any]:
    """Fit the news model (scikit-learn, the ``train`` extra) and return it loaded as at inference."""
    from .linear import LinearModel, hashed_matrix
    from .stance_model import HASH_BITS

    y = np.asarray([NEWS_CLASSES.index(lab) for lab in labels])
    model = LinearModel(C, hash_weight, seed).fit(dense, hashed_matrix(hashed, HASH_BITS), y)
    w = model.export(dense.shape[1])
    config = {"classes": list(NEWS_CLASSES), "offsets": [0.0] * len(NEWS_CLASSES)}
    loaded = LoadedModel(dense_w=w["dense_w"], hash_w=w["hash_w"].astype(np.float32), bias=w["bias"], mean=w["mean"],
                         scale=w["scale"], offsets=np.zeros(len(NEWS_CLASSES), dtype=np.float32),
                         classes=NEWS_CLASSES, config=config)
    return loaded, w


def cv_predict(dense: np.ndarray, hashed: list[tuple[np.ndarray, np.ndarray]], labels: Sequence[str],
               groups: Sequence[str], k: int, *, C: float, hash_weight: float, seed: int) -> list[str]:
    """Out-of-fold predictions: each row's class from a model ``fit`` on the other ``k - 1`` folds
    (``grouped_folds``: no group in two folds)."""
    pred = [""] * len(labels)
    for test in grouped_folds(groups, k, seed):
        train = np.setdiff1d(np.arange(len(labels)), test)
        model, _ = fit(dense[train], [hashed[i] for i in train], [labels[i] for i in train], C=C,
                       hash_weight=hash_weight, seed=seed)
        for i in test:
            pred[i] = NEWS_CLASSES[int(np.argmax(model.proba(dense[i], hashed[i])))]
    return pred


def grouped_folds(groups: Sequence[str], k: int, seed: int) -> list[np.ndarray]:
    """``k`` folds of row indices with whole groups (claims) per fold, groups shuffled with ``seed``."""
    distinct = sorted(set(groups))
    order = np.random.RandomState(seed).permutation(len(distinct))
    fold_of = {distinct[j]: pos % k for pos, j in enumerate(order)}
    idx = np.arange(len(groups))
    return [idx[np.asarray([fold_of[g] == f for g in groups])] for f in range(k)]
