"""Claim recognition: is a statement a checkable assertion worth tracking?

A claim is

* an attributed assertion: a named / anonymous / organisational speaker with an assertive reporting
  verb (say, tell, add, report, accuse, announce, ...) and a content span with key terms; or
* a narrator sentence (the outlet's own voice) with a named entity plus an event or a quantity.

Not claims: questions, opinions and insults (first person evaluations, hedges, exclamations),
denials / non-confirmations themselves (those are what the tracker matches *against* claims), and
reader comments (by default: comment authors may deny a claim but do not create or join one).

This module also owns key-term extraction (shared with matching and stance) and speaker
descriptions for claim sources.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from schemas.alerts import ClaimSource
from schemas.statements import Attribution, StatementExtracted

logger = logging.getLogger(__name__)

#: "X said Y, dismissing reports that Z" / "... rejecting a report that Z": the agency lead of a denial.
#: ``Z`` is the rumour restated, not a claim of the speaker's.
_REBUTS = re.compile(
    r"\b(?:dismiss\w*|reject\w*|den(?:y|ies|ied|ying)|refut\w*|rebut\w*|contradict\w*|brush\w*\s+(?:aside|off))\s+"
    r"(?:[\w'-]+[\s,]+){0,6}?(?:reports?|rumou?rs?|claims?|allegations?|speculation|suggestions?|stor(?:y|ies)|posts?|"
    r"articles?|accounts?)\b[^.;]{0,80}?\b(?:that|of)\s+(?P<rumour>[^;]+)",
    re.IGNORECASE,
)

_REBUTTAL_TAIL = re.compile(r",\s+(?:saying|adding|and|but|calling|citing|while|which|as)\b", re.IGNORECASE)


def rebutted_report(text: str) -> str | None:
    """The rumour a sentence rebuts ("... dismissing reports on social media that withdrawals had been
    frozen" -> "withdrawals had been frozen"), or ``None``. A sentence that rebuts a report never founds
    a claim (``ClaimRecognizer``); the claim stance model reads the rumour against each claim
    (``ClaimStanceClassifier``): a rumour that says the claim makes the sentence its denial."""
    m = _REBUTS.search(text)
    if m is None:
        return None
    rumour = _REBUTTAL_TAIL.split(m.group("rumour"), maxsplit=1)[0]
    rumour = rumour.strip().rstrip(".\"'”").strip()
    return rumour or None


# --------------------------------------------------------------------------------------------------
# Key terms
# --------------------------------------------------------------------------------------------------

#: Light synonyms: every word on the right is replaced by the concept on the left, so that
#: "truce" matches "ceasefire" and "proposal" matches "plan". Keep groups small and general.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "ceasefire": ("ceasefire", "ceasefires", "cease-fire", "cease-fires", "truce", "truces", "armistice"),
    "agreement": (
        "agreement", "agreements", "agree", "agreed", "agrees", "agreeing", "deal", "deals", "plan",
        "plans", "proposal", "proposals", "accord", "accords", "pact", "approval", "approve", "approved",
    ),
    "talks": ("talks", "negotiations", "negotiation", "negotiate", "negotiating"),
    "support": ("support", "supports", "supported", "supporting", "back", "backs", "backed", "backing"),
    "islamic-state": ("IS", "ISIS", "ISIL", "Daesh", "Islamic State"),
    "united-states": ("U.S.", "US", "USA", "United States", "America", "Washington"),
    "kill": ("kill", "kills", "killed", "killing", "dead", "death", "deaths"),
    "attack": ("attack", "attacks", "attacked", "strike", "strikes", "airstrike", "airstrikes", "bombing"),
}

#: Case-sensitive surface forms (acronyms that are also common words in lower case).
_CASED_FORMS = {form for forms in CONCEPTS.values() for form in forms if form.isupper() or " " in form or "." in form}
_CONCEPT_OF: dict[str, str] = {}
for _concept, _forms in CONCEPTS.items():
    for _form in _forms:
        if _form not in _CASED_FORMS:
            _CONCEPT_OF[_form.lower()] = _concept
_MULTIWORD = sorted(
    ((form, concept) for concept, forms in CONCEPTS.items() for form in forms if form in _CASED_FORMS),
    key=lambda item: -len(item[0]),
)

STOPWORDS = frozenset(
    """
    a an the and or but nor so yet if then than that this these those there here it its it's they them
    their theirs he him his she her hers we us our ours you your yours i me my mine who whom whose which
    what when where why how all any both each few more most other some such no not only own same too very
    can could will would shall should may might must do does did done doing be is are was were been being
    have has had having of in on at by for with about against between into through during before after
    above below to from up down out off over under again further once also as until while because just
    s t don now still even ever already as well per via upon within without among amid since around
    said say says saying told tell tells added add adds according reported report reports news
    wednesday tuesday monday thursday friday saturday sunday today yesterday morning evening night week weeks
    month months year years day days earlier later last first new one two three time times mr ms mrs
    official officials source sources spokesman spokeswoman statement statements issue matter enough
    really course
    """.split()
)

_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z'’\-\.]*[A-Za-z]|[A-Za-z]|\d[\d,\.]*")


def _light_stem(word: str) -> str:
    for suffix, keep in (("'s", 0), ("’s", 0), ("ies", 1), ("ing", 4), ("ed", 4), ("es", 4), ("s", 4)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep + 2:
            stem = word[: -len(suffix)]
            return stem + ("y" if suffix == "ies" else "")
    return word


def normalise_term(token: str) -> str | None:
    """Lower-cased, lightly stemmed, synonym-mapped term; ``None`` for stopwords and noise."""
    word = token.strip(".-'’").replace("’", "'")
    if not word:
        return None
    lower = word.lower()
    if lower in _CONCEPT_OF:
        return _CONCEPT_OF[lower]
    if lower.endswith("n't") or lower.endswith("n'"):
        return None
    if lower in STOPWORDS or len(lower) < 2 or lower.replace(",", "").replace(".", "").isdigit():
        return None
    stem = _light_stem(lower)
    if stem in STOPWORDS:
        return None
    return _CONCEPT_OF.get(stem, stem)


def key_terms(text: str) -> list[str]:
    """Ordered unique key terms of ``text`` (concepts for synonyms, light stems otherwise)."""
    terms: list[str] = []
    rest = text
    for form, concept in _MULTIWORD:
        pattern = re.compile(r"(?<![A-Za-z])" + re.escape(form) + r"(?![A-Za-z])")
        if pattern.search(rest):
            terms.append(concept)
            rest = pattern.sub(" ", rest)
    for match in _TOKEN_RE.finditer(rest):
        term = normalise_term(match.group(0))
        if term is not None:
            terms.append(term)
    return list(dict.fromkeys(terms))


def normalise_entity(text: str) -> str:
    value = re.sub(r"^(the|a|an)\s+", "", text.strip(), flags=re.IGNORECASE)
    value = re.sub(r"['’]s$", "", value)
    return re.sub(r"\s+", " ", value).lower()


#: Entity labels that name something (dates, numbers are not "named entities" here).
NAMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "LAW"})
QUANTITY_LABELS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})


def entities_in(statement: StatementExtracted, start: int | None = None, end: int | None = None) -> list[str]:
    """Normalised named-entity strings of the statement, optionally restricted to ``[start, end)``."""
    out: list[str] = []
    for ent in statement.entities:
        if ent.label not in NAMED_LABELS:
            continue
        if start is not None and end is not None and end > start and (ent.end <= start or ent.start >= end):
            continue
        out.append(normalise_entity(ent.text))
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------------------------------
# Speakers
# --------------------------------------------------------------------------------------------------


def describe_speaker(attribution: Attribution, outlet: str | None = None) -> str:
    """Human-readable speaker: ``Labib Nahhas (Ahrar al-Sham)``, ``an anonymous source``, the outlet."""
    speaker = attribution.speaker.strip()
    if attribution.speaker_kind == "narrator":
        return outlet or speaker or "the outlet"
    if attribution.speaker_kind == "author":
        return f"comment author {speaker}" if speaker else "a comment author"
    if not speaker:
        speaker = "an anonymous source" if attribution.speaker_kind == "anonymous" else "unknown speaker"
    org = (attribution.speaker_org or "").strip()
    if org and org.lower() not in speaker.lower():
        return f"{speaker} ({org})"
    return speaker


def speaker_tokens(attribution: Attribution) -> set[str]:
    """Distinctive tokens of the speaker and organisation (for "same claimant" matching)."""
    text = f"{attribution.speaker} {attribution.speaker_org or ''}"
    generic = {"agency", "news", "media", "state", "run", "official", "source", "group", "spokesman", "spokeswoman",
               "minister", "ministry", "foreign", "president", "head", "another", "different", "syrian", "turkish",
               "russian", "rebel", "rebels", "opposition", "government", "with", "from", "one", "factions"}
    out: set[str] = set()
    for tok in _TOKEN_RE.findall(text):
        low = tok.lower().strip(".'’")
        if len(low) > 2 and low not in STOPWORDS and low not in generic:
            out.add(low)
    return out


def claim_source(statement: StatementExtracted) -> ClaimSource:
    return ClaimSource(
        outlet=statement.outlet,
        speaker=describe_speaker(statement.attribution, statement.outlet),
        author=statement.author,
        document_id=statement.document_id,
        statement_id=statement.event_id,
        occurred_at=statement.occurred_at,
    )


# --------------------------------------------------------------------------------------------------
# Recognition
# --------------------------------------------------------------------------------------------------

#: Reporting verbs (lemmas) that present their content as an assertion.
ASSERTIVE_VERBS = frozenset(
    """
    say tell add report announce state claim allege accuse assert insist declare confirm reveal disclose
    quote write post tweet note explain warn charge affirm maintain argue indicate estimate
    """.split()
)

#: Opinion / chatter markers that disqualify a sentence from being a tracked claim.
OPINION_RE = re.compile(
    r"\b(i think|i believe|i feel|in my opinion|i respect|i lost my respect|i luv|i love|i hate|hopefully|"
    r"wonder if|lol|haha\w*|imho|should be ashamed|how cute)\b",
    re.IGNORECASE,
)
INSULT_RE = re.compile(r"\b(troll|scumbag|idiot|stupid|filthy|traitor|moron|liar|puppet|parrot\w*)\b", re.IGNORECASE)
HEDGE_RE = re.compile(r"\b(remains unclear|it is unclear|it was not clear|unclear whether|unclear how)\b", re.IGNORECASE)
EVENT_RE = re.compile(
    r"\b(\w+ed|killed|agreed|met|began|took|held|won|lost|fled|struck|hit|shot|seized|signed|reached|brokered|"
    r"launched|hosted|announced|attacked|captured|planned|set|sent|made|gave|came|left|fell|rose|hosted|is|are|"
    r"was|were|has|have|will)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ClaimCandidate:
    """What the recognizer extracts from a statement it accepts as a claim."""

    text: str
    key_terms: list[str]
    entities: list[str]
    reason: str


@dataclass
class ClaimRecognizer:
    """Rule-based claim recognizer (parameters become settings)."""

    min_terms: int = 2
    min_words: int = 4
    comment_claims: bool = False
    assertive_verbs: frozenset[str] = field(default=ASSERTIVE_VERBS)
    #: The outlet's own sentences found claims only in an article's first ``lead_sentences`` (0: any).
    #: News puts the news in its lead; the outlet's later sentences restate it (they join the claim)
    #: or give background (what the subject cost, its history, what is not yet known), which is not a
    #: claim to watch. An attributed assertion deeper in ("He accused the West of ...") still is.
    lead_sentences: int = 0

    def claim_text(self, statement: StatementExtracted) -> str:
        content = statement.attribution.content.strip()
        if statement.attribution.speaker_kind == "narrator" or not content:
            return statement.text.strip()
        return content

    def recognise(
        self, statement: StatementExtracted, stance: str | None = None, *, opinion: bool = False
    ) -> ClaimCandidate | None:
        """A ``ClaimCandidate`` when ``statement`` is a checkable assertion, else ``None``.

        ``stance`` is the claim-independent stance of the statement (``deny``/``non_confirm``/
        ``query`` statements are never claims); ``opinion`` marks an evaluative statement or a
        reservation found by the stance lexicon ("categorically unacceptable", "withholding approval").
        """
        if opinion:
            return None
        att = statement.attribution
        if statement.document_kind == "comment" and not self.comment_claims:
            return None
        if att.speaker_kind == "author" and not self.comment_claims:
            return None
        if stance in ("deny", "non_confirm", "query"):
            return None
        if self.lead_sentences and statement.index >= self.lead_sentences and att.speaker_kind == "narrator":
            return None
        text = self.claim_text(statement)
        if not text or text.rstrip().endswith("?") or statement.text.rstrip().endswith("?"):
            return None
        stripped = statement.text.strip()
        if stripped.startswith("-") and stripped.endswith("-"):
            return None  # a sub-heading
        if rebutted_report(statement.text):
            return None  # a denial's restatement of the rumour it rebuts
        if OPINION_RE.search(text) or INSULT_RE.search(text) or HEDGE_RE.search(text):
            return None
        words = text.split()
        terms = key_terms(text)
        if len(words) < self.min_words or len(terms) < self.min_terms:
            return None
        start, end = (att.content_start, att.content_end) if att.content else (statement.char_start, statement.char_end)
        ents = entities_in(statement, start, end) or entities_in(statement)
        if att.speaker_kind in ("person", "organisation", "anonymous"):
            # "... has frozen withdrawals, according to people familiar with the matter" is how most
            # reports open: an attribution as assertive as "said".
            if att.verb and att.verb.lower() not in self.assertive_verbs | {"according to", "cite"}:
                return None
            return ClaimCandidate(text, terms, ents, f"assertion attributed to {describe_speaker(att)} ({att.verb or 'say'})")
        if att.speaker_kind == "narrator":
            named = [e for e in statement.entities if e.label in NAMED_LABELS]
            quantity = any(e.label in QUANTITY_LABELS for e in statement.entities) or bool(re.search(r"\d", text))
            if not named:
                return None
            if not (quantity or EVENT_RE.search(text)):
                return None
            return ClaimCandidate(text, terms, ents, "narrator assertion with named entities and an event/quantity")
        if att.speaker_kind == "author" and self.comment_claims:
            if not statement.entities:
                return None
            return ClaimCandidate(text, terms, ents, "comment assertion with entities")
        return None


def weak_terms(statement: StatementExtracted) -> frozenset[str]:
    """Terms of place, nationality and time entities: a shared setting ("Syria") is weak evidence
    that two statements are about the same thing."""
    weak: set[str] = set()
    for ent in statement.entities:
        if ent.label in ("GPE", "LOC", "NORP", "DATE", "TIME", "CARDINAL"):
            weak.update(key_terms(ent.text))
    return frozenset(weak)
