"""One meeting as CalDAV (an iCalendar VEVENT), Google, Microsoft Graph and (for a Zoom link) the
Zoom API give it must map to the same canonical event: `issues/8` calls any difference a bug.

The meeting: "Quarterly planning", 10:00-11:00 on 10 March 2027 in a named zone (each provider
naming it its own way: IANA, a legacy IANA name, a Windows name), organized by the account
itself, two guests who answered differently (and a room, which is no one), a description
written as plain text by some and as HTML by others, and a Teams, Meet or Zoom link where each
provider puts it. Only the fields listed below may differ, and only for the reasons given.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.syncer.domain.diff import diff_event
from services.syncer.domain.mapping import map_object
from services.syncer.domain.mapping_context import MappingContext
from shared.contracts.events import EventState
from shared.contracts.provider import ProviderObject
from tests.unit.syncer.samples import vcalendar

ME = "ada@example.com"
CONTEXT = MappingContext.of("cal_same", "Europe/London", [ME])

# Every provider names its own objects and keeps its own payload.
PROVIDER_OWN = frozenset({"id", "provider_event_id", "ical_uid", "raw", "raw_truncated"})
# A Zoom meeting has no location, no invitees and no host name (`GET /meetings/{id}`).
ZOOM_HAS_NONE: dict[str, Any] = {"location": True, "attendees": True, "organizer": {"name"}}

PLAIN = "Agenda:\n- Budget & hiring\n- Roadmap\n\nNotes: the doc <https://docs.example.com/q3>"
# RFC 5545 §3.3.11 TEXT escapes.
ICAL_PLAIN = PLAIN.replace(",", "\\,").replace("\n", "\\n")
GOOGLE_HTML = (
    "Agenda:<ul><li>Budget &amp; hiring</li><li>Roadmap</li></ul><br>"
    'Notes: <a href="https://docs.example.com/q3">the doc</a>'
)
OUTLOOK_HTML = (
    '<html>\r\n<head>\r\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    "\r\n<style>p{margin:0}</style>\r\n</head>\r\n<body>\r\n<div>Agenda:</div>\r\n<ul>\r\n"
    "<li>Budget &amp;\r\n  hiring</li>\r\n<li>Roadmap</li>\r\n</ul>\r\n<div><br>\r\n</div>\r\n"
    '<div>Notes: <a href="https://docs.example.com/q3">the doc</a></div>\r\n</body>\r\n</html>'
)


@dataclass(frozen=True)
class Zone:
    canonical: str
    ical: str  # a TZID
    google: str
    graph: str  # `originalStartTimeZone`
    zoom: str
    offset: str  # on 10 March 2027
    utc_start: datetime


ZONES = {
    "berlin": Zone(
        "Europe/Berlin",
        "Europe/Berlin",
        "Europe/Berlin",
        "W. Europe Standard Time",
        "Europe/Berlin",
        "+01:00",
        datetime(2027, 3, 10, 9, tzinfo=UTC),
    ),
    "kolkata": Zone(
        "Asia/Kolkata",
        "Asia/Calcutta",
        "Asia/Kolkata",
        "India Standard Time",  # CLDR: Asia/Calcutta
        "Asia/Calcutta",
        "+05:30",
        datetime(2027, 3, 10, 4, 30, tzinfo=UTC),
    ),
}

TEAMS_URL = "https://teams.microsoft.com/meet/2212345678901?p=QwErTy12"
MEET_URL = "https://meet.google.com/abc-defg-hij"
ZOOM_URL = "https://us02web.zoom.us/j/85551234567?pwd=AbC123xyz.1"


@dataclass(frozen=True)
class Link:
    """Where each provider keeps the meeting's link, and the location that comes with it."""

    url: str
    location: str
    ical_lines: str
    google: dict[str, Any]
    graph: dict[str, Any]


LINKS = {
    "teams": Link(
        TEAMS_URL,
        "Microsoft Teams Meeting",
        f"X-MICROSOFT-SKYPETEAMSMEETINGURL:{TEAMS_URL}",
        {
            "conferenceData": {
                "conferenceSolution": {"key": {"type": "addOn"}, "name": "Microsoft Teams"},
                "entryPoints": [{"entryPointType": "video", "uri": TEAMS_URL}],
            }
        },
        {
            "isOnlineMeeting": True,
            "onlineMeetingProvider": "teamsForBusiness",
            "onlineMeeting": {"joinUrl": TEAMS_URL},
        },
    ),
    "meet": Link(
        MEET_URL,
        MEET_URL,
        f"X-GOOGLE-CONFERENCE:{MEET_URL}",
        {
            "hangoutLink": MEET_URL,
            "conferenceData": {
                "conferenceId": "abc-defg-hij",
                "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
                "entryPoints": [{"entryPointType": "video", "uri": MEET_URL}],
            },
        },
        {},
    ),
    "zoom": Link(
        ZOOM_URL,
        ZOOM_URL,
        "",
        {
            "conferenceData": {
                "conferenceId": "85551234567",
                "conferenceSolution": {"key": {"type": "addOn"}, "name": "Zoom Meeting"},
                "entryPoints": [
                    {"entryPointType": "video", "uri": ZOOM_URL, "meetingCode": "85551234567"}
                ],
            }
        },
        {},
    ),
}


