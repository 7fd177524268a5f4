"""Hand-built ``StatementExtracted`` objects for the two seed articles and some of their comments.

The attribution is what a careful reader would assign (speaker, kind, org, reporting verb lemma,
the attributed content span, carried-over quotes). Offsets are computed against the seed texts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from schemas import AlertClaim, AlertStatement, Attribution, ClaimSource, DenialDetected, Entity, StatementExtracted, stable_id

ROOT = Path(__file__).resolve().parents[2]
AFP_PATH = ROOT / "seeds" / "000_f62884ef3a0fed5e.txt"
AP_PATH = ROOT / "seeds" / "001_8fff56c466814f58.txt"

AFP_ID = "naharnet-f62884ef3a0fed5e"
AP_ID = "ap-8fff56c466814f58"
AFP_AT = datetime(2016, 12, 28, 8, 15, tzinfo=timezone.utc)
AP_AT = datetime(2016, 12, 28, 13, 40, tzinfo=timezone.utc)
AFP_TITLE = "Russia, Turkey 'Agree Ceasefire Plan for All of Syria'"
AP_TITLE = "Turkey and Russia band together over Syria cease-fire deal"
BEIRUT = timezone(timedelta(hours=2))


@dataclass
class Spec:
    text: str
    speaker: str = ""
    kind: str = "narrator"
    org: str | None = None
    role: str | None = None
    verb: str | None = None
    content: str = ""
    carried: bool = False
    ents: list[tuple[str, str]] = field(default_factory=list)


def make_statement(
    document_id: str,
    index: int,
    spec: Spec,
    *,
    doc_text: str,
    occurred_at: datetime,
    outlet: str | None,
    title: str = "",
    document_kind: str = "article",
    article_id: str | None = None,
    context_before: str = "",
) -> StatementExtracted:
    start = doc_text.find(spec.text)
    if start < 0:
        start = 0
    end = start + len(spec.text)
    c_start = doc_text.find(spec.content, start) if spec.content else start
    if c_start < 0:
        c_start = start
    c_end = c_start + len(spec.content)
    entities = []
    for text, label in spec.ents:
        pos = doc_text.find(text, start)
        if pos < 0 or pos > end:
            pos = start
        entities.append(Entity(text=text, label=label, start=pos, end=pos + len(text)))
    speaker = spec.speaker or (outlet or "") if spec.kind == "narrator" else spec.speaker
    return StatementExtracted(
        event_id=stable_id("stmt", document_id, index),
        occurred_at=occurred_at,
        source=f"test:{document_id}",
        document_id=document_id,
        document_kind=document_kind,  # type: ignore[arg-type]
        article_id=article_id or document_id,
        outlet=outlet,
        document_title=title,
        index=index,
        text=spec.text,
        char_start=start,
        char_end=end,
        quoted=spec.text.lstrip().startswith(('"', "“")),
        entities=entities,
        attribution=Attribution(
            speaker=speaker,
            speaker_kind=spec.kind,  # type: ignore[arg-type]
            speaker_org=spec.org,
            role=spec.role,
            verb=spec.verb,
            content=spec.content,
            content_start=c_start,
            content_end=c_end,
            carried_over=spec.carried,
        ),
        context_before=context_before,
    )


def _build(document_id: str, specs: list[Spec], *, path: Path, at: datetime, outlet: str, title: str) -> list[StatementExtracted]:
    doc_text = path.read_text(encoding="utf-8")
    out: list[StatementExtracted] = []
    previous = ""
    for index, spec in enumerate(specs):
        out.append(make_statement(document_id, index, spec, doc_text=doc_text, occurred_at=at, outlet=outlet,
                                  title=title, context_before=previous))
        previous = spec.text
    return out


# --------------------------------------------------------------------------------------------------
# AFP via Naharnet, 2016-12-28 ~08:15Z
# --------------------------------------------------------------------------------------------------

AFP_SPECS: list[Spec] = [
    Spec("Turkish state media Wednesday said Turkey and Russia had agreed a nationwide truce plan for Syria but none of "
         "the key players in the conflict offered an immediate confirmation.",
         "Turkish state media", "organisation", verb="say",
         content="Turkey and Russia had agreed a nationwide truce plan for Syria",
         ents=[("Turkish", "NORP"), ("Wednesday", "DATE"), ("Turkey", "GPE"), ("Russia", "GPE"), ("Syria", "GPE")]),
    Spec("The state-run Anadolu news agency said the plan aims to expand a ceasefire in the city of Aleppo -- brokered "
         "by Turkey and Russia earlier this month to allow the evacuation of civilians -- to the whole country.",
         "Anadolu news agency", "organisation", verb="say",
         content="the plan aims to expand a ceasefire in the city of Aleppo -- brokered by Turkey and Russia earlier "
                 "this month to allow the evacuation of civilians -- to the whole country",
         ents=[("Anadolu", "ORG"), ("Aleppo", "GPE"), ("Turkey", "GPE"), ("Russia", "GPE")]),
    Spec("If successful, the plan would form the basis of upcoming political negotiations between the Damascus regime "
         "and the opposition, overseen by Russia and Turkey in the Kazakh capital Astana, it added.",
         "Anadolu news agency", "organisation", verb="add",
         content="If successful, the plan would form the basis of upcoming political negotiations between the Damascus "
                 "regime and the opposition, overseen by Russia and Turkey in the Kazakh capital Astana",
         ents=[("Damascus", "GPE"), ("Russia", "GPE"), ("Turkey", "GPE"), ("Kazakh", "NORP"), ("Astana", "GPE")]),
    Spec("But in a speech in Ankara after the report was published, President Recep Tayyip Erdogan made no reference "
         "to the plan, while Kremlin spokesman Dmitry Peskov said he could not answer on an issue \"about which I "
         "don't have enough information.\"",
         "Dmitry Peskov", "person", org="Kremlin", role="spokesman", verb="say",
         content="he could not answer on an issue \"about which I don't have enough information.\"",
         ents=[("Ankara", "GPE"), ("Recep Tayyip Erdogan", "PERSON"), ("Kremlin", "ORG"), ("Dmitry Peskov", "PERSON")]),
    Spec("Meanwhile, a Syrian rebel source, who asked not to be named, told AFP that details still had to be submitted "
         "to opposition fighters and said there was no agreement as yet.",
         "a Syrian rebel source", "anonymous", verb="tell",
         content="details still had to be submitted to opposition fighters and said there was no agreement as yet",
         ents=[("Syrian", "NORP"), ("AFP", "ORG")]),
    Spec("\"The armed revolutionary factions have not received any official proposal for a ceasefire in Syria,\" Labib "
         "Nahhas, head of foreign relations for the powerful Ahrar al-Sham rebel group added on his official Twitter "
         "account.",
         "Labib Nahhas", "person", org="Ahrar al-Sham", role="head of foreign relations", verb="add",
         content="The armed revolutionary factions have not received any official proposal for a ceasefire in Syria",
         ents=[("Syria", "GPE"), ("Labib Nahhas", "PERSON"), ("Ahrar al-Sham", "ORG"), ("Twitter", "ORG")]),
    Spec("\"News talking about their approval of a ceasefire is incorrect.\"",
         "Labib Nahhas", "person", org="Ahrar al-Sham", role="head of foreign relations", verb="add",
         content="News talking about their approval of a ceasefire is incorrect.", carried=True),
    Spec("An official from the High Negotiations Committee -- which oversees political talks of the Syrian rebels -- "
         "said there was no information about a ceasefire so far.",
         "An official from the High Negotiations Committee", "anonymous", org="High Negotiations Committee", verb="say",
         content="there was no information about a ceasefire so far",
         ents=[("the High Negotiations Committee", "ORG"), ("Syrian", "NORP")]),
    Spec("There was also no reaction from the Syrian regime.", ents=[("Syrian", "NORP")]),
    Spec("- Heading to Astana? -", ents=[("Astana", "GPE")]),
    Spec("Anadolu said both sides were working for the ceasefire to come into force at midnight but gave no further "
         "details on its implementation.",
         "Anadolu", "organisation", verb="say",
         content="both sides were working for the ceasefire to come into force at midnight",
         ents=[("Anadolu", "ORG"), ("midnight", "TIME")]),
    Spec("The report came after Ankara has hosted a succession of closed-door talks between Russia and Syrian "
         "opposition rebels over the last weeks.",
         ents=[("Ankara", "GPE"), ("Russia", "GPE"), ("Syrian", "NORP"), ("the last weeks", "DATE")]),
    Spec("Qatar-based channel Al-Jazeera said a new meeting is planned on Thursday in Ankara, this time between "
         "military representatives of Syrian rebels and Russia.",
         "Al-Jazeera", "organisation", verb="say",
         content="a new meeting is planned on Thursday in Ankara, this time between military representatives of "
                 "Syrian rebels and Russia",
         ents=[("Qatar", "GPE"), ("Al-Jazeera", "ORG"), ("Thursday", "DATE"), ("Ankara", "GPE"), ("Syrian", "NORP"),
               ("Russia", "GPE")]),
    Spec("Ankara and Moscow have been on opposing sides in the Syrian civil war, with Turkey seeking the ouster of "
         "President Bashar Assad, who is backed by Russia and Iran.",
         ents=[("Ankara", "GPE"), ("Moscow", "GPE"), ("Syrian", "NORP"), ("Turkey", "GPE"), ("Bashar Assad", "PERSON"),
               ("Russia", "GPE"), ("Iran", "GPE")]),
    Spec("But the two countries have recently started to cooperate more closely on Syria, especially after a deal in "
         "the summer to normalize ties battered by Turkey's shooting down of a Russian warplane last year.",
         ents=[("two", "CARDINAL"), ("Syria", "GPE"), ("the summer", "DATE"), ("Turkey", "GPE"), ("Russian", "NORP"),
               ("last year", "DATE")]),
    Spec("Turkey remained conspicuously quiet as Assad's forces, backed by Russia, took control last week of Aleppo in "
         "the biggest defeat so far for the rebels in the civil war.",
         ents=[("Turkey", "GPE"), ("Assad", "PERSON"), ("Russia", "GPE"), ("last week", "DATE"), ("Aleppo", "GPE")]),
    Spec("No date has yet been set for the Astana talks and Russian foreign ministry spokeswoman Maria Zakharova said "
         "the meeting was still at the planning stage.",
         "Maria Zakharova", "person", org="Russian foreign ministry", role="spokeswoman", verb="say",
         content="the meeting was still at the planning stage",
         ents=[("Astana", "GPE"), ("Russian", "NORP"), ("Maria Zakharova", "PERSON")]),
    Spec("But the direct involvement of Turkey and Russia comes as Erdogan is increasingly expressing impatience at the "
         "role of the United States in Syria.",
         ents=[("Turkey", "GPE"), ("Russia", "GPE"), ("Erdogan", "PERSON"), ("the United States", "GPE"),
               ("Syria", "GPE")]),
    Spec("Previous ceasefire plans had been brokered by U.S. Secretary of State John Kerry and Russian counterpart "
         "Sergei Lavrov.",
         ents=[("U.S.", "GPE"), ("John Kerry", "PERSON"), ("Russian", "NORP"), ("Sergei Lavrov", "PERSON")]),
    Spec("They met with only temporary success and failed to lead to a solution for the conflict."),
    Spec("It remains unclear how the latest ceasefire plan will apply to Fateh al-Sham, formerly the al-Qaida affiliate "
         "al-Nusra Front, which has worked more closely with the rebels since changing its name.",
         ents=[("Fateh al-Sham", "ORG"), ("al-Qaida", "ORG"), ("al-Nusra Front", "ORG")]),
    Spec("- 'Considerable misinformation' -"),
    Spec("Erdogan had on Tuesday launched one of his most bitter attacks yet on U.S. and Western policy in Syria, which "
         "he said was marked by broken promises.",
         "Recep Tayyip Erdogan", "person", role="President", verb="say", content="was marked by broken promises",
         ents=[("Erdogan", "PERSON"), ("Tuesday", "DATE"), ("U.S.", "GPE"), ("Western", "NORP"), ("Syria", "GPE")]),
    Spec("He accused the West of not just supporting Kurdish militia that Ankara regards as a \"terror group\" but even "
         "Islamic State (IS) jihadists.",
         "Recep Tayyip Erdogan", "person", role="President", verb="accuse",
         content="the West of not just supporting Kurdish militia that Ankara regards as a \"terror group\" but even "
                 "Islamic State (IS) jihadists",
         ents=[("West", "LOC"), ("Kurdish", "NORP"), ("Ankara", "GPE"), ("Islamic State", "ORG"), ("IS", "ORG")]),
    Spec("The Turkish strongman said the West was failing to back Turkey's own incursion inside Syria in support of "
         "pro-Ankara fighters to oust IS from the border area, which has taken increasing casualties in recent weeks.",
         "Recep Tayyip Erdogan", "person", role="President", verb="say",
         content="the West was failing to back Turkey's own incursion inside Syria in support of pro-Ankara fighters to "
                 "oust IS from the border area, which has taken increasing casualties in recent weeks",
         ents=[("Turkish", "NORP"), ("West", "LOC"), ("Turkey", "GPE"), ("Syria", "GPE"), ("IS", "ORG"),
               ("recent weeks", "DATE")]),
    Spec("But in an angry statement, the U.S. embassy in Ankara rejected the \"considerable misinformation circulating "
         "in Turkish media\" about U.S. operations against IS in Syria.",
         "U.S. embassy in Ankara", "organisation", verb="reject",
         content="\"considerable misinformation circulating in Turkish media\" about U.S. operations against IS in Syria",
         ents=[("U.S.", "GPE"), ("Ankara", "GPE"), ("Turkish", "NORP"), ("IS", "ORG"), ("Syria", "GPE")]),
    Spec("\"Assertions the United States government is supporting Daesh (IS) are not true,\" it added.",
         "U.S. embassy in Ankara", "organisation", verb="add",
         content="Assertions the United States government is supporting Daesh (IS) are not true",
         ents=[("the United States", "GPE"), ("Daesh", "ORG"), ("IS", "ORG")]),
    Spec("In continued bloodshed, air strikes carried out by unidentified aircraft killed at least 22 civilians, "
         "including 10 children, in a village held by IS in Deir Ezzor province, the Syrian Observatory for Human "
         "Rights said.",
         "Syrian Observatory for Human Rights", "organisation", verb="say",
         content="In continued bloodshed, air strikes carried out by unidentified aircraft killed at least 22 civilians, "
                 "including 10 children, in a village held by IS in Deir Ezzor province",
         ents=[("at least 22", "CARDINAL"), ("10", "CARDINAL"), ("IS", "ORG"), ("Deir Ezzor", "GPE"),
               ("the Syrian Observatory for Human Rights", "ORG")]),
    Spec("Syria's conflict began in 2011 as an uprising against Assad but quickly morphed into a civil war after the "
         "regime unleashed a brutal crackdown against dissent.",
         ents=[("Syria", "GPE"), ("2011", "DATE"), ("Assad", "PERSON")]),
    Spec("The war has killed more than 310,000 people and forced millions more to flee their homes.",
         ents=[("more than 310,000", "CARDINAL"), ("millions", "CARDINAL")]),
]

# --------------------------------------------------------------------------------------------------
# AP, 2016-12-28 ~13:40Z
# --------------------------------------------------------------------------------------------------

AP_SPECS: list[Spec] = [
    Spec("Turkey and Russia are discussing the contours of a broader Syrian cease-fire after brokering the deal that "
         "evacuated rebel-held eastern Aleppo earlier month, Syrian opposition factions said Wednesday.",
         "Syrian opposition factions", "organisation", verb="say",
         content="Turkey and Russia are discussing the contours of a broader Syrian cease-fire after brokering the deal "
                 "that evacuated rebel-held eastern Aleppo earlier month",
         ents=[("Turkey", "GPE"), ("Russia", "GPE"), ("Syrian", "NORP"), ("Aleppo", "GPE"), ("Wednesday", "DATE")]),
    Spec("Several rebel groups say they are withholding their approval of any agreement until they receive more details.",
         "Several rebel groups", "organisation", verb="say",
         content="they are withholding their approval of any agreement until they receive more details"),
    Spec("An official with one of the factions told The Associated Press that Russian and Turkish officials were "
         "debating a cease-fire proposal that would encompass the whole of Syria.",
         "An official with one of the factions", "anonymous", verb="tell",
         content="Russian and Turkish officials were debating a cease-fire proposal that would encompass the whole of Syria",
         ents=[("The Associated Press", "ORG"), ("Russian", "NORP"), ("Turkish", "NORP"), ("Syria", "GPE")]),
    Spec("He spoke on condition of anonymity because the talks were ongoing."),
    Spec("Iran, Russia and Turkey met in Moscow last week for talks on Syria that included no Syrians.",
         ents=[("Iran", "GPE"), ("Russia", "GPE"), ("Turkey", "GPE"), ("Moscow", "GPE"), ("last week", "DATE"),
               ("Syria", "GPE"), ("Syrians", "NORP")]),
    Spec("Rebels have opposed previous proposals that would allow the government to continue its offensives around the "
         "outskirts of the capital, Damascus.", ents=[("Damascus", "GPE")]),
    Spec("Turkey’s Anadolu Agency said Wednesday morning that Ankara and Moscow had reached an agreement, and Turkish "
         "media reports quoted Foreign Minister Mevlut Cavusoglu as saying that a lasting cease-fire and political "
         "solution in Syria are “close.”",
         "Anadolu Agency", "organisation", verb="say", content="Ankara and Moscow had reached an agreement",
         ents=[("Turkey", "GPE"), ("Anadolu Agency", "ORG"), ("Wednesday morning", "TIME"), ("Ankara", "GPE"),
               ("Moscow", "GPE"), ("Turkish", "NORP"), ("Mevlut Cavusoglu", "PERSON"), ("Syria", "GPE")]),
    Spec("But no details were announced, and there was no confirmation from state officials."),
    Spec("The Syrian opposition official said factions were holding vigorous discussions over the possibilities.",
         "The Syrian opposition official", "anonymous", verb="say",
         content="factions were holding vigorous discussions over the possibilities", ents=[("Syrian", "NORP")]),
    Spec("Another official with a different group said the proposal has not been formally presented to the opposition.",
         "Another official with a different group", "anonymous", verb="say",
         content="the proposal has not been formally presented to the opposition"),
    Spec("“It is difficult to accept or refuse the matter before we look at the details, of course,” said the official, "
         "who also spoke on the condition of anonymity so as not to prejudge intra-opposition talks.",
         "Another official with a different group", "anonymous", verb="say",
         content="It is difficult to accept or refuse the matter before we look at the details, of course"),
    Spec("Previous attempts at enforcing a nationwide cease-fire in Syria have failed, but the recent warming of ties "
         "between Russia and Turkey, who provide crucial support to opposing sides of the civil war, may prove to be a "
         "game changer.", ents=[("Syria", "GPE"), ("Russia", "GPE"), ("Turkey", "GPE")]),
    Spec("Turkey’s Anadolu Agency said peace talks in Kazakhstan would proceed under Russia and Turkey’s leadership if "
         "the cease-fire holds, with the two acting as “guarantors” of any deal.",
         "Anadolu Agency", "organisation", verb="say",
         content="peace talks in Kazakhstan would proceed under Russia and Turkey’s leadership if the cease-fire holds, "
                 "with the two acting as “guarantors” of any deal",
         ents=[("Turkey", "GPE"), ("Anadolu Agency", "ORG"), ("Kazakhstan", "GPE"), ("Russia", "GPE")]),
    Spec("Russian President Vladimir Putin’s spokesman confirmed Russia and Turkey were in “constant contact” to prepare "
         "for planned Syria peace talks in Kazakhstan, but did not comment about the possibility of a cease-fire.",
         "Vladimir Putin’s spokesman", "person", org="Kremlin", role="spokesman", verb="confirm",
         content="Russia and Turkey were in “constant contact” to prepare for planned Syria peace talks in Kazakhstan",
         ents=[("Russian", "NORP"), ("Vladimir Putin", "PERSON"), ("Russia", "GPE"), ("Turkey", "GPE"),
               ("Syria", "GPE"), ("Kazakhstan", "GPE")]),
    Spec("A top Russian diplomat meanwhile said a draft U.N. Security Council resolution that would impose sanctions on "
         "Syria for chemical weapons use is unacceptable to Moscow, which has veto power on the council.",
         "A top Russian diplomat", "anonymous", verb="say",
         content="a draft U.N. Security Council resolution that would impose sanctions on Syria for chemical weapons use "
                 "is unacceptable to Moscow, which has veto power on the council",
         ents=[("Russian", "NORP"), ("U.N. Security Council", "ORG"), ("Syria", "GPE"), ("Moscow", "GPE")]),
    Spec("A resolution drafted by Britain and France, which was obtained by The Associated Press, would impose sanctions "
         "on an array of Syrian individuals, organizations and companies allegedly involved in chemical weapons attacks.",
         ents=[("Britain", "GPE"), ("France", "GPE"), ("The Associated Press", "ORG"), ("Syrian", "NORP")]),
    Spec("It would also ban sales of helicopters to Syria.", ents=[("Syria", "GPE")]),
    Spec("Deputy Foreign Minister Sergei Ryabkov was quoted by the state news agency Tass on Wednesday as saying the "
         "resolution “is categorically unacceptable to us.",
         "Sergei Ryabkov", "person", role="Deputy Foreign Minister", verb="say",
         content="the resolution “is categorically unacceptable to us.",
         ents=[("Sergei Ryabkov", "PERSON"), ("Tass", "ORG"), ("Wednesday", "DATE")]),
    Spec("We warn them against attempts to fan tensions in the U.N. Security Council.”",
         "Sergei Ryabkov", "person", role="Deputy Foreign Minister", verb="say", carried=True,
         content="We warn them against attempts to fan tensions in the U.N. Security Council.",
         ents=[("the U.N. Security Council", "ORG")]),
]

# --------------------------------------------------------------------------------------------------
# Comments under the AFP article (times on the page are Beirut time, UTC+2)
# --------------------------------------------------------------------------------------------------

COMMENT_SPECS: list[tuple[str, str, tuple[int, int, int], list[Spec]]] = [
    ("c-justin-1", "justin", (28, 10, 47), [
        Spec("\" Turkey and Russia have agreed a ceasefire plan for all of Syria that should come into force at midnight\"",
             ents=[("Turkey", "GPE"), ("Russia", "GPE"), ("Syria", "GPE")]),
        Spec("where is Assad the mighty victorious and democratically elected president of Syria in all of this?",
             ents=[("Assad", "PERSON"), ("Syria", "GPE")]),
    ]),
    ("c-eagledawn-1", "EagleDawn", (28, 13, 59), [
        Spec("@mowateh, we all know you're not lebanese, the only question is whether you're either shia irani or shia "
             "syrian, so it begs the question: why are you here all day every day posting sectarian incitement and "
             "propaganda?"),
    ]),
    ("c-ado-1", "ado.australia", (28, 15, 4), [
        Spec("Regrouping for the final battle!"),
        Spec("Wonder if Qatar and KSA agreed as well or are they too busy in Yemen?",
             ents=[("Qatar", "GPE"), ("KSA", "GPE"), ("Yemen", "GPE")]),
    ]),
    ("c-shab-1", "shab", (28, 17, 55), [Spec("What ? No more bombs?")]),
    ("c-rabbishlomo-2", "rabbishlomo", (28, 20, 8), [
        Spec("I lost my respect for rima Al-Khatib because she parrots the same nonsense.",
             ents=[("rima Al-Khatib", "PERSON")]),
    ]),
    ("c-peace-1", "peace", (28, 19, 6), [
        Spec("the big loser is assad... no more say in all this, russia turkey and iran now govern syria....",
             ents=[("assad", "PERSON"), ("russia", "GPE"), ("turkey", "GPE"), ("iran", "GPE"), ("syria", "GPE")]),
    ]),
    ("c-arabdemocrat-1", "ArabDemocrat.com", (29, 3, 23), [
        Spec("Hopefully this will translate into a political process and an end to this war."),
    ]),
    ("c-liberty-1", "liberty", (29, 3, 26), [
        Spec("It is obvious the filthy iranian no longer denies he is not Lebanese but rather a hired mouthpiece to sing "
             "the praises of assad and the ayatollah.",
             ents=[("iranian", "NORP"), ("Lebanese", "NORP"), ("assad", "PERSON")]),
    ]),
    ("c-willy-1", "willy.pete222", (28, 18, 4), [
        Spec("Mowaten is the modern day version of Joseph Goebbels who said “ “If you tell a lie big enough and keep "
             "repeating it, people will eventually come to believe it.\"",
             ents=[("Joseph Goebbels", "PERSON")]),
    ]),
]


def afp_statements() -> list[StatementExtracted]:
    return _build(AFP_ID, AFP_SPECS, path=AFP_PATH, at=AFP_AT, outlet="Naharnet", title=AFP_TITLE)


def ap_statements() -> list[StatementExtracted]:
    return _build(AP_ID, AP_SPECS, path=AP_PATH, at=AP_AT, outlet="AP", title=AP_TITLE)


def comment_statements() -> list[StatementExtracted]:
    doc_text = AFP_PATH.read_text(encoding="utf-8")
    out: list[StatementExtracted] = []
    for comment_id, author, (day, hour, minute), specs in COMMENT_SPECS:
        at = datetime(2016, 12, day, hour, minute, tzinfo=BEIRUT).astimezone(timezone.utc)
        previous = ""
        for index, spec in enumerate(specs):
            spec = Spec(spec.text, author, "author", content=spec.text, ents=spec.ents)
            out.append(make_statement(comment_id, index, spec, doc_text=doc_text, occurred_at=at, outlet=None,
                                      document_kind="comment", article_id=AFP_ID, context_before=previous))
            previous = spec.text
    return out


def seed_statements() -> list[StatementExtracted]:
    """All hand-built statements in event-time order (AFP, its comments, AP)."""
    items = afp_statements() + comment_statements() + ap_statements()
    return sorted(items, key=lambda s: (s.occurred_at, s.document_id, s.index))


def find(statements: list[StatementExtracted], fragment: str) -> StatementExtracted:
    """The statement whose text contains ``fragment`` (exactly one)."""
    hits = [s for s in statements if fragment in s.text]
    if len(hits) != 1:
        raise LookupError(f"{len(hits)} statements contain {fragment!r}")
    return hits[0]


def make_alert(
    n: int = 1, *, at: datetime = datetime(2016, 12, 28, 13, 40, tzinfo=timezone.utc), severity: str = "high",
    stance: str = "deny", claim_text: str = "Y", denial_text: str = "Not Y.",
    claim_entities: list[str] | None = None, denial_entities: list[str] | None = None,
) -> DenialDetected:
    """A small valid alert (``alert-<n>``) for sinks and filters."""
    return DenialDetected(
        event_id=f"alert-{n}", occurred_at=at, source="test", alert_id=f"alert-{n}",
        claim=AlertClaim(claim_id=f"claim-{n}", text=claim_text, first_seen_at=at,
                         sources=[ClaimSource(outlet="AFP", speaker="X", document_id="a1")],
                         entities=claim_entities or []),
        denial=AlertStatement(statement_id=f"stmt-{n}", text=denial_text, speaker="Z", speaker_kind="person",
                              document_id="a1", document_kind="article", char_start=10, char_end=16, occurred_at=at,
                              entities=denial_entities or []),
        stance=stance, confidence=0.9, lag_seconds=0.0, explanation="deny cue", severity=severity,  # type: ignore[arg-type]
        match_score=0.8,
    )


def assert_bundled_artefact(directory: Path) -> None:
    """A bundled model directory holds its ONNX file, config and card, and all the bundled models
    (``directory``'s parent, ``streams/nlp/resources``) stay inside the 500 MB model budget."""
    files = {p.name for p in directory.iterdir()}
    assert {"model.onnx", "config.json", "card.md"} <= files
    total = sum(p.stat().st_size for p in directory.parent.rglob("*") if p.is_file())
    assert total < 500 * 1024 * 1024, f"the bundled models take {total / 2**20:.1f} MiB"
