"""Attribution on the seed articles. Expectations come from reading the text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from schemas.statements import Attribution
from streams.nlp.attribution import attribute_sentences
from streams.nlp.sentences import split_sentences

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
BOILERPLATE = {"إقرأ هذا الخبر بالعربية W460", "World Today"}


def seed_body(name: str) -> tuple[str, str]:
    """(title, body) as the article parser produces them."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", (SEEDS / name).read_text(encoding="utf-8"))]
    body: list[str] = []
    for p in paras[1:]:
        if p.startswith("Comments ") or p.startswith("This story is by"):
            break
        if p in BOILERPLATE or re.fullmatch(r"- .* -", p):
            continue
        body.append(p)
    return paras[0], "\n\n".join(body)


def _attributed(name: str) -> list[tuple[str, Attribution]]:
    _, body = seed_body(name)
    sents = split_sentences(body)
    atts = attribute_sentences(body, sents, outlet="Outlet")
    for a in atts:
        assert body[a.content_start:a.content_end] == a.content
    return [(s.text, a) for s, a in zip(sents, atts)]


@pytest.fixture(scope="module")
def afp() -> list[tuple[str, Attribution]]:
    return _attributed("000_f62884ef3a0fed5e.txt")


@pytest.fixture(scope="module")
def ap() -> list[tuple[str, Attribution]]:
    return _attributed("001_8fff56c466814f58.txt")


def find(pairs: list[tuple[str, Attribution]], needle: str) -> Attribution:
    hits = [a for text, a in pairs if needle in text]
    assert len(hits) == 1, f"{needle!r}: {len(hits)} sentences"
    return hits[0]


def check(att: Attribution, speaker: str, kind: str, *, org: str | None = "-", role: str | None = "-",
          verb: str | None = None, content: tuple[str, ...] = (), not_in: tuple[str, ...] = ()) -> None:
    assert att.speaker == speaker, att
    assert att.speaker_kind == kind, att
    if org != "-":
        assert att.speaker_org == org, att
    if role != "-":
        assert att.role == role, att
    if verb:
        assert att.verb == verb, att
    for word in content:
        assert word in att.content, (word, att.content)
    for word in not_in:
        assert word not in att.content, (word, att.content)


def test_state_media_content_is_the_reported_clause(afp):
    a = find(afp, "Turkish state media Wednesday said")
    check(a, "Turkish state media", "organisation", verb="say",
          content=("Turkey and Russia had agreed a nationwide truce plan for Syria",), not_in=("none of the key",))


def test_anadolu_and_pronoun_it_added(afp):
    check(find(afp, "The state-run Anadolu news agency said"), "The state-run Anadolu news agency",
          "organisation", org="Anadolu", content=("the plan aims to expand a ceasefire",))
    check(find(afp, "If successful, the plan would form"), "The state-run Anadolu news agency",
          "organisation", verb="add", content=("the plan would form the basis",), not_in=("it added",))


def test_peskov_clause_after_said(afp):
    a = find(afp, "Dmitry Peskov")
    check(a, "Dmitry Peskov", "person", org="Kremlin", role="spokesman", verb="say",
          content=("he could not answer", "enough information"), not_in=("Erdogan", "made no reference"))


def test_anonymous_rebel_source(afp):
    a = find(afp, "a Syrian rebel source")
    check(a, "a Syrian rebel source", "anonymous", verb="tell",
          content=("details still had to be submitted", "no agreement as yet"), not_in=("asked not to be named",))


def test_labib_nahhas_and_carried_over_quote(afp):
    first = find(afp, "The armed revolutionary factions")
    check(first, "Labib Nahhas", "person", org="Ahrar al-Sham", role="head of foreign relations", verb="add",
          content=("have not received any official proposal for a ceasefire",), not_in=("Labib", '"'))
    assert not first.carried_over
    second = find(afp, "News talking about their approval")
    check(second, "Labib Nahhas", "person", org="Ahrar al-Sham",
          content=("News talking about their approval of a ceasefire is incorrect",))
    assert second.carried_over


def test_hnc_official_is_anonymous(afp):
    a = find(afp, "An official from the High Negotiations Committee")
    check(a, "An official from the High Negotiations Committee", "anonymous", org="High Negotiations Committee",
          verb="say", content=("no information about a ceasefire so far",), not_in=("oversees",))


def test_anadolu_midnight_and_al_jazeera(afp):
    check(find(afp, "Anadolu said both sides"), "Anadolu", "organisation",
          content=("both sides were working for the ceasefire",), not_in=("gave no further details",))
    check(find(afp, "Al-Jazeera said"), "Qatar-based channel Al-Jazeera", "organisation", org="Al-Jazeera",
          content=("a new meeting is planned on Thursday",))


def test_zakharova(afp):
    check(find(afp, "Maria Zakharova"), "Maria Zakharova", "person", role="spokeswoman",
          org="Russian foreign ministry", content=("the meeting was still at the planning stage",),
          not_in=("No date",))


def test_erdogan_relative_clause_and_he_accused(afp):
    check(find(afp, "which he said was marked"), "Erdogan", "person", verb="say",
          content=("marked by broken promises",))
    check(find(afp, "He accused the West"), "Erdogan", "person", verb="accuse",
          content=("the West of not just supporting Kurdish militia",))


