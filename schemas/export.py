"""Export every event schema as JSON Schema (``claimwatch schema --out DIR``)."""

from __future__ import annotations

import json
from pathlib import Path

from .alerts import DeadLetter, DenialDetected
from .claims import ClaimUpdated
from .documents import ArticlePublished, CommentPosted
from .statements import StatementExtracted

EXPORTED = {
    "article.published": ArticlePublished,
    "comment.posted": CommentPosted,
    "statement.extracted": StatementExtracted,
    "alert": DenialDetected,
    "claim.updated": ClaimUpdated,
    "deadletter": DeadLetter,
}


def export_json_schemas(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, model in EXPORTED.items():
        path = out_dir / f"{name}.schema.json"
        path.write_text(json.dumps(model.model_json_schema(mode="serialization"), indent=2) + "\n")
        written.append(path)
    return written
