"""Builders for unit tests: iCalendar text around VEVENT bodies, and canonical event states."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from typing import Any

from services.syncer.domain.ical_mapping import MappingContext, map_object
from services.syncer.domain.series_guards import DEFAULT_LIMITS, ExpansionLimits
from services.syncer.domain.window import Window
from shared.contracts.events import EventState
from shared.contracts.provider import ProviderObject

CALENDAR_ID = "cal_unit"
# The sync window series expand in unless a test names its own: the first quarter of 2024.
WINDOW = Window(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))


def vcalendar(*vevents: str, preamble: str = "") -> str:
    """A VCALENDAR holding each given VEVENT body (property lines, dedented), CRLF-separated."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//rollcall//tests//EN"]
    lines += _lines(preamble)
    for body in vevents:
        lines += ["BEGIN:VEVENT", *_lines(body), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def provider_object(data: str, object_id: str = "obj-1.ics") -> ProviderObject:
    return ProviderObject(provider_object_id=object_id, etag='"1"', format="ical", data=data)


def map_text(
    data: str,
    *,
    calendar_time_zone: str | None = None,
    account_addresses: tuple[str, ...] = (),
    object_id: str = "obj-1.ics",
    window: Window | None = WINDOW,
    limits: ExpansionLimits = DEFAULT_LIMITS,
) -> list[EventState]:
    context = MappingContext.of(
        CALENDAR_ID, calendar_time_zone, account_addresses, window=window, limits=limits
    )
    return map_object(provider_object(data, object_id), context)


def map_one(body: str, **kwargs: Any) -> EventState:
    events = map_text(vcalendar(body), **kwargs)
    assert len(events) == 1
    return events[0]


def event_state(**overrides: Any) -> EventState:
    """A live, timed, confirmed event; `overrides` replace any field."""
    fields: dict[str, Any] = {
        "id": "evt_1",
        "calendar_id": CALENDAR_ID,
        "provider_event_id": "obj-1.ics",
        "ical_uid": "uid-1",
        "series_id": None,
        "is_recurring": False,
        "is_exception": False,
        "original_start_time": None,
        "title": "Planning",
        "description": None,
        "location": None,
        "start_time": datetime(2024, 6, 12, 8, 0, tzinfo=UTC),
        "end_time": datetime(2024, 6, 12, 9, 0, tzinfo=UTC),
        "is_all_day": False,
        "time_zone": "Europe/Berlin",
        "status": "confirmed",
        "is_deleted": False,
        "organizer": None,
        "attendees": (),
        "meeting": None,
        "raw": {"format": "ical", "data": "BEGIN:VEVENT\r\nEND:VEVENT\r\n"},
    }
    fields.update(overrides)
    return EventState(**fields)


def _lines(body: str) -> list[str]:
    return [line for line in textwrap.dedent(body).strip().splitlines() if line]
