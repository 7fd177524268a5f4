"""Does the news stance model judge how a sentence reads, or which story it is about? Cross-validation
of the bundled model's training rows, grouped by *story* instead of by headline.

The bundled news model is trained on FNC-1 body sentences (``train_news_stance.py --source fnc1``),
and its card reports cross-validation grouped by headline. FNC-1's headlines and bodies are about a
few hundred stories, each told by many bodies under many headlines, so a headline-grouped fold still
has the story in training. Here a story is a connected component of the (headline, body) links of the
related pairs. The rows are those of the bundled model (the training bodies only; the evaluation and
development bodies are not read), and the settings are its own.

Variants, fixed before the first run, all with the same features at inference (a dropped block is
zero in training, so its weights are zero):

* ``bundled``: the bundled model's features;
* ``no_statement_vector``: without the statement's own MiniLM vector (``s``; the pair's ``s*c``,
  ``|s-c|`` and cosine stay): ``s`` alone carries the topic;
* ``no_ngrams``: without the hashed word and character n-grams, which also name the story.

Choice, fixed in advance: a variant replaces the bundled features if, grouped by story, its deny
(disagree) F1 beats the bundled features' with a paired 95 % interval (bootstrap over stories) above
0, and its macro-F1 is at most 0.01 lower.

    .venv/bin/python training/experiments/news_story_cv.py --data ../shared/data   # ~30 min on 2 cores
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from training.train_news_stance import fnc1_rows  # noqa: E402

logger = logging.getLogger("news_story_cv")
DIM = 384  # MiniLM: the statement vector is the first block of the dense features


def stories(headlines: list[str], bodies: list[str]) -> list[str]:
    """The connected component of each row's (headline, body) link, named by its first body."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for h, b in zip(headlines, bodies, strict=True):
        parent[find("h:" + h)] = find("b:" + b)
    return [find("b:" + b) for b in bodies]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    start = time.perf_counter()

    from streams.evaluate import metrics
    from streams.nlp import news_stance
    from streams.nlp.embeddings import Embedder
    from streams.nlp.news_stance import C_DEFAULT, HASH_WEIGHT_DEFAULT

    texts, claims, labels, headline_groups, body_ids, about = fnc1_rows(args.data)
    story_groups = stories(headline_groups, body_ids)
    logger.info("%d rows, %d headlines, %d stories (%.0fs)", len(texts), len(set(headline_groups)),
                len(set(story_groups)), time.perf_counter() - start)
    dense, hashed = news_stance.featurize(Embedder(intra_op_num_threads=2, batch_size=64, cache_size=0), texts, claims)
    logger.info("features %s (%.0fs)", dense.shape, time.perf_counter() - start)

    no_s = dense.copy()
    no_s[:, :DIM] = 0.0
    variants = {"bundled": (dense, HASH_WEIGHT_DEFAULT), "no_statement_vector": (no_s, HASH_WEIGHT_DEFAULT),
                "no_ngrams": (dense, 0.0)}
    classes = list(news_stance.NEWS_CLASSES)

    print(f"{len(texts)} sentence rows of {about['bodies']} training bodies; {len(set(headline_groups))} headlines, "
          f"{len(set(story_groups))} stories; {args.folds} folds")
    print(f"{'variant':22s} {'grouped by':10s} {'deny P':>7s} {'R':>6s} {'F1':>6s} {'macro-F1':>9s}   "
          f"deny F1 - bundled's [95 % interval, bootstrap over stories]")
    col = classes.index("deny")
    base: np.ndarray | None = None
    runs = [("bundled", "headline"), ("bundled", "story"), ("no_statement_vector", "story"), ("no_ngrams", "story")]
    for name, by in runs:
        features, hw = variants[name]
        pred = news_stance.cv_predict(features, hashed, labels, headline_groups if by == "headline" else story_groups,
                                      args.folds, C=C_DEFAULT, hash_weight=hw, seed=args.seed)
        rep = metrics.report(labels, pred, classes)
        d = rep.per_class["deny"]
        diff = ""
        if by == "story":
            samples = metrics.bootstrap_f1(labels, pred, story_groups, classes)[:, col]
            if base is None:
                base_f1, base = d.f1, samples
            else:
                low, high = metrics.percentile_interval(samples - base)
                diff = f"{d.f1 - base_f1:+.3f} [{low:+.3f}, {high:+.3f}]"
        print(f"{name:22s} {by:10s} {d.precision:7.3f} {d.recall:6.3f} {d.f1:6.3f} {rep.macro_f1:9.3f}   {diff}",
              flush=True)
    logger.info("done in %.0fs", time.perf_counter() - start)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
