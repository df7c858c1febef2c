"""Graph `organizer` and `attendees` (`{emailAddress: {name, address}}`, attendees with `type`
and `status.response`) to canonical people, under the rules every provider shares (`people`:
Graph never lists the organizer among the attendees, so it is added there). Rooms and
equipment (`type: resource`) are not people. The mailbox owner is the organizer when
`isOrganizer`, and an attendee by address; its own answer is the event's `responseStatus`
when its attendee entry has none.
"""

from __future__ import annotations

from typing import Any

from services.syncer.domain import people
from shared.contracts.events import Attendee, Person, ResponseStatus

_RESPONSES: dict[str, ResponseStatus] = {
    "accepted": "accepted",
    "organizer": "accepted",
    "tentativelyAccepted": "tentative",
    "declined": "declined",
    "notResponded": "needs_action",
    "none": "needs_action",
}
_UNANSWERED = (None, "none", "notResponded")


def organizer_of(event: dict[str, Any], own: frozenset[str]) -> Person | None:
    organizer = event.get("organizer")
    found = organizer.get("emailAddress") if isinstance(organizer, dict) else None
    if not isinstance(found, dict):
        return None
    email = people.address(found.get("address"))
    is_self = event.get("isOrganizer") is True or (email is not None and email in own)
    return people.person(email, found.get("name"), is_self)


def attendees_of(
    event: dict[str, Any], organizer: Person | None, own: frozenset[str]
) -> tuple[Attendee, ...]:
    found = event.get("attendees")
    entries = [a for a in found if isinstance(a, dict)] if isinstance(found, list) else []
    own_answer = _response(event.get("responseStatus"))
    listed = [_attendee(a, own, own_answer) for a in entries if a.get("type") != "resource"]
    return people.attendee_list(organizer, listed)


def _attendee(entry: dict[str, Any], own: frozenset[str], own_answer: str | None) -> Attendee:
    found = entry.get("emailAddress")
    address = found if isinstance(found, dict) else {}
    email = people.address(address.get("address"))
    is_self = email is not None and email in own
    answer = _response(entry.get("status"))
    if is_self and answer in _UNANSWERED:
        answer = own_answer
    return people.attendee(
        email,
        address.get("name"),
        is_self=is_self,
        response_status=_RESPONSES.get(answer or "", "needs_action"),
    )


def _response(status: Any) -> str | None:
    response = status.get("response") if isinstance(status, dict) else None
    return response if isinstance(response, str) else None
