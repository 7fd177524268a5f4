"""Each evaluator on a small slice of the real data in ``../shared/data`` (read at run time, never
copied): structure, ``n``, and the metric arithmetic recomputed here independently."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
RE = DATA / "rumoureval2019" / "rumoureval-2019-training-data"
EMERGENT = DATA / "emergent" / "url-versions-2015-06-14-clean-train.csv"
FNC = DATA / "fnc1"

pytestmark = pytest.mark.skipif(not DATA.is_dir(), reason=f"public data not found at {DATA.resolve()} "
                                "(CI keeps ../shared beside the clone)")


def independent_scores(items, labels):  # type: ignore[no-untyped-def]
    """Per-class P/R/F1, macro-F1 and accuracy counted directly from the items (no streams.evaluate code)."""
    out = {}
    for label in labels:
        tp = sum(1 for i in items if i.gold == label and i.pred == label)
        fp = sum(1 for i in items if i.gold != label and i.pred == label)
        fn = sum(1 for i in items if i.gold == label and i.pred != label)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        out[label] = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    macro = sum(v[2] for v in out.values()) / len(labels)
    acc = sum(1 for i in items if i.gold == i.pred) / len(items)
    return out, macro, acc


def check_arithmetic(result, labels, negative):  # type: ignore[no-untyped-def]
    items = result["items"]
    assert result["n"] == len(items) > 0
    per, macro, acc = independent_scores(items, labels)
    for label in labels:
        got = result["per_class"][label]
        assert (got["precision"], got["recall"], got["f1"]) == pytest.approx(per[label])
        assert got["support"] == sum(1 for i in items if i.gold == label)
        assert got["predicted"] == sum(1 for i in items if i.pred == label)
    assert result["macro_f1"] == pytest.approx(macro)
    assert result["accuracy"] == pytest.approx(acc)
    assert (result["deny"]["precision"], result["deny"]["recall"], result["deny"]["f1"]) == pytest.approx(per[negative])
    assert result["raw_stances"] == dict(sorted(Counter(i.raw for i in items).items()))
    # Intervals resample the data set's clusters (threads, claims, bodies), which every item names.
    ci = result["intervals"]
    assert all(i.cluster for i in items) and ci["clusters"] == len({i.cluster for i in items}) <= len(items)
    for low, high in (ci["negative_f1"], ci["macro_f1"]):
        assert 0.0 <= low <= high <= 1.0
    json.dumps({k: v for k, v in result.items() if k != "items"})  # the --json object serialises


def keyed_posts(threads_dir: Path, key: dict[str, str], n_threads: int) -> int:
    """Labelled posts of the first ``n_threads`` keyed threads, counted from the files."""
    count = 0
    folders = sorted(p.parent for p in threads_dir.rglob("structure.json"))
    taken = 0
    for folder in folders:
        ids = {folder.name} | {p.stem for p in (folder / "replies").glob("*.json")}
        if ids & key.keys():
            count += len(ids & key.keys())
            taken += 1
            if taken == n_threads:
                break
    return count


@pytest.mark.parametrize("mode", ["linked", "unlinked"])
def test_rumoureval_two_dev_threads(mode: str) -> None:
    from streams.evaluate import rumoureval

    key = json.loads((RE / "dev-key.json").read_text())["subtaskaenglish"]
    result = rumoureval.evaluate(RE / "twitter-english", RE / "dev-key.json", platform="twitter", mode=mode,
                                 max_threads=2)
    assert result["threads"] == 2
    assert result["n"] == keyed_posts(RE / "twitter-english", key, 2)
    assert result["n_sources"] == 2 and result["n_sources"] + result["n_replies"] == result["n"]
    assert all(i.gold == key[i.item_id] for i in result["items"])
    check_arithmetic(result, rumoureval.LABELS, "deny")
    if mode == "unlinked":
        cm = result["claim_matching"]
        assert cm["replies"] == result["n_replies"]
        assert 0.0 <= cm["accuracy"] <= 1.0 and result["claim_matching_accuracy"] == cm["accuracy"]
        assert cm["accuracy"] == pytest.approx(cm["correct"] / cm["replies"])


def test_rumoureval_cli_json_and_errors(tmp_path: Path) -> None:
    from streams.cli import cli

    runner = CliRunner()
    res = runner.invoke(cli, ["evaluate", "rumoureval", str(RE / "reddit-dev-data"), "--key", str(RE / "dev-key.json"),
                              "--platform", "reddit", "--max-threads", "1", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)  # exactly one JSON object
    assert {"deny", "macro_f1", "accuracy", "per_class", "n"} <= data.keys()
    assert set(data["deny"]) == {"precision", "recall", "f1"}
    missing = runner.invoke(cli, ["evaluate", "rumoureval", str(tmp_path / "nope"), "--key", str(RE / "dev-key.json")])
    assert missing.exit_code == 1 and "data folder not found" in missing.output
    nokey = runner.invoke(cli, ["evaluate", "rumoureval", str(RE), "--key", str(tmp_path / "key.json")])
    assert nokey.exit_code == 1 and "key file not found" in nokey.output


def test_emergent_twenty_rows() -> None:
    from streams.evaluate import emergent

    result = emergent.evaluate(EMERGENT, limit=20)
    assert result["n"] == 20
    check_arithmetic(result, emergent.LABELS, "against")
    assert result["against"] == result["deny"]
    m = result["matching"]
    assert m["headlines"] == 20 and m["claims"] == len({r.claim_id for r in emergent.load_rows(EMERGENT)[:20]})
    assert 0.0 <= m["embedding_top1"] <= 1.0 and 0.0 <= m["matcher_top1"] <= 1.0


def test_fnc1_twenty_pairs() -> None:
    from streams.evaluate import fnc1, metrics

    result = fnc1.evaluate(FNC / "train_stances.csv", FNC / "train_bodies.csv", max_bodies=2, limit=20)
    assert result["n"] == 20 and result["bodies"] <= 2
    check_arithmetic(result, fnc1.LABELS, "disagree")
    # FNC score recomputed from the definition: 0.25 related/unrelated right, +0.75 exact related stance.
    score = 0.0
    best = 0.0
    for i in result["items"]:
        rel_g, rel_p = i.gold != "unrelated", i.pred != "unrelated"
        score += 0.25 * (rel_g == rel_p) + 0.75 * (rel_g and i.gold == i.pred)
        best += 1.0 if rel_g else 0.25
    assert result["fnc_score"] == pytest.approx(score)
    assert result["fnc_max_score"] == pytest.approx(best)
    assert result["fnc_relative"] == pytest.approx(score / best)
    # Deterministic selection.
    pairs, _ = fnc1.load(FNC / "train_stances.csv", FNC / "train_bodies.csv")
    a = fnc1.select(pairs, sample=50, limit=None, bodies=10)
    assert a == fnc1.select(pairs, sample=50, limit=None, bodies=10) and len(a) == 50
    assert metrics.FNC_LABELS == fnc1.LABELS


def test_emergent_cross_validation_trains_a_model_per_fold() -> None:
    from streams.evaluate import emergent
    from streams.nlp.news_stance import grouped_folds

    rows = emergent.load_rows(EMERGENT)[:120]
    result = emergent.evaluate(EMERGENT, limit=120, cv=3, matcher_top1=False)
    assert result["n"] == 120 and result["cv_folds"] == 3
    check_arithmetic(result, emergent.LABELS, "against")
    # Each claim is scored by its fold's model, trained without that fold's claims.
    from streams.settings import Settings

    per_claim = emergent.fold_classifiers(rows, 3, Settings())
    folds = grouped_folds([r.claim_id for r in rows], 3, 13)
    assert len({id(c) for c in per_claim.values()}) == 3
    for fold in folds:
        assert len({id(per_claim[rows[int(i)].claim_id]) for i in fold}) == 1


def test_fnc1_cross_validation_trains_per_headline_fold_on_fnc1_only(tmp_path) -> None:
    import csv

    from streams.evaluate import fnc1

    pairs, _ = fnc1.load(FNC / "train_stances.csv", FNC / "train_bodies.csv")
    by_body: dict[str, list] = {}
    for p in pairs:
        by_body.setdefault(p.body_id, []).append(p)
    # bodies whose pairs carry every related stance, so each training fold has all three classes
    rich = [b for b, ps in sorted(by_body.items()) if {"agree", "disagree", "discuss"} <= {p.stance for p in ps}][:3]
    chosen = [p for b in rich for p in by_body[b]]
    stances = tmp_path / "stances.csv"
    with open(stances, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Headline", "Body ID", "Stance"])
        writer.writerows([p.headline, p.body_id, p.stance] for p in chosen)

    result = fnc1.evaluate(stances, FNC / "train_bodies.csv", cv=2)
    assert result["n"] == len(chosen) and result["cv_folds"] == 2
    assert "FNC-1 pairs of the other 1 folds" in result["news_model_trained_on"]
    check_arithmetic(result, fnc1.LABELS, "disagree")