def test_strongman(afp):
    check(find(afp, "The Turkish strongman said"), "The Turkish strongman", "person",
          content=("the West was failing to back",))


def test_us_embassy_and_it_added(afp):
    check(find(afp, "the U.S. embassy in Ankara rejected"), "the U.S. embassy in Ankara", "organisation",
          verb="reject", content=("considerable misinformation",))
    a = find(afp, "Assertions the United States government")
    check(a, "the U.S. embassy in Ankara", "organisation", verb="add",
          content=("Assertions the United States government is supporting Daesh (IS) are not true",),
          not_in=("it added",))


def test_observatory_sentence_final_said(afp):
    check(find(afp, "Syrian Observatory for Human Rights said"), "the Syrian Observatory for Human Rights",
          "organisation", org="Syrian Observatory for Human Rights", content=("killed at least 22 civilians",),
          not_in=("Observatory",))


@pytest.mark.parametrize("needle", [
    "The war has killed more than 310,000 people",
    "There was also no reaction from the Syrian regime",
    "Ankara and Moscow have been on opposing sides",
    "They met with only temporary success",
])
def test_narrator_sentences(afp, needle):
    a = find(afp, needle)
    assert a.speaker_kind == "narrator" and a.speaker == "Outlet"
    assert needle in a.content


def test_ap_factions_and_groups(ap):
    check(find(ap, "Syrian opposition factions said Wednesday"), "Syrian opposition factions", "organisation",
          content=("Turkey and Russia are discussing the contours",), not_in=("said Wednesday",))
    check(find(ap, "Several rebel groups say"), "Several rebel groups", "organisation",
          content=("withholding their approval",))


def test_ap_officials_are_anonymous(ap):
    check(find(ap, "An official with one of the factions told"), "An official with one of the factions",
          "anonymous", verb="tell", content=("Russian and Turkish officials were debating",),
          not_in=("Associated Press",))
    check(find(ap, "The Syrian opposition official said"), "The Syrian opposition official", "anonymous",
          content=("vigorous discussions",))
    check(find(ap, "Another official with a different group"), "Another official with a different group",
          "anonymous", content=("the proposal has not been formally presented to the opposition",))
    check(find(ap, "It is difficult to accept"), "the official", "anonymous", verb="say",
          content=("It is difficult to accept or refuse the matter",), not_in=("said the official", "“"))


def test_ap_anadolu_agency(ap):
    check(find(ap, "Anadolu Agency said Wednesday morning"), "Turkey’s Anadolu Agency", "organisation",
          org="Anadolu Agency", verb="say", content=("Ankara and Moscow had reached an agreement",),
          not_in=("Wednesday morning", "that Ankara"))
    check(find(ap, "Anadolu Agency said peace talks"), "Turkey’s Anadolu Agency", "organisation",
          content=("peace talks in Kazakhstan would proceed",))


def test_ap_putin_spokesman_and_diplomat(ap):
    check(find(ap, "Putin’s spokesman confirmed"), "Russian President Vladimir Putin’s spokesman", "person",
          role="spokesman", verb="confirm", content=("constant contact",), not_in=("did not comment",))
    check(find(ap, "A top Russian diplomat"), "A top Russian diplomat", "anonymous",
          content=("is unacceptable to Moscow",))


def test_ap_ryabkov_passive_quoted_as_saying(ap):
    a = find(ap, "Sergei Ryabkov")
    check(a, "Sergei Ryabkov", "person", role="Deputy Foreign Minister", org=None, verb="quote",
          content=("categorically unacceptable to us", "We warn them"), not_in=("Tass",))


def test_ap_narrator(ap):
    a = find(ap, "He spoke on condition of anonymity")
    assert a.speaker_kind == "narrator"


@pytest.mark.parametrize(("sentence", "speaker", "verb", "content"), [
    ("Vantor Insurance Group on Tuesday declined to confirm a report that it is in talks to buy Ashgrove.",
     "Vantor Insurance Group", "decline to confirm", "a report that it is in talks to buy Ashgrove"),
    ("Norden Capital, which owns 64 percent of Ashgrove, would not comment on the report.",
     "Norden Capital", "not comment", "on the report"),
    ("The mediation group refused to confirm that it had hosted any meeting.",
     "The mediation group", "refuse to confirm", "it had hosted any meeting"),
])
def test_a_refusal_to_confirm_is_its_subjects_statement(sentence: str, speaker: str, verb: str, content: str) -> None:
    """Written for the scenario stories' non-confirmations, which were the outlet's narration before."""
    [att] = attribute_sentences(sentence, split_sentences(sentence), outlet="Outlet")
    assert (att.speaker, att.verb, att.content) == (speaker, verb, content)
    assert att.speaker_kind in ("organisation", "person")


@pytest.mark.parametrize("sentence", [
    "It did not say what had caused the deaths at the farm.",  # the outlet reporting a silence
    "Police refused to comment.",  # nothing declined to be confirmed
    "Hexa Lift did not respond to a request for comment.",  # a non-response, not a refusal to confirm
])
def test_other_silences_stay_the_narrators(sentence: str) -> None:
    [att] = attribute_sentences(sentence, split_sentences(sentence), outlet="Outlet")
    assert att.speaker_kind == "narrator" or att.verb not in ("decline to confirm", "not comment", "not confirm")
