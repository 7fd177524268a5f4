"""Two experiments on the reply stance model, scored by grouped 5-fold CV on RumourEval 2019 train only
(dev is never scored here), with the settings of ``training/train_stance.py`` (C 0.003, hash weight 20
and 30, seed 13, its objective: the mean of macro-F1 and deny F1 at argmax):

* ``--experiment parent``: add the post replied to (the parent) as context: [s*p, |s-p|, cos(s,p),
  direct reply to the source, has a parent, the cue classifier's stance of the parent].
* ``--experiment emergent``: add the Emergent train headlines (for -> support, against -> deny,
  observing -> comment, claim headline as the claim) to every training fold; only RumourEval rows
  are scored.

    .venv/bin/python training/experiments/reply_context.py --data ../shared/data --experiment parent

Each prints the baseline (the bundled model's features and training) next to the variant, from the
same folds. Results and what was decided are in README.md beside this file.
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

from training import train_stance as ts  # noqa: E402
from training.data import Pair, load_rumoureval  # noqa: E402

HASH_WEIGHTS = (20.0, 30.0)
C = 0.003
EMERGENT_TO_REPLY = {"for": "support", "against": "deny", "observing": "comment"}


def parent_block(pairs: list[Pair], embedder) -> np.ndarray:  # type: ignore[no-untyped-def]
    from streams.nlp.stance_model import CUE_STANCES, cue_decisions, normalise_text

    texts = sorted({normalise_text(p.parent_text) for p in pairs} | {normalise_text(p.text) for p in pairs})
    vecs = embedder.encode(texts)
    index = {t: i for i, t in enumerate(texts)}
    cues = cue_decisions([p.parent_text for p in pairs], [p.source_text for p in pairs])
    rows = []
    for p, cue in zip(pairs, cues, strict=True):
        s = vecs[index[normalise_text(p.text)]]
        q = vecs[index[normalise_text(p.parent_text)]]
        has = 0.0 if p.is_source else 1.0
        direct = 1.0 if has and p.parent_text == p.source_text else 0.0
        onehot = np.zeros(len(CUE_STANCES) + 1, dtype=np.float32)
        if has and not direct:  # the parent is another reply: what did it say?
            onehot[CUE_STANCES.index(cue.stance)] = 1.0
            onehot[-1] = cue.confidence
        rows.append(np.concatenate([s * q * has, np.abs(s - q) * has, [float(s @ q) * has, direct, has], onehot]))
    return np.vstack(rows).astype(np.float32)


def emergent_pairs(data: Path) -> list[Pair]:
    from streams.evaluate.emergent import load_rows

    rows = load_rows(data / "emergent" / "url-versions-2015-06-14-clean-train.csv")
    return [Pair(f"emergent-{i}", r.headline, r.claim, r.claim, EMERGENT_TO_REPLY[r.stance], f"emergent:{r.claim_id}",
                 "news", False) for i, r in enumerate(rows)]


def score(name: str, dense: np.ndarray, hashed, y: np.ndarray, groups: np.ndarray,  # type: ignore[no-untyped-def]
          extra: np.ndarray | None = None) -> None:
    """Grouped CV over the first ``len(groups)`` rows; rows in ``extra`` join every training fold."""
    from sklearn.model_selection import GroupKFold

    from streams.nlp.linear import LinearModel

    n = len(groups)
    for hw in HASH_WEIGHTS:
        t0 = time.perf_counter()
        oof = np.zeros((n, len(ts.CLASSES)))
        for tr, te in GroupKFold(n_splits=5).split(dense[:n], y[:n], groups):
            idx = tr if extra is None else np.concatenate([tr, extra])
            oof[te] = LinearModel(C, hw, 13).fit(dense[idx], hashed[idx], y[idx]).scores(dense[te], hashed[te])
        rep = ts.report(y[:n], oof.argmax(1))
        deny = rep["per_class"]["deny"]
        print(f"{name:10s} hw={hw:<4} objective {ts.objective(y[:n], oof.argmax(1)):.4f}  macro-F1 {rep['macro_f1']:.3f}  "
              f"deny P/R/F1 {deny['precision']:.3f}/{deny['recall']:.3f}/{deny['f1']:.3f}  ({time.perf_counter() - t0:.0f} s)",
              flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--experiment", choices=("parent", "emergent"), required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from streams.nlp.embeddings import Embedder

    train, _ = load_rumoureval(args.data)  # dev is read by the loader and dropped here
    embedder = Embedder(intra_op_num_threads=args.threads, batch_size=64, cache_size=0)
    groups = np.asarray([p.group for p in train])
    if args.experiment == "parent":
        dense, hashed = ts.featurize(train, embedder, None)
        y = np.asarray([ts.CLASSES.index(p.label) for p in train])
        score("baseline", dense, hashed, y, groups)
        score("+parent", np.hstack([dense, parent_block(train, embedder)]), hashed, y, groups)
    else:
        extra_pairs = emergent_pairs(args.data)
        dense, hashed = ts.featurize(train + extra_pairs, embedder, None)
        y = np.asarray([ts.CLASSES.index(p.label) for p in train + extra_pairs])
        score("baseline", dense, hashed, y, groups)
        score("+emergent", dense, hashed, y, groups, extra=np.arange(len(train), len(y)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
