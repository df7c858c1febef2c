"""Google `organizer` and `attendees` to canonical people. Google marks the connected account's
own entries with `self: true`; the account's addresses count too (a copy seen from another
calendar of the account). Room and equipment resources (`resource: true`) are not people.
"""

from __future__ import annotations

from typing import Any

from shared.contracts.events import Attendee, Person, ResponseStatus

_RESPONSES: dict[str, ResponseStatus] = {
    "accepted": "accepted",
    "declined": "declined",
    "tentative": "tentative",
    "needsAction": "needs_action",
}


def organizer_of(event: dict[str, Any], own: frozenset[str]) -> Person | None:
    organizer = event.get("organizer")
    if not isinstance(organizer, dict):
        return None
    email = _email(organizer)
    return Person(email=email, name=_name(organizer), is_self=_is_self(organizer, email, own))


def attendees_of(
    event: dict[str, Any], organizer: Person | None, own: frozenset[str]
) -> tuple[Attendee, ...]:
    organizer_email = organizer.email.lower() if organizer and organizer.email else None
    found = event.get("attendees") or []
    people = [a for a in found if isinstance(a, dict) and not a.get("resource")]
    return tuple(_attendee(a, organizer_email, own) for a in people)


def _attendee(entry: dict[str, Any], organizer_email: str | None, own: frozenset[str]) -> Attendee:
    email = _email(entry)
    is_organizer = bool(entry.get("organizer")) or (
        email is not None and email.lower() == organizer_email
    )
    return Attendee(
        email=email,
        name=_name(entry),
        is_self=_is_self(entry, email, own),
        response_status=_RESPONSES.get(str(entry.get("responseStatus")), "needs_action"),
        is_organizer=is_organizer,
    )


def _email(entry: dict[str, Any]) -> str | None:
    email = entry.get("email")
    return email.strip() or None if isinstance(email, str) else None


def _name(entry: dict[str, Any]) -> str | None:
    name = entry.get("displayName")
    return name.strip() or None if isinstance(name, str) else None


def _is_self(entry: dict[str, Any], email: str | None, own: frozenset[str]) -> bool:
    return entry.get("self") is True or (email is not None and email.lower() in own)
