from __future__ import annotations

import numpy as np
import pytest

from streams.nlp.embeddings import DIM, Embedder


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder(intra_op_num_threads=2, batch_size=8)


def test_shape_and_norm(embedder: Embedder) -> None:
    vecs = embedder.encode(["Turkey and Russia agreed a ceasefire.", "Hello world"])
    assert vecs.shape == (2, DIM)
    assert vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert embedder.encode([]).shape == (0, DIM)


def test_similar_sentences_score_higher(embedder: Embedder) -> None:
    a, b, c = embedder.encode([
        "Turkey and Russia had agreed a nationwide truce plan for Syria",
        "Turkey and Russia have agreed a ceasefire plan for all of Syria",
        "I lost my respect for her because she parrots the same nonsense.",
    ])
    assert float(a @ b) > 0.7
    assert float(a @ b) > float(a @ c) + 0.4


def test_batch_equals_single_and_cache(embedder: Embedder) -> None:
    texts = ["short", "a considerably longer sentence that needs more padding in the batch", "short"]
    batch = embedder.encode(texts)
    single = np.stack([Embedder(cache_size=0).encode([t])[0] for t in texts])
    assert np.allclose(batch, single, atol=1e-4)
    assert np.array_equal(batch[0], batch[2])


def test_rejects_plain_string(embedder: Embedder) -> None:
    with pytest.raises(TypeError):
        embedder.encode("not a list")  # type: ignore[arg-type]
