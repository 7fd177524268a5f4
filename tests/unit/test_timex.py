"""Time normalisation against the publication time (pure functions, no model)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from streams.nlp.timex import find_times, normalise

REF = datetime(2016, 12, 28, 10, 0, tzinfo=timezone.utc)  # a Wednesday


def one(text: str, ref: datetime = REF) -> tuple[str, str, str]:
    found = find_times(text, ref)
    assert len(found) == 1, found
    m = found[0]
    assert text[m.start:m.end] == m.text
    return m.text, m.value, m.granularity


@pytest.mark.parametrize("text,expected", [
    ("Turkish state media Wednesday said", ("Wednesday", "2016-12-28", "day")),
    ("Erdogan had on Tuesday launched", ("Tuesday", "2016-12-27", "day")),
    ("a new meeting is planned on Thursday in Ankara", ("Thursday", "2016-12-29", "day")),
    ("they will meet on Monday", ("Monday", "2017-01-02", "day")),
    ("talks were held on Thursday", ("Thursday", "2016-12-22", "day")),
    ("next Wednesday", ("next Wednesday", "2017-01-04", "day")),
    ("last Wednesday", ("last Wednesday", "2016-12-21", "day")),
    ("said Wednesday morning that", ("Wednesday morning", "2016-12-28", "day")),
    ("took control last week of Aleppo", ("last week", "2016-12-19", "week")),
    ("brokered earlier this month", ("earlier this month", "2016-12-01", "month")),
    ("talks next month", ("next month", "2017-01-01", "month")),
    ("a warplane last year", ("last year", "2015-01-01", "year")),
    ("began in 2011 as an uprising", ("2011", "2011-01-01", "year")),
    ("on 28 December 2016 the", ("28 December 2016", "2016-12-28", "day")),
    ("on December 28 the", ("December 28", "2016-12-28", "day")),
    ("Dec. 28, 2016", ("Dec. 28, 2016", "2016-12-28", "day")),
    ("January 3", ("January 3", "2017-01-03", "day")),
    ("since January 2015", ("January 2015", "2015-01-01", "month")),
    ("yesterday", ("yesterday", "2016-12-27", "day")),
    ("tomorrow", ("tomorrow", "2016-12-29", "day")),
    ("tonight", ("tonight", "2016-12-28", "day")),
    ("two days ago", ("two days ago", "2016-12-26", "day")),
])
def test_expressions(text, expected):
    assert one(text) == expected


def test_clock_time_takes_preceding_date():
    found = find_times("29 December 2016, 03:23", REF)
    assert [(m.text, m.value, m.granularity) for m in found] == [
        ("29 December 2016", "2016-12-29", "day"), ("03:23", "2016-12-29T03:23:00+00:00", "time")]


def test_midnight_is_the_coming_one():
    assert one("the ceasefire comes into force at midnight") == (
        "midnight", "2016-12-29T00:00:00+00:00", "time")


def test_timezone_aware_reference():
    beirut = timezone(timedelta(hours=2))
    _, value, gran = one("at 3 p.m.", REF.astimezone(beirut))
    assert gran == "time" and value == "2016-12-28T15:00:00+02:00"
    _, value, _ = one("Tuesday", datetime(2016, 12, 28, 0, 30, tzinfo=beirut))
    assert value == "2016-12-27"


def test_naive_reference_is_accepted_and_numbers_ignored():
    assert find_times("killed more than 310,000 people, may 5 of them", datetime(2016, 12, 28)) == []
    assert find_times("", REF) == []


def test_offsets_and_candidates():
    text = "Anadolu said on Tuesday that the summer deal held."
    found = find_times(text, REF, candidates=[(text.index("Tuesday"), text.index("Tuesday") + 7)])
    assert [(m.text, m.value) for m in found] == [("Tuesday", "2016-12-27")]
    assert normalise("on Wednesday", REF) == ("2016-12-28", "day")
    assert normalise("the summer", REF) is None
