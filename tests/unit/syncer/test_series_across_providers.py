"""One weekly series (Mondays 10:00-10:30 in Berlin, one instance moved to 15:00) as CalDAV,
Google and Microsoft Graph give it: every provider's instance maps alike, its id derived from
the provider's series object and the original date."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from services.syncer.domain.mapping import map_object
from services.syncer.domain.mapping_context import MappingContext
from services.syncer.domain.window import Window
from shared.contracts.events import EventState
from shared.contracts.provider import ProviderObject
from shared.ids import derived_id
from tests.unit.syncer.samples import CALENDAR_ID, vcalendar

WINDOW = Window(datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 2, 1, tzinfo=UTC))
CONTEXT = MappingContext.of(CALENDAR_ID, "Europe/Berlin", ["ada@example.com"], window=WINDOW)
# What is the provider's to say, or differs by how it stores a series.
PROVIDER_OWN = {"id", "provider_event_id", "ical_uid", "series_id", "raw", "organizer"}

CALDAV = vcalendar(
    """
    UID:weekly@example.com
    DTSTART;TZID=Europe/Berlin:20270104T100000
    DTEND;TZID=Europe/Berlin:20270104T103000
    RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=3
    SUMMARY:Weekly
    """,
    """
    UID:weekly@example.com
    RECURRENCE-ID;TZID=Europe/Berlin:20270111T100000
    DTSTART;TZID=Europe/Berlin:20270111T150000
    DTEND;TZID=Europe/Berlin:20270111T153000
    SUMMARY:Weekly
    """,
)


def _google(day: int, hour: int) -> ProviderObject:
    def at(h: int, minute: int = 0) -> dict[str, str]:
        return {
            "dateTime": f"2027-01-{day:02d}T{h:02d}:{minute:02d}:00+01:00",
            "timeZone": "Europe/Berlin",
        }

    resource = {
        "id": f"weekly_202701{day:02d}T090000Z",
        "status": "confirmed",
        "summary": "Weekly",
        "start": at(hour),
        "end": at(hour, 30),
        "recurringEventId": "weekly",
        "originalStartTime": at(10),
        "iCalUID": "weekly@google.com",
    }
    return ProviderObject(
        provider_object_id=resource["id"], etag=None, format="google", data=json.dumps(resource)
    )


def _graph(day: int, hour: int) -> ProviderObject:
    def at(h: int, minute: int = 0) -> dict[str, str]:
        return {
            "dateTime": f"2027-01-{day:02d}T{h - 1:02d}:{minute:02d}:00.0000000",
            "timeZone": "UTC",
        }

    resource: dict[str, Any] = {
        "id": f"AAMkOccurrence{day}",
        "type": "occurrence" if hour == 10 else "exception",
        "seriesMasterId": "AAMkMaster",
        "subject": "Weekly",
        "start": at(hour),
        "end": at(hour, 30),
        "originalStart": f"2027-01-{day:02d}T09:00:00Z",
        "originalStartTimeZone": "W. Europe Standard Time",
        "isAllDay": False,
    }
    return ProviderObject(
        provider_object_id=resource["id"], etag=None, format="graph", data=json.dumps(resource)
    )


def _mapped(objects: list[ProviderObject]) -> list[EventState]:
    return [event for obj in objects for event in map_object(obj, CONTEXT)]


PROVIDERS = {
    "caldav": (
        lambda: _mapped(
            [ProviderObject(provider_object_id="weekly.ics", etag=None, format="ical", data=CALDAV)]
        ),
        "weekly.ics",
    ),
    "google": (lambda: _mapped([_google(4, 10), _google(11, 15), _google(18, 10)]), "weekly"),
    "graph": (lambda: _mapped([_graph(4, 10), _graph(11, 15), _graph(18, 10)]), "AAMkMaster"),
}


def _neutral(events: list[EventState]) -> list[dict[str, Any]]:
    return [e.model_dump(mode="json", exclude=PROVIDER_OWN) for e in events]


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_each_provider_keys_its_instances_by_series_and_original_date(provider: str) -> None:
    mapped, series = PROVIDERS[provider]
    events = mapped()
    days = ("20270104", "20270111", "20270118")
    assert [e.id for e in events] == [derived_id("evt", CALENDAR_ID, series, d) for d in days]
    assert [e.is_exception for e in events] == [False, True, False]
    assert events[1].start_time == datetime(2027, 1, 11, 14, tzinfo=UTC)
    assert events[1].original_start_time == datetime(2027, 1, 11, 9, tzinfo=UTC)


def test_the_providers_map_the_same_series_alike() -> None:
    caldav, google, graph = (_neutral(PROVIDERS[p][0]()) for p in ("caldav", "google", "graph"))
    assert caldav == google == graph
