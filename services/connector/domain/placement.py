"""Where an iCalendar object lies relative to a sync window, cheaply and conservatively.

No recurrence is expanded here (the syncer does that, with its DoS guards): a series counts
as spanning from its first start to its RRULE `UNTIL` (open-ended without one, or with a
`COUNT`), so a series is never dropped that might have an instance in the window. An object
that does not parse is `UNKNOWN` and kept: the syncer records it as malformed and skips it.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from icalendar import Calendar

FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


class Placement(enum.Enum):
    BEFORE = "before"  # ended before the window starts
    INSIDE = "inside"
    AFTER = "after"  # starts after the window ends
    UNKNOWN = "unknown"


def place(ical: str, start: datetime, end: datetime) -> Placement:
    """Where the object's events lie relative to the window [start, end)."""
    try:
        spans = [_span(component) for component in Calendar.from_ical(ical).walk("VEVENT")]
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
        return Placement.UNKNOWN
    return placement_of(spans, start, end)


def placement_of(
    spans: list[tuple[datetime, datetime]], start: datetime, end: datetime
) -> Placement:
    """Where spans (first start, last end) lie relative to the window [start, end)."""
    if not spans:
        return Placement.UNKNOWN
    if any(first < end and last > start for first, last in spans):
        return Placement.INSIDE
    if all(first >= end for first, _ in spans):
        return Placement.AFTER
    return Placement.BEFORE


def _span(event: Any) -> tuple[datetime, datetime]:
    """From the event's (or series') first start to its (or its last instance's) end."""
    first = _instant(event.decoded("DTSTART"))
    if "DTEND" in event:
        last = _instant(event.decoded("DTEND"))
    elif "DURATION" in event:
        last = first + event.decoded("DURATION")
    else:
        last = first + (timedelta(days=1) if _is_date(event.decoded("DTSTART")) else timedelta())
    last = max(last, first)
    rule = event.get("RRULE")
    if rule is not None or "RDATE" in event:
        until = rule.get("UNTIL") if rule is not None else None
        if rule is None or not until or rule.get("COUNT"):
            return first, FAR_FUTURE
        return first, max(last, _instant(until[0]) + (last - first))
    return first, last


def _is_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def _instant(value: object) -> datetime:
    """Dates and floating times read as UTC: a day's slack does not matter for a window."""
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time.min, UTC)
    raise ValueError("not a date or date-time")
