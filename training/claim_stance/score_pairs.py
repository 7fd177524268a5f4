"""Score claim stance models on a labelled pair file: accuracy and F1 per class and per phenomenon,
with 95 % intervals from resampling the file's stories (``group``).

    .venv/bin/python training/claim_stance/score_pairs.py training/claim_stance/contrast_dev.jsonl \\
        [--model DIR ...]     # default: the bundled model; several models are scored side by side

``contrast_dev.jsonl`` is kept out of training (``build_pairs.py`` reads only ``training/pairs/``): 24
stories written apart from the training pairs, ten statements each in a fixed pattern (counter-facts
that repeat the claim's words, short pronoun quotes, a sentence that confirms one fact and denies the
claim's, paraphrases that support, the same entities on another matter, a refusal to confirm). The
model is read through ``ClaimStanceModel`` as the service reads it; the argmax is its label.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from streams.nlp.claim_stance import CLASSES, ClaimStanceModel  # noqa: E402


def f1s(gold: list[str], pred: list[str]) -> dict[str, float]:
    out = {}
    for c in CLASSES:
        tp = sum(g == c and p == c for g, p in zip(gold, pred))
        fp = sum(g != c and p == c for g, p in zip(gold, pred))
        fn = sum(g == c and p != c for g, p in zip(gold, pred))
        out[c] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    out["macro"] = float(np.mean([out[c] for c in CLASSES]))
    out["accuracy"] = float(np.mean([g == p for g, p in zip(gold, pred)]))
    return out


def interval(rows: list[dict], pred: list[str], key: str, n: int = 1000, seed: int = 13) -> list[float]:
    groups = sorted({r["group"] for r in rows})
    idx: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        idx[r["group"]].append(i)
    rng = np.random.default_rng(seed)
    vals = []
    for _ in range(n):
        pick = [i for g in rng.choice(groups, len(groups)) for i in idx[g]]
        vals.append(f1s([rows[i]["label"] for i in pick], [pred[i] for i in pick])[key])
    return [round(float(np.percentile(vals, 2.5)), 3), round(float(np.percentile(vals, 97.5)), 3)]


def score(rows: list[dict], model: ClaimStanceModel) -> dict[str, object]:
    pred = []
    for r in rows:
        p = model.proba(r["claim"], r["statement"])
        pred.append(max(p, key=p.__getitem__))
    gold = [r["label"] for r in rows]
    overall = f1s(gold, pred)
    by_phen: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r, p in zip(rows, pred):
        t = by_phen[f"{r['label']}/{r.get('phenomenon', '-')}"]
        t[0] += int(p == r["label"])
        t[1] += 1
    return {"pairs": len(rows), "stories": len({r["group"] for r in rows}),
            **{k: round(v, 3) for k, v in overall.items()},
            "accuracy_95": interval(rows, pred, "accuracy"), "deny_f1_95": interval(rows, pred, "deny"),
            "by_phenomenon": {k: f"{a}/{n}" for k, (a, n) in sorted(by_phen.items())}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pairs", type=Path)
    ap.add_argument("--model", nargs="*", default=[None], help="claim stance model directories (\"\": the bundled one, the default)")
    args = ap.parse_args()
    rows = [json.loads(x) for x in args.pairs.read_text(encoding="utf-8").splitlines() if x.strip()]
    for path in args.model:
        print(json.dumps({"model": path or "bundled", **score(rows, ClaimStanceModel(path or None))}, indent=1))


if __name__ == "__main__":
    main()
