"""Which alerts a subscriber wants: one filter for ``claimwatch subscribe``, the webhook and SSE.

* ``min_severity``: ``low`` < ``medium`` < ``high``.
* ``stances``: any of ``deny`` / ``non_confirm`` (empty: both).
* ``entities``: any of them names the claim or the denial: an equal (normalised) named entity,
  one containing it as whole words ("assad" matches "bashar assad"), or whole words of the claim's
  or the denial's text. Case-insensitive.
* ``since``: the alert's event time (when the denying statement was made) is at or after this.
  A replayed 2016 archive has 2016 alerts: ``--since 2h`` shows none of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from schemas import DenialDetected

SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2}
STANCES = ("deny", "non_confirm")
_RELATIVE = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """``30m`` / ``2h`` / ``7d`` / ``1w`` before now, or an ISO date or date-time (UTC when no zone)."""
    text = value.strip()
    match = _RELATIVE.match(text.lower())
    if match:
        return (now or datetime.now(timezone.utc)) - timedelta(seconds=float(match[1]) * _UNITS[match[2]])
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"--since: expected e.g. 2h, 7d or 2016-12-28T12:00:00Z, got {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _words(text: str) -> str:
    return " " + re.sub(r"\W+", " ", text.lower()).strip() + " "


@dataclass(frozen=True)
class AlertFilter:
    min_severity: str = "low"
    stances: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    since: datetime | None = None
    _needles: tuple[str, ...] = field(init=False, repr=False, default=())

    def __post_init__(self) -> None:
        if self.min_severity not in SEVERITY_RANK:
            raise ValueError(f"min severity must be one of {', '.join(SEVERITY_RANK)}, got {self.min_severity!r}")
        unknown = [s for s in self.stances if s not in STANCES]
        if unknown:
            raise ValueError(f"stance must be one of {', '.join(STANCES)}, got {unknown[0]!r}")
        object.__setattr__(self, "_needles", tuple(_words(e) for e in self.entities if e.strip()))

    def matches(self, alert: DenialDetected) -> bool:
        if SEVERITY_RANK[alert.severity] < SEVERITY_RANK[self.min_severity]:
            return False
        if self.stances and alert.stance not in self.stances:
            return False
        if self.since is not None and alert.occurred_at < self.since:
            return False
        if self._needles:
            haystacks = [_words(e) for e in alert.claim.entities + alert.denial.entities]
            haystacks += [_words(alert.claim.text), _words(alert.denial.text)]
            if not any(needle in hay for needle in self._needles for hay in haystacks):
                return False
        return True
