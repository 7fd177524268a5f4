"""Builds the NLP components the agents and the evaluators share, from Settings.

The agents (``streams/agents/claims.py``) and ``claimwatch evaluate`` both call these factories, so
evaluation runs exactly the functions the stream runs.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from ..settings import Settings
from .embeddings import Embedder
from .stance import CueStanceClassifier, StanceClassifier
from .tracker import ClaimTracker, TrackerConfig


@lru_cache(maxsize=4)
def embedder_for(model_path: str | None, tokenizer_path: str | None) -> Embedder:
    return Embedder(model_path, tokenizer_path)


def make_embedder(settings: Settings) -> Embedder:
    return embedder_for(
        str(settings.embedding_model_path) if settings.embedding_model_path else None,
        str(settings.embedding_tokenizer_path) if settings.embedding_tokenizer_path else None,
    )


def make_stance_classifier(settings: Settings) -> StanceClassifier:
    """The stance classifier the service uses.

    The trained model (``stance_model.TrainedStanceClassifier``, combined with the cue lexicon) when
    ``settings.stance_model_path`` or the bundled ``resources/stance`` artefact exists; otherwise the
    cue lexicon alone. A configured path that does not hold a model is logged and ignored.
    """
    import logging

    from .stance_model import DEFAULT_MODEL_DIR, TrainedStanceClassifier, model_available

    path = settings.stance_model_path
    if path is not None and not model_available(path):
        logging.getLogger(__name__).warning("stance_model_path %s holds no model.npz/config.json; using the default", path)
        path = None
    if path is None and model_available(DEFAULT_MODEL_DIR):
        path = DEFAULT_MODEL_DIR
    if path is None:
        return CueStanceClassifier()
    return TrainedStanceClassifier(path, embedder=make_embedder(settings))


def tracker_config(settings: Settings) -> TrackerConfig:
    return replace(
        TrackerConfig(),
        deny_threshold=settings.deny_match_threshold,
        non_confirm_threshold=settings.non_confirm_match_threshold,
        join_threshold=settings.join_match_threshold,
        min_confidence=settings.alert_min_confidence,
    )


def make_tracker(claims, seen, settings: Settings) -> ClaimTracker:  # type: ignore[no-untyped-def]
    """A ClaimTracker over the given stores (Faust tables in the worker, dicts in evaluation)."""
    return ClaimTracker(
        claims,
        seen,
        embedder=make_embedder(settings),
        config=tracker_config(settings),
        stance=make_stance_classifier(settings),
    )
