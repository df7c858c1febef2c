"""JSON shapes of Calendar API v3 resources: events, instances, tombstones, calendars, channels.

An event's default rendering is cached as a JSON fragment on the event (dropped on every change),
so a listing page is a join of ready strings.
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.google.store import Calendar, StoredEvent
from sandbox.google.times import EventTime, render_event_time, rfc3339_millis

DEFAULT_REMINDERS = [{"method": "popup", "minutes": 10}]
_HEAD_FIELDS = ("summary", "description", "location", "colorId")
_TAIL_FIELDS = ("attendees", "hangoutLink", "conferenceData")
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def etag(event: StoredEvent) -> str:
    return f'"{int(event.updated.timestamp() * 1000)}{event.seq % 1000:03d}"'


def html_link(event_id: str, calendar_id: str) -> str:
    eid = base64.urlsafe_b64encode(f"{event_id} {calendar_id}".encode()).decode().rstrip("=")
    return f"https://www.google.com/calendar/event?eid={eid}"


def event_resource(
    event: StoredEvent, calendar: Calendar, display_zone: ZoneInfo | None = None
) -> dict[str, Any]:
    """The full event resource (also for cancelled events when showDeleted asks for details)."""
    shown = display_zone or calendar.zone
    fields = event.fields
    body: dict[str, Any] = {
        "kind": "calendar#event",
        "etag": etag(event),
        "id": event.id,
        "status": event.status,
        "htmlLink": html_link(event.id, calendar.id),
        "created": rfc3339_millis(event.created),
        "updated": rfc3339_millis(event.updated),
    }
    for key in _HEAD_FIELDS:
        if key in fields:
            body[key] = fields[key]
    body["creator"] = event.creator
    body["organizer"] = event.organizer
    body["start"] = render_event_time(event.start, shown)
    body["end"] = render_event_time(event.end, shown)
    if event.recurrence is not None:
        body["recurrence"] = list(event.recurrence)
    if event.recurring_event_id is not None and event.original_start is not None:
        body["recurringEventId"] = event.recurring_event_id
        body["originalStartTime"] = render_event_time(event.original_start, shown)
    for key, value in fields.items():
        if key not in _HEAD_FIELDS and key not in _TAIL_FIELDS and key != "reminders":
            body[key] = value
    body["iCalUID"] = event.ical_uid
    body["sequence"] = event.sequence
    for key in _TAIL_FIELDS:
        if key in fields:
            body[key] = fields[key]
    body["reminders"] = fields.get("reminders", {"useDefault": True})
    body.setdefault("eventType", "default")
    return body


def event_json(event: StoredEvent, calendar: Calendar) -> str:
    """The default rendering as a JSON fragment, cached until the event changes."""
    if event.rendered is None:
        event.rendered = _ENCODER.encode(event_resource(event, calendar))
    return event.rendered


def tombstone(event: StoredEvent, calendar: Calendar) -> dict[str, Any]:
    """A deleted event as incremental sync shows it: id and status (+ instance keys), §1.6."""
    body: dict[str, Any] = {
        "kind": "calendar#event",
        "etag": etag(event),
        "id": event.id,
        "status": "cancelled",
    }
    if event.recurring_event_id is not None and event.original_start is not None:
        body["recurringEventId"] = event.recurring_event_id
        body["originalStartTime"] = render_event_time(event.original_start, calendar.zone)
    return body


def occurrence_resource(
    master: StoredEvent,
    original: EventTime,
    instance_id: str,
    calendar: Calendar,
    display_zone: ZoneInfo | None = None,
) -> dict[str, Any]:
    """An unmodified instance of a recurring master (`singleEvents=true`, `instances`)."""
    shown = display_zone or calendar.zone
    body = event_resource(master, calendar, display_zone)
    body.pop("recurrence", None)
    body["id"] = instance_id
    body["htmlLink"] = html_link(instance_id, calendar.id)
    body["start"] = render_event_time(original, shown)
    body["end"] = render_event_time(occurrence_end(master, original), shown)
    body["recurringEventId"] = master.id
    body["originalStartTime"] = render_event_time(original, shown)
    return _reorder_instance_keys(body)


def occurrence_tombstone(
    master: StoredEvent, original: EventTime, instance_id: str, calendar: Calendar
) -> dict[str, Any]:
    return {
        "kind": "calendar#event",
        "etag": etag(master),
        "id": instance_id,
        "status": "cancelled",
        "recurringEventId": master.id,
        "originalStartTime": render_event_time(original, calendar.zone),
    }


def occurrence_end(master: StoredEvent, original: EventTime) -> EventTime:
    if original.date is not None and master.start.date is not None and master.end.date is not None:
        return EventTime(original.date + (master.end.date - master.start.date), None, None)
    assert original.date_time is not None
    duration = timedelta(seconds=master.end_ts - master.start_ts)
    return EventTime(None, original.date_time + duration, master.end.time_zone)


def _reorder_instance_keys(body: dict[str, Any]) -> dict[str, Any]:
    """Keep `recurringEventId`/`originalStartTime` right after `end`, as Google does."""
    ordered: dict[str, Any] = {}
    for key, value in body.items():
        if key in ("recurringEventId", "originalStartTime"):
            continue
        ordered[key] = value
        if key == "end":
            ordered["recurringEventId"] = body["recurringEventId"]
            ordered["originalStartTime"] = body["originalStartTime"]
    return ordered


def events_page(header: dict[str, Any], item_fragments: list[str]) -> str:
    """An events/calendarList page: the header object with `items` spliced in last."""
    head = json.dumps(header, ensure_ascii=False)
    return f'{head[:-1]}, "items": [{", ".join(item_fragments)}]}}'


def calendar_list_entry(calendar: Calendar) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "kind": "calendar#calendarListEntry",
        "etag": f'"{calendar.list_seq}"',
        "id": calendar.id,
        "summary": calendar.summary,
        "timeZone": calendar.time_zone,
        "colorId": calendar.color_id,
        "backgroundColor": "#9fe1e7",
        "foregroundColor": "#000000",
        "selected": True,
        "accessRole": "owner",
        "defaultReminders": DEFAULT_REMINDERS,
        "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
    }
    if calendar.description:
        entry["description"] = calendar.description
    if calendar.primary:
        entry["primary"] = True
    return entry


def calendar_resource(calendar: Calendar) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "calendar#calendar",
        "etag": f'"{calendar.list_seq}"',
        "id": calendar.id,
        "summary": calendar.summary,
        "timeZone": calendar.time_zone,
        "conferenceProperties": {"allowedConferenceSolutionTypes": ["hangoutsMeet"]},
    }
    if calendar.description:
        body["description"] = calendar.description
    return body


def events_header(calendar: Calendar) -> dict[str, Any]:
    header: dict[str, Any] = {
        "kind": "calendar#events",
        "etag": f'"{calendar.seq}"',
        "summary": calendar.summary,
    }
    if calendar.description:
        header["description"] = calendar.description
    header["updated"] = rfc3339_millis(calendar.updated)
    header["timeZone"] = calendar.time_zone
    header["accessRole"] = "owner"
    header["defaultReminders"] = DEFAULT_REMINDERS
    return header
