"""Sentence splitting: offsets, paragraph breaks, quotation handling, fragments."""

from __future__ import annotations

import pytest

from streams.nlp.sentences import is_quotation, paragraphs, quote_ratio, quote_regions, split_sentences
from tests.unit.test_attribution import seed_body

SEED_NAMES = ["000_f62884ef3a0fed5e.txt", "001_8fff56c466814f58.txt"]


@pytest.fixture(scope="module", params=SEED_NAMES)
def seed(request):
    _, body = seed_body(request.param)
    return body, split_sentences(body)


def test_offsets_and_trimmed(seed):
    body, sents = seed
    assert sents
    for s in sents:
        assert body[s.start:s.end] == s.text
        assert s.text == s.text.strip()
    starts = [s.start for s in sents]
    assert starts == sorted(starts)
    assert all(a.end <= b.start for a, b in zip(sents, sents[1:]))


def test_paragraph_breaks_are_boundaries(seed):
    _, sents = seed
    assert not any("\n\n" in s.text for s in sents)


def test_closing_quote_stays_with_its_sentence():
    _, body = seed_body(SEED_NAMES[0])
    texts = [s.text for s in split_sentences(body)]
    assert any(t.endswith('about which I don\'t have enough information."') for t in texts)
    assert '"News talking about their approval of a ceasefire is incorrect."' in texts
    assert not any(t.startswith('"\n') or t == '"' for t in texts)
    assert any(t.startswith("Meanwhile, a Syrian rebel source") for t in texts)


def test_no_split_inside_continuing_quotation():
    _, body = seed_body(SEED_NAMES[1])
    texts = [s.text for s in split_sentences(body)]
    ryabkov = [t for t in texts if "Ryabkov" in t]
    assert len(ryabkov) == 1 and ryabkov[0].endswith("U.N. Security Council.”")
    assert "We warn them" in ryabkov[0]


def test_simple_text_and_line_breaks():
    text = 'He said "yes. It is fine." Then he left.\n\nNew paragraph here. Another one!\nlook it up'
    sents = split_sentences(text)
    assert [s.text for s in sents] == ['He said "yes. It is fine."', "Then he left.", "New paragraph here.",
                                       "Another one!", "look it up"]


@pytest.mark.parametrize("text", ["", "   ", "\n\n\n", "😀🎉", '"' * 50])
def test_degenerate_input_never_raises(text):
    for s in split_sentences(text):
        assert text[s.start:s.end] == s.text


def test_quote_helpers():
    text = '“A,” he said, "B".'
    assert [(s, e) for s, e, _ in quote_regions(text)] == [(0, 4), (14, 17)]
    assert quote_regions('"open')[0][2] is False
    assert is_quotation('"News talking about it is incorrect."')
    assert quote_ratio("no quotes") == 0.0
    assert paragraphs("a\n\n  \nb ") == [(0, 1), (6, 7)]
