"""Where a Google event resource lies relative to a sync window (the JSON `events.list` gives,
providers.md §1.3): `start`/`end` are `{dateTime}` (RFC 3339 with an offset) or `{date}` (all
day, end exclusive). A resource with a `recurrence` (a series master) counts as open-ended,
like an iCalendar series; a resource that does not parse is `UNKNOWN` and kept, so the syncer
records it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any

from services.connector.domain.placement import FAR_FUTURE, Placement, placement_of


def place(event_json: str, start: datetime, end: datetime) -> Placement:
    """Where the event lies relative to the window [start, end)."""
    try:
        event = json.loads(event_json)
        first, last = _instant(event["start"]), _instant(event["end"])
    except (ValueError, KeyError, TypeError):
        return Placement.UNKNOWN
    if event.get("recurrence"):
        last = FAR_FUTURE
    return placement_of([(first, max(first, last))], start, end)


def _instant(value: Any) -> datetime:
    """`dateTime` as an aware instant; an all-day `date` from midnight UTC (a day's slack does
    not matter for a window)."""
    if "dateTime" in value:
        moment = datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))
        if moment.tzinfo is None:
            raise ValueError("dateTime without an offset")
        return moment
    return datetime.combine(date.fromisoformat(str(value["date"])), time.min, UTC)
