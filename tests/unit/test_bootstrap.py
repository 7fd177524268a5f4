"""``metrics.bootstrap_f1`` / ``intervals``: cluster-bootstrap F1, checked against a brute-force
resampling that copies items, and on cases whose answer is known without it."""

from __future__ import annotations

import numpy as np
import pytest

from streams.evaluate import metrics

LABELS = ("deny", "other")


def brute_force_f1(gold, pred, clusters, label, resamples, seed):  # type: ignore[no-untyped-def]
    """The same resamples (the same generator calls), but by building each resample's item list."""
    order = list(dict.fromkeys(clusters))
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(len(order), np.full(len(order), 1.0 / len(order)), size=resamples)
    out = []
    for w in weights:
        items = [(g, p) for cluster, times in zip(order, w) for _ in range(times)
                 for g, p, c in zip(gold, pred, clusters) if c == cluster]
        tp = sum(1 for g, p in items if g == label == p)
        fp = sum(1 for g, p in items if p == label != g)
        fn = sum(1 for g, p in items if g == label != p)
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        out.append(2 * prec * rec / (prec + rec) if prec + rec else 0.0)
    return out


def test_matches_brute_force_resampling() -> None:
    gold = ["deny", "deny", "other", "other", "deny", "other", "other", "deny", "other"]
    pred = ["deny", "other", "deny", "other", "deny", "other", "deny", "deny", "other"]
    clusters = ["a", "a", "a", "b", "b", "c", "c", "d", "e"]
    got = metrics.bootstrap_f1(gold, pred, clusters, LABELS, resamples=200, seed=3)[:, 0]
    assert got == pytest.approx(brute_force_f1(gold, pred, clusters, "deny", 200, 3))


def test_one_cluster_gives_the_point_estimate_every_time() -> None:
    gold = ["deny", "deny", "other", "other"]
    pred = ["deny", "other", "deny", "other"]  # P = R = F1 = 0.5
    samples = metrics.bootstrap_f1(gold, pred, ["t"] * 4, LABELS, resamples=50)
    assert samples[:, 0] == pytest.approx([0.5] * 50)
    assert metrics.percentile_interval(samples[:, 0]) == pytest.approx([0.5, 0.5])


def test_same_clusters_and_seed_give_paired_resamples() -> None:
    gold = ["deny", "other"] * 10
    clusters = [f"t{i // 2}" for i in range(20)]
    perfect = metrics.bootstrap_f1(gold, gold, clusters, LABELS)
    assert perfect[:, 0] == pytest.approx(np.ones(metrics.RESAMPLES))  # every thread has a denial
    a = metrics.bootstrap_f1(gold, ["deny"] * 20, clusters, LABELS)
    b = metrics.bootstrap_f1(gold, ["deny"] * 20, clusters, LABELS)
    assert (a == b).all()


def test_clustered_errors_widen_the_interval() -> None:
    """The same 40 items: errors spread over threads vs all in a few threads. Resampling threads
    must see the second as less certain; resampling items (one cluster each) cannot tell them apart."""
    gold = ["deny"] * 20 + ["other"] * 20
    pred = ["deny"] * 12 + ["other"] * 8 + ["other"] * 20
    spread = [f"t{i % 10}" for i in range(40)]
    lumped = [f"t{min(i, 20) // 4}" for i in range(40)]  # the 8 misses in two threads
    width = lambda c: np.diff(metrics.intervals(gold, pred, c, LABELS, "deny")["negative_f1"])[0]  # noqa: E731
    assert width(lumped) > width(spread)
    alone = [str(i) for i in range(40)]
    ci = metrics.intervals(gold, pred, alone, LABELS, "deny", unit="post")
    assert ci["clusters"] == 40 and ci["unit"] == "post" and ci["resamples"] == metrics.RESAMPLES
    low, high = ci["negative_f1"]
    assert low < 0.75 < high  # the point estimate: P 1, R 0.6, F1 0.75


def test_lengths_must_agree() -> None:
    with pytest.raises(ValueError):
        metrics.bootstrap_f1(["deny"], ["deny", "other"], ["a"], LABELS)
