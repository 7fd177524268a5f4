"""Statement vectors computed at enrichment, used by the claim tracker.

Embedding is most of the claim tracker's cost per statement (``benchmarks/pipeline.py``), and the
tracker runs on one worker at a time (the single-partition statements topic, see the README's
Design). Enrichment runs on every worker, one input partition each. So the enrichment agent embeds
the texts the tracker will embed for a statement, in one batch per document, and sends the vectors
with the statement (``StatementExtracted.embeddings``); the tracker puts them into its embedder's
cache (``prime``) and runs the model only for what is missing (claim texts, vectors from an embedder
with another fingerprint).

The texts are defined once, here (``embedded_texts``), for both sides: the matcher's content span
and sentence-with-context, and the stance models' normalised statement. The vectors are the
float32 rows themselves (base64), so the tracker decides exactly as if it had computed them.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence

import numpy as np

from schemas import StatementEmbeddings, StatementExtracted

from .embeddings import DIM, Embedder
from .stance_model import normalise_text

logger = logging.getLogger(__name__)

ROLES = ("content", "context", "stance")


def content_text(statement: StatementExtracted) -> str:
    """The attributed content (what a speaker said), or the sentence for the narrator."""
    att = statement.attribution
    return att.content.strip() if att.content.strip() and att.speaker_kind != "narrator" else statement.text


def context_text(statement: StatementExtracted) -> str:
    """The sentence with the one before it (short replies and quotes need it)."""
    return f"{statement.context_before} {statement.text}".strip()


def embedded_texts(statement: StatementExtracted) -> dict[str, str]:
    """Role -> the text the tracker embeds for ``statement`` (empty texts left out)."""
    texts = {"content": content_text(statement), "context": context_text(statement),
             "stance": normalise_text(statement.text)}
    return {role: text for role, text in texts.items() if text}


def pack(vector: np.ndarray) -> str:
    return base64.b64encode(np.asarray(vector, dtype="<f4").tobytes()).decode("ascii")


def unpack(data: str) -> np.ndarray:
    raw = base64.b64decode(data, validate=True)
    if len(raw) != DIM * 4:
        raise ValueError(f"a statement vector has {len(raw)} bytes, not {DIM * 4}")
    return np.frombuffer(raw, dtype="<f4").astype(np.float32)


def with_embeddings(statements: Sequence[StatementExtracted], embedder: Embedder) -> list[StatementExtracted]:
    """``statements`` with their vectors attached, every distinct text embedded once (one batch)."""
    if not statements:
        return []
    per_statement = [embedded_texts(s) for s in statements]
    distinct = sorted({t for texts in per_statement for t in texts.values()})
    index = {t: i for i, t in enumerate(distinct)}
    matrix = embedder.encode(distinct)
    fingerprint = embedder.fingerprint
    return [s.model_copy(update={"embeddings": StatementEmbeddings(
                model=fingerprint, vectors={role: pack(matrix[index[t]]) for role, t in texts.items()})})
            for s, texts in zip(statements, per_statement, strict=True)]


def prime(embedder: Embedder, statement: StatementExtracted) -> int:
    """Put the statement's vectors into ``embedder``'s cache; returns how many were new. Vectors from
    another model, or that do not decode, are ignored (the tracker then embeds the texts itself)."""
    carried = statement.embeddings
    if carried is None or not carried.vectors:
        return 0
    if carried.model != embedder.fingerprint:
        logger.debug("statement %s: vectors of model %s, not %s; ignored", statement.event_id, carried.model,
                     embedder.fingerprint)
        return 0
    texts = embedded_texts(statement)
    try:
        vectors = {texts[role]: unpack(data) for role, data in carried.vectors.items() if role in texts}
    except ValueError as exc:  # binascii.Error is a ValueError
        logger.warning("statement %s: unreadable vectors (%s); embedding its texts instead", statement.event_id, exc)
        return 0
    return embedder.prime(vectors)
