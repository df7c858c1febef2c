"""One Google event resource (`format: google`, an item of `events.list` with
`singleEvents=true`) → one canonical event.

Ids derive like the iCalendar path's: a single event's from (calendar, its Google event id,
""), an instance's (`recurringEventId`) from (calendar, its series' event id, the date of its
`originalStartTime` in the series' zone: `instance_keys`), so full resyncs, a rename and a
retime of the series (which gives every instance a new Google id) land on the same ids. An
instance is recurring and belongs to the series of its iCalUID; it is an exception when it was
moved from its original start. The event's JSON is kept as `raw`, capped.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from services.syncer.domain import ical_mapping, instance_keys, text
from services.syncer.domain.errors import MappingError
from services.syncer.domain.google import meeting, people, times
from services.syncer.domain.mapping_context import MappingContext
from shared.contracts.events import EventState, EventStatus
from shared.contracts.provider import ProviderObject
from shared.ids import derived_id

_STATUSES: dict[str, EventStatus] = {
    "confirmed": "confirmed",
    "tentative": "tentative",
    "cancelled": "cancelled",
}


def map_object(obj: ProviderObject, context: MappingContext) -> list[EventState]:
    """The event of one Google event resource."""
    try:
        event = json.loads(obj.data)
    except ValueError as exc:
        raise MappingError("unparsable Google event JSON") from exc
    if not isinstance(event, dict):
        raise MappingError("a Google event is a JSON object")
    return [_event(event, obj.provider_object_id, context)]


def _event(event: dict[str, Any], object_id: str, context: MappingContext) -> EventState:
    original = times.moment(event.get("originalStartTime"))
    when = times.event_times(event, context.floating)
    uid = _text(event.get("iCalUID"))
    series = _text(event.get("recurringEventId"))
    is_recurring = series is not None or bool(event.get("recurrence"))
    organizer = people.organizer_of(event, context.own_addresses)
    description, description_truncated = text.description(event.get("description"))
    raw, raw_truncated = _raw(event)
    return EventState(
        id=_event_id(event, object_id, original, context),
        calendar_id=context.calendar_id,
        provider_event_id=object_id,
        ical_uid=uid,
        series_id=(
            ical_mapping.series_id(context.calendar_id, uid or series or object_id)
            if is_recurring
            else None
        ),
        is_recurring=is_recurring,
        is_exception=_moved(original, when.start),
        original_start_time=original,
        title=text.short(event.get("summary")),
        description=description,
        description_truncated=description_truncated,
        location=text.short(event.get("location")),
        start_time=when.start,
        end_time=when.end,
        is_all_day=when.is_all_day,
        time_zone=when.time_zone,
        status=_STATUSES.get(str(event.get("status")), "confirmed"),
        is_deleted=False,
        organizer=organizer,
        attendees=people.attendees_of(event, organizer, context.own_addresses),
        meeting=meeting.meeting_of(event, context.meeting_hosts),
        raw=raw,
        raw_truncated=raw_truncated,
    )


def _event_id(
    event: dict[str, Any],
    object_id: str,
    original: datetime | date | None,
    context: MappingContext,
) -> str:
    series = _text(event.get("recurringEventId"))
    if series is None or original is None:
        return derived_id("evt", context.calendar_id, object_id, "")
    zone = times.series_zone(event, context.floating)
    return instance_keys.instance_id(
        context.calendar_id, series, instance_keys.day_key(original, zone)
    )


def _moved(original: datetime | date | None, start: datetime | date) -> bool:
    """An instance is an exception when it no longer starts where the series put it."""
    return original is not None and original != start


def _raw(event: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The resource as it came; over the cap, its JSON text cut at the cap (flagged)."""
    serialized = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    if len(serialized.encode("utf-8")) <= text.RAW_LIMIT:
        return {"format": "google", "data": event}, False
    data, _ = text.cap_utf8(serialized, text.RAW_LIMIT)
    return {"format": "google", "data": data}, True


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
