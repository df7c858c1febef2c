"""Organizer and attendee rules of the iCalendar mapping."""

from __future__ import annotations

from services.syncer.domain.ical_people import normalize_address, own_addresses
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


def test_organizer_email_drops_mailto_and_name_comes_from_cn() -> None:
    event = map_one(BODY, account_addresses=("me@example.org",))
    assert event.organizer is not None
    assert event.organizer.email == "Alex.Lee@Example.com"
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
    assert normalize_address(" MailTo:a@b.c ") == "a@b.c"
    assert normalize_address("a@b.c") == "a@b.c"
    assert own_addresses(["mailto:A@B.C", " ", "x@y.z"]) == frozenset({"a@b.c", "x@y.z"})
