"""One Google event resource (`format: google`, an item of `events.list` with
`singleEvents=true`) → one canonical event.

Ids derive like the iCalendar path's, from (calendar, provider object, recurrence key): the
object is the Google event id (an instance's own id), the key its `originalStartTime` in UTC
(`YYYYMMDDTHHMMSSZ`, or `YYYYMMDD` all day), so full resyncs land on the same ids. An instance
(`recurringEventId`) is recurring and belongs to the series of its iCalUID; it is an exception
when it was moved from its original start. The event's JSON is kept as `raw`, capped.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from services.syncer.domain import ical_mapping, ical_times, text
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
    key = ical_times.recurrence_key(original)
    when = times.event_times(event, context.floating)
    uid = _text(event.get("iCalUID"))
    series = _text(event.get("recurringEventId"))
    is_recurring = series is not None or bool(event.get("recurrence"))
    organizer = people.organizer_of(event, context.own_addresses)
    description, description_truncated = text.plain_description(_text(event.get("description")))
    raw, raw_truncated = _raw(event)
    return EventState(
        id=derived_id("evt", context.calendar_id, object_id, key),
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
        title=_text(event.get("summary")),
        description=description,
        description_truncated=description_truncated,
        location=_text(event.get("location")),
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
