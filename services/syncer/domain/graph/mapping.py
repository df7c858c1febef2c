"""One Graph event resource (`format: graph`: a `calendarView/delta` row, a sparse occurrence
already merged onto its master by the connector) → one canonical event.

Ids derive like the other providers': a single event's from (calendar, its Graph id, ""), an
occurrence's or exception's from (calendar, its series master's id, the date of its original
start in the series' zone: `instance_keys`), so full resyncs, a rename and a retime of the
series land on the same ids. `type` says the rest: occurrences,
exceptions and masters are recurring and belong to the series of their master (`seriesMasterId`:
Graph's `iCalUId` differs per occurrence); exceptions are exceptions. `isCancelled` (an
attendee's copy of a cancelled meeting) is status cancelled. The description is the body as
plain text (HTML converted when `contentType` says html); the event's JSON is kept as `raw`,
capped.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from services.syncer.domain import ical_mapping, instance_keys, text
from services.syncer.domain.errors import MappingError
from services.syncer.domain.graph import meeting, people, times
from services.syncer.domain.mapping_context import MappingContext
from services.syncer.domain.time_zones import iana_zone
from shared.contracts.events import EventState
from shared.ids import derived_id

FORMAT = "graph"
_RECURRING = frozenset({"occurrence", "exception", "seriesMaster"})


def map_event(data: str, object_id: str, context: MappingContext) -> list[EventState]:
    """The event of one Graph event resource (its JSON text)."""
    try:
        event = json.loads(data)
    except ValueError as exc:
        raise MappingError("unparsable Graph event JSON") from exc
    if not isinstance(event, dict):
        raise MappingError("a Graph event is a JSON object")
    return [_event(event, object_id, context)]


def _event(event: dict[str, Any], object_id: str, context: MappingContext) -> EventState:
    when = times.event_times(event, context.floating)
    original = times.original_start(event, when.start)
    kind = event.get("type")
    is_recurring = kind in _RECURRING
    organizer = people.organizer_of(event, context.own_addresses)
    body, html = meeting.body_of(event)
    description, description_truncated = text.description(body, "html" if html else "text")
    raw, raw_truncated = _raw(event)
    return EventState(
        id=_event_id(event, object_id, original, context),
        calendar_id=context.calendar_id,
        provider_event_id=object_id,
        ical_uid=_text(event.get("iCalUId")),
        series_id=(
            ical_mapping.series_id(context.calendar_id, _series(event, object_id))
            if is_recurring
            else None
        ),
        is_recurring=is_recurring,
        is_exception=kind == "exception",
        original_start_time=original,
        title=text.short(event.get("subject")),
        description=description,
        description_truncated=description_truncated,
        location=text.short(meeting.location_of(event)),
        start_time=when.start,
        end_time=when.end,
        is_all_day=when.is_all_day,
        time_zone=when.time_zone,
        status="cancelled" if event.get("isCancelled") is True else "confirmed",
        is_deleted=False,
        organizer=organizer,
        attendees=people.attendees_of(event, organizer, context.own_addresses),
        meeting=meeting.meeting_of(event, context.meeting_hosts),
        raw=raw,
        raw_truncated=raw_truncated,
    )


def _event_id(
    event: dict[str, Any], object_id: str, original: datetime | date | None, context: MappingContext
) -> str:
    if original is None:
        return derived_id("evt", context.calendar_id, object_id, "")
    zone = iana_zone(times.own_zone(event)) or context.floating.zone
    key = instance_keys.day_key(original, zone)
    return instance_keys.instance_id(context.calendar_id, _series(event, object_id), key)


def _series(event: dict[str, Any], object_id: str) -> str:
    """The series' master id (a master is its own)."""
    return _text(event.get("seriesMasterId")) or object_id


def _raw(event: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The resource as it came; over the cap, its JSON text cut at the cap (flagged)."""
    serialized = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    if len(serialized.encode("utf-8")) <= text.RAW_LIMIT:
        return {"format": FORMAT, "data": event}, False
    data, _ = text.cap_utf8(serialized, text.RAW_LIMIT)
    return {"format": FORMAT, "data": data}, True


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
