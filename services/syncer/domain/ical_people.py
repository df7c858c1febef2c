"""ORGANIZER and ATTENDEE properties to canonical people (RFC 5545 §3.8.4.1, §3.8.4.3), under
the rules every provider shares (`people`).

The address is the `mailto:` value, else the `EMAIL` parameter (RFC 6638 §7.1: servers such
as iCloud write `urn:uuid:` or principal URLs as the value). `is_self` marks the connected
account's own addresses (for CalDAV, the principal's calendar-user addresses, which may be
such URIs too). Rooms and resources (`CUTYPE=ROOM|RESOURCE`) are not people.
"""

from __future__ import annotations

from typing import Any

from icalendar import Component

from services.syncer.domain import ical_props, people
from shared.contracts.events import Attendee, Person, ResponseStatus

_RESPONSES: dict[str, ResponseStatus] = {
    "ACCEPTED": "accepted",
    "DECLINED": "declined",
    "TENTATIVE": "tentative",
    "NEEDS-ACTION": "needs_action",
}
_NOT_PEOPLE = frozenset({"ROOM", "RESOURCE"})


def organizer_of(vevent: Component, own: frozenset[str]) -> Person | None:
    prop = ical_props.single(vevent, "ORGANIZER")
    if prop is None:
        return None
    return people.person(_email(prop), ical_props.param(prop, "CN"), _is_own(prop, own))


def attendees_of(
    vevent: Component, organizer: Person | None, own: frozenset[str]
) -> tuple[Attendee, ...]:
    props = ical_props.every(vevent, "ATTENDEE")
    found = [_attendee(prop, own) for prop in props if _is_person(prop)]
    return people.attendee_list(organizer, found)


def _attendee(prop: Any, own: frozenset[str]) -> Attendee:
    # RFC 5545 §3.2.12: NEEDS-ACTION by default; DELEGATED (and any other) as not answered.
    partstat = (ical_props.param(prop, "PARTSTAT") or "").strip().upper()
    return people.attendee(
        _email(prop),
        ical_props.param(prop, "CN"),
        is_self=_is_own(prop, own),
        response_status=_RESPONSES.get(partstat, "needs_action"),
    )


def _is_person(prop: Any) -> bool:
    return (ical_props.param(prop, "CUTYPE") or "").strip().upper() not in _NOT_PEOPLE


def _email(prop: Any) -> str | None:
    value = str(prop).strip()
    if value[:7].lower() == "mailto:" or ("@" in value and ":" not in value):
        return people.address(value)
    return people.address(ical_props.param(prop, "EMAIL"))


def _is_own(prop: Any, own: frozenset[str]) -> bool:
    email = _email(prop)
    return (email is not None and email in own) or people.address(str(prop)) in own
