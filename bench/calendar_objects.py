"""Provider objects for the mapping benchmark (targets.md M8), as the connector hands them to
the syncer: iCalendar resources (CalDAV), Google event resources and Graph events, in the
shapes real calendars hold (one-off meetings, weekly series, Meet and Teams invitations) and
in hostile shapes (explosive rules, 10 MB descriptions, deep HTML, huge lists)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.meeting_links import AGENDA, MEET_HTML, TEAMS_HTML, ZOOM_INVITATION
from services.connector.domain.window import day_bounds
from shared.contracts.connections import SyncWindow
from shared.contracts.provider import ProviderObject

TODAY = date(2030, 1, 7)  # a Monday; the default window: 1 day back, 90 days ahead
WINDOW_START, WINDOW_END = day_bounds(SyncWindow(), TODAY)
CALENDAR_ZONE = "Europe/Berlin"
OWNER = "ada@example.com"
TEN_MB = 10 * 1024 * 1024
# A description the connector can still publish (objects over `paging.MAX_OBJECT_BYTES`,
# 900 KB as JSON, are set aside and never reach the syncer), so the largest one it maps.
DELIVERABLE = 700 * 1024


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def vcalendar(*vevents: list[str]) -> str:
    """A VCALENDAR of VEVENTs (each its property lines), lines folded at 75 octets."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//rollcall//bench//EN"]
    for body in vevents:
        lines += ["BEGIN:VEVENT", *(_fold(line) for line in body), "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def _fold(line: str) -> str:
    """RFC 5545 §3.1 folding (ASCII content here, so characters are octets)."""
    if len(line) <= 75:
        return line
    parts = [line[:75], *(line[i : i + 74] for i in range(75, len(line), 74))]
    return "\r\n ".join(parts)


def escaped(text: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11)."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ical_vevent(n: int, *, rule: str | None = None, start: datetime | None = None) -> list[str]:
    """A Zoom meeting with two attendees, or (with `rule`) a series of it."""
    begins = start or datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(hours=9 + n % 8)
    lines = [
        f"UID:bench-{n}@example.com",
        "DTSTAMP:20291220T090000Z",
        f"DTSTART:{_stamp(begins)}",
        f"DTEND:{_stamp(begins + timedelta(minutes=30))}",
        f"SUMMARY:Planning {n}",
        "LOCATION:Zoom",
        f"DESCRIPTION:{escaped(ZOOM_INVITATION)}",
        "ORGANIZER;CN=Bob:mailto:bob@example.org",
        "ATTENDEE;PARTSTAT=ACCEPTED;CN=Bob:mailto:bob@example.org",
        f"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:{OWNER}",
    ]
    return [*lines, f"RRULE:{rule}"] if rule else lines


def google_event(n: int, *, instance: bool = False, **fields: Any) -> dict[str, Any]:
    """A Google Meet meeting as `events.list` (singleEvents=true) gives it; with `instance`,
    one instance of a weekly series."""
    day = TODAY + timedelta(days=n % 60)
    start = f"{day.isoformat()}T{9 + n % 8:02d}:00:00+01:00"
    end = f"{day.isoformat()}T{9 + n % 8:02d}:30:00+01:00"
    event_id = f"g{n:07d}"
    event: dict[str, Any] = {
        "kind": "calendar#event",
        "etag": f'"34123456789{n:05d}"',
        "id": event_id,
        "status": "confirmed",
        "created": "2029-12-02T09:12:44.000Z",
        "updated": "2029-12-03T10:01:02.345Z",
        "summary": f"Roadmap review {n}",
        "description": MEET_HTML if n % 2 else AGENDA,
        "creator": {"email": OWNER, "self": True},
        "organizer": {"email": OWNER, "self": True},
        "start": {"dateTime": start, "timeZone": CALENDAR_ZONE},
        "end": {"dateTime": end, "timeZone": CALENDAR_ZONE},
        "iCalUID": f"{event_id}@google.com",
        "attendees": [
            {"email": OWNER, "organizer": True, "self": True, "responseStatus": "accepted"},
            {"email": "grace@example.org", "displayName": "Grace", "responseStatus": "tentative"},
            {"email": "alan@example.org", "responseStatus": "needsAction"},
        ],
        "hangoutLink": "https://meet.google.com/abc-defg-hij",
        "conferenceData": {
            "entryPoints": [
                {"entryPointType": "video", "uri": "https://meet.google.com/abc-defg-hij"}
            ],
            "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
            "conferenceId": "abc-defg-hij",
        },
        "reminders": {"useDefault": True},
        "eventType": "default",
    }
    if instance:
        event["id"] = f"s{n % 50:05d}_{day.strftime('%Y%m%d')}T080000Z"
        event["recurringEventId"] = f"s{n % 50:05d}"
        event["originalStartTime"] = event["start"]
        event["iCalUID"] = f"s{n % 50:05d}@google.com"
    return {**event, **fields}


def graph_event(n: int, *, occurrence: bool = False, **fields: Any) -> dict[str, Any]:
    """A Teams meeting as `calendarView/delta` gives it (an Outlook HTML body); with
    `occurrence`, an occurrence of a series merged onto its master."""
    day = TODAY + timedelta(days=n % 60)
    event: dict[str, Any] = {
        "id": f"AAMkAD{n:08d}",
        "iCalUId": f"040000008200E00074C5B7101A82E008{n:08d}",
        "subject": f"Support standup {n}",
        "isAllDay": False,
        "isCancelled": False,
        "isOrganizer": False,
        "seriesMasterId": f"AAMkADmaster{n % 50:04d}" if occurrence else None,
        "type": "occurrence" if occurrence else "singleInstance",
        "originalStartTimeZone": "W. Europe Standard Time",
        "body": {"contentType": "html", "content": TEAMS_HTML},
        "start": {"dateTime": f"{day.isoformat()}T08:30:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": f"{day.isoformat()}T09:00:00.0000000", "timeZone": "UTC"},
        "location": {"displayName": "Microsoft Teams Meeting", "locationType": "default"},
        "locations": [],
        "attendees": [
            {
                "type": "required",
                "status": {"response": "accepted", "time": "0001-01-01T00:00:00Z"},
                "emailAddress": {"name": "Ada", "address": OWNER},
            },
            {
                "type": "optional",
                "status": {"response": "none", "time": "0001-01-01T00:00:00Z"},
                "emailAddress": {"name": "Grace Hopper", "address": "grace@example.com"},
            },
        ],
        "organizer": {"emailAddress": {"name": "Bob", "address": "bob@example.org"}},
        "onlineMeeting": {"joinUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x"},
    }
    return {**event, **fields}


def ical(object_id: str, data: str) -> ProviderObject:
    return ProviderObject(provider_object_id=object_id, etag='"1"', format="ical", data=data)


def google(event: dict[str, Any]) -> ProviderObject:
    return ProviderObject(
        provider_object_id=event["id"], etag=event["etag"], format="google", data=json.dumps(event)
    )


def graph(event: dict[str, Any]) -> ProviderObject:
    return ProviderObject(
        provider_object_id=event["id"], etag=None, format="graph", data=json.dumps(event)
    )


@dataclass(frozen=True)
class Kind:
    """A kind of benign object and its share of a work calendar (of every 20 objects)."""

    name: str
    build: Callable[[int], ProviderObject]
    share: int


BENIGN: list[Kind] = [
    Kind("google one-off, meet", lambda n: google(google_event(n)), 6),
    Kind("google weekly instance", lambda n: google(google_event(n, instance=True)), 4),
    Kind("graph one-off, teams html", lambda n: graph(graph_event(n)), 3),
    Kind("graph occurrence, teams html", lambda n: graph(graph_event(n, occurrence=True)), 2),
    Kind("ical one-off, zoom", lambda n: ical(f"{n}.ics", vcalendar(ical_vevent(n))), 3),
    Kind(
        "ical weekly series, 13 in window",
        lambda n: ical(f"{n}.ics", vcalendar(ical_vevent(n, rule="FREQ=WEEKLY;BYDAY=MO"))),
        2,
    ),
]
