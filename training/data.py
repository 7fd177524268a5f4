"""Readers for the RumourEval 2019 task A data (../shared/data/rumoureval2019).

Every labelled post becomes a ``Pair``: the post's text, its thread's source-post text (the claim),
the text of the post it replies to (the source for direct replies), the label, and the group used
for cross-validation (the Twitter event, or ``reddit:<thread>``). Texts stay in memory only.

Posts are read by the evaluator's loader (``streams.evaluate.rumoureval.load_threads``), so the model
trains on exactly the text it is scored and served on (HTML entities unescaped, Reddit "more"
placeholders skipped).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from streams.evaluate.rumoureval import Thread, load_key, load_threads

RE_DIR = Path("rumoureval2019") / "rumoureval-2019-training-data"


@dataclass(frozen=True)
class Pair:
    post_id: str
    text: str
    source_text: str
    parent_text: str
    label: str
    group: str
    platform: str
    is_source: bool


def _pairs(threads: list[Thread], keys: dict[str, str]) -> list[Pair]:
    out: list[Pair] = []
    for thread in threads:
        source = thread.source
        texts = {p.post_id: p.text for p in (source, *thread.replies)}
        group = thread.group if thread.platform == "twitter" else f"reddit:{thread.thread_id}"
        for post in (source, *thread.replies):
            if post.post_id not in keys:
                continue
            parent_text = texts.get(post.parent_id or "", source.text)
            out.append(Pair(post.post_id, post.text, source.text, parent_text, keys[post.post_id], group,
                            thread.platform, post.is_source))
    return out


def load_rumoureval(data_dir: Path) -> tuple[list[Pair], list[Pair]]:
    """(train, dev) pairs. Twitter dev posts are found by id in ``twitter-english`` (dev-key.json)."""
    root = Path(data_dir) / RE_DIR
    train_keys = load_key(root / "train-key.json")
    dev_keys = load_key(root / "dev-key.json")
    twitter = root / "twitter-english"
    train = _pairs(load_threads(twitter, train_keys) + load_threads(root / "reddit-training-data", train_keys), train_keys)
    dev = _pairs(load_threads(twitter, dev_keys) + load_threads(root / "reddit-dev-data", dev_keys), dev_keys)
    return train, dev


# --------------------------------------------------------------------------------------------------
# FNC-1: which train bodies are for what
# --------------------------------------------------------------------------------------------------

FNC1_STANCES = Path("fnc1") / "train_stances.csv"
FNC1_BODIES = Path("fnc1") / "train_bodies.csv"
FNC1_EVAL = (300, 13)  # README: ``evaluate fnc1 ... --bodies 300`` (seed 13), the reported figure
FNC1_DEV = (200, 29)  # training/experiments/fnc1_diagnosis.py: where decisions about the path are taken


def fnc1_body_splits(pairs: list, dev: tuple[int, int] = FNC1_DEV) -> tuple[set[str], set[str], set[str]]:  # type: ignore[type-arg]
    """(evaluation, development, training) Body IDs of FNC-1 train: the README's 300-body sample,
    ``dev[0]`` other bodies drawn with seed ``dev[1]``, and every body left, which the bundled news
    stance model is trained on (``training/train_news_stance.py --source fnc1``)."""
    import random

    from streams.evaluate import fnc1

    held = {p.body_id for p in fnc1.select(pairs, sample=None, limit=None, seed=FNC1_EVAL[1], bodies=FNC1_EVAL[0])}
    rest = sorted({p.body_id for p in pairs} - held, key=lambda b: (len(b), b))
    development = set(random.Random(dev[1]).sample(rest, dev[0]))
    return held, development, set(rest) - development


@contextmanager
def fnc1_development_csv(data_dir: Path, dev: tuple[int, int] = FNC1_DEV) -> Iterator[tuple[Path, Path, list]]:  # type: ignore[type-arg]
    """The FNC-1 development bodies' pairs as a temporary stances CSV (outside the repository, deleted
    afterwards), for ``evaluate fnc1``: yields (that CSV, the bodies CSV, the pairs in its order)."""
    import csv
    import tempfile

    from streams.evaluate import fnc1

    bodies_csv = data_dir / FNC1_BODIES
    pairs, _ = fnc1.load(data_dir / FNC1_STANCES, bodies_csv)
    keep = fnc1_body_splits(pairs, dev)[1]
    subset = [p for p in pairs if p.body_id in keep]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "stances.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["Headline", "Body ID", "Stance"])
            for p in subset:
                w.writerow([p.headline, p.body_id, p.stance])
        yield path, bodies_csv, subset


def add_development_args(ap: Any) -> None:
    """The options of the scripts that run ``evaluate fnc1`` on the development bodies."""
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--bodies", type=int, default=FNC1_DEV[0])
    ap.add_argument("--seed", type=int, default=FNC1_DEV[1])
    ap.add_argument("--cv", type=int, default=5, help="0: the service's news model (bundled, or the path setting)")
