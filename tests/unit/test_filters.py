"""Alert filters shared by `claimwatch subscribe`, the webhook and the SSE stream."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from streams.sinks.filters import AlertFilter, parse_since

from .factories import make_alert

NOW = datetime(2016, 12, 29, 12, 0, tzinfo=timezone.utc)


def test_min_severity_is_an_order():
    low, medium, high = (make_alert(i, severity=s) for i, s in enumerate(("low", "medium", "high")))
    assert [AlertFilter(min_severity="medium").matches(a) for a in (low, medium, high)] == [False, True, True]
    assert all(AlertFilter().matches(a) for a in (low, medium, high))


def test_stances():
    deny, non_confirm = make_alert(1, stance="deny"), make_alert(2, stance="non_confirm")
    only = AlertFilter(stances=("non_confirm",))
    assert (only.matches(deny), only.matches(non_confirm)) == (False, True)


def test_entities_match_whole_words_of_entities_or_texts():
    alert = make_alert(claim_text="Turkey and Russia agreed a ceasefire.", denial_text="The rebels deny it.",
                       claim_entities=["turkey", "russia"], denial_entities=["bashar assad"])
    assert AlertFilter(entities=("Russia",)).matches(alert)
    assert AlertFilter(entities=("Assad",)).matches(alert)  # inside "bashar assad"
    assert AlertFilter(entities=("rebels",)).matches(alert)  # in the denial's text
    assert AlertFilter(entities=("Iran", "ceasefire")).matches(alert)  # any of them
    assert not AlertFilter(entities=("Russ",)).matches(alert)  # whole words only
    assert not AlertFilter(entities=("Iran",)).matches(alert)


def test_since_is_the_alerts_event_time():
    alert = make_alert(at=NOW - timedelta(hours=3))
    assert AlertFilter(since=parse_since("4h", NOW)).matches(alert)
    assert not AlertFilter(since=parse_since("2h", NOW)).matches(alert)
    assert AlertFilter(since=parse_since("2016-12-29")).matches(alert)
    assert not AlertFilter(since=parse_since("2016-12-29T10:00:00+01:00")).matches(make_alert(at=NOW - timedelta(hours=4)))


@pytest.mark.parametrize("value", ["yesterday", "2h ago", "-3d", ""])
def test_unreadable_since_is_a_clear_error(value):
    with pytest.raises(ValueError, match="--since"):
        parse_since(value, NOW)


def test_unknown_values_are_rejected():
    with pytest.raises(ValueError, match="severity"):
        AlertFilter(min_severity="critical")
    with pytest.raises(ValueError, match="stance"):
        AlertFilter(stances=("support",))
