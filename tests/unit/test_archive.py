"""load_archive: metadata, event-time order, determinism and clear errors."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from streams.ingest.archive import ArchiveMetadata, iter_archive_files, load_archive
from streams.ingest.errors import ArchiveError

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
SEED_TEXT = "Headline\n\nBody text here.\n\nComments 1\nThumb bob 28 December 2016, 12:00\n\nhello"


def test_seeds_in_event_time_order():
    events = load_archive([SEEDS])
    assert len(events) == 1 + 25 + 1
    times = [e.occurred_at for e in events]
    assert times == sorted(times)
    assert events[0].kind == "article" and events[0].document_id == "000_f62884ef3a0fed5e"
    assert events[0].occurred_at == datetime(2016, 12, 28, 8, 15, tzinfo=timezone.utc)
    assert events[0].outlet == "Naharnet (AFP)" and events[0].url is None
    assert (events[1].kind, events[1].author) == ("comment", "justin")
    assert events[1].occurred_at == datetime(2016, 12, 28, 8, 47, tzinfo=timezone.utc)
    # The AP article (13:40 UTC) falls between comments posted 15:30 and 15:45 Beirut time.
    ap_at = next(i for i, e in enumerate(events) if e.document_id == "001_8fff56c466814f58")
    assert events[ap_at].outlet == "The Associated Press"
    assert events[ap_at - 1].occurred_at == datetime(2016, 12, 28, 13, 30, tzinfo=timezone.utc)
    assert events[ap_at + 1].occurred_at == datetime(2016, 12, 28, 13, 45, tzinfo=timezone.utc)
    assert (events[-1].author, events[-1].occurred_at) == ("liberty", datetime(2016, 12, 29, 1, 26, tzinfo=timezone.utc))
    assert events[1].source == f"replay:{(SEEDS / '000_f62884ef3a0fed5e.txt').as_posix()}"


def test_replay_is_deterministic():
    first, second = load_archive([SEEDS]), load_archive([SEEDS])
    assert [e.event_id for e in first] == [e.event_id for e in second]
    assert first == second
    ids = [e.event_id for e in first]
    assert len(set(ids)) == len(ids)
    assert len({e.document_id for e in first}) == len(first)


def test_iter_archive_files_expands_and_dedupes(tmp_path):
    for name in ("b.txt", "a.jsonl", "metadata.json", "b.txt.meta.json", "notes.md"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.jsonl").write_text("", encoding="utf-8")
    files = list(iter_archive_files([tmp_path, tmp_path / "b.txt"]))
    assert [f.name for f in files] == ["a.jsonl", "b.txt"]


def test_missing_path_is_an_archive_error(tmp_path):
    with pytest.raises(ArchiveError, match="no such file or directory"):
        load_archive([tmp_path / "missing"])
    (tmp_path / "x.csv").write_text("", encoding="utf-8")
    with pytest.raises(ArchiveError, match="unsupported archive file"):
        load_archive([tmp_path / "x.csv"])


def test_missing_published_at_explains_how_to_supply_it(tmp_path):
    (tmp_path / "story.txt").write_text(SEED_TEXT, encoding="utf-8")
    with pytest.raises(ArchiveError) as info:
        load_archive([tmp_path])
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'story.txt'}: no published_at")
    assert "metadata.json" in message and "story.txt.meta.json" in message


def test_sidecar_metadata_overrides_folder_metadata(tmp_path):
    (tmp_path / "story.txt").write_text(SEED_TEXT, encoding="utf-8")
    (tmp_path / "metadata.json").write_text(
        json.dumps({"_note": "ignored", "story.txt": {"published_at": "2016-12-28T09:00:00+00:00", "outlet": "Folder"}}),
        encoding="utf-8",
    )
    (tmp_path / "story.txt.meta.json").write_text(
        json.dumps({"outlet": "Sidecar", "document_id": "my-story", "comments_timezone": "Asia/Beirut"}),
        encoding="utf-8",
    )
    article, comment = load_archive([tmp_path])
    assert (article.document_id, article.outlet) == ("my-story", "Sidecar")
    assert article.occurred_at == datetime(2016, 12, 28, 9, 0, tzinfo=timezone.utc)
    assert comment.article_id == "my-story"
    assert comment.occurred_at == datetime(2016, 12, 28, 10, 0, tzinfo=timezone.utc)  # 12:00 Beirut


def test_bad_metadata_is_an_archive_error(tmp_path):
    (tmp_path / "story.txt").write_text(SEED_TEXT, encoding="utf-8")
    (tmp_path / "metadata.json").write_text(
        json.dumps({"story.txt": {"published_at": "2016-12-28T09:00:00+00:00", "comments_timezone": "Beirut"}}),
        encoding="utf-8",
    )
    with pytest.raises(ArchiveError, match="comments_timezone: Value error, unknown IANA time zone 'Beirut'"):
        load_archive([tmp_path])


def test_bad_comment_date_in_archive_names_the_line(tmp_path):
    (tmp_path / "story.txt").write_text(SEED_TEXT.replace("28 December", "32 December"), encoding="utf-8")
    (tmp_path / "story.meta.json").write_text(json.dumps({"published_at": "2016-12-28T09:00:00Z"}), encoding="utf-8")
    with pytest.raises(ArchiveError) as info:
        load_archive([tmp_path])
    assert (info.value.path, info.value.line) == (str(tmp_path / "story.txt"), 6)


def test_mixed_archive_sorted_articles_first_at_equal_time(tmp_path):
    shutil.copy(SEEDS / "001_8fff56c466814f58.txt", tmp_path / "ap.txt")
    (tmp_path / "ap.txt.meta.json").write_text(json.dumps({"published_at": "2016-12-28T13:40:00Z"}), encoding="utf-8")
    (tmp_path / "extra.jsonl").write_text(
        json.dumps({"kind": "comment", "document_id": "c1", "article_id": "ap", "occurred_at": "2016-12-28T13:40:00Z",
                    "author": "x", "text": "first?"}) + "\n"
        + json.dumps({"kind": "article", "document_id": "early", "occurred_at": "2016-12-28T06:00:00Z", "body": "B."}),
        encoding="utf-8",
    )
    events = load_archive([tmp_path])
    assert [(e.kind, e.document_id) for e in events] == [("article", "early"), ("article", "ap"), ("comment", "c1")]
    assert events[1].byline == "The Associated Press"


def test_duplicate_event_ids_rejected(tmp_path):
    line = json.dumps({"kind": "article", "document_id": "same", "occurred_at": "2016-12-28T06:00:00Z", "body": "B."})
    (tmp_path / "one.jsonl").write_text(line, encoding="utf-8")
    (tmp_path / "two.jsonl").write_text(line, encoding="utf-8")
    with pytest.raises(ArchiveError, match="duplicate event_id"):
        load_archive([tmp_path])


def test_metadata_model_defaults():
    meta = ArchiveMetadata.model_validate({"published_at": "2016-12-28T10:15:00+02:00"})
    assert (meta.comments_timezone, meta.language, meta.outlet) == ("UTC", "en", None)
    seeds_meta = json.loads((SEEDS / "metadata.json").read_text(encoding="utf-8"))
    assert "_note" in seeds_meta
    for name, entry in seeds_meta.items():
        if not name.startswith("_"):
            assert (SEEDS / name).is_file()
            assert ArchiveMetadata.model_validate(entry).published_at is not None
