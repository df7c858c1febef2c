"""Where a Graph event resource lies relative to a sync window (the JSON `calendarView/delta`
gives, providers.md §2.3-2.4): `start`/`end` are `{dateTime, timeZone}` with a wall time of 7
fractional digits and no offset, in `timeZone` (UTC as the connector asks, else a Windows or
IANA name). All-day events (`isAllDay`) are placed by their dates from midnight UTC (a day's
slack does not matter for a window); a series master counts as open-ended. A resource that
does not parse is `UNKNOWN` and kept, so the syncer records it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from services.connector.domain.placement import FAR_FUTURE, Placement, placement_of


def place(event_json: str, start: datetime, end: datetime) -> Placement:
    """Where the event lies relative to the window [start, end)."""
    try:
        event = json.loads(event_json)
        all_day = event.get("isAllDay") is True
        first = _instant(event["start"], all_day)
        last = _instant(event["end"], all_day)
    except (ValueError, KeyError, TypeError, AttributeError, ZoneInfoNotFoundError):
        return Placement.UNKNOWN
    if event.get("type") == "seriesMaster":
        last = FAR_FUTURE
    return placement_of([(first, max(first, last))], start, end)


def _instant(value: Any, all_day: bool) -> datetime:
    wall = datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))
    if all_day:
        return datetime.combine(wall.date(), time.min, UTC)
    if wall.tzinfo is not None:
        return wall
    name = str(value.get("timeZone") or "UTC")
    return wall.replace(tzinfo=ZoneInfo(WINDOWS_TO_OLSON.get(name, name)))
