"""Statement vectors computed at enrichment (``streams/nlp/vectors.py``): the tracker that uses them
decides exactly as the tracker that embeds the texts itself, and runs the model only for what the
statements do not carry."""

from __future__ import annotations

import base64
import logging

import numpy as np
import pytest

from schemas import ClaimRecord, SeenStatement, StatementEmbeddings, StatementExtracted
from streams.codecs import decode, encode
from streams.nlp.embeddings import DIM, Embedder
from streams.nlp.tracker import ClaimTracker
from streams.nlp.vectors import ROLES, embedded_texts, pack, prime, unpack, with_embeddings

from .factories import find, seed_statements

BASE = seed_statements()


class CountingEmbedder(Embedder):
    """An Embedder that counts the texts it runs the model on."""

    def __init__(self) -> None:
        super().__init__()
        self.computed: list[str] = []

    def _encode_uncached(self, texts):  # type: ignore[no-untyped-def]
        self.computed.extend(texts)
        return super()._encode_uncached(texts)


@pytest.fixture(scope="module")
def enrichment_embedder() -> Embedder:
    return Embedder()


@pytest.fixture(scope="module")
def carried(enrichment_embedder: Embedder) -> list[StatementExtracted]:
    """The seed statements as the enrichment agent sends them (one batch per document), through JSON."""
    out: list[StatementExtracted] = []
    for doc in dict.fromkeys(s.document_id for s in BASE):
        out += with_embeddings([s for s in BASE if s.document_id == doc], enrichment_embedder)
    return [decode(encode(s), StatementExtracted) for s in out]


def alerts_of(statements: list[StatementExtracted], embedder: Embedder) -> list[tuple[str, str, float]]:
    tracker = ClaimTracker({}, {}, embedder=embedder)
    return [(a.alert_id, a.stance, a.confidence) for s in statements for a in tracker.process(s).alerts]


def test_every_role_carries_the_vector_of_its_text(carried: list[StatementExtracted], enrichment_embedder: Embedder):
    statement = find(carried, "News talking about their approval")
    texts = embedded_texts(statement)
    assert set(texts) == set(ROLES)
    assert statement.embeddings is not None and statement.embeddings.model == enrichment_embedder.fingerprint
    assert set(statement.embeddings.vectors) == set(ROLES)
    for role, text in texts.items():
        vec = unpack(statement.embeddings.vectors[role])
        assert vec.dtype == np.float32 and vec.shape == (DIM,)
        np.testing.assert_allclose(vec, Embedder(cache_size=0).encode_one(text), atol=1e-5)


def test_pack_and_unpack_are_exact():
    vec = np.random.default_rng(3).standard_normal(DIM).astype(np.float32)
    assert np.array_equal(unpack(pack(vec)), vec)
    with pytest.raises(ValueError, match="bytes"):
        unpack(base64.b64encode(b"short").decode())


def test_the_tracker_decides_the_same_and_embeds_only_claim_texts(carried: list[StatementExtracted]):
    plain = CountingEmbedder()
    expected = alerts_of(BASE, plain)
    assert len(expected) >= 5  # the golden seed alerts (tests/unit/test_tracker.py)
    primed = CountingEmbedder()
    assert alerts_of(carried, primed) == expected
    statement_texts = {t for s in carried for t in embedded_texts(s).values()}
    assert not statement_texts & set(primed.computed), "the tracker embedded a text the statement carried"
    # What is left: the claim texts the matcher stores as evidence (a fraction of the work).
    assert len(primed.computed) < len(plain.computed) / 3, (len(primed.computed), len(plain.computed))


def test_vectors_of_another_model_are_ignored(carried: list[StatementExtracted]):
    statement = find(carried, "News talking about their approval")
    other = statement.model_copy(update={"embeddings": statement.embeddings.model_copy(update={"model": "minilm-other"})})
    embedder = CountingEmbedder()
    assert prime(embedder, other) == 0
    assert prime(embedder, statement) == len(embedded_texts(statement))
    assert prime(embedder, statement) == 0  # already cached


def test_unreadable_vectors_are_logged_and_the_texts_embedded(carried: list[StatementExtracted], caplog):
    statement = find(carried, "News talking about their approval")
    embedder = CountingEmbedder()
    broken = statement.model_copy(update={"embeddings": StatementEmbeddings(
        model=embedder.fingerprint, vectors={"content": "not base64!", "context": pack(np.zeros(DIM))})})
    with caplog.at_level(logging.WARNING, logger="streams.nlp.vectors"):
        assert prime(embedder, broken) == 0
    assert "unreadable vectors" in caplog.text
    seen: dict[str, SeenStatement] = {}
    ClaimTracker({}, seen, embedder=embedder).process(broken)
    assert broken.event_id in seen and embedded_texts(broken)["content"] in embedder.computed


def test_a_statement_without_vectors_still_works(carried: list[StatementExtracted]):
    statement = find(carried, "News talking about their approval").model_copy(update={"embeddings": None})
    claims: dict[str, ClaimRecord] = {}
    embedder = CountingEmbedder()
    assert prime(embedder, statement) == 0
    ClaimTracker(claims, {}, embedder=embedder).process(statement)
    assert embedded_texts(statement)["context"] in embedder.computed


def test_fingerprint_names_the_model_files():
    a, b = Embedder(), Embedder(max_tokens=128)
    assert a.fingerprint == Embedder().fingerprint and a.fingerprint.startswith("minilm-")
    assert a.fingerprint != b.fingerprint
