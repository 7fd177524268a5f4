"""Would the cross-encoder help the bundled reply model? Grouped 5-fold CV on RumourEval 2019 train only.

Three steps, two environments (the cross-encoder needs torch; the project does not):

    # 1. project venv: the folds (train_stance's GroupKFold by event / Reddit thread), the pairs
    #    (texts go to --dir, outside the repository), and the bundled model's out-of-fold scores
    .venv/bin/python training/crossencoder/cv_stack.py prepare --data ../shared/data --dir /tmp/xcv
    # 2. torch venv (see README.md): fine-tune one cross-encoder per fold, score its held-out fold
    #    with torch (fp32) and with the int8 ONNX model that would ship
    /tmp/xenc-venv/bin/python training/crossencoder/cv_folds.py --dir /tmp/xcv --model $M
    # 3. project venv: compare the arms on the same folds
    .venv/bin/python training/crossencoder/cv_stack.py combine --dir /tmp/xcv

The arms: the bundled reply model alone (logistic regression, C 0.003, hash weight 20), the
cross-encoder alone (int8), and the mean of their log-probabilities. Each gets per-class offsets
tuned on its own out-of-fold scores (``train_stance.tune_offsets``, the bundled model's procedure),
and is scored with ``train_stance.objective`` (mean of macro-F1 and deny F1). The decision rule,
fixed before the folds were run: an arm replaces the bundled model only if its objective is higher
and the 95 % interval of the paired difference (1,000 cluster-bootstrap resamples of threads,
``metrics.bootstrap_f1``, seed 0) lies above zero. Dev is not read.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from training import train_stance as T  # noqa: E402

FOLDS = 5
REPLY_MODEL = {"C": 0.003, "hash_weight": 20.0, "seed": 13}  # the bundled reply model's settings


def prepare(args: argparse.Namespace) -> None:
    from sklearn.model_selection import GroupKFold

    from streams.nlp.embeddings import Embedder
    from streams.nlp.stance_model import normalise_text
    from training.data import load_rumoureval

    train, _ = load_rumoureval(args.data)
    y = np.asarray([T.CLASSES.index(p.label) for p in train])
    groups = np.asarray([p.group for p in train])
    fold = np.zeros(len(train), dtype=int)
    for k, (_, te) in enumerate(GroupKFold(n_splits=FOLDS).split(np.zeros(len(y)), y, groups)):
        fold[te] = k
    embedder = Embedder(intra_op_num_threads=2, batch_size=64, cache_size=0)
    xd, xh = T.featurize(train, embedder, args.cache)
    oof = T.cross_validate(xd, xh, y, groups, REPLY_MODEL["C"], REPLY_MODEL["hash_weight"], REPLY_MODEL["seed"],
                           folds=FOLDS)
    args.dir.mkdir(parents=True, exist_ok=True)
    (args.dir / "reply_model.json").write_text(json.dumps(REPLY_MODEL) + "\n", encoding="utf-8")
    np.save(args.dir / "lr_oof.npy", oof)
    with (args.dir / "pairs.jsonl").open("w", encoding="utf-8") as fh:
        for p, k, lab in zip(train, fold, y, strict=True):
            fh.write(json.dumps({"a": normalise_text(p.source_text), "b": normalise_text(p.text), "y": int(lab),
                                 "fold": int(k), "thread": p.source_text, "platform": p.platform}) + "\n")
    print(f"{len(train)} pairs, folds {np.bincount(fold).tolist()}, LR out-of-fold objective "
          f"{T.objective(y, oof.argmax(1)):.4f}")


def objective_samples(y: np.ndarray, pred: np.ndarray, clusters: list[str], resamples: int) -> np.ndarray:
    """``T.objective`` on each of ``metrics.bootstrap_f1``'s cluster resamples (the same resamples for
    every prediction of the same items, so differences are paired)."""
    from streams.evaluate import metrics

    f1 = metrics.bootstrap_f1([T.CLASSES[i] for i in y], [T.CLASSES[i] for i in pred], clusters, T.CLASSES,
                              resamples=resamples)
    return 0.5 * f1.mean(axis=1) + 0.5 * f1[:, T.CLASSES.index("deny")]


def combine(args: argparse.Namespace) -> None:
    from streams.evaluate import metrics
    from streams.nlp.crossencoder import log_softmax

    rows = [json.loads(line) for line in (args.dir / "pairs.jsonl").open(encoding="utf-8")]
    y = np.asarray([r["y"] for r in rows])
    clusters = [r["thread"] for r in rows]
    lr = log_softmax(np.load(args.dir / "lr_oof.npy"))
    arms = {"reply model (bundled)": lr}
    for tag in ("int8", "fp32"):
        path = args.dir / f"xenc_oof_{tag}.npy"
        if path.exists():
            xe = log_softmax(np.load(path))
            arms[f"cross-encoder {tag}"] = xe
            arms[f"mean of log-probabilities ({tag})"] = 0.5 * (lr + xe)
    preds = {}
    out = {}
    for name, z in arms.items():
        off = T.tune_offsets(z, y)
        preds[name] = (z + off).argmax(1)
        rep = T.report(y, preds[name])
        out[name] = {"objective": round(T.objective(y, preds[name]), 4), "macro_f1": rep["macro_f1"],
                     "deny": rep["per_class"]["deny"], "offsets": off.round(2).tolist()}
    base_name = "reply model (bundled)"
    base = objective_samples(y, preds[base_name], clusters, args.resamples)
    for name, pred in preds.items():
        if name == base_name:
            continue
        lo, hi = metrics.percentile_interval(objective_samples(y, pred, clusters, args.resamples) - base)
        out[name]["difference"] = round(out[name]["objective"] - out[base_name]["objective"], 4)
        out[name]["difference_ci95"] = [round(lo, 4), round(hi, 4)]
        out[name]["adopt"] = bool(lo > 0)
    print("| arm | objective | macro-F1 | deny P / R / F1 | difference [95 %] |")
    print("|---|---|---|---|---|")
    for name, r in out.items():
        d = r["deny"]
        diff = f"{r['difference']:+.4f} [{r['difference_ci95'][0]:+.4f}, {r['difference_ci95'][1]:+.4f}]" if "difference" in r else ""
        print(f"| {name} | {r['objective']:.4f} | {r['macro_f1']:.3f} | "
              f"{d['precision']:.3f} / {d['recall']:.3f} / {d['f1']:.3f} | {diff} |")
    (args.dir / "combine.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="step", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--data", type=Path, default=Path("../shared/data"))
    p.add_argument("--dir", type=Path, required=True)
    p.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "claimwatch-stance")
    c = sub.add_parser("combine")
    c.add_argument("--dir", type=Path, required=True)
    c.add_argument("--resamples", type=int, default=1000)
    args = ap.parse_args(argv)
    prepare(args) if args.step == "prepare" else combine(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
