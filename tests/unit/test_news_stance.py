"""The news stance model: features, the committed artefact, and how the service combines it with the cues."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from schemas.claims import ClaimRecord
from schemas.statements import Attribution
from streams.nlp import news_stance
from streams.nlp.claims import key_terms
from streams.nlp.models import make_news_model, make_stance_classifier
from streams.nlp.stance import StanceDecision
from streams.nlp.stance_model import TrainedStanceClassifier, cue_statement
from streams.settings import Settings

AT = datetime(2020, 1, 1, tzinfo=timezone.utc)
CLAIM = "Banksy arrested in London and his identity revealed"


def claim(text: str = CLAIM) -> ClaimRecord:
    return ClaimRecord(claim_id="c1", text=text, first_seen_at=AT, last_seen_at=AT, origin_statement_id="s1",
                       key_terms=key_terms(text))


def article_statement(text: str, speaker_kind: str = "narrator"):  # type: ignore[no-untyped-def]
    st = cue_statement(text, kind="article")
    att = Attribution(speaker="Outlet" if speaker_kind == "narrator" else "Jane Doe", speaker_kind=speaker_kind,  # type: ignore[arg-type]
                      content=text, content_start=0, content_end=len(text))
    return st.model_copy(update={"attribution": att})


def test_news_features_count_refutation_hedging_and_alignment() -> None:
    f = news_stance.news_features("Banksy arrest story is a hoax, police did not arrest anyone", CLAIM)
    names = ["refute", "hedge", "negation", "refute_c", "hedge_c", "neg_s", "neg_c", "neg_xor", "question",
             "overlap", "overlap_half", "has_claim"]
    assert len(f) == len(names) == news_stance.N_NEWS
    v = dict(zip(names, f.tolist()))
    assert v["refute"] > 0 and v["negation"] > 0 and v["neg_s"] == 1.0 and v["neg_c"] == 0.0 and v["neg_xor"] == 1.0
    assert v["hedge"] == 0.0 and v["question"] == 0.0 and v["has_claim"] == 1.0
    assert 0.0 < v["overlap"] <= 1.0
    q = dict(zip(names, news_stance.news_features("Was Banksy reportedly arrested?", None).tolist()))
    assert q["question"] == 1.0 and q["hedge"] > 0 and q["has_claim"] == 0.0 and q["overlap"] == 0.0


def test_grouped_folds_keep_groups_whole_and_cover_every_row() -> None:
    groups = [f"g{i % 7}" for i in range(50)]
    folds = news_stance.grouped_folds(groups, 3, seed=13)
    assert sorted(np.concatenate(folds).tolist()) == list(range(50))
    seen: dict[str, int] = {}
    for k, fold in enumerate(folds):
        for i in fold:
            assert seen.setdefault(groups[int(i)], k) == k
    assert [f.tolist() for f in folds] == [f.tolist() for f in news_stance.grouped_folds(groups, 3, seed=13)]


def test_bundled_model_separates_a_debunk_from_a_report() -> None:
    model = make_news_model(Settings())
    assert model is not None and model.config["classes"] == list(news_stance.NEWS_CLASSES)
    debunk = model.proba("No, Banksy was not arrested: the story is a hoax", CLAIM, None)
    report = model.proba("Banksy arrested in London, his real identity revealed", CLAIM, None)
    assert sum(debunk.values()) == pytest.approx(1.0, abs=1e-5)
    assert max(debunk, key=debunk.__getitem__) == "deny"
    assert report["deny"] < 0.2 < report["support"]


class FixedNews:
    """A news model that always returns the same probabilities (the combination rules, isolated)."""

    def __init__(self, deny: float) -> None:
        self.p = {"support": (1 - deny) / 2, "deny": deny, "comment": (1 - deny) / 2}

    def proba(self, text: str, claim_text: str, cue: StanceDecision | None) -> dict[str, float]:
        return dict(self.p)


def combined(deny: float) -> TrainedStanceClassifier:
    return TrainedStanceClassifier(news=FixedNews(deny), news_deny_min=0.5, news_attributed_min_match=0.5)


def test_news_model_adds_a_denial_in_the_outlets_voice() -> None:
    st = article_statement("Banksy remains at large according to those close to him")
    base = combined(0.1).classify(st, claim(), relatedness=0.3)
    assert base.stance != "deny"
    d = combined(0.8).classify(st, claim(), relatedness=0.3)
    assert d.stance == "deny" and d.confidence == 0.8 and "news stance model" in d.explanation


def test_attributed_speakers_need_a_strong_match_for_a_model_only_denial() -> None:
    st = article_statement("Banksy remains at large according to those close to him", speaker_kind="person")
    assert combined(0.9).classify(st, claim(), relatedness=0.43).stance != "deny"
    assert combined(0.9).classify(st, claim(), relatedness=0.6).stance == "deny"


def test_cue_decisions_stand_and_without_a_claim_the_model_is_not_asked() -> None:
    st = article_statement("Police said reports that Banksy was arrested are false", speaker_kind="organisation")
    cue_only = combined(0.0).classify(st, claim(), relatedness=0.6)
    assert cue_only.stance == "deny"  # a low model probability does not overrule the cues
    agreed = combined(0.9).classify(st, claim(), relatedness=0.6)
    assert agreed.stance == "deny" and agreed.confidence == pytest.approx(min(1.0, cue_only.confidence + 0.05))
    plain = article_statement("Banksy remains at large according to those close to him")
    assert combined(0.99).classify(plain, None).stance != "deny"


def test_settings_choose_or_skip_the_news_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    clf = make_stance_classifier(Settings(news_attributed_min_match=0.7, news_deny_min_probability=0.6,
                                            claim_stance=False))
    assert isinstance(clf, TrainedStanceClassifier) and clf.news is not None
    assert clf.news_attributed_min_match == 0.7 and clf.news_deny_min == 0.6
    missing = make_news_model(Settings(news_stance_model_path=tmp_path / "missing"))
    assert missing is not None and missing.model_dir == news_stance.DEFAULT_NEWS_MODEL_DIR
