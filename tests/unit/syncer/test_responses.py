"""Each provider's answers (iCalendar PARTSTAT, Google `responseStatus`, Graph
`status.response`) map to the four canonical response statuses, alike."""

from __future__ import annotations

import json

import pytest

from services.syncer.domain.mapping import map_object
from services.syncer.domain.mapping_context import MappingContext
from shared.contracts.events import Attendee
from shared.contracts.provider import ProviderObject
from tests.unit.syncer.samples import vcalendar

CONTEXT = MappingContext.of("cal_rsvp", None, ["me@example.com"])
GUEST = "guest@example.org"


def _guest(obj: ProviderObject) -> Attendee:
    [event] = map_object(obj, CONTEXT)
    [guest] = [a for a in event.attendees if a.email == GUEST]
    return guest


def _ical(partstat: str | None) -> ProviderObject:
    param = f";PARTSTAT={partstat}" if partstat else ""
    body = "UID:a\nDTSTART:20270310T090000Z\nORGANIZER:mailto:me@example.com\n"
    body += f"ATTENDEE{param}:mailto:{GUEST}"
    return ProviderObject(
        provider_object_id="a.ics", etag=None, format="ical", data=vcalendar(body)
    )


def _google(answer: str | None) -> ProviderObject:
    entry = {"email": GUEST} | ({"responseStatus": answer} if answer else {})
    resource = {
        "id": "a",
        "start": {"dateTime": "2027-03-10T09:00:00Z"},
        "organizer": {"email": "me@example.com", "self": True},
        "attendees": [entry],
    }
    return ProviderObject(
        provider_object_id="a", etag=None, format="google", data=json.dumps(resource)
    )


def _graph(answer: str | None) -> ProviderObject:
    entry: dict[str, object] = {"type": "required", "emailAddress": {"address": GUEST}}
    if answer:
        entry["status"] = {"response": answer, "time": "0001-01-01T00:00:00Z"}
    resource = {
        "id": "a",
        "start": {"dateTime": "2027-03-10T09:00:00.0000000", "timeZone": "UTC"},
        "organizer": {"emailAddress": {"address": "me@example.com"}},
        "isOrganizer": True,
        "attendees": [entry],
    }
    return ProviderObject(
        provider_object_id="a", etag=None, format="graph", data=json.dumps(resource)
    )


@pytest.mark.parametrize(
    ("partstat", "status"),
    [
        ("ACCEPTED", "accepted"),
        ("DECLINED", "declined"),
        ("TENTATIVE", "tentative"),
        ("NEEDS-ACTION", "needs_action"),
        ("needs-action", "needs_action"),
        ("DELEGATED", "needs_action"),
        ("X-UNKNOWN", "needs_action"),
        (None, "needs_action"),  # RFC 5545 §3.2.12 default
    ],
)
def test_icalendar_partstat(partstat: str | None, status: str) -> None:
    assert _guest(_ical(partstat)).response_status == status


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ("accepted", "accepted"),
        ("declined", "declined"),
        ("tentative", "tentative"),
        ("needsAction", "needs_action"),
        ("somethingNew", "needs_action"),
        (None, "needs_action"),
    ],
)
def test_google_response_status(answer: str | None, status: str) -> None:
    assert _guest(_google(answer)).response_status == status


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ("accepted", "accepted"),
        ("organizer", "accepted"),
        ("declined", "declined"),
        ("tentativelyAccepted", "tentative"),
        ("notResponded", "needs_action"),
        ("none", "needs_action"),
        (None, "needs_action"),
    ],
)
def test_graph_response(answer: str | None, status: str) -> None:
    assert _guest(_graph(answer)).response_status == status


def test_graph_takes_the_owners_answer_from_the_event_when_its_entry_has_none() -> None:
    resource = json.loads(_graph("none").data)
    resource["isOrganizer"] = False
    resource["organizer"] = {"emailAddress": {"address": "host@example.org"}}
    resource["attendees"][0]["emailAddress"]["address"] = "Me@Example.com"
    resource["responseStatus"] = {"response": "declined"}
    obj = ProviderObject(
        provider_object_id="a", etag=None, format="graph", data=json.dumps(resource)
    )
    [event] = map_object(obj, CONTEXT)
    [me] = [a for a in event.attendees if a.is_self]
    assert (me.email, me.response_status) == ("me@example.com", "declined")
    assert event.status == "confirmed"
