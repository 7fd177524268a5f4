from __future__ import annotations

import pytest

from streams.nlp.claims import ClaimRecognizer, claim_source, describe_speaker, key_terms
from streams.nlp.embeddings import Embedder
from streams.nlp.matching import ClaimMatcher, evidence_from
from schemas import ClaimRecord

from .factories import afp_statements, ap_statements, comment_statements, find

AFP = afp_statements()
AP = ap_statements()


@pytest.fixture(scope="module")
def matcher() -> ClaimMatcher:
    return ClaimMatcher(Embedder())


def record_from(matcher: ClaimMatcher, fragment: str, statements=AFP) -> ClaimRecord:
    s = find(statements, fragment)
    text = ClaimRecognizer().claim_text(s)
    terms = key_terms(text)
    (emb,) = matcher.embed([text])
    ev = evidence_from(s, text, terms, emb, describe_speaker(s.attribution, s.outlet))
    return ClaimRecord(claim_id=f"claim-{s.index}", text=text, first_seen_at=s.occurred_at, last_seen_at=s.occurred_at,
                       origin_statement_id=s.event_id, sources=[claim_source(s)], evidence=[ev], key_terms=terms,
                       statement_ids=[s.event_id])


def test_light_synonyms() -> None:
    assert set(key_terms("a nationwide truce plan")) >= {"ceasefire", "agreement"}
    assert "ceasefire" in key_terms("a lasting cease-fire")
    assert "agreement" in key_terms("the proposal has not been presented")
    assert "islamic-state" in key_terms("supporting Daesh (IS)") and "islamic-state" in key_terms("Islamic State (IS)")
    assert "is" not in key_terms("it is true")


def test_denials_rank_their_claim_first(matcher: ClaimMatcher) -> None:
    ceasefire = record_from(matcher, "Turkish state media Wednesday said")
    erdogan = record_from(matcher, "He accused the West")
    for fragment, expected in [
        ("News talking about their approval", ceasefire),
        ("there was no agreement as yet", ceasefire),
        ("could not answer on an issue", ceasefire),
        ("Assertions the United States", erdogan),
    ]:
        ranked = matcher.match(find(AFP, fragment), [ceasefire, erdogan])
        assert ranked and ranked[0].claim_id == expected.claim_id, (fragment, ranked)
        assert 0.0 <= ranked[0].score <= 1.0
        assert ranked[0].reasons


def test_cross_document_restatement_scores_high(matcher: ClaimMatcher) -> None:
    ceasefire = record_from(matcher, "Turkish state media Wednesday said")
    cand = matcher.score(find(AP, "Ankara and Moscow had reached an agreement"), ceasefire)
    assert cand.content_similarity >= 0.6
    assert not cand.same_document
    assert "agreement" in cand.shared_terms


def test_narrator_casualty_sentence_scores_low(matcher: ClaimMatcher) -> None:
    ceasefire = record_from(matcher, "Turkish state media Wednesday said")
    far = matcher.score(find(AFP, "The war has killed more than"), ceasefire)
    near = matcher.score(find(AFP, "News talking about their approval"), ceasefire)
    assert far.score < near.score


def test_comment_gets_a_small_document_prior(matcher: ClaimMatcher) -> None:
    ceasefire = record_from(matcher, "Turkish state media Wednesday said")
    cand = matcher.score(find(comment_statements(), "Turkey and Russia have agreed a ceasefire plan"), ceasefire)
    assert any("comment under an article" in r for r in cand.reasons)


def test_a_reply_addressed_to_the_claims_account_is_linked_without_its_thread(matcher: ClaimMatcher) -> None:
    ceasefire = record_from(matcher, "Turkish state media Wednesday said")
    handle = ceasefire.model_copy(update={
        "evidence": [ceasefire.evidence[0].model_copy(update={"speaker": "@AnadoluAgency"})],
        "sources": [ceasefire.sources[0].model_copy(update={"speaker": "@AnadoluAgency"})],
    })
    base = find(comment_statements(), "Turkey and Russia have agreed a ceasefire plan")
    # Seen without its thread: the comment is its own article.
    alone = base.model_copy(update={"article_id": base.document_id, "text": "@AnadoluAgency This is fake."})
    addressed = matcher.score(alone, handle)
    assert any("addressed to the claim's source (@anadoluagency)" in r for r in addressed.reasons)
    other = matcher.score(alone.model_copy(update={"text": "@SomeoneElse This is fake."}), handle)
    assert not any("addressed" in r for r in other.reasons)
    assert addressed.score > other.score
    # Articles are not replies: a handle in an article sentence is not an address.
    article = alone.model_copy(update={"document_kind": "article"})
    assert not any("addressed" in r for r in matcher.score(article, handle).reasons)


def test_a_reply_addressed_to_the_account_that_posted_a_quoted_claim_is_linked(matcher: ClaimMatcher) -> None:
    """A post that quotes someone else ("... police said") is that speaker's claim, but replies
    address the account that posted it: enrichment records the poster (``author``) and the claim's
    sources keep it."""
    from schemas import ArticlePublished
    from streams.nlp.enrich import enrich_article

    post = ArticlePublished(event_id="a-1", occurred_at=AFP[0].occurred_at, source="test", document_id="tw-1",
                            body="Ten people were killed in the shooting at the magazine's offices, police said.",
                            outlet="Twitter", author="@newsdesk")
    (statement,) = enrich_article(post)
    assert statement.author == "@newsdesk" and statement.attribution.speaker == "police"
    claim = record_from(matcher, "police said", [statement])
    assert claim.sources[0].author == "@newsdesk"
    base = find(comment_statements(), "Turkey and Russia have agreed a ceasefire plan")
    reply = base.model_copy(update={"article_id": base.document_id, "text": "@newsdesk This is fake."})
    assert any("addressed to the claim's source (@newsdesk)" in r for r in matcher.score(reply, claim).reasons)


def test_enrichment_records_who_posted_a_comment() -> None:
    from schemas import CommentPosted
    from streams.nlp.enrich import enrich_comment

    comment = CommentPosted(event_id="c-1", occurred_at=AFP[0].occurred_at, source="test", document_id="c-1",
                            article_id="tw-1", author="@reader", text="This is fake. Nobody agreed to anything.")
    assert [s.author for s in enrich_comment(comment)] == ["@reader", "@reader"]
