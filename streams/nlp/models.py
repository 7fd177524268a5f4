"""Builds the NLP components the agents and the evaluators share, from Settings.

The agents (``streams/agents/claims.py``) and ``claimwatch evaluate`` both call these factories, so
evaluation runs exactly the functions the stream runs.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from ..settings import Settings
from .claim_stance import CLAIM_STANCE_FILES, DEFAULT_CLAIM_STANCE_DIR, ClaimStanceClassifier, ClaimStanceModel
from .claims import ClaimRecognizer
from .crossencoder import CROSSENCODER_FILES, DEFAULT_CROSSENCODER_DIR, CrossEncoder
from .embeddings import Embedder
from .news_stance import DEFAULT_NEWS_MODEL_DIR, NewsStanceModel
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


def _model_dir(configured: Path | None, default: Path, setting: str, files: tuple[str, ...] = ("model.npz", "config.json"),
               ) -> Path | None:
    """``configured`` when it holds ``files``, else the bundled ``default`` when that does, else
    ``None``. A configured path without a model is logged and ignored."""

    def holds(directory: Path) -> bool:
        return all((Path(directory) / name).is_file() for name in files)

    if configured is not None:
        if holds(configured):
            return configured
        logging.getLogger(__name__).warning("%s %s holds no %s; using the default", setting, configured, "/".join(files))
    return default if holds(default) else None


def make_stance_classifier(settings: Settings) -> StanceClassifier:
    """The stance classifier the service uses.

    The trained reply model (``stance_model.TrainedStanceClassifier``, combined with the cue lexicon,
    the news model of ``make_news_model`` and the cross-encoder of ``make_crossencoder``) when
    ``settings.stance_model_path`` or the bundled ``resources/stance`` artefact exists; otherwise the
    cue lexicon alone.
    """
    from .stance_model import DEFAULT_MODEL_DIR, TrainedStanceClassifier

    path = _model_dir(settings.stance_model_path, DEFAULT_MODEL_DIR, "stance_model_path")
    base: StanceClassifier
    if path is None:
        base = CueStanceClassifier()
    else:
        base = TrainedStanceClassifier(path, embedder=make_embedder(settings), news=make_news_model(settings),
                                       news_deny_min=settings.news_deny_min_probability,
                                       news_attributed_min_match=settings.news_attributed_min_match,
                                       crossencoder=make_crossencoder(settings))
    model = make_claim_stance_model(settings)
    if model is None:
        return base
    return ClaimStanceClassifier(base, model, deny_min=settings.claim_stance_deny_min,
                                 non_confirm_min=settings.claim_stance_non_confirm_min,
                                 support_min=settings.claim_stance_support_min,
                                 unrelated_veto=settings.claim_stance_unrelated_veto,
                                 veto_max_match=settings.claim_stance_veto_max_match,
                                 affirm_support_min=settings.claim_stance_affirm_support_min,
                                 corroborate_min=settings.claim_stance_corroborate_min,
                                 rebuttal_support_min=settings.claim_stance_rebuttal_support_min,
                                 comment_denials=settings.claim_stance_comment_denials,
                                 counter_fact_min=settings.claim_stance_counter_fact_min)


def make_claim_stance_model(settings: Settings) -> ClaimStanceModel | None:
    """The claim stance model (``claim_stance.ClaimStanceModel``), or ``None`` when ``settings.claim_stance``
    is false or neither the configured nor the bundled directory holds one."""
    if not settings.claim_stance:
        return None
    path = _model_dir(settings.claim_stance_model_path, DEFAULT_CLAIM_STANCE_DIR, "claim_stance_model_path",
                      CLAIM_STANCE_FILES)
    return _claim_stance_at(str(path)) if path is not None else None


@lru_cache(maxsize=4)
def _claim_stance_at(path: str) -> ClaimStanceModel:
    return ClaimStanceModel(path)


def make_crossencoder(settings: Settings) -> CrossEncoder | None:
    """The reply cross-encoder combined with the reply model on comments, or ``None`` when
    ``settings.reply_crossencoder`` is false or neither the configured nor the bundled directory
    holds one (``_model_dir``, as for the other models). One per directory: the session is loaded once."""
    if not settings.reply_crossencoder:
        return None
    path = _model_dir(settings.reply_crossencoder_path, DEFAULT_CROSSENCODER_DIR, "reply_crossencoder_path",
                      CROSSENCODER_FILES)
    return _crossencoder_at(str(path)) if path is not None else None


@lru_cache(maxsize=4)
def _crossencoder_at(path: str) -> CrossEncoder:
    return CrossEncoder(path)


def make_news_model(settings: Settings) -> NewsStanceModel | None:
    """The news stance model for article sentences (``news_stance.NewsStanceModel``), or ``None`` when
    neither ``settings.news_stance_model_path`` nor the bundled artefact holds one."""
    path = _model_dir(settings.news_stance_model_path, DEFAULT_NEWS_MODEL_DIR, "news_stance_model_path")
    return NewsStanceModel(path, embedder=make_embedder(settings)) if path is not None else None


def tracker_config(settings: Settings) -> TrackerConfig:
    return replace(
        TrackerConfig(),
        deny_threshold=settings.deny_match_threshold,
        non_confirm_threshold=settings.non_confirm_match_threshold,
        join_threshold=settings.join_match_threshold,
        min_confidence=settings.alert_min_confidence,
        model_denials=settings.model_denials,
        comment_alerts=settings.comment_alerts,
        comment_severity=settings.comment_alert_severity,
        non_confirm_max_severity=settings.non_confirm_max_severity,
        earliest_claim_only=settings.earliest_claim_only,
        negated_claims=settings.claim_negated_sentences,
    )


def make_tracker(claims, seen, settings: Settings) -> ClaimTracker:  # type: ignore[no-untyped-def]
    """A ClaimTracker over the given stores (Faust tables in the worker, dicts in evaluation)."""
    return ClaimTracker(
        claims,
        seen,
        embedder=make_embedder(settings),
        config=tracker_config(settings),
        stance=make_stance_classifier(settings),
        recognizer=ClaimRecognizer(lead_sentences=settings.claim_lead_sentences),
    )
