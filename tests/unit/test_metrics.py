"""Metric arithmetic against hand-computed values."""

from __future__ import annotations

import pytest

from streams.evaluate import metrics


GOLD = ["a", "a", "a", "b", "b", "c"]
PRED = ["a", "a", "b", "b", "a", "a"]


def test_confusion_matrix_by_hand() -> None:
    # rows = gold, columns = predicted
    assert metrics.confusion_matrix(GOLD, PRED, ["a", "b", "c"]) == [[2, 1, 0], [1, 1, 0], [1, 0, 0]]


def test_per_class_macro_and_accuracy_with_a_never_predicted_class() -> None:
    rep = metrics.report(GOLD, PRED, ["a", "b", "c"])
    a, b, c = rep.per_class["a"], rep.per_class["b"], rep.per_class["c"]
    assert (a.precision, a.recall) == pytest.approx((2 / 4, 2 / 3))
    assert a.f1 == pytest.approx(4 / 7)  # 2 * 0.5 * 2/3 / (0.5 + 2/3)
    assert (b.precision, b.recall, b.f1) == pytest.approx((0.5, 0.5, 0.5))
    # "c" is never predicted: precision is 0 (zero division), recall 0/1, F1 0.
    assert (c.precision, c.recall, c.f1, c.support, c.predicted) == (0.0, 0.0, 0.0, 1, 0)
    assert rep.accuracy == pytest.approx(3 / 6)
    assert rep.macro_f1 == pytest.approx((4 / 7 + 0.5 + 0.0) / 3)
    assert rep.n == 6


def test_macro_f1_counts_an_absent_label_and_can_use_a_subset() -> None:
    rep = metrics.report(GOLD, PRED, ["a", "b", "c", "d"])
    d = rep.per_class["d"]
    assert (d.precision, d.recall, d.f1, d.support, d.predicted) == (0.0, 0.0, 0.0, 0, 0)
    assert rep.macro_f1 == pytest.approx((4 / 7 + 0.5) / 4)
    sub = metrics.report(GOLD, PRED, ["a", "b", "c", "d"], macro_labels=["a", "b"])
    assert sub.macro_f1 == pytest.approx((4 / 7 + 0.5) / 2)


def test_perfect_and_empty() -> None:
    rep = metrics.report(["x", "y"], ["x", "y"], ["x", "y"])
    assert rep.accuracy == rep.macro_f1 == 1.0
    empty = metrics.report([], [], ["x"])
    assert empty.accuracy == 0.0 and empty.macro_f1 == 0.0 and empty.n == 0


def test_unknown_labels_and_length_mismatch_are_errors() -> None:
    with pytest.raises(ValueError):
        metrics.confusion_matrix(["a"], ["z"], ["a"])
    with pytest.raises(ValueError):
        metrics.confusion_matrix(["a", "a"], ["a"], ["a"])


def test_fnc_score_by_hand() -> None:
    gold = ["agree", "disagree", "unrelated", "discuss", "unrelated"]
    pred = ["agree", "discuss", "unrelated", "unrelated", "agree"]
    # agree/agree 0.25 + 0.50 + 0.25 = 1.0; disagree/discuss 0.25 (both related);
    # unrelated/unrelated 0.25; discuss/unrelated 0; unrelated/agree 0.
    score, best = metrics.fnc_score(gold, pred)
    assert score == pytest.approx(1.5)
    assert best == pytest.approx(1.0 + 1.0 + 0.25 + 1.0 + 0.25)
    assert metrics.fnc_score(gold, gold) == pytest.approx((3.5, 3.5))
