"""The canonical people rules every provider's mapping applies."""

from __future__ import annotations

from services.syncer.domain import people
from shared.contracts.events import Attendee, Person

ORGANIZER = Person(email="ada@example.com", name="Ada", is_self=True)


def _guest(email: str | None, **fields: object) -> Attendee:
    values: dict[str, object] = {
        "email": email,
        "name": None,
        "is_self": False,
        "response_status": "needs_action",
        "is_organizer": False,
    }
    return Attendee.model_validate(values | fields)


def test_addresses_are_lower_case_without_mailto() -> None:
    assert people.address(" MAILTO: Ada@Example.COM ") == "ada@example.com"
    assert people.address("urn:uuid:ABC") == "urn:uuid:abc"
    assert people.address("") is None and people.address(3) is None
    assert people.own_addresses(["mailto:A@B.C", " ", "x@y.z"]) == {"a@b.c", "x@y.z"}


def test_a_name_that_is_only_the_address_is_no_name() -> None:
    assert people.display_name("Ada@example.com", "ada@example.com") is None
    assert people.display_name(" 'Ada' ", "ada@example.com") == "'Ada'"
    assert people.display_name("  ", None) is None
    assert people.display_name("ada@example.com", None) == "ada@example.com"


def test_the_organizer_is_added_first_and_accepted_when_a_provider_leaves_it_out() -> None:
    listed = people.attendee_list(ORGANIZER, [_guest("zed@example.org"), _guest("bob@example.org")])
    assert [a.email for a in listed] == ["ada@example.com", "bob@example.org", "zed@example.org"]
    assert listed[0] == Attendee(
        email="ada@example.com",
        name="Ada",
        is_self=True,
        response_status="accepted",
        is_organizer=True,
    )


def test_the_organizers_own_entry_is_kept_and_marked() -> None:
    own = _guest("ada@example.com", response_status="tentative")
    [first, _] = people.attendee_list(ORGANIZER, [_guest("bob@example.org"), own])
    assert (first.email, first.response_status, first.is_organizer, first.is_self) == (
        "ada@example.com",
        "tentative",
        True,
        True,
    )


def test_nobody_but_the_organizer_invited_is_no_attendees() -> None:
    assert people.attendee_list(ORGANIZER, [_guest("ada@example.com")]) == ()
    assert people.attendee_list(ORGANIZER, []) == ()
    assert people.attendee_list(None, []) == ()


def test_an_address_listed_twice_keeps_its_first_entry() -> None:
    listed = people.attendee_list(
        None,
        [
            _guest("bob@example.org", response_status="declined"),
            _guest("bob@example.org"),
            _guest(None),
            _guest(None),
        ],
    )
    assert [(a.email, a.response_status) for a in listed] == [
        ("bob@example.org", "declined"),
        (None, "needs_action"),
        (None, "needs_action"),
    ]


def test_the_order_a_provider_lists_attendees_in_does_not_matter() -> None:
    guests = [_guest("c@x.org"), _guest("a@x.org"), _guest("b@x.org")]
    assert people.attendee_list(ORGANIZER, guests) == people.attendee_list(
        ORGANIZER, list(reversed(guests))
    )
