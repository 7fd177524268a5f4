"""The scenario story format (``docs/scenarios.md``): one JSON file per story, documents in the JSONL
archive's format plus the gold written before the system runs. Loading validates everything a
scorer relies on, so a typo in a story is a one-line error, never a silently unscorable alert.

    .venv/bin/python -m streams.evaluate.scenario_format STORY.json|DIR ...   # check files

A *span* is an exact substring of one document's text (an article's ``body`` or a comment's
``text``), found exactly once there; the scorer turns it into character offsets and compares them
with the statements' ``char_start``/``char_end``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from schemas import ArticlePublished, CommentPosted

from ..ingest.jsonl import fill_defaults
from .common import DataError

Stance = Literal["deny", "non_confirm"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SpanRef(_Strict):
    document_id: str = Field(min_length=1)
    span: str = Field(min_length=3, description="Exact substring of the document's body (article) or text (comment).")


class GoldClaim(_Strict):
    id: str = Field(min_length=1)
    text: str = Field(min_length=1, description="What is claimed, in a few words (for people reading the scores).")
    sources: list[SpanRef] = Field(min_length=1, description="Every span that asserts the claim: the first report "
                                   "and restatements in later documents.")


class ExpectedAlert(_Strict):
    document_id: str = Field(min_length=1)
    span: str = Field(min_length=3, description="Exact substring of the denying sentence.")
    claim: str = Field(min_length=1, description="The id of the claim it denies (GoldClaim.id).")
    stance: Stance
    note: str = ""


class OptionalAlert(_Strict):
    """A statement on which an alert is acceptable but not required (a partial denial, a hedge):
    an alert there counts neither as right nor as false."""

    document_id: str = Field(min_length=1)
    span: str = Field(min_length=3)
    claim: str | None = None
    note: str = ""


class Story(_Strict):
    story_id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    domain: str = Field(min_length=1)
    title: str = ""
    notes: str = Field(default="", description="What the story tests, in words.")
    features: list[str] = Field(default_factory=list, description="Tags of what the story exercises.")
    documents: list[ArticlePublished | CommentPosted] = Field(min_length=1)
    claims: list[GoldClaim] = Field(default_factory=list)
    expected: list[ExpectedAlert] = Field(default_factory=list)
    optional: list[OptionalAlert] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _fill_documents(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("documents"), list):
            sid = data.get("story_id", "story")
            docs = []
            for doc in data["documents"]:
                if isinstance(doc, dict) and doc.get("kind") in ("article", "comment"):
                    doc = fill_defaults(dict(doc), doc["kind"], f"scenario:{sid}")
                docs.append(doc)
            data = {**data, "documents": docs}
        return data

    @model_validator(mode="after")
    def _check_refs(self) -> Story:
        texts = {d.document_id: doc_text(d) for d in self.documents}
        if len(texts) != len(self.documents):
            raise ValueError("document_id values repeat")
        articles = {d.document_id for d in self.documents if isinstance(d, ArticlePublished)}
        for d in self.documents:
            if isinstance(d, CommentPosted) and d.article_id not in articles:
                raise ValueError(f"comment {d.document_id}: article_id {d.article_id!r} is not an article of the story")
        ids = [c.id for c in self.claims]
        if len(set(ids)) != len(ids):
            raise ValueError("claim ids repeat")
        refs: list[SpanRef | ExpectedAlert | OptionalAlert] = [s for c in self.claims for s in c.sources]
        refs += self.expected + self.optional
        for ref in refs:
            span_offsets(texts, ref.document_id, ref.span)
        for ref in [*self.expected, *self.optional]:
            if ref.claim is not None and ref.claim not in ids:
                raise ValueError(f"{ref.document_id}: claim {ref.claim!r} is not one of {ids}")
        return self


def doc_text(doc: ArticlePublished | CommentPosted) -> str:
    return doc.body if isinstance(doc, ArticlePublished) else doc.text


def span_offsets(texts: dict[str, str], document_id: str, span: str) -> tuple[int, int]:
    """(start, end) of ``span`` in the document, which must hold it exactly once."""
    if document_id not in texts:
        raise ValueError(f"span {span[:40]!r}: no document {document_id!r}")
    text = texts[document_id]
    start = text.find(span)
    if start < 0:
        raise ValueError(f"{document_id}: span not found: {span[:60]!r}")
    if text.find(span, start + 1) >= 0:
        raise ValueError(f"{document_id}: span found more than once (make it longer): {span[:60]!r}")
    return start, start + len(span)


def story_files(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out.extend(sorted(p for p in path.rglob("*.json") if p.is_file()))
        elif path.is_file():
            out.append(path)
        else:
            raise DataError(f"{path}: no such file or folder")
    return out


def load_story(path: Path) -> Story:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: not a JSON story: {exc}") from exc
    try:
        return Story.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise DataError(f"{path}: {where}: {first['msg']} ({exc.error_count()} error(s))") from exc


def load_stories(paths: Iterable[Path]) -> list[Story]:
    """Every story under ``paths``; story and document ids must be unique across all of them."""
    stories = [load_story(p) for p in story_files(paths)]
    if not stories:
        raise DataError("no story files (*.json) found")
    seen_story: set[str] = set()
    seen_doc: dict[str, str] = {}
    for story in stories:
        if story.story_id in seen_story:
            raise DataError(f"story_id {story.story_id!r} appears twice")
        seen_story.add(story.story_id)
        for doc in story.documents:
            if doc.document_id in seen_doc:
                raise DataError(f"document_id {doc.document_id!r} is in stories {seen_doc[doc.document_id]!r} "
                                f"and {story.story_id!r}")
            seen_doc[doc.document_id] = story.story_id
    return stories


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    bad = 0
    for path in story_files(Path(a) for a in argv):
        try:
            story = load_story(path)
        except DataError as exc:
            print(f"error: {exc}", file=sys.stderr)
            bad += 1
            continue
        kinds = [d.kind for d in story.documents]
        print(f"ok {path}: {story.story_id} ({story.domain}), {kinds.count('article')} articles, "
              f"{kinds.count('comment')} comments, {len(story.claims)} claims, {len(story.expected)} expected alerts")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
