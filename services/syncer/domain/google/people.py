"""Google `organizer` and `attendees` to canonical people, under the rules every provider
shares (`people`). Google marks the connected account's own entries with `self: true`; the
account's addresses count too (a copy seen from another calendar of the account). Room and
equipment resources (`resource: true`) are not people.
"""

from __future__ import annotations

from typing import Any

from services.syncer.domain import people
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
    email = people.address(organizer.get("email"))
    return people.person(email, organizer.get("displayName"), _is_self(organizer, email, own))


def attendees_of(
    event: dict[str, Any], organizer: Person | None, own: frozenset[str]
) -> tuple[Attendee, ...]:
    found = event.get("attendees")
    entries = found if isinstance(found, list) else []
    persons = [a for a in entries if isinstance(a, dict) and not a.get("resource")]
    return people.attendee_list(organizer, [_attendee(a, own) for a in persons])


def _attendee(entry: dict[str, Any], own: frozenset[str]) -> Attendee:
    email = people.address(entry.get("email"))
    return people.attendee(
        email,
        entry.get("displayName"),
        is_self=_is_self(entry, email, own),
        response_status=_RESPONSES.get(str(entry.get("responseStatus")), "needs_action"),
        is_organizer=entry.get("organizer") is True,
    )


def _is_self(entry: dict[str, Any], email: str | None, own: frozenset[str]) -> bool:
    return entry.get("self") is True or (email is not None and email in own)
