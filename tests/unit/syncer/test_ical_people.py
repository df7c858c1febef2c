"""Organizer and attendee rules of the iCalendar mapping."""

from __future__ import annotations

from services.syncer.domain.people import address, own_addresses
from tests.unit.syncer.samples import map_one

BODY = """
    UID:a
    DTSTART:20240701T090000Z
    ORGANIZER;CN="Lee, Alex":MAILTO:Alex.Lee@Example.com
    ATTENDEE;CN="Lee, Alex";PARTSTAT=ACCEPTED:mailto:alex.lee@example.com
    ATTENDEE;CN=Me;PARTSTAT=TENTATIVE:mailto:me@example.org
    ATTENDEE;PARTSTAT=DECLINED:mailto:no@example.net
    ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:later@example.net
    ATTENDEE;PARTSTAT=DELEGATED:mailto:delegated@example.net
    ATTENDEE:mailto:silent@example.net
"""


def test_organizer_email_drops_mailto_is_lower_case_and_name_comes_from_cn() -> None:
    event = map_one(BODY, account_addresses=("me@example.org",))
    assert event.organizer is not None
    assert event.organizer.email == "alex.lee@example.com"
    assert event.organizer.name == "Lee, Alex"
    assert event.organizer.is_self is False


def test_attendee_partstat_maps_to_response_status() -> None:
    event = map_one(BODY)
    statuses = {a.email: a.response_status for a in event.attendees}
    assert statuses == {
        "alex.lee@example.com": "accepted",
        "me@example.org": "tentative",
        "no@example.net": "declined",
        "later@example.net": "needs_action",
        "delegated@example.net": "needs_action",
        "silent@example.net": "needs_action",
    }


def test_attendee_is_organizer_when_addresses_match_ignoring_case() -> None:
    event = map_one(BODY)
    assert [a.email for a in event.attendees if a.is_organizer] == ["alex.lee@example.com"]


def test_is_self_matches_account_addresses_ignoring_case_and_mailto() -> None:
    event = map_one(
        BODY, account_addresses=("MAILTO:ME@example.org", "mailto:alex.LEE@example.com")
    )
    assert event.organizer is not None and event.organizer.is_self is True
    assert {a.email for a in event.attendees if a.is_self} == {
        "alex.lee@example.com",
        "me@example.org",
    }


def test_event_without_organizer_or_attendees() -> None:
    event = map_one("UID:a\nDTSTART:20240701T090000Z")
    assert event.organizer is None
    assert event.attendees == ()


def test_single_attendee_is_a_list_of_one() -> None:
    event = map_one("UID:a\nDTSTART:20240701T090000Z\nATTENDEE;CN=Solo:mailto:solo@example.com")
    assert [(a.email, a.name) for a in event.attendees] == [("solo@example.com", "Solo")]


def test_address_normalisation() -> None:
    assert address(" MailTo:A@b.c ") == "a@b.c"
    assert address("a@b.c") == "a@b.c"
    assert address("  ") is None and address(None) is None
    assert own_addresses(["mailto:A@B.C", " ", "x@y.z"]) == frozenset({"a@b.c", "x@y.z"})


def test_a_uri_address_takes_the_email_parameter_and_is_self_by_either() -> None:
    body = """
        UID:a
        DTSTART:20240701T090000Z
        ORGANIZER;CN=Me;EMAIL=me@icloud.com:urn:uuid:0A1B-me
        ATTENDEE;CN=Me;EMAIL=me@icloud.com;PARTSTAT=ACCEPTED:urn:uuid:0A1B-me
        ATTENDEE;PARTSTAT=DECLINED:/1234/principal/
        ATTENDEE;CN=Bo;EMAIL=Bo@Example.net:urn:uuid:22-bo
    """
    event = map_one(body, account_addresses=("urn:uuid:0a1b-me",))
    assert event.organizer is not None
    assert (event.organizer.email, event.organizer.is_self) == ("me@icloud.com", True)
    assert [(a.email, a.is_self, a.is_organizer) for a in event.attendees] == [
        ("me@icloud.com", True, True),
        ("bo@example.net", False, False),
        (None, False, False),
    ]


def test_rooms_and_resources_are_not_attendees() -> None:
    body = """
        UID:a
        DTSTART:20240701T090000Z
        ORGANIZER:mailto:me@example.org
        ATTENDEE;CUTYPE=ROOM;CN=Room 1:mailto:room1@example.org
        ATTENDEE;CUTYPE=resource;CN=Projector:mailto:beamer@example.org
        ATTENDEE;CUTYPE=GROUP:mailto:team@example.org
        ATTENDEE;CUTYPE=INDIVIDUAL:mailto:you@example.org
    """
    emails = [a.email for a in map_one(body).attendees]
    assert emails == ["me@example.org", "team@example.org", "you@example.org"]


def test_the_organizer_missing_from_the_attendees_is_added_and_a_repeat_dropped() -> None:
    body = """
        UID:a
        DTSTART:20240701T090000Z
        ORGANIZER;CN=Erin:mailto:erin@example.org
        ATTENDEE;PARTSTAT=DECLINED:mailto:you@example.org
        ATTENDEE;PARTSTAT=ACCEPTED:mailto:YOU@example.org
    """
    attendees = map_one(body).attendees
    assert [(a.email, a.name, a.response_status, a.is_organizer) for a in attendees] == [
        ("erin@example.org", "Erin", "accepted", True),
        ("you@example.org", None, "declined", False),
    ]
