"""Normalise time expressions against a reference (publication) time.

Pure functions of ``(text, reference)``. Values are ISO 8601: a date (``2016-12-28``) for day, week
(the Monday), month (the 1st) and year (1 January) granularity, a timezone-aware datetime for times.
Weekday names resolve to the most recent such day on or before the reference date (the same day
when it is that day), or to the next such day when the context is future ("will", "planned", "next").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Literal

from schemas.statements import TimeMention

log = logging.getLogger(__name__)

Granularity = Literal["time", "day", "week", "month", "year"]

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
_NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
        "eight": 8, "nine": 9, "ten": 10, "several": 3, "few": 3}

_MON = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" \
       r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WD = r"(?P<wd>mon|tues|wednes|thurs|fri|satur|sun)day"
_PART = r"(?:\s+(?:morning|afternoon|evening|night))?"
_PATTERNS: list[tuple[str, str]] = [
    ("iso", r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T ](?P<hh>\d{2}):(?P<mm>\d{2}))?\b"),
    ("dmy", r"\b(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MON + r"(?:,?\s+(?P<y>\d{4}))?\b"),
    ("mdy", r"\b" + _MON + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<y>\d{4})\b)?"),
    ("my", r"\b" + _MON + r"\s+(?P<y>\d{4})\b"),
    ("ago", r"\b(?P<n>\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|several|few)\s+"
            r"(?P<unit>day|week|month|year)s?\s+ago\b"),
    ("wd", r"\b(?:(?P<rel>last|next|this|coming|past)\s+)?" + _WD + _PART + r"\b"),
    ("rel", r"\b(?P<word>yesterday|today|tomorrow|tonight)\b"),
    ("thispart", r"\bthis\s+(?:morning|afternoon|evening)\b"),
    ("period", r"\b(?P<mod>(?:earlier|later)\s+(?:this\s+)?|last\s+|next\s+|this\s+|past\s+)"
               r"(?P<unit>week|month|year)\b"),
    ("clock", r"\b(?P<hh>\d{1,2})(?::(?P<mm>\d{2}))?\s*(?P<ampm>a\.m\.|p\.m\.|am\b|pm\b)"
              r"|\b(?P<h2>[01]?\d|2[0-3]):(?P<m2>[0-5]\d)\b"),
    ("fixed", r"\b(?P<fx>midnight|noon)\b"),
    ("year", r"(?<![\d,.])\b(?P<y>(?:19|20)\d{2})\b(?![\d,])"),
]
_COMPILED = [(name, re.compile(p, re.IGNORECASE)) for name, p in _PATTERNS]
_FUTURE = re.compile(
    r"\b(?:will|won't|shall|would|'ll|going to|planned|plans?|scheduled|due|expected|upcoming|"
    r"set to|to be held|is to|are to|next|coming|later)\b", re.IGNORECASE)
_PAST = re.compile(r"\b(?:ago|last|earlier|since|yesterday)\b", re.IGNORECASE)
_SENT_EDGE = re.compile(r"[.!?]\s|\n")


def _context(text: str, start: int, end: int) -> tuple[str, str]:
    lo = max(0, start - 60)
    before = text[lo:start]
    cut = [m.end() for m in _SENT_EDGE.finditer(before)]
    before = before[cut[-1]:] if cut else before
    after = text[end:end + 20]
    m = _SENT_EDGE.search(after)
    return before, after[: m.start()] if m else after


def is_future(text: str, start: int, end: int) -> bool:
    """Whether the words around ``text[start:end]`` (same sentence) point to the future."""
    before, after = _context(text, start, end)
    return bool(_FUTURE.search(before) or _FUTURE.search(after))


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 + months, 12)
    return date(y, m + 1, 1)


def _closest_year(ref: date, month: int, day: int) -> date | None:
    best: date | None = None
    for y in (ref.year - 1, ref.year, ref.year + 1):
        try:
            cand = date(y, month, day)
        except ValueError:
            continue
        if best is None or abs((cand - ref).days) < abs((best - ref).days):
            best = cand
    return best


def _at(ref: datetime, d: date, hh: int, mm: int) -> str:
    return datetime.combine(d, time(hh, mm), tzinfo=ref.tzinfo).isoformat()


def _resolve(kind: str, m: re.Match[str], ref: datetime, future: bool) -> tuple[str, Granularity] | None:
    today = ref.date()
    g = m.groupdict()
    if kind == "iso":
        d = date(int(g["y"]), int(g["m"]), int(g["d"]))
        if g.get("hh"):
            return _at(ref, d, int(g["hh"]), int(g["mm"])), "time"
        return d.isoformat(), "day"
    if kind in ("dmy", "mdy", "my") and g["mon"] in ("may", "march"):
        return None  # the modal verb / the verb, not the month
    if kind in ("dmy", "mdy"):
        month, day = MONTHS[g["mon"].lower().rstrip(".")], int(g["d"])
        if g.get("y"):
            return date(int(g["y"]), month, day).isoformat(), "day"
        d = _closest_year(today, month, day)
        return (d.isoformat(), "day") if d else None
    if kind == "my":
        return date(int(g["y"]), MONTHS[g["mon"].lower().rstrip(".")], 1).isoformat(), "month"
    if kind == "ago":
        n = int(g["n"]) if g["n"].isdigit() else _NUM[g["n"].lower()]
        unit = g["unit"].lower()
        if unit == "day":
            return (today - timedelta(days=n)).isoformat(), "day"
        if unit == "week":
            return _monday(today - timedelta(weeks=n)).isoformat(), "week"
        if unit == "month":
            return _add_months(today, -n).isoformat(), "month"
        return date(today.year - n, 1, 1).isoformat(), "year"
    if kind == "wd":
        target = [w[:3] for w in WEEKDAYS].index(g["wd"].lower()[:3])
        rel = (g.get("rel") or "").lower()
        back = (today.weekday() - target) % 7
        ahead = (target - today.weekday()) % 7
        if rel == "last" or rel == "past":
            back = back or 7
            return (today - timedelta(days=back)).isoformat(), "day"
        if rel in ("next", "coming"):
            return (today + timedelta(days=ahead or 7)).isoformat(), "day"
        if future or rel == "this" and ahead < back:
            return (today + timedelta(days=ahead)).isoformat(), "day"
        return (today - timedelta(days=back)).isoformat(), "day"
    if kind == "rel":
        shift = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[g["word"].lower()]
        return (today + timedelta(days=shift)).isoformat(), "day"
    if kind == "thispart":
        return today.isoformat(), "day"
    if kind == "period":
        mod, unit = g["mod"].lower().split()[0], g["unit"].lower()
        step = {"last": -1, "past": -1, "next": 1}.get(mod, 0)
        if unit == "week":
            return (_monday(today) + timedelta(weeks=step)).isoformat(), "week"
        if unit == "month":
            return _add_months(today, step).isoformat(), "month"
        return date(today.year + step, 1, 1).isoformat(), "year"
    if kind == "clock":
        if g.get("h2"):
            hh, mm = int(g["h2"]), int(g["m2"])
        else:
            hh, mm = int(g["hh"]), int(g["mm"] or 0)
            if hh > 12:
                return None
            pm = g["ampm"].lower().startswith("p")
            hh = (hh % 12) + (12 if pm else 0)
        return _at(ref, today, hh, mm), "time"
    if kind == "fixed":
        if g["fx"].lower() == "noon":
            return _at(ref, today, 12, 0), "time"
        # "at midnight": the coming midnight unless the context is clearly past.
        before, _ = _context(m.string, m.start(), m.end())
        past = bool(_PAST.search(before)) and not future
        return _at(ref, today if past else today + timedelta(days=1), 0, 0), "time"
    if kind == "year":
        return date(int(g["y"]), 1, 1).isoformat(), "year"
    return None  # pragma: no cover


def find_times(text: str, reference: datetime,
               candidates: Iterable[tuple[int, int]] = ()) -> list[TimeMention]:
    """All time mentions in ``text`` resolved against ``reference`` (made timezone-aware if naive).

    ``candidates`` are extra ``(start, end)`` spans (e.g. spaCy DATE/TIME entities); each is kept
    when it normalises and does not overlap a regex match.
    """
    if not text:
        return []
    if reference.tzinfo is None:
        from datetime import timezone
        reference = reference.replace(tzinfo=timezone.utc)
    found: list[tuple[int, int, str, Granularity]] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= ts or s >= te for ts, te in taken)

    for kind, rx in _COMPILED:  # ordered from most to least specific
        for m in rx.finditer(text):
            if not free(m.start(), m.end()):
                continue
            try:
                res = _resolve(kind, m, reference, is_future(text, m.start(), m.end()))
            except (ValueError, KeyError, OverflowError):
                res = None
            if res:
                found.append((m.start(), m.end(), *res))
                taken.append((m.start(), m.end()))
    for s, e in candidates:
        if not free(s, e):
            continue
        res = normalise(text[s:e], reference, future=is_future(text, s, e))
        if res:
            found.append((s, e, *res))
            taken.append((s, e))
    found.sort()
    for k in range(1, len(found)):  # "28 December 2016, 10:47": a clock time takes the preceding date
        ps, pe, pv, pg = found[k - 1]
        s, e, v, g = found[k]
        if g == "time" and pg == "day" and re.fullmatch(r",?\s*(?:at\s+)?", text[pe:s]):
            found[k] = (s, e, pv + v[10:], g)
    return [TimeMention(text=text[s:e], start=s, end=e, value=v, granularity=g) for s, e, v, g in found]


def normalise(expression: str, reference: datetime, future: bool = False) -> tuple[str, Granularity] | None:
    """Resolve one whole expression ("Wednesday morning", "last week"); ``None`` if not understood."""
    expr = expression.strip()
    for kind, rx in _COMPILED:
        m = rx.fullmatch(expr) or rx.fullmatch(re.sub(r"^(?:on|at|in|by|since|the)\s+", "", expr, flags=re.I))
        if m:
            try:
                return _resolve(kind, m, reference, future)
            except (ValueError, KeyError, OverflowError):
                return None
    return None
