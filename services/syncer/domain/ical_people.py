"""ORGANIZER and ATTENDEE properties to canonical people (RFC 5545 §3.8.4.1, §3.8.4.3).

`is_self` marks the connected account's own addresses (for CalDAV, the principal's
calendar-user addresses), compared case-insensitively and without the `mailto:` scheme.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from icalendar import Component

from services.syncer.domain import ical_props
from shared.contracts.events import Attendee, Person, ResponseStatus

_MAILTO = "mailto:"
_RESPONSES: dict[str, ResponseStatus] = {
    "ACCEPTED": "accepted",
    "DECLINED": "declined",
    "TENTATIVE": "tentative",
    "NEEDS-ACTION": "needs_action",
}


def normalize_address(value: str) -> str:
    """The address without surrounding blanks and without a `mailto:` scheme (any case)."""
    value = value.strip()
    if value[: len(_MAILTO)].lower() == _MAILTO:
        value = value[len(_MAILTO) :].strip()
    return value


def own_addresses(addresses: Iterable[str]) -> frozenset[str]:
    """The account's addresses in the form `is_self` compares against."""
    return frozenset(normalize_address(a).lower() for a in addresses if a.strip())


def organizer_of(vevent: Component, own: frozenset[str]) -> Person | None:
    prop = ical_props.single(vevent, "ORGANIZER")
    if prop is None:
        return None
    email = _email(prop)
    return Person(email=email, name=_name(prop), is_self=_is_own(email, own))


def attendees_of(
    vevent: Component, organizer: Person | None, own: frozenset[str]
) -> tuple[Attendee, ...]:
    organizer_email = organizer.email.lower() if organizer and organizer.email else None
    props = ical_props.every(vevent, "ATTENDEE")
    return tuple(_attendee(prop, organizer_email, own) for prop in props)


def _attendee(prop: Any, organizer_email: str | None, own: frozenset[str]) -> Attendee:
    email = _email(prop)
    partstat = (ical_props.param(prop, "PARTSTAT") or "").upper()
    return Attendee(
        email=email,
        name=_name(prop),
        is_self=_is_own(email, own),
        response_status=_RESPONSES.get(partstat, "needs_action"),
        is_organizer=email is not None and email.lower() == organizer_email,
    )


def _email(prop: Any) -> str | None:
    return normalize_address(str(prop)) or None


def _name(prop: Any) -> str | None:
    name = (ical_props.param(prop, "CN") or "").strip()
    return name or None


def _is_own(email: str | None, own: frozenset[str]) -> bool:
    return email is not None and email.lower() in own
