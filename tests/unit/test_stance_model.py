"""The committed stance model: loads, is deterministic, denies a denial, queries a question, falls back."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from schemas.claims import ClaimRecord
from streams.nlp.claims import key_terms
from streams.nlp.models import make_stance_classifier
from streams.nlp.stance import CueStanceClassifier
from streams.nlp.stance_model import (
    DEFAULT_MODEL_DIR,
    TrainedStanceClassifier,
    cue_statement,
    hashed_features,
    model_available,
)
from streams.settings import Settings

AT = datetime(2020, 1, 1, tzinfo=timezone.utc)
CLAIM_TEXT = "Police say the gunman was shot dead inside the parliament building this morning"


def claim(text: str = CLAIM_TEXT) -> ClaimRecord:
    return ClaimRecord(claim_id="c1", text=text, first_seen_at=AT, last_seen_at=AT, origin_statement_id="s1",
                       key_terms=key_terms(text))


@pytest.fixture(scope="module")
def clf() -> TrainedStanceClassifier:
    assert model_available(DEFAULT_MODEL_DIR), "the bundled stance model is missing"
    return TrainedStanceClassifier()


def test_artefact_is_small_and_complete() -> None:
    files = {p.name for p in DEFAULT_MODEL_DIR.iterdir()}
    assert {"model.npz", "config.json", "card.md"} <= files
    assert sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir()) < 30 * 1024 * 1024


def test_hashing_is_stable() -> None:
    a = hashed_features("That is not true!")
    b = hashed_features("That is not true!")
    assert a[0].tolist() == b[0].tolist() and a[1].tolist() == b[1].tolist()


def test_outputs_are_deterministic(clf: TrainedStanceClassifier) -> None:
    texts = ["This is fake, he was never shot.", "Is this confirmed?", "Praying for everyone in Ottawa."]
    first = [clf.classify(cue_statement(t), claim()) for t in texts]
    second = [TrainedStanceClassifier().classify(cue_statement(t), claim()) for t in texts]
    assert [(d.stance, d.confidence) for d in first] == [(d.stance, d.confidence) for d in second]


def test_a_denial_is_denied(clf: TrainedStanceClassifier) -> None:
    d = clf.classify(cue_statement("This is false. Fake news, nobody was shot, stop spreading this hoax."), claim())
    assert d.stance == "deny", d


def test_a_question_is_a_query(clf: TrainedStanceClassifier) -> None:
    d = clf.classify(cue_statement("Is there any source for this? Who confirmed it?"), claim())
    assert d.stance == "query", d


def test_probabilities_sum_to_one(clf: TrainedStanceClassifier) -> None:
    p = clf.model_proba("Really sad news.", CLAIM_TEXT, None)
    assert set(p) == {"support", "deny", "query", "comment"}
    assert abs(sum(p.values()) - 1.0) < 1e-5


def test_non_confirmation_stays_with_the_cue_lexicon(clf: TrainedStanceClassifier) -> None:
    d = clf.classify(cue_statement("The ministry could not confirm that the gunman was shot in parliament."), claim())
    assert d.stance == "non_confirm"


def test_factory_uses_the_model_and_falls_back(tmp_path: Path) -> None:
    assert isinstance(make_stance_classifier(Settings(claim_stance=False)), TrainedStanceClassifier)
    own = tmp_path / "own"
    shutil.copytree(DEFAULT_MODEL_DIR, own)
    chosen = make_stance_classifier(Settings(stance_model_path=own, claim_stance=False))
    assert isinstance(chosen, TrainedStanceClassifier) and chosen.model_dir == own
    # A path without a model: the bundled one is used (logged), never a crash.
    empty = make_stance_classifier(Settings(stance_model_path=tmp_path / "missing", claim_stance=False))
    assert isinstance(empty, TrainedStanceClassifier) and empty.model_dir == DEFAULT_MODEL_DIR


def test_falls_back_to_cues_without_any_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import streams.nlp.stance_model as sm

    monkeypatch.setattr(sm, "DEFAULT_MODEL_DIR", tmp_path / "none")
    assert isinstance(make_stance_classifier(Settings(claim_stance=False)), CueStanceClassifier)
    assert not model_available(tmp_path / "none")
