"""Canonical events for tests that need one: every field set, any of them overridable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from shared.contracts.events import EventState
from shared.ids import new_id


def event_state(**overrides: Any) -> EventState:
    start = overrides.pop("start_time", datetime(2030, 1, 1, 9, tzinfo=UTC))
    fields: dict[str, Any] = {
        "id": new_id("evt"),
        "calendar_id": new_id("cal"),
        "provider_event_id": new_id("obj"),
        "ical_uid": None,
        "series_id": None,
        "is_recurring": False,
        "is_exception": False,
        "original_start_time": None,
        "title": "Meeting",
        "description": None,
        "location": None,
        "start_time": start,
        "end_time": start + timedelta(hours=1),
        "is_all_day": False,
        "time_zone": "UTC",
        "status": "confirmed",
        "is_deleted": False,
        "organizer": None,
        "attendees": (),
        "meeting": None,
        "raw": None,
    }
    fields.update(overrides)
    return EventState(**fields)
