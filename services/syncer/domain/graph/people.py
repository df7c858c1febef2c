"""Graph `organizer` and `attendees` (`{emailAddress: {name, address}}`, attendees with `type`
and `status.response`) to canonical people. Rooms and equipment (`type: resource`) are not
people. The mailbox owner is the organizer when `isOrganizer`, and an attendee by address; its
own answer is the event's `responseStatus` when its attendee entry has none.
"""

from __future__ import annotations

from typing import Any

from shared.contracts.events import Attendee, Person, ResponseStatus

_RESPONSES: dict[str, ResponseStatus] = {
    "accepted": "accepted",
    "organizer": "accepted",
    "tentativelyAccepted": "tentative",
    "declined": "declined",
    "notResponded": "needs_action",
    "none": "needs_action",
}


def organizer_of(event: dict[str, Any], own: frozenset[str]) -> Person | None:
    organizer = event.get("organizer")
    address = organizer.get("emailAddress") if isinstance(organizer, dict) else None
    if not isinstance(address, dict):
        return None
    email = _email(address)
    is_self = event.get("isOrganizer") is True or (email is not None and email.lower() in own)
    return Person(email=email, name=_name(address), is_self=is_self)


def attendees_of(
    event: dict[str, Any], organizer: Person | None, own: frozenset[str]
) -> tuple[Attendee, ...]:
    organizer_email = organizer.email.lower() if organizer and organizer.email else None
    found = event.get("attendees")
    entries = [a for a in found if isinstance(a, dict)] if isinstance(found, list) else []
    own_answer = _response(event.get("responseStatus"))
    return tuple(
        _attendee(entry, organizer_email, own, own_answer)
        for entry in entries
        if entry.get("type") != "resource"
    )


def _attendee(
    entry: dict[str, Any], organizer_email: str | None, own: frozenset[str], own_answer: str | None
) -> Attendee:
    address = entry.get("emailAddress")
    address = address if isinstance(address, dict) else {}
    email = _email(address)
    is_self = email is not None and email.lower() in own
    answer = _response(entry.get("status"))
    if is_self and answer in (None, "none", "notResponded"):
        answer = own_answer
    return Attendee(
        email=email,
        name=_name(address),
        is_self=is_self,
        response_status=_RESPONSES.get(answer or "", "needs_action"),
        is_organizer=email is not None and email.lower() == organizer_email,
    )


def _response(status: Any) -> str | None:
    response = status.get("response") if isinstance(status, dict) else None
    return response if isinstance(response, str) else None


def _email(address: dict[str, Any]) -> str | None:
    email = address.get("address")
    return email.strip() or None if isinstance(email, str) else None


def _name(address: dict[str, Any]) -> str | None:
    name = address.get("name")
    return name.strip() or None if isinstance(name, str) else None
