"""Load a news archive (seed text files and JSONL files) as one event-time ordered replay.

``load_archive(paths)`` accepts files and directories (searched recursively, hidden entries
skipped): ``*.txt`` files are in the seed text format (:mod:`streams.ingest.seedtext`),
``*.jsonl`` files hold one event per line (:mod:`streams.ingest.jsonl`); other files are ignored.

Seed text files carry no publication time, so each needs metadata (:class:`ArchiveMetadata`):
an entry keyed by file name in a ``metadata.json`` in the same folder (keys starting with ``_``
are ignored), and/or a sidecar ``<name>.txt.meta.json`` (or ``<stem>.meta.json``) whose fields
override the ``metadata.json`` entry.

Ids are deterministic (``stable_id``): replaying the same archive twice yields the same ids.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError, field_validator

from .errors import ArchiveError, describe_validation_error
from .jsonl import DocumentEvent, read_jsonl
from .seedtext import parse_seed_text

logger = logging.getLogger(__name__)

METADATA_FILE = "metadata.json"
SIDECAR_SUFFIX = ".meta.json"
DOCUMENT_SUFFIXES = (".txt", ".jsonl")


class ArchiveMetadata(BaseModel):
    """What a seed text file cannot say about itself."""

    model_config = ConfigDict(extra="forbid")

    published_at: AwareDatetime | None = None  # required for seed text; checked when loading
    outlet: str | None = None
    url: str | None = None
    document_id: str | None = None
    comments_timezone: str = "UTC"
    language: str = "en"

    @field_validator("comments_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value


def _is_metadata(path: Path) -> bool:
    return path.name == METADATA_FILE or path.name.endswith(SIDECAR_SUFFIX)


def _is_document(path: Path) -> bool:
    return path.suffix in DOCUMENT_SUFFIXES and not _is_metadata(path)


def iter_archive_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """The document files named by ``paths``, directories expanded (sorted, recursive).

    Each file is yielded once. A missing path, or a file named explicitly whose type is not
    ``.txt``/``.jsonl``, raises ``ArchiveError``.
    """
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and _is_document(p)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                logger.warning("%s: no .txt or .jsonl files in this directory", path)
        elif path.is_file():
            if not _is_document(path):
                raise ArchiveError(path, None, "unsupported archive file (expected .txt seed text or .jsonl)")
            found = [path]
        else:
            raise ArchiveError(path, None, "no such file or directory")
        for file in found:
            key = file.resolve()
            if key not in seen:
                seen.add(key)
                yield file


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ArchiveError(path, exc.lineno, f"invalid JSON: {exc.msg}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ArchiveError(path, None, f"cannot read: {exc}") from exc


@dataclass
class _MetadataIndex:
    """Caches each folder's ``metadata.json`` (file name → raw object)."""

    folders: dict[Path, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def folder(self, folder: Path) -> dict[str, dict[str, Any]]:
        if folder not in self.folders:
            meta_path = folder / METADATA_FILE
            entries: dict[str, dict[str, Any]] = {}
            if meta_path.is_file():
                data = _read_json(meta_path)
                if not isinstance(data, dict):
                    raise ArchiveError(meta_path, None, "expected a JSON object mapping file names to metadata")
                for name, value in data.items():
                    if name.startswith("_"):
                        continue
                    if not isinstance(value, dict):
                        raise ArchiveError(meta_path, None, f"{name}: expected an object")
                    if not (folder / name).is_file():
                        logger.warning("%s: entry %r names no file in %s", meta_path, name, folder)
                    entries[name] = value
            self.folders[folder] = entries
        return self.folders[folder]

    def for_file(self, path: Path) -> ArchiveMetadata:
        raw = dict(self.folder(path.parent).get(path.name, {}))
        origin: Path = path.parent / METADATA_FILE
        for sidecar in (path.with_name(path.name + SIDECAR_SUFFIX), path.with_name(path.stem + SIDECAR_SUFFIX)):
            if sidecar.is_file():
                data = _read_json(sidecar)
                if not isinstance(data, dict):
                    raise ArchiveError(sidecar, None, "expected a JSON object")
                raw.update({k: v for k, v in data.items() if not k.startswith("_")})
                origin = sidecar
                break
        try:
            return ArchiveMetadata.model_validate(raw)
        except ValidationError as exc:
            raise ArchiveError(origin, None, f"metadata for {path.name}: {describe_validation_error(exc)}") from exc


def _load_seed_text(path: Path, metadata: ArchiveMetadata) -> list[DocumentEvent]:
    if metadata.published_at is None:
        raise ArchiveError(
            path,
            None,
            f"no published_at for this seed text file; add an entry {{\"{path.name}\": {{\"published_at\": "
            f"\"2016-12-28T10:15:00+02:00\"}}}} to {path.parent / METADATA_FILE} or write "
            f"{path.name + SIDECAR_SUFFIX} next to it (ISO 8601 with a UTC offset)",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArchiveError(path, None, f"not UTF-8 text: {exc.reason}") from exc
    article, comments = parse_seed_text(
        text,
        document_id=metadata.document_id or path.stem,
        published_at=metadata.published_at,
        outlet=metadata.outlet,
        url=metadata.url,
        source=f"replay:{path.as_posix()}",
        comments_timezone=metadata.comments_timezone,
        language=metadata.language,
        path=path,
    )
    return [article, *comments]


def _sort_key(item: tuple[str, int, DocumentEvent]) -> tuple[Any, ...]:
    file, position, event = item
    return (event.occurred_at, 0 if event.kind == "article" else 1, file, position, event.document_id)


def load_archive(paths: Iterable[str | Path]) -> list[ArticlePublished | CommentPosted]:
    """Every event in the archive, sorted by event time.

    Order: ``occurred_at``; at equal times articles before comments; then by file path and
    position in the file (deterministic). Raises ``ArchiveError`` for missing or malformed
    files, missing seed metadata, or two events with the same ``event_id``.
    """
    index = _MetadataIndex()
    collected: list[tuple[str, int, DocumentEvent]] = []
    seen_ids: dict[str, str] = {}
    for path in iter_archive_files(paths):
        events = _load_seed_text(path, index.for_file(path)) if path.suffix == ".txt" else read_jsonl(path)
        for position, event in enumerate(events):
            if event.event_id in seen_ids:
                first = seen_ids[event.event_id]
                raise ArchiveError(path, None, f"duplicate event_id {event.event_id!r} (first seen in {first})")
            seen_ids[event.event_id] = path.as_posix()
            collected.append((path.as_posix(), position, event))
        logger.info("%s: %d events", path, len(events))
    collected.sort(key=_sort_key)
    return [event for _, _, event in collected]
