"""How request bodies become stored events: insert, patch (merge) and update (replace).

Patch and update both rebuild the event from a request-shaped body, so one builder validates
every write. Computed fields (organizer, creator, attendee `self`/`organizer`, `hangoutLink`)
are set here, from the calendar the event lives in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sandbox.google import conference, errors, recurrence
from sandbox.google.store import Calendar, StoredEvent
from sandbox.google.times import EventTime, parse_event_time, render_event_time

# Fields stored and returned as the client wrote them.
PASSTHROUGH = (
    "summary",
    "description",
    "location",
    "colorId",
    "transparency",
    "visibility",
    "reminders",
    "extendedProperties",
    "source",
    "guestsCanInviteOthers",
    "guestsCanModify",
    "guestsCanSeeOtherGuests",
    "anyoneCanAddSelf",
    "attachments",
    "eventType",
)
RESPONSE_STATUSES = ("needsAction", "declined", "tentative", "accepted")
STATUSES = ("confirmed", "tentative", "cancelled")
_EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")


@dataclass(frozen=True)
class WriteContext:
    """Who writes, when, and with which conference options."""

    calendar: Calendar
    account_email: str
    now: datetime
    conference_version: int
    meet_on_insert: bool = False


def check_client_id(event_id: Any) -> str:
    """A client-chosen id must be base32hex (a-v, 0-9), 5 to 1024 characters."""
    if not isinstance(event_id, str) or not _EVENT_ID.match(event_id):
        raise errors.bad_request("Invalid resource id value.")
    return event_id


def new_event(ctx: WriteContext, body: Any, event_id: str) -> StoredEvent:
    """A fresh event from an insert body."""
    body = _as_body(body)
    conference_data = _conference_for_insert(ctx, body, event_id)
    event = _build(ctx, body, event_id, conference_data, created=ctx.now)
    event.ical_uid = str(body.get("iCalUID") or f"{event_id}@google.com")
    event.sequence = _int(body.get("sequence"), 0)
    return event


def changed_event(
    ctx: WriteContext, event: StoredEvent, body: Any, *, replace: bool
) -> StoredEvent:
    """The event after a patch (`replace=False`, nested objects merged) or an update (PUT)."""
    body = _as_body(body)
    merged = dict(body) if replace else _merge(request_form(event, ctx.calendar), body)
    if ctx.conference_version < 1:
        conference_data = event.fields.get("conferenceData")
    else:
        conference_data = _conference_from_body(merged, f"{ctx.calendar.id}/{event.id}")
    new = _build(ctx, merged, event.id, conference_data, created=event.created)
    new.ical_uid = event.ical_uid
    new.organizer, new.creator = event.organizer, event.creator
    new.recurring_event_id, new.original_start = event.recurring_event_id, event.original_start
    moved = (new.start, new.end, new.recurrence) != (event.start, event.end, event.recurrence)
    new.sequence = max(_int(body.get("sequence"), 0), event.sequence + (1 if moved else 0))
    new.dropped = event.dropped
    return new


def request_form(event: StoredEvent, calendar: Calendar) -> dict[str, Any]:
    """The event as an insert body would state it (what a patch merges into)."""
    form: dict[str, Any] = {k: v for k, v in event.fields.items() if k != "hangoutLink"}
    form["status"] = event.status
    form["start"] = render_event_time(event.start, calendar.zone)
    form["end"] = render_event_time(event.end, calendar.zone)
    if event.recurrence is not None:
        form["recurrence"] = list(event.recurrence)
    return form


def _build(
    ctx: WriteContext,
    body: dict[str, Any],
    event_id: str,
    conference_data: dict[str, Any] | None,
    *,
    created: datetime,
) -> StoredEvent:
    start, end = (
        parse_event_time(body.get("start"), "start"),
        parse_event_time(body.get("end"), "end"),
    )
    zone = ctx.calendar.zone
    start_at, end_at = start.instant(zone), end.instant(zone)
    if start.all_day != end.all_day:
        raise errors.bad_request(
            "Start and end times must either both be date or both be dateTime."
        )
    # A timed event may last zero seconds; an all-day event lasts a day at least (end exclusive).
    all_day_empty = start.date is not None and end.date is not None and end.date <= start.date
    if end_at < start_at or all_day_empty:
        raise errors.time_range_empty("end")
    lines = _recurrence(body.get("recurrence"), start)
    status = body.get("status") or "confirmed"
    if status not in STATUSES:
        raise errors.bad_request(f"Invalid value for status: {status}")
    organizer: dict[str, Any] = {"email": ctx.calendar.id, "self": True}
    if not ctx.calendar.primary:
        organizer["displayName"] = ctx.calendar.summary
    fields = {k: body[k] for k in PASSTHROUGH if body.get(k) is not None}
    attendees = normalize_attendees(body.get("attendees"), organizer["email"], ctx.calendar.id)
    if attendees:
        fields["attendees"] = attendees
    if conference_data:
        link = conference.meet_link(conference_data)
        if link:
            fields["hangoutLink"] = link
        fields["conferenceData"] = conference_data
    return StoredEvent(
        id=event_id,
        calendar_id=ctx.calendar.id,
        status=str(status),
        start=start,
        end=end,
        start_ts=start_at.timestamp(),
        end_ts=end_at.timestamp(),
        fields=fields,
        organizer=organizer,
        creator={"email": ctx.account_email, "self": True},
        ical_uid="",
        created=created,
        updated=ctx.now,
        recurrence=lines,
    )


def normalize_attendees(value: Any, organizer_email: str, self_email: str) -> list[dict[str, Any]]:
    """Attendees with `responseStatus` defaulted and Google's computed `organizer`/`self` flags."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise errors.bad_request("Invalid value for attendees.")
    result = []
    for raw in value:
        if not isinstance(raw, dict) or not raw.get("email"):
            raise errors.required("Missing attendee email.")
        if not isinstance(raw["email"], str) or not raw["email"].strip():
            raise errors.bad_request("Invalid attendee email.")
        attendee = {k: v for k, v in raw.items() if k not in ("organizer", "self", "id")}
        email = raw["email"].strip()
        attendee["email"] = email
        if email.lower() == organizer_email.lower():
            attendee["organizer"] = True
        if email.lower() == self_email.lower():
            attendee["self"] = True
        status = attendee.get("responseStatus") or "needsAction"
        if status not in RESPONSE_STATUSES:
            raise errors.bad_request(f"Invalid attendee responseStatus: {status}")
        attendee["responseStatus"] = status
        result.append(attendee)
    return result


