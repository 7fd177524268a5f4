"""Who said it: speaker, reporting verb and content span of each sentence.

Rules over spaCy's dependency parse, with fallbacks where the small model is unreliable:

* reporting verbs (say, tell, add, confirm, deny, ...) outside quotation marks and not negated;
  the speaker is the verb's ``nsubj`` (``nsubjpass``/object of "quote ... as saying"), else the
  words between a leading quotation and the verb (``"Q," X said`` / ``"Q," said X``) or after the
  last comma (``..., X said.``); "according to X" is handled too;
* the content is the reported clause (``ccomp``; a leading "that" and "but ..." clauses with their
  own verb are dropped), the quotation itself for quote-first sentences, else the verb's object;
  a content ending inside a quotation is extended to its closing mark;
* speakers are trimmed of relative clauses, dashes and appositions; titles and appositions give
  ``role``/``speaker_org``; he/she/it/they resolve to a compatible speaker or subject in the same
  or previous two sentences; a sentence that is only a quotation inherits the previous attribution.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from schemas.statements import Attribution

from .entities import clean_entity
from .sentences import Sentence, quote_regions

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Span, Token

log = logging.getLogger(__name__)

REPORTING_VERBS = frozenset("""
say tell add state announce claim accuse deny confirm report insist warn reject quote cite explain
note argue assert allege acknowledge admit declare stress emphasize emphasise reiterate maintain
contend write tweet post predict suggest testify complain dismiss refute rebut reveal disclose concede
vow pledge promise threaten urge demand affirm charge counter estimate announce inform
""".split())
#: "X declined to confirm / refused to comment": the head verb and what it declines. A speaker who
#: will not confirm is a speaker too (a non-confirmation), not the outlet's narration.
SILENCE_HEADS = frozenset({"decline", "refuse"})
SILENCE_VERBS = frozenset({"confirm", "comment", "discuss", "answer", "elaborate", "speculate", "verify"})
ANON_NOUNS = frozenset("""
official officials source sources diplomat diplomats insider insiders aide aides person people
member members officer officers witness witnesses resident residents analyst analysts activist
activists commander commanders negotiator negotiators someone observer observers expert experts
""".split())
ROLE_NOUNS = frozenset("""
spokesman spokeswoman spokesperson minister president secretary head chief director leader chairman
chairwoman chair ambassador envoy commander general governor mayor senator strongman counterpart
adviser advisor premier king queen prince emir sheikh representative deputy lawyer attorney judge
prosecutor chancellor coordinator founder ceo manager editor correspondent monarch ayatollah cleric
""".split())
TITLE_MODS = frozenset("""
deputy vice acting former senior top chief prime foreign defence defense interior finance state
assistant executive general special first
""".split())
ORG_NOUNS = frozenset("""
agency media embassy ministry government committee council group groups channel observatory office
army forces factions faction press news television tv radio newspaper daily network company party
coalition organisation organization department kremlin police military union association
administration court parliament regime service bank institute commission board authority
authorities federation alliance movement front opposition rebels militia outlet website station
cabinet presidency team club firm corporation campaign
""".split())
PRONOUNS = {"he": "m", "she": "m", "him": "m", "her": "m", "it": "n", "they": "p", "we": "p", "them": "p"}
REL_PRON = frozenset({"who", "which", "whom", "whose", "where"})
SEPARATORS = frozenset({",", "--", "—", "–", "(", ";", ":", "[", '"', "“", "”"})
TRIM = frozenset({",", ".", ";", ":", "--", "—", "–", "-", "(", ")", "'", '"', "“", "”", "‘", "’"})
BUT = frozenset({"but", "while", "whereas", "although", "though", "yet"})


@dataclass
class Speaker:
    text: str
    kind: str  # person | organisation | anonymous | pronoun
    org: str | None = None
    role: str | None = None
    plural: bool = False
    named: bool = False  # a proper name (person name, ORG entity or proper-noun head)


@dataclass
class _Candidate:
    verb: str
    speaker: Speaker
    content: tuple[int, int]  # doc char offsets
    depth: int
    index: int


@dataclass
class _History:
    attribution: Attribution | None
    speaker: Speaker | None
    subjects: list[Speaker] = field(default_factory=list)


def _chars(tokens: Sequence["Token"]) -> tuple[int, int]:
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def _text(tokens: Sequence["Token"]) -> str:
    if not tokens:
        return ""
    s, e = _chars(tokens)
    return tokens[0].doc.text[s:e]


def _strip(tokens: Sequence["Token"]) -> list["Token"]:
    toks = list(tokens)
    while toks and (toks[0].text in TRIM or toks[0].is_space or toks[0].dep_ == "cc"):
        toks.pop(0)
    while toks and (toks[-1].text in TRIM or toks[-1].is_space or toks[-1].dep_ == "case"):
        toks.pop()
    return toks


def _depth(tok: "Token") -> int:
    d = 0
    while tok.head is not tok and d < 50:
        tok, d = tok.head, d + 1
    return d


def _org_text(tokens: Sequence["Token"], propn_run: bool = True) -> str | None:
    """An organisation name inside ``tokens``: an ORG entity, a run of proper nouns, or the phrase."""
    toks = [t for t in tokens if t.dep_ not in ("det", "case") and t.lower_ not in ("the", "a", "an")]
    ids = {t.i for t in tokens}
    for ent in tokens[0].doc.ents if tokens else ():
        if ent.label_ == "ORG" and ent.start in ids:
            cleaned = clean_entity(ent.text, 0, "ORG")
            if cleaned:
                return cleaned[0]
    if not propn_run:
        toks = _strip(toks)
        return _text(toks) if toks else None
    run: list["Token"] = []
    best: list["Token"] = []
    for t in toks:
        if t.pos_ == "PROPN" or (t.text == "-" and run and not run[-1].whitespace_):
            run.append(t)
        else:
            best, run = (run if len(run) > len(best) else best), []
    best = run if len(run) > len(best) else best
    while best and best[-1].text == "-":
        best.pop()
    if best and best[0].ent_type_ not in ("NORP",):
        return _text(best)
    toks = _strip(toks)
    return _text(toks) if toks else None


def _np_head(tokens: Sequence["Token"]) -> "Token":
    ids = {t.i for t in tokens}
    for t in tokens:
        if t.head.i not in ids or t.head is t:
            return t
    return tokens[-1]


def _title(prefix: Sequence["Token"]) -> tuple[str | None, str | None]:
    """Split a title prefix ("Kremlin spokesman", "Deputy Foreign Minister") into (role, org)."""
    toks = [t for t in prefix if t.dep_ != "det" and t.lower_ not in ("the", "a", "an")]
    r = next((i for i, t in enumerate(toks) if t.lower_ in ROLE_NOUNS), None)
    if r is None:
        orgish = any(t.ent_type_ in ("ORG", "GPE") or t.lower_ in ORG_NOUNS for t in toks)
        return None, (_text(_strip(toks)) or None) if orgish else None
    while r > 0 and toks[r - 1].lower_ in TITLE_MODS:
        r -= 1
    role = _text(_strip(toks[r:])) or None
    org_toks = _strip(toks[:r])
    orgish = any(t.ent_type_ in ("ORG", "GPE") or t.lower_ in ORG_NOUNS or
                 (t.pos_ == "PROPN" and t.ent_type_ != "NORP") for t in org_toks)
    return role, (_text(org_toks) if org_toks and orgish else None)


def _appos(tokens: Sequence["Token"]) -> tuple[str | None, str | None]:
    """Role and organisation from an apposition ("head of foreign relations for the X group")."""
    toks = _strip(tokens)
    if not toks:
        return None, None
    cut = len(toks)
    for i, t in enumerate(toks[1:], 1):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if t.lower_ in ("for", "at", "with", "from", "in") or (
                t.lower_ == "of" and nxt is not None and (nxt.dep_ == "det" or nxt.pos_ == "PROPN")):
            cut = i
            break
    role_toks = [t for t in toks[:cut] if t.dep_ != "det" and t.lower_ not in ("the", "a", "an")]
    role = _text(_strip(role_toks)) or None
    org = _org_text(toks[cut + 1:]) if cut < len(toks) else None
    return role, org


def describe_speaker(tokens: Sequence["Token"]) -> Speaker | None:
    """Turn the tokens of a speaker phrase into a :class:`Speaker` (trimmed, typed, role/org)."""
    toks = _strip(tokens)
    if not toks:
        return None
    main, appos = toks, []
    for j, t in enumerate(toks[1:], 1):
        dash = t.text == "-" and t.whitespace_ and toks[j - 1].whitespace_
        if t.text in SEPARATORS or dash:
            main, rest = toks[:j], toks[j + 1:]
            if t.text == "," and rest and rest[0].lower_ not in REL_PRON and rest[0].pos_ not in ("VERB", "AUX"):
                k = next((i for i, x in enumerate(rest) if x.text in SEPARATORS), len(rest))
                appos = rest[:k]
            break
        if t.lower_ in REL_PRON:
            main = toks[:j]
            break
    main = _strip(main)
    if not main:
        return None
    head = _np_head(main)
    plural = head.tag_ in ("NNS", "NNPS") or any(t.lower_ == "and" for t in main)
    if len(main) == 1 and head.pos_ == "PRON":
        return Speaker(head.text, "pronoun", plural=head.lower_ in ("they", "we", "them"))
    # A named person: a PERSON entity (or a run of capitalised proper nouns with a title) at the head.
    name: list["Token"] = []
    if head.ent_type_ == "PERSON" or (head.pos_ == "PROPN" and head.ent_type_ != "ORG"):
        i = main.index(head)
        j = i
        while j > 0 and main[j - 1].pos_ == "PROPN" and main[j - 1].lower_ not in ROLE_NOUNS | TITLE_MODS \
                and main[j - 1].ent_type_ not in ("ORG",) and main[j - 1].text[:1].isupper():
            j -= 1
        name = main[j:i + 1]
        titled = j > 0 and any(t.lower_ in ROLE_NOUNS for t in main[:j]) or \
            any(t.lower_ in ROLE_NOUNS for t in appos)
        if not (head.ent_type_ == "PERSON" or (titled and len(name) >= 2 and
                                                not any(t.lower_ in ORG_NOUNS for t in name))):
            name = []
    if name:
        role, org = _title(main[: main.index(name[0])])
        a_role, a_org = _appos(appos) if appos else (None, None)
        cleaned = clean_entity(_text(name), 0, "PERSON")
        return Speaker(cleaned[0] if cleaned else _text(name), "person", org or a_org, role or a_role, named=True)
    text = _text(main)
    lemma = head.lemma_.lower()
    possessor = [t for t in main if t.dep_ == "poss" and t.ent_type_ == "PERSON"]
    det = next((t.lower_ for t in main if t.dep_ == "det"), "")
    ents = {t.ent_type_ for t in main}
    if head.lower_ in ANON_NOUNS or lemma in ANON_NOUNS:
        if possessor:
            return Speaker(text, "person", None, head.text, plural)
        preps = [t for t in main if t.i > head.i]
        org = _org_text(preps) if preps and ("ORG" in ents or any(t.pos_ == "PROPN" for t in preps)) else None
        return Speaker(text, "anonymous", org, head.text, plural)
    if head.lower_ in ROLE_NOUNS or lemma in ROLE_NOUNS:
        if possessor:
            return Speaker(text, "person", None, head.text, plural)
        kind = "anonymous" if det in ("a", "an", "another", "one") else "person"
        role, org = _title([t for t in main if t.i <= head.i])
        return Speaker(text, kind, org, role or head.text, plural)
    if head.ent_type_ in ("ORG", "GPE", "NORP") or lemma in ORG_NOUNS or head.lower_ in ORG_NOUNS \
            or head.pos_ == "PROPN":
        return Speaker(text, "organisation", _org_text(main, propn_run=False), None, plural,
                       named=head.pos_ == "PROPN" or "ORG" in ents)
    return Speaker(text, "anonymous", None, None, plural)


def _compatible(pron: str, sp: Speaker) -> bool:
    cls = PRONOUNS.get(pron.lower())
    if cls == "m":
        return sp.kind in ("person", "anonymous") and not sp.plural
    if cls == "n":
        return sp.kind == "organisation"
    if cls == "p":
        return sp.plural or sp.kind == "organisation"
    return False


def _subjects(span: "Span", verb: "Token | None" = None) -> list[Speaker]:
    """Non-pronoun subjects of ``span`` (of the verbs governing ``verb`` only, nearest first)."""
    if verb is not None:
        tokens = [c for a in verb.ancestors for c in a.children if a.i < span.end and a.i >= span.start]
    else:
        tokens = list(span)
    out: list[Speaker] = []
    for t in tokens:
        if t.dep_ in ("nsubj", "nsubjpass") and t.pos_ != "PRON" and t.lower_ not in REL_PRON:
            sp = describe_speaker(list(t.subtree))
            if sp and sp.kind != "pronoun":
                out.append(sp)
    return out


def _in_regions(i: int, regions: Iterable[tuple[int, int, bool]]) -> bool:
    return any(s < i < e for s, e, _ in regions)


def _content(v: "Token", saying: "Token | None", span: "Span") -> list["Token"]:
    src = saying or v
    comps = [c for c in src.children if c.dep_ in ("ccomp", "xcomp") and c.i > span.start - 1]
    toks: set[int] = set()
    for c in comps:
        toks.update(t.i for t in c.subtree)
    if not toks and saying is not None:
        toks.update(t.i for t in saying.subtree if t.i > saying.i)
    if not toks:
        for c in v.children:
            if c.i > v.i and c.dep_ in ("dobj", "prep", "attr", "oprd", "dative", "pcomp", "acomp") \
                    and c.ent_type_ not in ("DATE", "TIME") \
                    and not any(x.ent_type_ in ("DATE", "TIME") for x in c.children if c.dep_ == "prep"):
                toks.update(t.i for t in c.subtree)
    ids = sorted(i for i in toks if span.start <= i < span.end)
    if ids and ids[0] < v.i < ids[-1]:  # "..., which he said was marked ...": keep what follows
        ids = [i for i in ids if i > v.i]
    if not ids:
        return []
    doc = span.doc
    out = [doc[i] for i in range(ids[0], ids[-1] + 1)]
    if out and out[0].lower_ == "that" and out[0].dep_ == "mark":
        out = out[1:]
    for k, t in enumerate(out):  # "X said A but none of B offered ..." -> A
        if k and t.dep_ == "cc" and t.lower_ in BUT and any(
                x.dep_ == "conj" and x.pos_ in ("VERB", "AUX") and x.head.i < t.i for x in out[k + 1:]):
            out = out[:k]
            break
    return _strip(out)


def _fallback_speaker(v: "Token", span: "Span", lead: tuple[int, int] | None) -> list["Token"]:
    toks = [t for t in span if not t.is_space]
    if lead is not None and v.idx >= lead[1]:
        between = [t for t in toks if t.idx >= lead[1] and t.i < v.i]
        if _strip(between):
            return between
        after: list["Token"] = []
        for t in toks:
            if t.i <= v.i:
                continue
            if t.text in (",", ".", ";", ":", "--", "—") or t.ent_type_ in ("DATE", "TIME"):
                break
            after.append(t)
        return after
    tail = [t for t in toks if t.i > v.i and not t.is_punct and t.ent_type_ not in ("DATE", "TIME")]
    if not tail:
        commas = [t for t in toks if t.i < v.i and t.text == ","]
        if commas:
            return [t for t in toks if commas[-1].i < t.i < v.i]
    return []


def _silence(v: "Token", span: "Span") -> _Candidate | None:
    """A refusal to confirm with its own subject: "Vantor declined to confirm a report that ...",
    "Norden Capital would not comment on the report", "the police could not confirm ...". The speaker
    is the subject; the content is what is not confirmed (the refusal itself stays in the reporting
    frame, where the stance cues read it)."""
    lemma = v.lemma_.lower()
    if not (v.pos_ in ("VERB", "AUX") or v.tag_.startswith("VB")):
        return None
    if lemma in SILENCE_HEADS:
        target = next((c for c in v.children if c.dep_ == "xcomp" and c.lemma_.lower() in SILENCE_VERBS), None)
        verb = f"{lemma} to {target.lemma_.lower()}" if target is not None else ""
    elif lemma in SILENCE_VERBS and any(c.dep_ == "neg" for c in v.children):
        target, verb = v, f"not {lemma}"
    else:
        return None
    subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
    if target is None or subj is None or subj.lower_ in REL_PRON | {"that", "there"}:
        return None
    sp = describe_speaker(list(subj.subtree))
    if sp is None:
        return None
    ctoks = _content(target, None, span) or _strip([t for t in span if t.i > target.i])
    if not ctoks:
        return None
    return _Candidate(verb, sp, _chars(ctoks), _depth(v), v.i)


def _candidates(span: "Span", regions: list[tuple[int, int, bool]]) -> list[_Candidate]:
    out: list[_Candidate] = []
    text = span.doc.text
    first = next((t for t in span if not t.is_space), None)
    lead = None
    if first is not None and first.text in '"“«' and regions and regions[0][0] == first.idx and regions[0][2]:
        lead = (regions[0][0], regions[0][1])
    for v in span:
        if _in_regions(v.idx, regions):
            continue
        saying = None
        if v.lower_ == "according" and v.i + 1 < len(v.doc) and v.doc[v.i + 1].lower_ == "to":
            to = v.doc[v.i + 1]
            pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
            if pobj is None:
                continue
            sp = describe_speaker(list(pobj.subtree))
            left = _strip([t for t in span if t.i < v.i])
            right = _strip([t for t in span if t.i > pobj.right_edge.i])
            body = left if len(left) >= len(right) else right
            if sp and body:
                out.append(_Candidate("according to", sp, _chars(body), _depth(v), v.i))
            continue
        lemma = v.lemma_.lower()
        silence = _silence(v, span)
        if silence is not None:
            out.append(silence)
            continue
        if lemma not in REPORTING_VERBS or not (v.pos_ in ("VERB", "AUX") or v.tag_.startswith("VB")):
            continue
        if any(c.dep_ == "neg" for c in v.children):
            continue
        if lemma == "say" and v.tag_ == "VBG" and v.head.lower_ == "as":
            continue  # "quoted ... as saying": handled from the "quote" verb
        subj = None
        if lemma in ("quote", "cite"):
            as_ = next((c for c in v.children if c.lower_ == "as"), None)
            saying = next((c for c in as_.children if c.lemma_ == "say"), None) if as_ is not None else None
            if saying is None:
                continue
            subj = next((c for c in v.children if c.dep_ == "nsubjpass"), None) or \
                next((c for c in v.children if c.dep_ == "dobj"), None)
        else:
            subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
            h = v
            while subj is None and h.dep_ == "conj" and h.head.lemma_.lower() in REPORTING_VERBS:
                h = h.head
                subj = next((c for c in h.children if c.dep_ == "nsubj"), None)
        if subj is not None and subj.lower_ in REL_PRON | {"that"} and v.dep_ == "relcl":
            subj = v.head
        sp_tokens = list(subj.subtree) if subj is not None else _fallback_speaker(v, span, lead)
        if subj is not None and lead is not None and subj.idx < lead[1]:
            sp_tokens = _fallback_speaker(v, span, lead)
        sp = describe_speaker(sp_tokens) if sp_tokens else None
        if sp is None:
            continue
        if lead is not None and v.idx >= lead[1]:
            s, e = lead[0] + 1, lead[1] - 1
            while e > s and (text[e - 1] in ",.; " or text[e - 1].isspace()):
                e -= 1
            content = (s, e)
        else:
            ctoks = _content(v, saying, span)
            if not ctoks and not [t for t in span if t.i > v.i and not t.is_punct and not t.is_space
                                  and t.ent_type_ not in ("DATE", "TIME")]:
                ctoks = _strip([t for t in span if t.i < min(sp_tokens[0].i, v.i)])  # "..., X said."
            if not ctoks:
                continue
            content = _chars(ctoks)
            for qs, qe, closed in regions:  # a content ending inside a quotation runs to its close
                if qs < content[1] < qe and closed:
                    content = (content[0], qe)
        out.append(_Candidate(lemma, sp, content, _depth(v), v.i))
    return out


class Attributor:
    """Attributes the sentences of one document in order (keeps the short history pronouns need)."""

    def __init__(self, document: str, outlet: str | None = None, author: str | None = None) -> None:
        self.document = document
        self.narrator = outlet or "narrator"
        self.author = author
        self.history: deque[_History] = deque(maxlen=2)

    def _narrator(self, sent: Sentence) -> Attribution:
        if self.author is not None:
            return Attribution(speaker=self.author, speaker_kind="author", content=sent.text,
                               content_start=sent.start, content_end=sent.end)
        return Attribution(speaker=self.narrator, speaker_kind="narrator", content=sent.text,
                           content_start=sent.start, content_end=sent.end)

    def _resolve(self, sp: Speaker, span: "Span", before: int) -> Speaker:
        if sp.kind != "pronoun":
            return sp
        pools: list[list[Speaker]] = [_subjects(span, span.doc[before])]
        for h in reversed(self.history):
            pools.append(([h.speaker] if h.speaker else []) + h.subjects)
        for pool in pools:
            for cand in pool:
                if _compatible(sp.text, cand):
                    return cand
        log.debug("unresolved pronoun speaker %r", sp.text)
        return replace(sp, kind="anonymous")

    def attribute(self, sent: Sentence) -> Attribution:
        span = sent.span
        if span is None or not sent.text.strip():
            return self._narrator(sent)
        try:
            att, speaker = self._attribute(sent, span)
        except Exception:  # never let one odd parse break a document
            log.warning("attribution failed for sentence at %d", sent.start, exc_info=True)
            att, speaker = self._narrator(sent), None
        self.history.append(_History(att, speaker, _subjects(span)))
        return att

    def _attribute(self, sent: Sentence, span: "Span") -> tuple[Attribution, Speaker | None]:
        doc_text = span.doc.text
        local = (sent.start - sent.offset, sent.end - sent.offset)
        regions = quote_regions(doc_text, *local)
        cands = _candidates(span, regions)
        if self.author is not None:  # comments: only clearly named third parties override the author
            cands = [c for c in cands if c.speaker.named]
        if cands:
            best = min(cands, key=lambda c: (c.depth, c.index))
            sp = self._resolve(best.speaker, span, best.index)
            s, e = max(best.content[0], local[0]), min(best.content[1], local[1])
            if s < e:
                kind = sp.kind if sp.kind in ("person", "organisation", "anonymous") else "anonymous"
                return Attribution(speaker=sp.text, speaker_kind=kind, speaker_org=sp.org, role=sp.role,  # type: ignore[arg-type]
                                   verb=best.verb, content=doc_text[s:e], content_start=s + sent.offset,
                                   content_end=e + sent.offset), sp
        prev = self.history[-1] if self.history else None
        lead = regions[0] if regions else None
        if prev and prev.attribution and prev.speaker and lead and lead[2] and lead[0] == local[0] \
                and doc_text[lead[1]:local[1]].strip(" .,;:!?") == "":
            s, e = lead[0] + 1, lead[1] - 1
            while e > s and doc_text[e - 1] in ",; \n":
                e -= 1
            p = prev.attribution
            return p.model_copy(update={
                "content": doc_text[s:e], "content_start": s + sent.offset, "content_end": e + sent.offset,
                "carried_over": True}), prev.speaker
        return self._narrator(sent), None


def attribute_sentences(document: str, sentences: Iterable[Sentence], outlet: str | None = None,
                        author: str | None = None) -> list[Attribution]:
    """Attribution for each sentence of ``document`` (offsets are document offsets)."""
    attributor = Attributor(document, outlet, author)
    return [attributor.attribute(s) for s in sentences]
