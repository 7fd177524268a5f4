"""Pure classification metrics: confusion matrix, per-class precision/recall/F1, macro-F1, accuracy,
the FNC-1 score, and cluster-bootstrap intervals (``bootstrap_f1``; numpy).

Conventions (the usual ones, e.g. scikit-learn with ``zero_division=0``):

* precision of a class never predicted is 0; recall of a class absent from the gold labels is 0;
  F1 is 0 when precision + recall is 0;
* ``macro_f1`` is the unweighted mean of the F1 of the *given* labels (a label that never occurs
  still counts, with F1 0: that is how RumourEval's macro-F1 over S/D/Q/C is defined).

Intervals: the items of a data set are not independent (replies in one thread, headlines about one
claim, pairs of one article body), so ``bootstrap_f1`` resamples whole *clusters* with replacement
and reports the percentile interval (Efron & Tibshirani's percentile bootstrap, cluster version).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class ClassScores:
    precision: float
    recall: float
    f1: float
    support: int  # gold count
    predicted: int  # predicted count

    def as_dict(self) -> dict[str, float | int]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "support": self.support, "predicted": self.predicted}


def confusion_matrix(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """``m[i][j]`` = number of items with gold ``labels[i]`` predicted as ``labels[j]``.

    Items whose gold or predicted label is not in ``labels`` are an error (a silent drop would
    distort every metric)."""
    if len(gold) != len(pred):
        raise ValueError(f"gold and pred differ in length ({len(gold)} != {len(pred)})")
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, pred):
        if g not in index or p not in index:
            raise ValueError(f"label not in {list(labels)}: gold={g!r} pred={p!r}")
        matrix[index[g]][index[p]] += 1
    return matrix


def _div(a: float, b: float) -> float:
    return a / b if b else 0.0


def class_scores(matrix: Sequence[Sequence[int]], labels: Sequence[str]) -> dict[str, ClassScores]:
    out: dict[str, ClassScores] = {}
    for i, label in enumerate(labels):
        tp = matrix[i][i]
        gold = sum(matrix[i])
        predicted = sum(row[i] for row in matrix)
        p, r = _div(tp, predicted), _div(tp, gold)
        out[label] = ClassScores(p, r, _div(2 * p * r, p + r), gold, predicted)
    return out


def accuracy(gold: Sequence[str], pred: Sequence[str]) -> float:
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    return _div(sum(1 for g, p in zip(gold, pred) if g == p), len(gold))


def macro_f1(scores: dict[str, ClassScores], labels: Iterable[str]) -> float:
    labels = list(labels)
    return _div(sum(scores[label].f1 for label in labels), len(labels))


@dataclass(frozen=True)
class Report:
    labels: list[str]
    matrix: list[list[int]]
    per_class: dict[str, ClassScores]
    accuracy: float
    macro_f1: float
    n: int

    def as_dict(self) -> dict[str, object]:
        return {
            "labels": self.labels,
            "confusion_matrix": self.matrix,
            "per_class": {k: v.as_dict() for k, v in self.per_class.items()},
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "n": self.n,
        }


def report(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str],
           macro_labels: Sequence[str] | None = None) -> Report:
    """All of the above at once; ``macro_labels`` defaults to ``labels``."""
    matrix = confusion_matrix(gold, pred, labels)
    scores = class_scores(matrix, labels)
    return Report(list(labels), matrix, scores, accuracy(gold, pred),
                  macro_f1(scores, macro_labels or labels), len(gold))


# --------------------------------------------------------------------------------------------------
# Cluster bootstrap
# --------------------------------------------------------------------------------------------------

RESAMPLES = 1000
BOOTSTRAP_SEED = 0


def bootstrap_f1(gold: Sequence[str], pred: Sequence[str], clusters: Sequence[str], labels: Sequence[str], *,
                 resamples: int = RESAMPLES, seed: int = BOOTSTRAP_SEED) -> "np.ndarray":
    """Per-class F1 on ``resamples`` cluster-bootstrap resamples: an array (resamples, len(labels)).

    Each resample draws as many clusters as there are, with replacement, and counts every item of a
    drawn cluster as often as it was drawn. The draws depend only on the number of clusters,
    ``resamples`` and ``seed``, so two predictions for the same items get the same resamples and
    their differences are paired. F1 = 2TP / (2TP + FP + FN), 0 when that is 0/0 (as ``class_scores``)."""
    import numpy as np

    if not len(gold) == len(pred) == len(clusters):
        raise ValueError("gold, pred and clusters differ in length")
    index = {c: i for i, c in enumerate(dict.fromkeys(clusters))}
    k = len(index)
    counts = np.zeros((k, len(labels), 3))  # per cluster and label: TP, FP, FN
    for g, p, c in zip(gold, pred, clusters):
        row = counts[index[c]]
        for j, label in enumerate(labels):
            if g == label and p == label:
                row[j, 0] += 1
            elif p == label:
                row[j, 1] += 1
            elif g == label:
                row[j, 2] += 1
    if k == 0:
        return np.zeros((resamples, len(labels)))
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(k, np.full(k, 1.0 / k), size=resamples)  # (resamples, k): times each cluster is drawn
    sums = (weights @ counts.reshape(k, -1)).reshape(resamples, len(labels), 3)
    tp, fp, fn = sums[..., 0], sums[..., 1], sums[..., 2]
    denom = 2 * tp + fp + fn
    return np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)


def percentile_interval(samples: "np.ndarray", level: float = 0.95) -> list[float]:
    """The ``level`` percentile interval of bootstrap ``samples`` (1-d), as [low, high]."""
    import numpy as np

    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return [float(low), float(high)]


def intervals(gold: Sequence[str], pred: Sequence[str], clusters: Sequence[str], labels: Sequence[str],
              negative: str, macro_labels: Sequence[str] | None = None, *, unit: str = "item",
              resamples: int = RESAMPLES, seed: int = BOOTSTRAP_SEED) -> dict[str, object]:
    """95 % cluster-bootstrap intervals of the ``negative`` class's F1 and of macro-F1, with how they
    were made (``unit``: what a cluster is, e.g. thread; how many there were; resamples; seed)."""
    f1 = bootstrap_f1(gold, pred, clusters, labels, resamples=resamples, seed=seed)
    macro = [labels.index(label) for label in (macro_labels or labels)]
    return {"negative_f1": percentile_interval(f1[:, labels.index(negative)]),
            "macro_f1": percentile_interval(f1[:, macro].mean(axis=1)),
            "level": 0.95, "unit": unit, "clusters": len(set(clusters)), "resamples": resamples, "seed": seed}


# --------------------------------------------------------------------------------------------------
# FNC-1
# --------------------------------------------------------------------------------------------------

FNC_RELATED = ("agree", "disagree", "discuss")
FNC_LABELS = ("agree", "disagree", "discuss", "unrelated")


def fnc_score(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float]:
    """The official FNC-1 score (``fnc-1/utils/score.py``): per pair, +0.25 when gold and prediction
    agree on related vs unrelated (both ``unrelated``, or both one of agree/disagree/discuss), and
    +0.75 more when the gold is related and the predicted stance is exactly right.

    Returns ``(score, max_score)``; the relative score is ``score / max_score``. The maximum is
    0.25 per unrelated pair and 1.0 per related pair.
    """
    if len(gold) != len(pred):
        raise ValueError("gold and pred differ in length")
    score = 0.0
    best = 0.0
    for g, p in zip(gold, pred):
        if g == p:
            score += 0.25
            if g != "unrelated":
                score += 0.50
        if g in FNC_RELATED and p in FNC_RELATED:
            score += 0.25
        best += 0.25 if g == "unrelated" else 1.0
    return score, best
