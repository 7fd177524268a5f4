"""The seed text parser, checked against what a reader sees in seeds/000 and seeds/001."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path

import pytest

from streams.ingest.errors import ArchiveError
from streams.ingest.seedtext import is_section_label, parse_seed_text

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
NAHARNET = SEEDS / "000_f62884ef3a0fed5e.txt"
AP = SEEDS / "001_8fff56c466814f58.txt"


def _parse(text: str, **overrides: object):
    kwargs: dict[str, object] = {
        "document_id": "doc",
        "published_at": datetime(2016, 12, 28, 10, 15, tzinfo=timezone.utc),
        "outlet": None,
        "url": None,
        "source": "replay:test.txt",
        "comments_timezone": "UTC",
    }
    kwargs.update(overrides)
    return parse_seed_text(text, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def naharnet():
    return _parse(
        NAHARNET.read_text(encoding="utf-8"),
        document_id="000",
        published_at=datetime.fromisoformat("2016-12-28T10:15:00+02:00"),
        outlet="Naharnet (AFP)",
        comments_timezone="Asia/Beirut",
    )


@pytest.fixture(scope="module")
def ap():
    return _parse(AP.read_text(encoding="utf-8"), document_id="001")


def test_headline_and_body_start(naharnet):
    article, _ = naharnet
    assert article.title == "Russia, Turkey 'Agree Ceasefire Plan for All of Syria'"
    assert article.body.startswith("Turkish state media Wednesday said Turkey and Russia had agreed")
    assert article.body.endswith("forced millions more to flee their homes.")
    assert article.outlet == "Naharnet (AFP)"
    assert article.occurred_at == datetime(2016, 12, 28, 8, 15, tzinfo=timezone.utc)


def test_boilerplate_and_subheadings_not_in_body(naharnet):
    article, _ = naharnet
    assert "إقرأ" not in article.body and "W460" not in article.body
    assert article.subheadings == ["Heading to Astana?", "'Considerable misinformation'"]
    assert "Heading to Astana" not in article.body
    assert "- 'Considerable" not in article.body
    assert "Comments 25" not in article.body and "Thumb" not in article.body


def test_body_is_normalised_plain_text(naharnet):
    article, _ = naharnet
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == 26  # 28 non-blank lines between the Arabic link and "Comments", minus 2 subheadings
    assert all(p == p.strip() and "  " not in p and "\n" not in p for p in paragraphs)
    assert "\xa0" not in article.body  # the no-break space after "over the last weeks."
    assert "over the last weeks.\n\nQatar-based channel" in article.body


def test_comments_authors_and_times(naharnet):
    _, comments = naharnet
    assert len(comments) == 25
    first = comments[0]
    assert first.author == "justin"
    assert first.occurred_at == datetime(2016, 12, 28, 8, 47, tzinfo=timezone.utc)
    assert first.text.startswith('" Turkey and Russia have agreed a ceasefire plan')
    assert first.text.endswith("Sovereignty ;)!")
    authors = {c.author for c in comments}
    assert {"_mowaten_", "ArabDemocrat.com", "willy.pete222", "Rima-Al-Khatib", "ado.australia", "CFTC"} <= authors
    assert not any(a.startswith(("Thumb", "Missing")) for a in authors)
    assert all(c.article_id == "000" for c in comments)
    last = comments[-1]
    assert (last.author, last.text) == (
        "peace",
        "the big loser is assad... no more say in all this, russia turkey and iran now govern syria....",
    )
    # Header times are Beirut local time (UTC+2): ArabDemocrat.com posted on 29 December, 03:23.
    arab = next(c for c in comments if c.author == "ArabDemocrat.com")
    assert arab.occurred_at == datetime(2016, 12, 29, 1, 23, tzinfo=timezone.utc)


def test_multiline_comment_kept_intact(naharnet):
    _, comments = naharnet
    cftc = next(c for c in comments if c.author == "CFTC")
    assert cftc.text.startswith("Strikingly Original\nBold, and Hilarious\nAlways going where no one else dares\n\n@mowaten\n")
    assert cftc.text.endswith("Still laughing since January 2015.\nThank you\n\nYours Sincerely\n@CFTC")
    willy = next(c for c in comments if c.author == "willy.pete222")
    assert willy.text.endswith("if you don't know who I mean ..you should !\nlook it up")


def test_comment_ids_unique_and_file_order_kept(naharnet):
    _, comments = naharnet
    assert len({c.document_id for c in comments}) == 25
    assert len({c.event_id for c in comments}) == 25
    # the file is not in time order; the parser keeps file order (archive loading sorts)
    times = [c.occurred_at for c in comments]
    assert times != sorted(times)


def test_ap_article(ap):
    article, comments = ap
    assert article.title == "Turkey and Russia band together over Syria cease-fire deal"
    assert comments == []
    assert article.byline == "The Associated Press"
    assert article.outlet == "The Associated Press"  # from the byline: no outlet given
    assert "World Today" not in article.body
    assert "This story is by" not in article.body
    assert article.body.startswith("Turkey and Russia are discussing the contours")
    assert article.body.endswith("fan tensions in the U.N. Security Council.”")


def test_identical_comments_get_distinct_ids():
    text = (
        "Headline\n\nBody text.\n\nComments 2\n"
        "Thumb bob 1 January 2020, 10:00\n\nsame\n\n"
        "Thumb bob 1 January 2020, 10:00\n\nsame"
    )
    _, comments = _parse(text)
    assert [c.author for c in comments] == ["bob", "bob"]
    assert comments[0].document_id != comments[1].document_id
    assert comments[0].event_id != comments[1].event_id


def test_count_mismatch_is_a_warning(caplog):
    text = "Headline\n\nBody text.\n\nComments 3\nMissing anna 1 Jan 2020, 10:00\nhello"
    with caplog.at_level(logging.WARNING, logger="streams.ingest.seedtext"):
        _, comments = _parse(text)
    assert len(comments) == 1 and comments[0].author == "anna" and comments[0].text == "hello"
    assert "marker says 3, found 1" in caplog.text


def test_impossible_comment_date_is_an_archive_error():
    text = "Headline\n\nBody text.\n\nComments 1\nThumb bob 31 February 2016, 10:47\n\nhi\n"
    with pytest.raises(ArchiveError) as info:
        _parse(text, path="seeds/x.txt")
    assert info.value.line == 6
    assert str(info.value).startswith("seeds/x.txt:6: comment header has an impossible date")


def test_unknown_month_is_an_archive_error():
    text = "Headline\n\nBody text.\n\nComments 1\nThumb bob 3 Decembr 2016, 10:47\nhi"
    with pytest.raises(ArchiveError, match="unknown month 'Decembr'"):
        _parse(text)


def test_empty_body_and_empty_file_are_archive_errors():
    with pytest.raises(ArchiveError, match="no body text"):
        _parse("Headline only\n\nWorld Today\n")
    with pytest.raises(ArchiveError, match="file is empty"):
        _parse("  \n\n")


def test_naive_published_at_and_bad_timezone_rejected():
    with pytest.raises(ArchiveError, match="timezone-aware"):
        _parse("H\n\nBody.", published_at=datetime(2016, 12, 28, 10, 15))
    with pytest.raises(ArchiveError, match="unknown comments_timezone"):
        _parse("H\n\nBody.", comments_timezone="Mars/Olympus")


def test_section_label_heuristic():
    assert is_section_label("World Today")
    assert is_section_label("Middle East")
    assert not is_section_label("Turkey and Russia are discussing a cease-fire.")
    assert not is_section_label("He said so")
