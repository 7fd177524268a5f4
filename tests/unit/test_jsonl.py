"""JSONL archives: defaults filled deterministically, malformed lines named by file and line."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from schemas import ArticlePublished, CommentPosted, stable_id
from streams.ingest.archive import load_archive
from streams.ingest.errors import ArchiveError
from streams.ingest.jsonl import read_jsonl, write_jsonl

ARTICLE = {
    "kind": "article",
    "document_id": "a1",
    "occurred_at": "2016-12-28T13:40:00Z",
    "title": "Headline",
    "body": "First paragraph.\n\nSecond paragraph.",
    "outlet": "The Associated Press",
}
COMMENT = {
    "kind": "comment",
    "document_id": "a1-c1",
    "article_id": "a1",
    "occurred_at": "2016-12-28T16:02:00+02:00",
    "author": "reader1",
    "text": "Is this confirmed?",
}


def _write(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_minimal_lines_get_deterministic_defaults(tmp_path):
    path = _write(tmp_path / "a.jsonl", "# a comment line", json.dumps(ARTICLE), "", json.dumps(COMMENT))
    article, comment = read_jsonl(path)
    assert isinstance(article, ArticlePublished) and isinstance(comment, CommentPosted)
    assert article.event_id == stable_id("article", "a1")
    assert comment.event_id == stable_id("comment", "a1-c1")
    assert article.source == f"replay:{path.as_posix()}"
    assert article.schema_version == 1
    assert comment.occurred_at == datetime(2016, 12, 28, 14, 2, tzinfo=timezone.utc)
    assert [e.event_id for e in read_jsonl(path)] == [article.event_id, comment.event_id]


def test_explicit_ids_are_kept(tmp_path):
    path = _write(tmp_path / "a.jsonl", json.dumps({**ARTICLE, "event_id": "mine", "source": "rss:x"}))
    (article,) = read_jsonl(path)
    assert (article.event_id, article.source) == ("mine", "rss:x")


def test_round_trip(tmp_path):
    events = load_archive([Path(__file__).resolve().parents[2] / "seeds"])
    path = tmp_path / "replay.jsonl"
    assert write_jsonl(events, path) == len(events) == 27
    assert read_jsonl(path) == events
    # also via plain model_dump_json lines
    path.write_text("".join(e.model_dump_json() + "\n" for e in events), encoding="utf-8")
    assert load_archive([path]) == events


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (json.dumps({**ARTICLE, "kind": "tweet"}), "kind: expected \"article\" or \"comment\", got 'tweet'"),
        (json.dumps({k: v for k, v in ARTICLE.items() if k != "body"}), "body: Field required"),
        (json.dumps({**ARTICLE, "occurred_at": "2016-12-28T13:40:00"}), "occurred_at: Input should have timezone info"),
        (json.dumps({**COMMENT, "autor": "typo"}), "autor: Extra inputs are not permitted"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path, line, reason):
    path = _write(tmp_path / "bad.jsonl", json.dumps(ARTICLE), "# fine", line)
    with pytest.raises(ArchiveError) as info:
        read_jsonl(path)
    assert info.value.line == 3
    assert str(info.value).startswith(f"{path}:3: ")
    assert reason in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(ArchiveError, match="no such file"):
        read_jsonl(tmp_path / "nope.jsonl")
