"""The reply cross-encoder: a fine-tuned MiniLM-L6 that reads (claim, reply) together, as int8 ONNX.

Trained by ``training/crossencoder/train_reply_xenc.py`` on RumourEval 2019 train (torch, outside the
project's environment); served here with onnxruntime and the bundled MiniLM tokenizer, no torch. The
artefact directory (``resources/reply_crossencoder/``, or ``Settings.reply_crossencoder_path``) holds
``model.onnx``, ``config.json`` and ``card.md``.

It is not used alone: on RumourEval train (grouped 5-fold CV) it was weaker than the reply model on
its own, and the mean of the two models' log-probabilities was better than either
(``training/crossencoder/cv_stack.py``). So ``TrainedStanceClassifier.model_proba`` combines them
with the weights and per-class offsets in ``config.json`` (``ensemble``), tuned on the out-of-fold
scores of train only.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .embeddings import DEFAULT_TOKENIZER_PATH, onnx_session

logger = logging.getLogger(__name__)

DEFAULT_CROSSENCODER_DIR = Path(__file__).parent / "resources" / "reply_crossencoder"
FORMAT = "claimwatch-reply-crossencoder/1"
CROSSENCODER_FILES = ("model.onnx", "config.json")  # what a cross-encoder directory must hold (``models._model_dir``)


def log_softmax(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def pair_tokenizer(path: Path, max_len: int) -> Any:
    """The bundled MiniLM tokenizer set up as the cross-encoders were trained: a pair cut to ``max_len``
    tokens together, the longer side first, no padding."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=max_len, strategy="longest_first")
    tokenizer.no_padding()
    return tokenizer


def pair_inputs(tokenizer: Any, first: str, second: str) -> dict[str, np.ndarray]:
    """The ONNX inputs for one pair, ``[CLS] first [SEP] second [SEP]`` (always a pair, as training's
    batched call made it: an empty second text gives ``[SEP] [SEP]``)."""
    e = tokenizer.encode(first or "", second or "")
    return {"input_ids": np.asarray([e.ids], dtype=np.int64),
            "attention_mask": np.asarray([e.attention_mask], dtype=np.int64),
            "token_type_ids": np.asarray([e.type_ids], dtype=np.int64)}


class CrossEncoder:
    """Scores (claim, statement) pairs: ``logits(claim_text, text)`` -> one raw score per class.

    Texts are expected normalised as the reply model normalises them (``stance_model.normalise_text``),
    which is how the training pairs were written. The session and tokenizer load on first use
    (thread-safe); construction only reads ``config.json``, so a broken config fails at start-up.
    """

    def __init__(self, model_dir: str | Path | None = None, *, tokenizer_path: str | Path | None = None,
                 intra_op_num_threads: int = 0) -> None:
        self.model_dir = Path(model_dir) if model_dir is not None else DEFAULT_CROSSENCODER_DIR
        self.tokenizer_path = Path(tokenizer_path) if tokenizer_path is not None else DEFAULT_TOKENIZER_PATH
        self.config: dict[str, Any] = json.loads((self.model_dir / "config.json").read_text(encoding="utf-8"))
        if self.config.get("format") != FORMAT:
            raise ValueError(f"{self.model_dir}/config.json: format {self.config.get('format')!r}, expected {FORMAT!r}")
        self.classes: tuple[str, ...] = tuple(self.config["classes"])
        self.max_len = int(self.config["max_len"])
        ensemble = self.config["ensemble"]
        self.weights = (float(ensemble["reply_model_weight"]), float(ensemble["crossencoder_weight"]))
        self.offsets = np.asarray(ensemble["offsets"], dtype=np.float64)
        if len(self.offsets) != len(self.classes):
            raise ValueError(f"{self.model_dir}/config.json: {len(self.offsets)} offsets for {len(self.classes)} classes")
        self.intra_op_num_threads = intra_op_num_threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()

    def _ensure_loaded(self) -> None:
        if self._session is not None:
            return
        with self._lock:
            if self._session is not None:
                return
            tokenizer = pair_tokenizer(self.tokenizer_path, self.max_len)
            session = onnx_session(self.model_dir / "model.onnx", self.intra_op_num_threads)
            self._tokenizer = tokenizer
            self._session = session
            logger.info("loaded reply cross-encoder %s", self.model_dir)

    def encode(self, claim_text: str, text: str) -> dict[str, np.ndarray]:
        """The model's inputs for one pair: ``[CLS] claim [SEP] text [SEP]``, cut to ``max_len`` tokens
        (the longer side first), exactly as training tokenized them."""
        self._ensure_loaded()
        return pair_inputs(self._tokenizer, claim_text, text)

    def logits(self, claim_text: str, text: str) -> np.ndarray:
        feeds = self.encode(claim_text, text)  # loads the session
        (out,) = self._session.run(["logits"], feeds)
        return np.asarray(out[0], dtype=np.float64)

    def combine(self, reply_model_scores: np.ndarray, crossencoder_logits: np.ndarray) -> np.ndarray:
        """Probabilities of the ensemble: the weighted sum of the two models' log-probabilities (the reply
        model's raw scores, without its own offsets), plus the ensemble's offsets, normalised."""
        z = (self.weights[0] * log_softmax(reply_model_scores) + self.weights[1] * log_softmax(crossencoder_logits)
             + self.offsets)
        return np.exp(log_softmax(z))