def _ical(zone: Zone, link: Link) -> ProviderObject:
    data = vcalendar(
        f"""
        UID:quarterly@example.com
        DTSTAMP:20270301T120000Z
        DTSTART;TZID={zone.ical}:20270310T100000
        DTEND;TZID={zone.ical}:20270310T110000
        SUMMARY:Quarterly planning
        DESCRIPTION:{ICAL_PLAIN}
        LOCATION:{link.location}
        STATUS:CONFIRMED
        ORGANIZER;CN=Ada Lovelace:mailto:ada@example.com
        ATTENDEE;CN=Ada Lovelace;ROLE=CHAIR;PARTSTAT=ACCEPTED:mailto:ada@example.com
        ATTENDEE;CN=Grace Hopper;PARTSTAT=ACCEPTED:mailto:grace@example.org
        ATTENDEE;PARTSTAT=DECLINED;EMAIL=alan@example.net:urn:uuid:6f1c0d2e-alan
        ATTENDEE;CUTYPE=ROOM;CN=Room 4.12;PARTSTAT=ACCEPTED:mailto:room412@example.com
        {link.ical_lines}
        """
    )
    return ProviderObject(provider_object_id="quarterly.ics", etag=None, format="ical", data=data)


def _google(zone: Zone, link: Link) -> ProviderObject:
    def at(hour: int) -> dict[str, str]:
        return {"dateTime": f"2027-03-10T{hour}:00:00{zone.offset}", "timeZone": zone.google}

    resource = {
        "kind": "calendar#event",
        "id": "q2u7r3l9planning",
        "status": "confirmed",
        "summary": "Quarterly planning",
        "description": GOOGLE_HTML,
        "location": link.location,
        "start": at(10),
        "end": at(11),
        "iCalUID": "q2u7r3l9planning@google.com",
        "organizer": {"email": ME, "displayName": "Ada Lovelace", "self": True},
        "attendees": [
            {
                "email": "grace@example.org",
                "displayName": "Grace Hopper",
                "responseStatus": "accepted",
            },
            {
                "email": ME,
                "displayName": "Ada Lovelace",
                "organizer": True,
                "self": True,
                "responseStatus": "accepted",
            },
            {"email": "alan@example.net", "responseStatus": "declined"},
            {
                "email": "c_1888@resource.calendar.google.com",
                "displayName": "Room 4.12",
                "resource": True,
                "responseStatus": "accepted",
            },
        ],
        **link.google,
    }
    return ProviderObject(
        provider_object_id=resource["id"], etag=None, format="google", data=json.dumps(resource)
    )


def _graph(zone: Zone, link: Link) -> ProviderObject:
    def at(moment: datetime) -> dict[str, str]:
        return {"dateTime": moment.strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}

    def person(name: str, address: str) -> dict[str, Any]:
        return {"emailAddress": {"name": name, "address": address}}

    resource = {
        "id": "AAMkAGQuarterly=",
        "type": "singleInstance",
        "iCalUId": "040000008200E00074C5B7101A82E00800000000QUARTERLY",
        "subject": "Quarterly planning",
        "body": {"contentType": "html", "content": OUTLOOK_HTML},
        "isAllDay": False,
        "isCancelled": False,
        "isOrganizer": True,
        "responseStatus": {"response": "organizer", "time": "0001-01-01T00:00:00Z"},
        "originalStartTimeZone": zone.graph,
        "originalEndTimeZone": zone.graph,
        "start": at(zone.utc_start),
        "end": at(zone.utc_start.replace(hour=zone.utc_start.hour + 1)),
        "location": {"displayName": link.location, "locationType": "default"},
        "organizer": person("Ada Lovelace", "Ada@Example.com"),
        "attendees": [
            {
                "type": "required",
                "status": {"response": "accepted"},
                **person("Grace Hopper", "Grace@Example.org"),
            },
            {
                "type": "optional",
                "status": {"response": "declined"},
                **person("alan@example.net", "alan@example.net"),
            },
            {
                "type": "resource",
                "status": {"response": "accepted"},
                **person("Room 4.12", "room412@example.com"),
            },
        ],
        **link.graph,
    }
    return ProviderObject(
        provider_object_id=resource["id"], etag=None, format="graph", data=json.dumps(resource)
    )


