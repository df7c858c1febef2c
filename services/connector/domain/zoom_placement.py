"""Where a Zoom meeting lies relative to a sync window (the JSON of `GET /meetings/{id}`,
providers.md §4): `start_time` in UTC (`…Z`) and `duration` in minutes; a recurring meeting
(type 8) spans its `occurrences` (deleted ones aside). A meeting without a fixed time (type 3,
no `start_time`) is not published by the provider; one that does not parse anyway is `UNKNOWN`
and kept, so the syncer records it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from services.connector.domain.placement import Placement, placement_of


def place(meeting_json: str, start: datetime, end: datetime) -> Placement:
    """Where the meeting (or its occurrences) lies relative to the window [start, end)."""
    try:
        meeting = json.loads(meeting_json)
        spans = [_span(item) for item in _timings(meeting)]
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
        return Placement.UNKNOWN
    return placement_of(spans, start, end)


def _timings(meeting: dict[str, Any]) -> list[dict[str, Any]]:
    """The occurrences of a recurring meeting with any listed, else the meeting itself."""
    found = meeting.get("occurrences")
    if isinstance(found, list) and found:
        duration = meeting.get("duration")
        return [
            {"duration": duration, **o}
            for o in found
            if isinstance(o, dict) and o.get("status") != "deleted"
        ]
    return [meeting]


def _span(item: dict[str, Any]) -> tuple[datetime, datetime]:
    first = datetime.fromisoformat(str(item["start_time"]).replace("Z", "+00:00"))
    if first.tzinfo is None:
        raise ValueError("a Zoom start time is UTC")
    minutes = item.get("duration")
    length = timedelta(minutes=minutes if isinstance(minutes, int) and minutes > 0 else 0)
    return first, first + length
