"""The bundled reply cross-encoder: the artefact, its inputs, the ensemble's arithmetic, the settings."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from streams.nlp import models
from streams.nlp.crossencoder import CROSSENCODER_FILES, DEFAULT_CROSSENCODER_DIR, CrossEncoder, log_softmax
from streams.nlp.stance_model import DEFAULT_MODEL_DIR, TrainedStanceClassifier, cue_statement, normalise_text
from streams.settings import Settings

from .factories import assert_bundled_artefact
from .test_stance_model import CLAIM_TEXT, claim

RESOURCES = Path(models.__file__).parent / "resources"


@pytest.fixture(scope="module")
def xenc() -> CrossEncoder:
    assert all((DEFAULT_CROSSENCODER_DIR / f).is_file() for f in CROSSENCODER_FILES), "the bundled cross-encoder is missing"
    return CrossEncoder()


def test_the_artefact_is_complete_and_all_models_fit_the_budget() -> None:
    assert DEFAULT_CROSSENCODER_DIR.parent == RESOURCES
    assert_bundled_artefact(DEFAULT_CROSSENCODER_DIR)


def test_the_service_computes_the_logits_training_computed(xenc: CrossEncoder) -> None:
    """config.json holds logits of hand-written pairs from the exported model, tokenized by transformers
    in the training environment: tokenizers + onnxruntime here must give the same."""
    reference = xenc.config["reference"]
    assert any(r["text"] == "" for r in reference), "the empty statement is one of the references"
    for r in reference:
        got = xenc.logits(r["claim"], r["text"])
        assert np.allclose(got, r["logits"], atol=1e-3), (r, got.tolist())


def test_inputs_are_a_pair_cut_to_max_len(xenc: CrossEncoder) -> None:
    feeds = xenc.encode("short claim", "word " * 500)
    ids, types = feeds["input_ids"][0], feeds["token_type_ids"][0]
    assert len(ids) == xenc.max_len == feeds["attention_mask"].shape[1]
    assert ids[0] == 101 and ids[-1] == 102 and list(ids).count(102) == 2  # [CLS] claim [SEP] text [SEP]
    first_sep = list(ids).index(102)
    assert set(types[: first_sep + 1]) == {0} and set(types[first_sep + 1:]) == {1}
    assert list(xenc.encode("short claim", "")["input_ids"][0]).count(102) == 2  # as training tokenized it


def test_outputs_are_deterministic(xenc: CrossEncoder) -> None:
    a = xenc.logits(CLAIM_TEXT, "this is fake")
    b = CrossEncoder().logits(CLAIM_TEXT, "this is fake")
    assert a.shape == (4,) and np.array_equal(a, b)


def test_the_ensemble_arithmetic() -> None:
    """Hand-computed: mean of the two log-softmaxes plus the offsets, renormalised."""
    x = CrossEncoder.__new__(CrossEncoder)
    x.weights, x.offsets = (0.5, 0.5), np.asarray([0.0, 1.0, 0.0, 0.0])
    lr, xe = np.asarray([1.0, 0.0, 0.0, 0.0]), np.asarray([0.0, 0.0, 0.0, 2.0])
    # log_softmax(lr) = lr - log(e + 3); log_softmax(xe) = xe - log(e^2 + 3)
    z = 0.5 * (lr - np.log(np.e + 3)) + 0.5 * (xe - np.log(np.e ** 2 + 3)) + x.offsets
    want = np.exp(z) / np.exp(z).sum()
    got = x.combine(lr, xe)
    assert np.allclose(got, want) and abs(got.sum() - 1) < 1e-12
    assert np.allclose(np.exp(log_softmax(np.asarray([3.0, 3.0]))), [0.5, 0.5])


def test_the_classifier_uses_the_ensemble_on_comments(xenc: CrossEncoder) -> None:
    alone = TrainedStanceClassifier()
    both = TrainedStanceClassifier(crossencoder=xenc)
    text = "This is fake, nobody was shot."
    texts = [normalise_text(text), normalise_text(CLAIM_TEXT)]
    from streams.nlp.stance_model import dense_features, hashed_features, surface_features

    vecs = alone.embedder.encode(texts)
    scores = alone.model.scores(dense_features(vecs[0], vecs[1], surface_features(text, None)), hashed_features(text))
    want = xenc.combine(scores, xenc.logits(texts[1], texts[0]))
    got = both.model_proba(text, CLAIM_TEXT, None)
    assert np.allclose([got[c] for c in both.model.classes], want)
    assert got != alone.model_proba(text, CLAIM_TEXT, None)
    assert both.model_proba(text, None, None) == alone.model_proba(text, None, None)  # no claim: no pair
    d = both.classify(cue_statement("This is false, fake news, nobody was shot, stop spreading this hoax."), claim())
    assert d.stance == "deny" and d.models == ("reply",), d


def test_settings_switch_it_off_and_point_elsewhere(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert models.make_crossencoder(Settings()) is not None
    assert models.make_crossencoder(Settings(reply_crossencoder=False)) is None
    clf = models.make_stance_classifier(Settings(reply_crossencoder=False, claim_stance=False))
    assert isinstance(clf, TrainedStanceClassifier) and clf.crossencoder is None
    own = tmp_path / "own"
    shutil.copytree(DEFAULT_CROSSENCODER_DIR, own)
    assert models.make_crossencoder(Settings(reply_crossencoder_path=own)).model_dir == own
    with caplog.at_level("WARNING"):
        fallback = models.make_crossencoder(Settings(reply_crossencoder_path=tmp_path / "empty"))
    assert fallback is not None and fallback.model_dir == DEFAULT_CROSSENCODER_DIR
    assert "holds no model.onnx" in caplog.text


def test_a_wrong_config_is_refused(tmp_path: Path) -> None:
    own = tmp_path / "own"
    shutil.copytree(DEFAULT_CROSSENCODER_DIR, own)
    config = json.loads((own / "config.json").read_text())
    (own / "config.json").write_text(json.dumps(config | {"format": "something-else/2"}))
    with pytest.raises(ValueError, match="format"):
        CrossEncoder(own)
    config["ensemble"]["offsets"] = [0.0, 0.0]
    (own / "config.json").write_text(json.dumps(config))
    with pytest.raises(ValueError, match="2 offsets for 4 classes"):
        CrossEncoder(own)


def test_serving_needs_no_torch() -> None:
    code = ("import sys; from streams.nlp.crossencoder import CrossEncoder; "
            "CrossEncoder().logits('a claim', 'a reply'); assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_the_bundled_reply_model_is_the_one_the_ensemble_was_tuned_with() -> None:
    """The ensemble's offsets were tuned on the bundled reply model's out-of-fold scores (C, hash weight)."""
    stance = json.loads((DEFAULT_MODEL_DIR / "config.json").read_text())
    recipe = json.loads((DEFAULT_CROSSENCODER_DIR / "config.json").read_text())["ensemble"]
    assert (stance["C"], stance["hash_weight"]) == (recipe["reply_model"]["C"], recipe["reply_model"]["hash_weight"])
