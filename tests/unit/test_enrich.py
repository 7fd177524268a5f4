"""End-to-end enrichment of the seed articles and comments."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from schemas.base import stable_id
from schemas.documents import ArticlePublished, CommentPosted
from streams.nlp.enrich import enrich_article, enrich_comment
from streams.nlp.pipeline import get_nlp
from tests.unit.test_attribution import seed_body

PUBLISHED = datetime(2016, 12, 28, 9, 0, tzinfo=timezone.utc)
SEEDS = ["000_f62884ef3a0fed5e.txt", "001_8fff56c466814f58.txt"]


@pytest.fixture(scope="module")
def nlp():
    return get_nlp()


def article(name: str) -> ArticlePublished:
    title, body = seed_body(name)
    return ArticlePublished(event_id=f"art-{name}", occurred_at=PUBLISHED, source=f"replay:seeds/{name}",
                            document_id=name.split("_")[1].split(".")[0], title=title, body=body,
                            outlet="Naharnet")


def comment(text: str, **kw) -> CommentPosted:
    fields = dict(event_id="c-1", occurred_at=PUBLISHED, source="replay:test", document_id="c1",
                  article_id="f62884ef3a0fed5e", author="justin", text=text, parent_id="c0")
    fields.update(kw)
    return CommentPosted(**fields)


@pytest.mark.parametrize("name", SEEDS)
def test_offsets_and_ids(nlp, name):
    event = article(name)
    stmts = enrich_article(event)
    assert len(stmts) > 15
    body = event.body
    for i, s in enumerate(stmts):
        assert s.index == i and s.event_id == stable_id("stmt", event.document_id, i)
        assert body[s.char_start:s.char_end] == s.text
        a = s.attribution
        assert body[a.content_start:a.content_end] == a.content
        assert s.char_start <= a.content_start <= a.content_end <= s.char_end
        for e in s.entities:
            assert body[e.start:e.end] == e.text
        for m in s.times:
            assert body[m.start:m.end] == m.text
        assert s.document_kind == "article" and s.article_id == event.document_id
        assert s.occurred_at == event.occurred_at and s.source == event.source
        assert s.document_title == event.title and event.title not in s.text
        assert s.context_before == (stmts[i - 1].text if i else "")
    assert enrich_article(event) == stmts  # deterministic


def test_afp_statement_fields(nlp):
    stmts = enrich_article(article(SEEDS[0]))
    first = stmts[0]
    assert [(m.text, m.value) for m in first.times] == [("Wednesday", "2016-12-28")]
    assert {"Turkey", "Russia", "Syria"} <= {e.text for e in first.entities}
    quote = next(s for s in stmts if s.text.startswith('"News talking'))
    assert quote.quoted and quote.attribution.carried_over and quote.attribution.speaker == "Labib Nahhas"
    meeting = next(s for s in stmts if "new meeting is planned" in s.text)
    assert [(m.value, m.granularity) for m in meeting.times] == [("2016-12-29", "day")]
    hnc = next(e for s in stmts for e in s.entities if "Negotiations" in e.text)
    assert hnc.text == "High Negotiations Committee" and hnc.label == "ORG"
    war = stmts[-1]
    assert war.text.startswith("The war has killed") and war.attribution.speaker_kind == "narrator"
    assert war.attribution.speaker == "Naharnet" and not war.quoted


def test_comment(nlp):
    text = ('" Turkey and Russia have agreed a ceasefire plan for all of Syria that should come into force '
            'at midnight"\n\nwhere is Assad the mighty victorious and democratically elected president of '
            'Syria in all of this? Sovereignty ;)!')
    stmts = enrich_comment(comment(text))
    assert len(stmts) >= 2
    for i, s in enumerate(stmts):
        assert text[s.char_start:s.char_end] == s.text
        assert s.document_kind == "comment" and s.article_id == "f62884ef3a0fed5e" and s.parent_id == "c0"
        assert s.attribution.speaker == "justin" and s.attribution.speaker_kind == "author"
        assert s.event_id == stable_id("stmt", "c1", i) and s.outlet is None
    assert stmts[0].quoted


@pytest.mark.parametrize("text", ["", "   \n\n  ", "😀🎉🔥", "!!!", "Ceci n'est pas une pipe. Il a dit non.",
                                  "مرحبا بالعالم. هذا نص عربي.", "word " * 3000, "x" * 60000, '"' * 300])
def test_robust_input(nlp, text):
    stmts = enrich_comment(comment(text))
    for s in stmts:
        assert text[s.char_start:s.char_end] == s.text


def test_an_authored_post_is_its_authors_statement_not_narration(nlp):
    post = ArticlePublished(
        event_id="a-post", occurred_at=PUBLISHED, source="test", document_id="post-1", outlet="Twitter",
        author="@ministry", body="The border crossing will reopen on Monday. Police said the road was closed.",
    )
    first, second = enrich_article(post)
    assert (first.attribution.speaker, first.attribution.speaker_kind, first.attribution.verb) == ("@ministry", "person", "write")
    assert first.attribution.content == first.text
    assert second.attribution.speaker == "Police"  # a sentence with its own speaker keeps it
    narrated = enrich_article(post.model_copy(update={"author": None}))
    assert narrated[0].attribution.speaker_kind == "narrator"
