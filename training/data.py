"""Readers for the RumourEval 2019 task A data (../shared/data/rumoureval2019).

Every labelled post becomes a ``Pair``: the post's text, its thread's source-post text (the claim),
the text of the post it replies to (the source for direct replies), the label, and the group used
for cross-validation (the Twitter event, or ``reddit:<thread>``). Texts stay in memory only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

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


def _tweet_text(path: Path) -> tuple[str, str, str | None]:
    t = json.loads(path.read_text(encoding="utf-8"))
    return t["id_str"], t.get("full_text") or t.get("text") or "", t.get("in_reply_to_status_id_str")


def _twitter(root: Path, keys: dict[str, str]) -> list[Pair]:
    out: list[Pair] = []
    for event_dir in sorted((root / "twitter-english").iterdir()):
        if not event_dir.is_dir():
            continue
        for thread in sorted(p for p in event_dir.iterdir() if p.is_dir()):
            posts: dict[str, tuple[str, str | None]] = {}
            src_files = sorted((thread / "source-tweet").glob("*.json"))
            if not src_files:
                continue
            sid, stext, _ = _tweet_text(src_files[0])
            posts[sid] = (stext, None)
            for f in sorted((thread / "replies").glob("*.json")) if (thread / "replies").is_dir() else []:
                rid, rtext, parent = _tweet_text(f)
                posts[rid] = (rtext, parent)
            for pid, (text, parent) in posts.items():
                if pid not in keys:
                    continue
                ptext = posts[parent][0] if parent in posts else stext
                out.append(Pair(pid, text, stext, ptext, keys[pid], event_dir.name, "twitter", pid == sid))
    return out


def _reddit_post(path: Path) -> tuple[str, str, str | None]:
    d = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(d, dict) and "data" in d and isinstance(d["data"], dict) and "children" in d["data"]:
        d = d["data"]["children"][0]
    data = d.get("data", d)
    if d.get("kind") == "t3" or "title" in data:
        text = (data.get("title") or "") + ("\n" + data["selftext"] if data.get("selftext") else "")
    else:
        text = data.get("body") or ""
    parent = data.get("parent_id")
    return str(data.get("id")), text, (parent.split("_", 1)[1] if parent and "_" in parent else parent)


def _reddit(folder: Path, keys: dict[str, str]) -> list[Pair]:
    out: list[Pair] = []
    if not folder.is_dir():
        return out
    for thread in sorted(p for p in folder.iterdir() if p.is_dir()):
        src_files = sorted((thread / "source-tweet").glob("*.json"))
        if not src_files:
            continue
        sid, stext, _ = _reddit_post(src_files[0])
        posts: dict[str, tuple[str, str | None]] = {sid: (stext, None)}
        for f in sorted((thread / "replies").glob("*.json")) if (thread / "replies").is_dir() else []:
            try:
                rid, rtext, parent = _reddit_post(f)
            except (KeyError, IndexError, TypeError, AttributeError, json.JSONDecodeError):
                continue
            posts[rid] = (rtext, parent)
        for pid, (text, parent) in posts.items():
            if pid not in keys:
                continue
            ptext = posts[parent][0] if parent in posts else stext
            out.append(Pair(pid, text, stext, ptext, keys[pid], f"reddit:{thread.name}", "reddit", pid == sid))
    return out


def load_rumoureval(data_dir: Path) -> tuple[list[Pair], list[Pair]]:
    """(train, dev) pairs. Twitter dev posts are found by id in ``twitter-english`` (dev-key.json)."""
    root = Path(data_dir) / RE_DIR
    train_keys = json.loads((root / "train-key.json").read_text())["subtaskaenglish"]
    dev_keys = json.loads((root / "dev-key.json").read_text())["subtaskaenglish"]
    train = _twitter(root, train_keys) + _reddit(root / "reddit-training-data", train_keys)
    dev = _twitter(root, dev_keys) + _reddit(root / "reddit-dev-data", dev_keys)
    return train, dev
