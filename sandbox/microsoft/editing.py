"""How request bodies become stored events: create, and patch (merge), validated once for both.

Computed properties (organizer, attendee status, `onlineMeeting`, change keys, `iCalUId`) are set
here from the mailbox the event lives in. Unknown properties answer OData's 400, as Graph does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sandbox.microsoft import errors, identifiers, recurrence, resources, teams, times
from sandbox.microsoft.store import StoredEvent

# Stored and returned as written (after a type check).
PASSTHROUGH: dict[str, type | tuple[type, ...]] = {
    "subject": str,
    "categories": list,
    "importance": str,
    "sensitivity": str,
    "showAs": str,
    "isReminderOn": bool,
    "reminderMinutesBeforeStart": int,
    "responseRequested": bool,
    "allowNewTimeProposals": bool,
    "hideAttendees": bool,
    "transactionId": str,
    "locations": list,
}
COMPUTED = ("body", "location", "attendees", "onlineMeetingProvider")
TIMED = ("start", "end", "isAllDay", "recurrence", "isOnlineMeeting")
# Read-only properties a client may echo back; Graph ignores them.
READ_ONLY = frozenset(
    {
        "id",
        "createdDateTime",
        "lastModifiedDateTime",
        "changeKey",
        "iCalUId",
        "type",
        "seriesMasterId",
        "originalStart",
        "originalStartTimeZone",
        "originalEndTimeZone",
        "webLink",
        "isOrganizer",
        "organizer",
        "isCancelled",
        "responseStatus",
        "bodyPreview",
        "hasAttachments",
        "onlineMeeting",
        "onlineMeetingUrl",
        "isDraft",
    }
)
ATTENDEE_TYPES = ("required", "optional", "resource")


@dataclass(frozen=True)
class Mailbox:
    """Whose calendar is written, and when."""

    email: str
    now: datetime


def new_event(
    mailbox: Mailbox, calendar_id: str, body: Any, basis: str | None = None
) -> StoredEvent:
    """A single instance or series master from a create request."""
    body = _object(body)
    if "start" not in body or "end" not in body:
        raise errors.bad_request("Your request can't be completed. Start and End are required.")
    key = identifiers.new_key(basis)
    event = StoredEvent(
        id=identifiers.event_id(key),
        key_hex=key.hex(),
        calendar_id=calendar_id,
        kind="singleInstance",
        start=mailbox.now,
        end=mailbox.now,
        start_zone="UTC",
        end_zone="UTC",
        all_day=False,
        fields={},
        organizer=resources.email_address(mailbox.email),
        is_organizer=True,
        ical_uid=identifiers.ical_uid(key.hex()),
        created=mailbox.now,
        modified=mailbox.now,
        change_key=identifiers.new_change_key(),
    )
    apply(event, mailbox, body, creating=True)
    return event


def apply(event: StoredEvent, mailbox: Mailbox, body: Any, *, creating: bool = False) -> None:
    """Merge a create or PATCH body into `event` (validating everything first)."""
    body = _object(body)
    for name in body:
        known = name in PASSTHROUGH or name in COMPUTED or name in TIMED or name in READ_ONLY
        if not known and not name.startswith("@"):
            raise errors.GraphError(
                400,
                "RequestBodyRead",
                f"The property '{name}' does not exist on type 'microsoft.graph.event'. Make sure "
                "to only use property names that are defined by the type or mark the type as "
                "open type.",
            )
    fields = dict(event.fields)
    for name, kind in PASSTHROUGH.items():
        if name in body:
            if not isinstance(body[name], kind) or isinstance(body[name], bool) != (kind is bool):
                raise errors.bad_request(f"Invalid value for property '{name}'.")
            fields[name] = body[name]
    if "body" in body:
        fields["body"] = _body(body["body"])
    if "location" in body:
        fields["location"] = _location(body["location"])
    if "attendees" in body:
        fields["attendees"] = _attendees(body["attendees"], fields.get("attendees", []))
    _apply_times(event, body, mailbox, creating)
    _apply_online_meeting(event, fields, body, mailbox)
    event.fields = fields
    event.modified = mailbox.now
    event.change_key = identifiers.new_change_key()


def _apply_times(
    event: StoredEvent, body: dict[str, Any], mailbox: Mailbox, creating: bool
) -> None:
    all_day = body.get("isAllDay", event.all_day)
    if not isinstance(all_day, bool):
        raise errors.bad_request("Invalid value for property 'isAllDay'.")
    start, start_zone = (
        times.parse_date_time(body["start"], "start")
        if "start" in body
        else (event.start, event.start_zone)
    )
    end, end_zone = (
        times.parse_date_time(body["end"], "end") if "end" in body else (event.end, event.end_zone)
    )
    if all_day and not (_midnight(start) and _midnight(end) and end > start):
        raise errors.bad_request(
            "Your request can't be completed. If the event is an all-day event, start and end "
            "must be midnight in their time zone and end must be after start."
        )
    if end < start:
        raise errors.bad_request(
            "Your request can't be completed. The end time must be after the start time.",
            code="ErrorInvalidRequest",
        )
    event.start, event.start_zone, event.end, event.end_zone = start, start_zone, end, end_zone
    event.all_day = all_day
    if "recurrence" not in body:
        return
    if event.kind == "exception" or (not creating and event.kind == "singleInstance"):
        if body["recurrence"] is not None:
            raise errors.bad_request(
                "Your request can't be completed. A single event or an occurrence can't be "
                "turned into a series; create a new recurring event."
            )
        return
    if body["recurrence"] is None:
        if event.kind == "seriesMaster":
            raise errors.bad_request("Removing the recurrence of a series is not emulated.")
        return
    event.recurrence = recurrence.parse(body["recurrence"], start, start_zone)
    event.kind = "seriesMaster"


def _apply_online_meeting(
    event: StoredEvent, fields: dict[str, Any], body: dict[str, Any], mailbox: Mailbox
) -> None:
    provider = body.get("onlineMeetingProvider", fields.get("onlineMeetingProvider"))
    if provider is not None and provider not in teams.PROVIDERS:
        raise errors.bad_request(f"Invalid value for property 'onlineMeetingProvider': {provider}")
    wanted = body.get("isOnlineMeeting", event.online_meeting is not None)
    if not isinstance(wanted, bool):
        raise errors.bad_request("Invalid value for property 'isOnlineMeeting'.")
    if not wanted or event.online_meeting is not None or event.kind == "exception":
        if not wanted:
            event.online_meeting = None
            fields["onlineMeetingProvider"] = "unknown"
        return
    meeting = teams.online_meeting(event.id, mailbox.email)
    event.online_meeting = meeting
    fields["onlineMeetingProvider"] = (
        provider if provider not in (None, "unknown") else teams.PROVIDER
    )
    if not (fields.get("location") or {}).get("displayName"):
        fields["location"] = _location({"displayName": teams.LOCATION})
    content = fields.get("body", {}).get("content", "")
    fields["body"] = {
        "contentType": "html",
        "content": content + teams.body_block(meeting["joinUrl"]),
    }


def _body(value: Any) -> dict[str, str]:
    value = _object(value)
    kind = str(value.get("contentType", "text")).lower()
    if kind not in ("text", "html"):
        raise errors.bad_request("Invalid body contentType: use text or html.")
    return {"contentType": kind, "content": str(value.get("content", ""))}


def _location(value: Any) -> dict[str, Any]:
    value = _object(value)
    name = str(value.get("displayName", ""))
    return {
        "displayName": name,
        "locationType": value.get("locationType", "default"),
        "uniqueId": value.get("uniqueId", name or None),
        "uniqueIdType": value.get("uniqueIdType", "private" if name else "unknown"),
        "address": value.get("address", {}),
    }


def _attendees(value: Any, before: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attendees as written; an attendee already there keeps their response."""
    if not isinstance(value, list):
        raise errors.bad_request("attendees must be a collection.")
    statuses = {a["emailAddress"]["address"].lower(): a["status"] for a in before}
    result = []
    for item in value:
        item = _object(item)
        address = _object(item.get("emailAddress")).get("address")
        if not isinstance(address, str) or "@" not in address:
            raise errors.bad_request("Each attendee needs an emailAddress with an address.")
        kind = item.get("type", "required")
        if kind not in ATTENDEE_TYPES:
            raise errors.bad_request(f"Invalid attendee type '{kind}'.")
        name = item["emailAddress"].get("name") or resources.display_name(address)
        status = statuses.get(address.lower(), {"response": "none", "time": resources.NEVER})
        result.append(
            {"type": kind, "status": status, "emailAddress": {"name": name, "address": address}}
        )
    return result


def _midnight(moment: datetime) -> bool:
    return moment.timetz().replace(tzinfo=None) == time()


def _object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise errors.bad_request("The request body must be a JSON object.")
    return value


def occurrence_exception(master: StoredEvent, original: datetime, mailbox: Mailbox) -> StoredEvent:
    """A new exception standing for the occurrence of `master` at `original` (before patching)."""
    start, end = original, original + (master.end - master.start)
    return StoredEvent(
        id=identifiers.occurrence_id(master.id, original),
        key_hex=master.key_hex,
        calendar_id=master.calendar_id,
        kind="exception",
        start=start,
        end=end,
        start_zone=master.start_zone,
        end_zone=master.end_zone,
        all_day=master.all_day,
        fields=dict(master.fields),
        organizer=master.organizer,
        is_organizer=master.is_organizer,
        ical_uid=identifiers.ical_uid(master.key_hex, original),
        created=mailbox.now,
        modified=mailbox.now,
        change_key=identifiers.new_change_key(),
        response=master.response,
        online_meeting=master.online_meeting,
        series_master_id=master.id,
        original_start=original,
    )
