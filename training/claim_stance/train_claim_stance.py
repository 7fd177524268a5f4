"""Fine-tune the claim–statement stance cross-encoder (deny / non_confirm / support / unrelated) and
export it as int8 ONNX; or cross-validate the recipe by story.

Needs torch, in its own venv (``training/claim_stance/README.md``); the service runs the ONNX file
with onnxruntime only.

    P=/tmp/cs/pairs.jsonl   # build_pairs.py
    /tmp/xenc-venv/bin/python training/claim_stance/train_claim_stance.py --pairs $P --model $M --cv 5 --out /tmp/cs/cv
    /tmp/xenc-venv/bin/python training/claim_stance/train_claim_stance.py --pairs $P --model $M \\
        --out streams/nlp/resources/claim_stance

Input: ``[CLS] claim [SEP] statement [SEP]``, both cut to ``--max-len`` tokens together (longest first).

``--cv K``: the hand-written pairs' stories (``group``) are split into K folds (seeded); each fold is
scored by a model trained on everything else (the public sets always train). Out-of-fold
probabilities go to ``--out/oof.npz`` and the figures, with 95 % intervals from 1,000 bootstrap
resamples of the stories, to ``--out/cv.json``. Nothing is exported.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "crossencoder"))
from train_xenc import add_recipe_args, collate, export_int8, fine_tune, onnx_logits, ort_session  # noqa: E402

LABELS = ["deny", "non_confirm", "support", "unrelated"]
FORMAT = "claimwatch-claim-stance/1"
#: Hand-written pairs whose logits the export records, so the service can check its tokenization.
REFERENCE = [
    ("Norvik Ports is in talks to sell its crane unit to Hexa Lift.",
     "\"We are not in discussions with Hexa Lift or anyone else,\" a Norvik spokeswoman said."),
    ("Rebels captured the town of Kessa on Sunday, the army said.",
     "A local official said he could not confirm that Kessa had fallen."),
    ("The minister resigned on Tuesday, state television reported.",
     "The minister confirmed his resignation in a letter to the prime minister."),
    ("The minister resigned on Tuesday, state television reported.",
     "The ministry has not disclosed the cost of the new building."),
]


def read_pairs(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def folds_of(groups: list[str], k: int, seed: int) -> dict[str, int]:
    unique = sorted(set(groups))
    random.Random(seed).shuffle(unique)
    return {g: i % k for i, g in enumerate(unique)}


def expand(rows: list[dict], own_repeat: int) -> tuple[list[str], list[str], np.ndarray]:
    a, b, y = [], [], []
    for r in rows:
        for _ in range(own_repeat if r["source"] == "own" else 1):
            a.append(r["claim"]); b.append(r["statement"]); y.append(LABELS.index(r["label"]))
    return a, b, np.array(y)


def predict(model, tok, a: list[str], b: list[str], max_len: int) -> np.ndarray:
    enc = tok(a, b, truncation="longest_first", max_length=max_len)
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(a), 64):
            out.append(model(**collate(tok, enc, range(i, min(i + 64, len(a))))).logits.numpy())
    return np.concatenate(out) if out else np.zeros((0, len(LABELS)))


def scores(y: np.ndarray, p: np.ndarray) -> dict:
    out = {}
    for i, label in enumerate(LABELS):
        tp = int(((p == i) & (y == i)).sum()); fp = int(((p == i) & (y != i)).sum()); fn = int(((p != i) & (y == i)).sum())
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        out[label] = {"precision": round(prec, 4), "recall": round(rec, 4),
                      "f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0, "n": int((y == i).sum())}
    out["macro_f1"] = round(float(np.mean([out[label]["f1"] for label in LABELS])), 4)
    out["accuracy"] = round(float((y == p).mean()), 4) if len(y) else 0.0
    return out


def bootstrap(y: np.ndarray, p: np.ndarray, groups: list[str], seed: int = 13, n: int = 1000) -> dict:
    uniq = sorted(set(groups))
    idx = {g: np.array([i for i, x in enumerate(groups) if x == g]) for g in uniq}
    rng = np.random.default_rng(seed)
    stats: dict[str, list[float]] = {"macro_f1": [], "deny_f1": [], "non_confirm_f1": []}
    for _ in range(n):
        pick = np.concatenate([idx[uniq[j]] for j in rng.integers(0, len(uniq), len(uniq))])
        s = scores(y[pick], p[pick])
        stats["macro_f1"].append(s["macro_f1"]); stats["deny_f1"].append(s["deny"]["f1"])
        stats["non_confirm_f1"].append(s["non_confirm"]["f1"])
    return {k: [round(float(np.percentile(v, 2.5)), 4), round(float(np.percentile(v, 97.5)), 4)] for k, v in stats.items()}


def cross_validate(rows: list[dict], args) -> None:
    own = [r for r in rows if r["source"] == "own"]
    fold = folds_of([r["group"] for r in own], args.cv, args.seed)
    logits = np.zeros((len(own), len(LABELS)))
    times = []
    for k in range(args.cv):
        train = [r for r in rows if r["source"] != "own" or fold[r["group"]] != k]
        test = [i for i, r in enumerate(own) if fold[r["group"]] == k]
        a, b, y = expand(train, args.own_repeat)
        print(f"fold {k}: train {len(y)} pairs, score {len(test)} own pairs", flush=True)
        t0 = time.time()
        model, tok, _ = fine_tune(a, b, y, args)
        times.append(time.time() - t0)
        logits[test] = predict(model, tok, [own[i]["claim"] for i in test], [own[i]["statement"] for i in test], args.max_len)
    y = np.array([LABELS.index(r["label"]) for r in own])
    groups = [r["group"] for r in own]
    pred = logits.argmax(1)
    result = {"oof": scores(y, pred), "ci95": bootstrap(y, pred, groups), "stories": len(set(groups)),
              "fold_seconds": [round(t) for t in times], "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}}
    by_phen: dict[str, list[int]] = {}
    for r, yy, pp in zip(own, y, pred):
        t = by_phen.setdefault(r.get("phenomenon") or "-", [0, 0])
        t[0] += 1; t[1] += int(yy == pp)
    result["accuracy_by_phenomenon"] = {k: f"{v[1]}/{v[0]}" for k, v in sorted(by_phen.items(), key=lambda kv: -kv[1][0])}
    os.makedirs(args.out, exist_ok=True)
    np.savez(os.path.join(args.out, "oof.npz"), logits=logits, labels=y, groups=np.array(groups))
    Path(args.out, "cv.json").write_text(json.dumps(result, indent=1))
    print(json.dumps({k: result[k] for k in ("oof", "ci95", "stories", "fold_seconds")}, indent=1))


def train_and_export(rows: list[dict], args) -> None:
    import shutil
    import tempfile

    a, b, y = expand(rows, args.own_repeat)
    print(f"train {len(y)} pairs {np.bincount(y, minlength=len(LABELS)).tolist()}", flush=True)
    model, tok, epoch_times = fine_tune(a, b, y, args)
    model.eval()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.save_hf:
        model.save_pretrained(args.save_hf)
        tok.save_pretrained(args.save_hf)
    with tempfile.TemporaryDirectory() as tmp:
        _, q8 = export_int8(model, tok, tmp)
        shutil.copy(q8, out / "model.onnx")
    sess = ort_session(str(out / "model.onnx"), args.threads)
    enc = tok([c for c, _ in REFERENCE], [s for _, s in REFERENCE], truncation="longest_first", max_length=args.max_len)
    reference = [{"claim": c, "statement": s, "logits": [round(float(x), 5) for x in onnx_logits(sess, enc, i)]}
                 for i, (c, s) in enumerate(REFERENCE)]
    counts = {}
    for r in rows:
        counts.setdefault(r["source"], {}).setdefault(r["label"], 0)
        counts[r["source"]][r["label"]] += 1
    config = {
        "format": FORMAT, "classes": LABELS, "max_len": args.max_len, "base_model": "sentence-transformers/all-MiniLM-L6-v2",
        "training": {"pairs": counts, "own_repeat": args.own_repeat, "epochs": args.epochs, "lr": args.lr,
                     "batch": args.batch, "weighting": args.weighting, "seed": args.seed,
                     "train_seconds": round(sum(epoch_times), 1),
                     "pairs_sha256": hashlib.sha256(Path(args.pairs).read_bytes()).hexdigest()},
        "reference": reference,
    }
    (out / "config.json").write_text(json.dumps(config, indent=1) + "\n")
    print(json.dumps({"out": str(out), "train_seconds": config["training"]["train_seconds"],
                      "model_md5": hashlib.md5((out / "model.onnx").read_bytes()).hexdigest()}, indent=1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=Path, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--cv", type=int, default=0)
    ap.add_argument("--own-repeat", type=int, default=2, help="each hand-written pair is seen this many times an epoch")
    ap.add_argument("--save-hf", default="", help="also save the fine-tuned model in transformers' format here "
                    "(a first stage whose weights --model then starts the second from)")
    add_recipe_args(ap, epochs=2, max_len=128, comment_keep=1.0)
    args = ap.parse_args()
    random.seed(args.seed); np.random.seed(args.seed); torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rows = read_pairs(args.pairs)
    if args.cv:
        cross_validate(rows, args)
    else:
        train_and_export(rows, args)


if __name__ == "__main__":
    main()
