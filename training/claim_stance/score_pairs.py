"""Score claim stance models on a labelled pair file: F1 per class, accuracy and macro-F1, accuracy per
phenomenon, and 95 % intervals of deny F1 and macro-F1 from resampling the file's stories (``group``).

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

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from streams.evaluate.metrics import intervals, report  # noqa: E402
from streams.nlp.claim_stance import CLASSES, ClaimStanceModel  # noqa: E402


def score(rows: list[dict], model: ClaimStanceModel) -> dict[str, object]:
    """The project's metrics (``streams.evaluate.metrics``): per-class F1, accuracy, macro-F1, and 95 %
    cluster-bootstrap intervals of deny F1 and macro-F1 over the file's stories."""
    pred = []
    for r in rows:
        p = model.proba(r["claim"], r["statement"])
        pred.append(max(p, key=p.__getitem__))
    gold = [r["label"] for r in rows]
    rep = report(gold, pred, CLASSES)
    ci = intervals(gold, pred, [r["group"] for r in rows], list(CLASSES), "deny", unit="story")
    by_phen: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r, p in zip(rows, pred):
        t = by_phen[f"{r['label']}/{r.get('phenomenon', '-')}"]
        t[0] += int(p == r["label"])
        t[1] += 1
    return {"pairs": len(rows), "stories": len({r["group"] for r in rows}),
            **{c: round(rep.per_class[c].f1, 3) for c in CLASSES},
            "macro": round(rep.macro_f1, 3), "accuracy": round(rep.accuracy, 3),
            "deny_f1_95": [round(x, 3) for x in ci["negative_f1"]],  # type: ignore[union-attr]
            "macro_f1_95": [round(x, 3) for x in ci["macro_f1"]],  # type: ignore[union-attr]
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