def _zoom(zone: Zone) -> ProviderObject:
    meeting = {
        "uuid": "aBcDeFgHiJkLmNoPqRsTuV==",
        "id": 85551234567,
        "host_id": "z8yAAAAA",
        "host_email": "Ada@example.com",
        "topic": "Quarterly planning",
        "type": 2,
        "start_time": zone.utc_start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "duration": 60,
        "timezone": zone.zoom,
        "agenda": PLAIN,
        "join_url": ZOOM_URL,
    }
    return ProviderObject(
        provider_object_id="85551234567", etag=None, format="zoom", data=json.dumps(meeting)
    )


def _one(obj: ProviderObject) -> EventState:
    [event] = map_object(obj, CONTEXT)
    return event


def _fields(event: EventState, *, also_without: dict[str, Any] | None = None) -> dict[str, Any]:
    return event.model_dump(
        mode="json", exclude=dict.fromkeys(PROVIDER_OWN, True) | (also_without or {})
    )


def _expected(zone: Zone, link: Link) -> dict[str, Any]:
    end = zone.utc_start.replace(hour=zone.utc_start.hour + 1)
    return {
        "calendar_id": "cal_same",
        "series_id": None,
        "is_recurring": False,
        "is_exception": False,
        "original_start_time": None,
        "title": "Quarterly planning",
        "description": PLAIN,
        "description_truncated": False,
        "location": link.location,
        "start_time": zone.utc_start.isoformat().replace("+00:00", "Z"),
        "end_time": end.isoformat().replace("+00:00", "Z"),
        "is_all_day": False,
        "time_zone": zone.canonical,
        "status": "confirmed",
        "is_deleted": False,
        "organizer": {"email": ME, "name": "Ada Lovelace", "is_self": True},
        "attendees": [
            {
                "email": ME,
                "name": "Ada Lovelace",
                "is_self": True,
                "response_status": "accepted",
                "is_organizer": True,
            },
            {
                "email": "alan@example.net",
                "name": None,
                "is_self": False,
                "response_status": "declined",
                "is_organizer": False,
            },
            {
                "email": "grace@example.org",
                "name": "Grace Hopper",
                "is_self": False,
                "response_status": "accepted",
                "is_organizer": False,
            },
        ],
    }


@pytest.mark.parametrize("zone", sorted(ZONES))
@pytest.mark.parametrize("link", sorted(LINKS))
def test_calendar_providers_map_one_meeting_alike(zone: str, link: str) -> None:
    when, where = ZONES[zone], LINKS[link]
    caldav = _fields(_one(_ical(when, where)))
    google = _fields(_one(_google(when, where)))
    graph = _fields(_one(_graph(when, where)))
    meeting = caldav.pop("meeting")
    assert caldav == _expected(when, where)
    assert meeting is not None and meeting["url"] == where.url
    assert google == graph == {**caldav, "meeting": meeting}


@pytest.mark.parametrize("zone", sorted(ZONES))
def test_a_zoom_meeting_maps_like_its_calendar_copies(zone: str) -> None:
    when, where = ZONES[zone], LINKS["zoom"]
    from_zoom = _fields(_one(_zoom(when)), also_without=ZOOM_HAS_NONE)
    for copy in (_ical(when, where), _google(when, where), _graph(when, where)):
        assert _fields(_one(copy), also_without=ZOOM_HAS_NONE) == from_zoom
    assert from_zoom["meeting"]["key"] == "zoom:85551234567"
    assert from_zoom["time_zone"] == when.canonical


def test_an_all_day_event_maps_alike() -> None:
    ical = ProviderObject(
        provider_object_id="offsite.ics",
        etag=None,
        format="ical",
        data=vcalendar(
            "UID:offsite\nDTSTART;VALUE=DATE:20270310\nDTEND;VALUE=DATE:20270312\nSUMMARY:Offsite"
        ),
    )
    google = {"id": "offsite", "summary": "Offsite", "status": "confirmed"}
    google |= {"start": {"date": "2027-03-10"}, "end": {"date": "2027-03-12"}}
    graph = {
        "id": "AAMkOffsite",
        "type": "singleInstance",
        "subject": "Offsite",
        "isAllDay": True,
        "originalStartTimeZone": "W. Europe Standard Time",
        "start": {"dateTime": "2027-03-10T00:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2027-03-12T00:00:00.0000000", "timeZone": "UTC"},
    }
    events = [
        _one(ical),
        _one(
            ProviderObject(
                provider_object_id="offsite", etag=None, format="google", data=json.dumps(google)
            )
        ),
        _one(
            ProviderObject(
                provider_object_id="AAMkOffsite", etag=None, format="graph", data=json.dumps(graph)
            )
        ),
    ]
    fields = [_fields(e) for e in events]
    assert fields[0] == fields[1] == fields[2]
    assert (events[0].start_time, events[0].end_time) == (date(2027, 3, 10), date(2027, 3, 12))
    assert events[0].is_all_day and events[0].time_zone is None


