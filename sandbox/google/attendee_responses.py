"""What an invited attendee may write on their copy of an event: their own `responseStatus`.

Any other shared property in the body that differs from the copy is a 403
`forbiddenForNonOrganizer`, as Google answers. Read-only fields a client echoes back (`etag`,
`organizer`, ...) are ignored, so a PUT of the resource as read works.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sandbox.google import editing, errors, resources
from sandbox.google.store import Calendar, StoredEvent
from sandbox.google.times import parse_event_time

_READ_ONLY = frozenset(
    (
        "kind",
        "etag",
        "id",
        "htmlLink",
        "created",
        "updated",
        "creator",
        "organizer",
        "iCalUID",
        "sequence",
        "hangoutLink",
        "recurringEventId",
        "originalStartTime",
    )
)
_TIMES = ("start", "end")


def requested_response(copy: StoredEvent, calendar: Calendar, body: Any) -> str | None:
    """The response the attendee (`calendar`'s owner) sets, or None if the body changes nothing;
    403 if it changes anything else."""
    if not isinstance(body, dict):
        raise errors.GoogleApiError(400, "parseError", "Parse Error")
    shown = resources.event_resource(copy, calendar)
    response = None
    for key, value in body.items():
        if key in _READ_ONLY:
            continue
        if key == "attendees":
            response = _own_response(shown.get("attendees", []), value, calendar.id)
        elif key in _TIMES:
            if _instant(value, key, calendar) != _instant(shown[key], key, calendar):
                raise errors.forbidden_for_non_organizer()
        elif value != shown.get(key):
            raise errors.forbidden_for_non_organizer()
    return response


def with_response(event: StoredEvent, email: str, response: str) -> StoredEvent:
    """`event` with `email`'s attendee entry answering `response` (nothing else changes)."""
    attendees = [
        dict(a, responseStatus=response) if str(a["email"]).lower() == email.lower() else a
        for a in event.fields.get("attendees", [])
    ]
    fields = dict(event.fields, attendees=attendees)
    return dataclasses.replace(event, fields=fields, rendered=None, search_text=None)


def _own_response(current: list[dict[str, Any]], value: Any, email: str) -> str | None:
    """Attendees as written must be the same people with the same answers, but for `email`'s."""
    if not isinstance(value, list) or not all(isinstance(a, dict) for a in value):
        raise errors.bad_request("Invalid value for attendees.")
    before = {str(a["email"]).lower(): a for a in current}
    after = {str(a.get("email", "")).lower(): a for a in value}
    if before.keys() != after.keys():
        raise errors.forbidden_for_non_organizer()
    response = None
    for key, attendee in after.items():
        given = attendee.get("responseStatus")
        if key == email.lower():
            if given is not None and given not in editing.RESPONSE_STATUSES:
                raise errors.bad_request(f"Invalid attendee responseStatus: {given}")
            response = given
        elif given is not None and given != before[key]["responseStatus"]:
            raise errors.forbidden_for_non_organizer()
    return response


def _instant(value: Any, key: str, calendar: Calendar) -> tuple[bool, float]:
    when = parse_event_time(value, key)
    return when.all_day, when.instant(calendar.zone).timestamp()
