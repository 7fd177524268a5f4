from __future__ import annotations

from datetime import datetime, timezone

import pytest

from schemas import ClaimRecord
from streams.nlp.claims import key_terms
from streams.nlp.stance import CueStanceClassifier

from .factories import ap_statements, afp_statements, comment_statements, find

AFP = afp_statements()
AP = ap_statements()
COMMENTS = comment_statements()
T0 = datetime(2016, 12, 28, 8, 15, tzinfo=timezone.utc)


def claim(text: str, claim_id: str = "claim-x") -> ClaimRecord:
    return ClaimRecord(claim_id=claim_id, text=text, first_seen_at=T0, last_seen_at=T0, origin_statement_id="s",
                       key_terms=key_terms(text))


CEASEFIRE = claim("Turkey and Russia had agreed a nationwide truce plan for Syria; the plan aims to expand a ceasefire "
                  "to the whole country")
ERDOGAN = claim('the West of not just supporting Kurdish militia that Ankara regards as a "terror group" but even '
                "Islamic State (IS) jihadists")
clf = CueStanceClassifier()


@pytest.mark.parametrize(
    ("fragment", "stance"),
    [
        ("News talking about their approval of a ceasefire is incorrect.", "deny"),
        ("there was no agreement as yet", "deny"),
        ("have not received any official proposal", "deny"),
        ("no information about a ceasefire so far", "non_confirm"),
    ],
)
def test_afp_denials_of_the_ceasefire(fragment: str, stance: str) -> None:
    decision = clf.classify(find(AFP, fragment), CEASEFIRE, relatedness=0.5)
    assert decision.stance == stance, decision
    assert 0.0 <= decision.confidence <= 1.0 and decision.confidence >= 0.5
    assert decision.cues and decision.explanation


def test_peskov_is_judged_on_his_clause() -> None:
    s = find(AFP, "could not answer on an issue")
    decision = clf.classify(s, CEASEFIRE, relatedness=0.5)
    assert decision.stance == "non_confirm"
    assert "Dmitry Peskov (Kremlin)" in decision.explanation
    assert "made no reference" not in " ".join(decision.cues)


def test_explanation_names_the_cue_and_the_speaker() -> None:
    decision = clf.classify(find(AFP, "News talking about their approval"), CEASEFIRE, relatedness=0.5)
    assert 'falsity cue "is incorrect"' in decision.explanation
    assert "attributed to Labib Nahhas (Ahrar al-Sham)" in decision.explanation
    assert "carried over" in decision.explanation


def test_embassy_denies_erdogan_not_the_ceasefire() -> None:
    s = find(AFP, "Assertions the United States")
    assert clf.classify(s, ERDOGAN, relatedness=0.5).stance == "deny"
    assert clf.classify(s, CEASEFIRE, relatedness=0.3).stance not in ("deny", "non_confirm")


def test_ap_not_formally_presented_and_putin_silence() -> None:
    assert clf.classify(find(AP, "has not been formally presented"), CEASEFIRE, relatedness=0.5).stance == "deny"
    putin = clf.classify(find(AP, "did not comment about the possibility"), CEASEFIRE, relatedness=0.8)
    assert putin.stance == "non_confirm"
    assert "reporting frame" in putin.explanation


@pytest.mark.parametrize(
    "fragment",
    ["categorically unacceptable", "draft U.N. Security Council resolution that would impose",
     "difficult to accept or refuse", "withholding their approval"],
)
def test_evaluative_rejection_and_reservations_are_not_denials(fragment: str) -> None:
    assert clf.classify(find(AP, fragment), CEASEFIRE, relatedness=0.6).stance not in ("deny", "non_confirm")


@pytest.mark.parametrize(
    ("fragment", "allowed"),
    [
        ("no longer denies he is not Lebanese", {"comment"}),
        ("parrots the same nonsense", {"comment"}),
        ("What ? No more bombs?", {"query"}),
        ("Wonder if Qatar and KSA agreed", {"query"}),
        ("no more say in all this", {"comment", "support"}),
    ],
)
def test_comments(fragment: str, allowed: set[str]) -> None:
    assert clf.classify(find(COMMENTS, fragment), CEASEFIRE, relatedness=0.3).stance in allowed


def test_claim_independent_pass_flags_negatives_only() -> None:
    assert clf.classify(find(AFP, "there was no agreement as yet"), None).stance == "deny"
    assert clf.classify(find(AFP, "Turkish state media Wednesday said"), None).stance == "comment"


def test_support_restatement_and_confirm() -> None:
    s = find(AP, "Ankara and Moscow had reached an agreement")
    assert clf.classify(s, CEASEFIRE, relatedness=0.6).stance == "support"