# The calendar owner is invited by Grace and declines: an RSVP of the self attendee, not a
# cancellation (the scheduler decides what a decline means).
def _invited_ical(answer: str, status: str = "CONFIRMED") -> ProviderObject:
    data = vcalendar(
        f"""
        UID:invite@example.org
        DTSTART:20270310T090000Z
        DTEND:20270310T100000Z
        SUMMARY:Review
        STATUS:{status}
        ORGANIZER;CN=Grace Hopper:mailto:grace@example.org
        ATTENDEE;CN=Grace Hopper;PARTSTAT=ACCEPTED:mailto:grace@example.org
        ATTENDEE;CN=Ada Lovelace;PARTSTAT={answer.upper()}:mailto:ada@example.com
        """
    )
    return ProviderObject(provider_object_id="invite.ics", etag=None, format="ical", data=data)


def _invited_google(answer: str) -> ProviderObject:
    resource = {
        "id": "invite",
        "status": "confirmed",
        "summary": "Review",
        "start": {"dateTime": "2027-03-10T09:00:00Z", "timeZone": "UTC"},
        "end": {"dateTime": "2027-03-10T10:00:00Z", "timeZone": "UTC"},
        "organizer": {"email": "grace@example.org", "displayName": "Grace Hopper"},
        "attendees": [
            {
                "email": "grace@example.org",
                "displayName": "Grace Hopper",
                "organizer": True,
                "responseStatus": "accepted",
            },
            {"email": ME, "displayName": "Ada Lovelace", "self": True, "responseStatus": answer},
        ],
    }
    return ProviderObject(
        provider_object_id="invite", etag=None, format="google", data=json.dumps(resource)
    )


GRAPH_ANSWERS = {"needsAction": "notResponded", "tentative": "tentativelyAccepted"}


def _invited_graph(answer: str, cancelled: bool = False) -> ProviderObject:
    resource = {
        "id": "AAMkInvite",
        "type": "singleInstance",
        "subject": "Review",
        "isCancelled": cancelled,
        "isOrganizer": False,
        "responseStatus": {"response": GRAPH_ANSWERS.get(answer, answer)},
        "originalStartTimeZone": "UTC",
        "start": {"dateTime": "2027-03-10T09:00:00.0000000", "timeZone": "UTC"},
        "end": {"dateTime": "2027-03-10T10:00:00.0000000", "timeZone": "UTC"},
        "organizer": {"emailAddress": {"name": "Grace Hopper", "address": "grace@example.org"}},
        "attendees": [
            {
                "type": "required",
                "status": {"response": "none"},
                "emailAddress": {"name": "Ada Lovelace", "address": ME},
            },
        ],
    }
    return ProviderObject(
        provider_object_id="AAMkInvite", etag=None, format="graph", data=json.dumps(resource)
    )


INVITED = {
    "caldav": lambda answer: _invited_ical({"needsAction": "needs-action"}.get(answer, answer)),
    "google": _invited_google,
    "graph": _invited_graph,
}


@pytest.mark.parametrize("provider", sorted(INVITED))
def test_the_owner_declining_is_an_update_of_its_own_answer_not_a_cancellation(
    provider: str,
) -> None:
    invited = _one(INVITED[provider]("needsAction"))
    declined = _one(INVITED[provider]("declined"))
    assert declined.status == "confirmed"
    [me] = [a for a in declined.attendees if a.is_self]
    assert (me.email, me.response_status, me.is_organizer) == (ME, "declined", False)
    change = diff_event(invited, declined)
    assert change is not None
    assert (change.change_type, change.changed_fields) == ("updated", ("attendees",))


def test_the_invitation_and_the_decline_map_alike_from_every_calendar_provider() -> None:
    for answer in ("needsAction", "accepted", "tentative", "declined"):
        fields = [_fields(_one(invited(answer))) for invited in INVITED.values()]
        assert fields[0] == fields[1] == fields[2], answer


def test_a_cancellation_by_the_organizer_is_a_cancellation() -> None:
    for cancelled in (
        _one(_invited_ical("accepted", "CANCELLED")),
        _one(_invited_graph("accepted", True)),
    ):
        change = diff_event(_one(_invited_ical("accepted")), cancelled)
        assert change is not None and change.change_type == "cancelled"
