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
    """The stance classifier the service uses (today: the cue lexicon)."""
    return CueStanceClassifier()


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
