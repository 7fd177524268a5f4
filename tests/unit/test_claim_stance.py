"""The bundled claim stance model: the artefact, its inputs, the decisions it makes toward a claim, how
the tracker acts on them, and the settings."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from schemas import ClaimRecord
from streams.nlp import models
from streams.nlp.claim_stance import (
    CLAIM_STANCE_FILES, CLASSES, DEFAULT_CLAIM_STANCE_DIR, ClaimStanceClassifier, ClaimStanceModel, affirmed, declines,
)
from streams.nlp.stance import CueStanceClassifier, StanceDecision
from streams.nlp.stance_model import cue_statement
from streams.settings import Settings

from .factories import assert_bundled_artefact

RESOURCES = Path(models.__file__).parent / "resources"
AT = datetime(2026, 3, 3, 12, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def model() -> ClaimStanceModel:
    assert all((DEFAULT_CLAIM_STANCE_DIR / f).is_file() for f in CLAIM_STANCE_FILES), "the bundled model is missing"
    return ClaimStanceModel()


def claim(text: str) -> ClaimRecord:
    return ClaimRecord(claim_id="claim-1", text=text, first_seen_at=AT, last_seen_at=AT, origin_statement_id="s0")


def test_the_artefact_is_complete_and_all_models_fit_the_budget() -> None:
    assert DEFAULT_CLAIM_STANCE_DIR.parent == RESOURCES
    assert_bundled_artefact(DEFAULT_CLAIM_STANCE_DIR)


def test_the_service_computes_the_logits_training_computed(model: ClaimStanceModel) -> None:
    """config.json holds the exported model's logits for hand-written pairs, tokenized by transformers in
    the training environment; the bundled tokenizer and onnxruntime here must give the same. The
    tolerance: int8 ONNX on another onnxruntime build moves logits by about 1e-4 here."""
    reference = model.config["reference"]
    assert len(reference) >= 4
    for r in reference:
        got = model.logits(r["claim"], r["statement"])
        assert np.allclose(got, r["logits"], atol=2e-3), (r, got.tolist())


def test_probabilities_are_deterministic_and_cached(model: ClaimStanceModel) -> None:
    a = model.proba("The bridge was closed.", "The bridge is open, the city said.")
    assert set(a) == set(CLASSES) and abs(sum(a.values()) - 1) < 1e-9
    assert ClaimStanceModel().proba("The bridge was closed.", "The bridge is open, the city said.") == a


@pytest.mark.parametrize("statement, want", [
    ("\"We are not in discussions with Hexa Lift or anyone else about the crane business,\" Norvik spokeswoman Ida Berg said.",
     "deny"),
    ("Norvik Ports declined to confirm the report, saying it does not comment on market speculation.", "non_confirm"),
    ("Norvik Ports confirmed on Tuesday that it had agreed to sell the crane unit to Hexa Lift.", "support"),
])
def test_decisions_toward_a_claim(model: ClaimStanceModel, statement: str, want: str) -> None:
    clf = ClaimStanceClassifier(CueStanceClassifier(), model)
    d = clf.classify(cue_statement(statement, kind="article"), claim("Norvik Ports is in talks to sell its crane unit to Hexa Lift."))
    assert d.stance == want and d.models == ("pair",), d
    assert "claim stance model" in d.explanation


def test_without_a_claim_the_base_decides_and_questions_stay_questions(model: ClaimStanceModel) -> None:
    class Base:
        def classify(self, statement, claim=None, *, relatedness=None):  # type: ignore[no-untyped-def]
            return StanceDecision("comment", 0.5, [], "base")

    clf = ClaimStanceClassifier(Base(), model)
    c = claim("Norvik Ports is selling its crane unit.")
    assert clf.classify(cue_statement("That is not true.", kind="article"), None).explanation == "base"
    q = clf.classify(cue_statement("Is the crane unit really for sale?", kind="article"), c)
    assert q.stance == "query" and q.models == ()
    # Comments and replies stay with the reply models, trained and tuned on replies.
    assert clf.classify(cue_statement("That is not true, the unit is not for sale."), c).explanation == "base"


def test_thresholds_decide(model: ClaimStanceModel) -> None:
    text = cue_statement("\"We are not selling the crane unit,\" a Norvik spokeswoman said.", kind="article")
    c = claim("Norvik Ports is in talks to sell its crane unit to Hexa Lift.")
    p = model.proba(c.text, text.text)
    assert ClaimStanceClassifier(CueStanceClassifier(), model, deny_min=0.0).classify(text, c).stance == "deny"
    strict = ClaimStanceClassifier(CueStanceClassifier(), model, deny_min=min(1.0, p["deny"] + 1e-6),
                                   non_confirm_min=1.0, support_min=1.0)
    assert strict.classify(text, c).stance == "comment"


@pytest.mark.parametrize("text, want", [
    ("Withdrawals have not been suspended at any point today.", "Withdrawals have been suspended at any point today."),
    ("\"The game hasn't been cancelled and won't be,\" he said.", "\"The game has been cancelled and will be,\" he said."),
    ("Not a single hen has been culled.", "a hen has been culled."),
    ("Nobody has been turned back.", "somebody has been turned back."),
    ("I have never taken a banned substance.", "I have taken a banned substance."),
    ("There is no sale process.", "There is sale process."),
    ("The report is wrong.", None),
])
def test_affirmed_takes_the_negations_out(text: str, want: str | None) -> None:
    assert affirmed(text) == want


@pytest.mark.parametrize("text", [
    "\"At this stage we cannot confirm whether any personal data was taken,\" a spokesman said.",
    "Fairway Foods would not say on Wednesday whether it plans to close the depot.",
    "Until that work is complete I am not going to speculate.",
    "The inspectorate said it had not been notified of any defect.",
    "The centre said it had seen no evidence that the satellite was tumbling.",
    "Police were \"not in a position to confirm\" any arrest.",
    "As a matter of policy we do not comment on market speculation.",
])
def test_declines_reads_refusals_to_confirm(text: str) -> None:
    assert declines(text)


@pytest.mark.parametrize("text", [
    "\"This was not a decision we took lightly,\" the chairman said.",
    "Northgate said it accepted the decision and would not appeal.",
    "Nordel Kraft said it had no plans to change its tariffs.",
    "It did not name the school.",
    "The board had no concerns.",
    # A source that gives no details has not declined to confirm what it said (a seed sentence).
    "Anadolu said both sides were working for the ceasefire but gave no further details on its implementation.",
])
def test_declines_leaves_other_negations_alone(text: str) -> None:
    assert not declines(text)


def test_a_model_denial_of_a_negated_sentence_must_negate_the_claim(model: ClaimStanceModel) -> None:
    c = claim("Kestrel Exchange has frozen customer withdrawals.")
    other = cue_statement("\"There is no sale process,\" a Kestrel spokeswoman said.", kind="article")
    said = model.proba(c.text, affirmed(other.text))["support"]  # type: ignore[arg-type]
    assert ClaimStanceClassifier(CueStanceClassifier(), model, deny_min=0.0).classify(other, c, relatedness=0.6).stance == "deny"
    d = ClaimStanceClassifier(CueStanceClassifier(), model, deny_min=0.0, affirm_support_min=min(1.0, said + 1e-6)
                              ).classify(other, c, relatedness=0.6)
    assert d.stance != "deny", d
    d = ClaimStanceClassifier(CueStanceClassifier(), model, deny_min=0.0, affirm_support_min=max(0.0, said - 1e-6)
                              ).classify(other, c, relatedness=0.6)
    assert d.stance == "deny" and "negations taken out" in d.explanation, d


def test_a_news_model_denial_needs_the_claim_stance_model_to_corroborate_it(model: ClaimStanceModel) -> None:
    class NewsSaysDeny:  # the reply/news models read any negation near the story's words as a denial
        def classify(self, statement, claim=None, *, relatedness=None):  # type: ignore[no-untyped-def]
            return StanceDecision("deny", 0.9, [], "news stance model (deny 0.90)", models=("news",))

    c = claim("A box of exam papers delivered early to one school had been opened and photographed.")
    other = cue_statement("It did not name the school.", kind="article")
    plain = ClaimStanceClassifier(NewsSaysDeny(), model, deny_min=1.0, unrelated_veto=1.01)
    assert plain.classify(other, c, relatedness=0.6).stance == "deny"
    d = ClaimStanceClassifier(NewsSaysDeny(), model, deny_min=1.0, unrelated_veto=1.01, corroborate_min=0.5
                              ).classify(other, c, relatedness=0.6)
    assert d.stance == "comment" and "negates something else" in d.explanation, d


def test_settings_switch_it_off_and_point_elsewhere(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert isinstance(models.make_stance_classifier(Settings()), ClaimStanceClassifier)
    assert not isinstance(models.make_stance_classifier(Settings(claim_stance=False)), ClaimStanceClassifier)
    own = tmp_path / "own"
    shutil.copytree(DEFAULT_CLAIM_STANCE_DIR, own)
    assert models.make_claim_stance_model(Settings(claim_stance_model_path=own)).model_dir == own
    with caplog.at_level("WARNING"):
        fallback = models.make_claim_stance_model(Settings(claim_stance_model_path=tmp_path / "empty"))
    assert fallback is not None and fallback.model_dir == DEFAULT_CLAIM_STANCE_DIR
    assert "holds no model.onnx" in caplog.text
    clf = models.make_stance_classifier(Settings(claim_stance_deny_min=0.7, claim_stance_non_confirm_min=0.6))
    assert (clf.deny_min, clf.non_confirm_min) == (0.7, 0.6)


def test_a_wrong_config_is_refused(tmp_path: Path) -> None:
    own = tmp_path / "own"
    shutil.copytree(DEFAULT_CLAIM_STANCE_DIR, own)
    config = json.loads((own / "config.json").read_text())
    (own / "config.json").write_text(json.dumps(config | {"format": "something-else/2"}))
    with pytest.raises(ValueError, match="format"):
        ClaimStanceModel(own)
    (own / "config.json").write_text(json.dumps(config | {"classes": ["deny", "support"]}))
    with pytest.raises(ValueError, match="classes"):
        ClaimStanceModel(own)


def test_serving_needs_no_torch() -> None:
    code = ("import sys; from streams.nlp.claim_stance import ClaimStanceModel; "
            "ClaimStanceModel().proba('a claim', 'a statement'); assert 'torch' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


@pytest.mark.parametrize("text, rumour", [
    ("Customers can withdraw their funds as normal, the platform said on Thursday, dismissing reports on social media "
     "and messaging apps that withdrawals had been frozen.", "withdrawals had been frozen"),
    ("The ministry on Wednesday rejected a report that police had shut the crossing to asylum seekers, saying it was "
     "closed for five hours.", "police had shut the crossing to asylum seekers"),
    ("Corinne Dalmas is alive and well, her agent said, dismissing reports circulating online overnight that the singer "
     "had died.", "the singer had died"),
    ("The company denied the allegations.", None),
    ("He rejected the offer of a pay rise.", None),
    ("The club said it was responding to rumours that the coach had left.", None),
])
def test_rebutted_report_finds_the_rumour_a_denial_restates(text: str, rumour: str | None) -> None:
    from streams.nlp.claims import rebutted_report

    assert rebutted_report(text) == rumour


def test_a_sentence_that_rebuts_a_report_denies_the_claim_the_report_makes_and_founds_none(model: ClaimStanceModel) -> None:
    from streams.nlp.claims import ClaimRecognizer

    text = ("Customers of Kestrel Exchange can withdraw their funds as normal, the platform said on Thursday, "
            "dismissing reports on social media that withdrawals had been frozen.")
    st = cue_statement(text, kind="article")
    c = claim("Kestrel Exchange, a Singapore-based cryptocurrency trading platform, has frozen customer withdrawals")
    says = model.proba(c.text, "withdrawals had been frozen")["support"]
    on = ClaimStanceClassifier(CueStanceClassifier(), model, rebuttal_support_min=max(0.0, says - 1e-6))
    d = on.classify(st, c, relatedness=0.5)
    assert d.stance == "deny" and "rebuts a report" in d.explanation, d
    off = ClaimStanceClassifier(CueStanceClassifier(), model, rebuttal_support_min=1.01)
    assert "rebuts a report" not in off.classify(st, c, relatedness=0.5).explanation
    # Enriched as the service does, the sentence founds no claim; without its rebuttal it would.
    from streams.nlp.enrich import enrich_article
    from schemas import ArticlePublished

    def first(body: str):  # type: ignore[no-untyped-def]
        return enrich_article(ArticlePublished(event_id="a", occurred_at=AT, source="t", document_id="d", body=body,
                                               outlet="Wire"))[0]

    assert ClaimRecognizer().recognise(first(text)) is None
    assert ClaimRecognizer().recognise(first(text.split(", dismissing")[0] + ".")) is not None


def test_comment_denials_are_the_reply_models_unless_switched_on(model: ClaimStanceModel) -> None:
    class Quiet:
        def classify(self, statement, claim=None, *, relatedness=None):  # type: ignore[no-untyped-def]
            return StanceDecision("comment", 0.5, [], "reply models")

    c = claim("The Harbour Bridge in Kalvik has been shut because of cracks in its supports.")
    comment = cue_statement("Drove over it this morning, the bridge is not shut, both directions open.")
    p = model.proba(c.text, comment.text)
    said = model.proba(c.text, affirmed(comment.text))["support"]  # type: ignore[arg-type]
    assert ClaimStanceClassifier(Quiet(), model, deny_min=0.0).classify(comment, c).explanation == "reply models"
    on = ClaimStanceClassifier(Quiet(), model, deny_min=min(1.0, p["deny"]), affirm_support_min=min(1.0, said),
                               comment_denials=True)
    d = on.classify(comment, c)
    assert d.stance == "deny" and d.models == ("pair",) and "in a comment" in d.explanation, d
    strict = ClaimStanceClassifier(Quiet(), model, deny_min=min(1.0, p["deny"]), affirm_support_min=min(1.0, said + 1e-6),
                                   comment_denials=True)
    assert strict.classify(comment, c).explanation == "reply models"


def test_with_base_keeps_the_model_and_every_threshold(model: ClaimStanceModel) -> None:
    clf = ClaimStanceClassifier(CueStanceClassifier(), model, deny_min=0.7, affirm_support_min=0.8, corroborate_min=0.5,
                                rebuttal_support_min=0.6, comment_denials=True)
    other = CueStanceClassifier()
    clone = clf.with_base(other)
    assert clone.base is other and clone.model is model and clf.base is not other
    assert {k: v for k, v in vars(clone).items() if k not in ("base", "cue")} == \
        {k: v for k, v in vars(clf).items() if k not in ("base", "cue")}


def test_a_counter_fact_denies_only_when_switched_on(model: ClaimStanceModel) -> None:
    """A sentence with no negation that the model reads as a denial ("the school is fine" against "the
    school has burnt down") denies only at ``counter_fact_min`` (default off: on the tuned stories such
    denials brought 11 false alerts for 2 found)."""
    c = claim("The Ferrow primary school has burnt down in the wildfire.")
    fine = cue_statement("\"The school is fine. We lost a bit of fence on the back oval,\" the principal said.",
                         kind="article")
    p = model.proba(c.text, fine.text)["deny"]
    assert ClaimStanceClassifier(CueStanceClassifier(), model).classify(fine, c, relatedness=0.6).stance != "deny"
    on = ClaimStanceClassifier(CueStanceClassifier(), model, counter_fact_min=max(0.0, p - 1e-6))
    d = on.classify(fine, c, relatedness=0.6)
    assert d.stance == "deny" and "incompatible" in d.explanation, d
    above = ClaimStanceClassifier(CueStanceClassifier(), model, counter_fact_min=min(1.0, p + 1e-6))
    assert above.classify(fine, c, relatedness=0.6).stance != "deny"
    assert models.make_stance_classifier(Settings(claim_stance_counter_fact_min=0.9)).counter_fact_min == 0.9