def _recurrence(value: Any, start: EventTime) -> tuple[str, ...] | None:
    if not value:
        return None
    if not isinstance(value, list) or not all(isinstance(line, str) for line in value):
        raise errors.bad_request("Invalid recurrence rule.")
    try:
        recurrence.validate(value, start)
    except ValueError as error:
        message = str(error) if "time zone" in str(error) else "Invalid recurrence rule."
        raise errors.bad_request(message) from None
    return tuple(value)


def _conference_for_insert(
    ctx: WriteContext, body: dict[str, Any], event_id: str
) -> dict[str, Any] | None:
    basis = f"{ctx.calendar.id}/{event_id}"
    given = _conference_from_body(body, basis) if ctx.conference_version >= 1 else None
    if given is None and ctx.meet_on_insert:
        return conference.meet_conference(basis)
    return given


def _conference_from_body(body: dict[str, Any], basis: str) -> dict[str, Any] | None:
    """conferenceData as written with conferenceDataVersion=1; a Meet createRequest is fulfilled."""
    data = body.get("conferenceData")
    if not data:
        return None
    if not isinstance(data, dict):
        raise errors.bad_request("Invalid conference data.")
    create = data.get("createRequest")
    if isinstance(create, dict) and not data.get("entryPoints"):
        key = (create.get("conferenceSolutionKey") or {}).get("type", "hangoutsMeet")
        request_id = str(create.get("requestId") or "")
        if key == "hangoutsMeet":
            return conference.meet_conference(f"{basis}/{request_id}", request_id)
        failed = dict(create, status={"statusCode": "failure"})
        return {"createRequest": failed}
    return dict(data)


def _merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Patch semantics: objects merge recursively, arrays and scalars replace, null removes."""
    merged = dict(base)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            current = dict(merged[key])
            if key in ("start", "end") and ("date" in value or "dateTime" in value):
                # A new date replaces a dateTime (and vice versa); the zone survives a new dateTime.
                current.pop("date", None)
                current.pop("dateTime", None)
                if "date" in value:
                    current.pop("timeZone", None)
            merged[key] = _merge(current, value)
        else:
            merged[key] = value
    return merged


def _as_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise errors.GoogleApiError(400, "parseError", "Parse Error")
    return body


def _int(value: Any, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except (TypeError, ValueError):
        raise errors.bad_request(f"Invalid integer value: {value}") from None
