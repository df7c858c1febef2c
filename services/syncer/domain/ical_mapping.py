"""One provider object (an iCalendar resource) → canonical events: its master and its overrides.

Ids are derived from the natural key (calendar, provider object, recurrence key), so replays,
retries and full resyncs land on the same event id.
"""

from __future__ import annotations

from typing import Any

from icalendar import Calendar, Component

from services.syncer.domain import ical_meeting, ical_people, ical_props, ical_times, text
from services.syncer.domain.errors import MappingError
from services.syncer.domain.mapping_context import MappingContext
from shared.contracts.events import EventState, EventStatus
from shared.contracts.provider import ProviderObject
from shared.ids import derived_id

__all__ = ["MappingContext", "map_object", "series_id"]

_STATUSES: dict[str, EventStatus] = {
    "CONFIRMED": "confirmed",
    "TENTATIVE": "tentative",
    "CANCELLED": "cancelled",
}
_ERROR_TEXT_LIMIT = 500


def map_object(obj: ProviderObject, context: MappingContext) -> list[EventState]:
    """Every VEVENT of the object as an event; a repeated recurrence key keeps its first VEVENT."""
    events: dict[str, EventState] = {}
    for vevent in _vevents(obj.data):
        try:
            event = _map_vevent(vevent, obj.provider_object_id, context)
        except (ValueError, TypeError) as exc:
            # icalendar reports broken property values lazily, as ValueError subclasses.
            raise MappingError(_describe("invalid VEVENT", exc)) from exc
        events.setdefault(event.id, event)
    return list(events.values())


def _vevents(data: str) -> list[Component]:
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, TypeError) as exc:
        raise MappingError(_describe("unparsable iCalendar", exc)) from exc
    vevents: list[Component] = calendar.walk("VEVENT")
    if not vevents:
        raise MappingError("no VEVENT in the object")
    return vevents


def _map_vevent(vevent: Component, object_id: str, context: MappingContext) -> EventState:
    original = ical_times.recurrence_instant(vevent, context.floating)
    key = ical_times.recurrence_key(original)
    uid = ical_props.text(vevent, "UID")
    is_recurring = original is not None or "RRULE" in vevent or "RDATE" in vevent
    times = ical_times.event_times(vevent, context.floating)
    organizer = ical_people.organizer_of(vevent, context.own_addresses)
    description, description_truncated = text.plain_description(
        ical_props.text(vevent, "DESCRIPTION")
    )
    raw, raw_truncated = _raw(vevent)
    return EventState(
        id=derived_id("evt", context.calendar_id, object_id, key),
        calendar_id=context.calendar_id,
        provider_event_id=f"{object_id}#{key}" if key else object_id,
        ical_uid=uid,
        series_id=series_id(context.calendar_id, uid or object_id) if is_recurring else None,
        is_recurring=is_recurring,
        is_exception=original is not None,
        original_start_time=original,
        title=ical_props.text(vevent, "SUMMARY"),
        description=description,
        description_truncated=description_truncated,
        location=ical_props.text(vevent, "LOCATION"),
        start_time=times.start,
        end_time=times.end,
        is_all_day=times.is_all_day,
        time_zone=times.time_zone,
        status=_status(vevent),
        is_deleted=False,
        organizer=organizer,
        attendees=ical_people.attendees_of(vevent, organizer, context.own_addresses),
        meeting=ical_meeting.meeting_of(vevent, context.meeting_hosts),
        raw=raw,
        raw_truncated=raw_truncated,
    )


def series_id(calendar_id: str, uid: str) -> str:
    return derived_id("ser", calendar_id, uid)


def _status(vevent: Component) -> EventStatus:
    value = (ical_props.text(vevent, "STATUS") or "").strip().upper()
    return _STATUSES.get(value, "confirmed")


def _raw(vevent: Component) -> tuple[dict[str, Any], bool]:
    serialized = vevent.to_ical().decode("utf-8", errors="replace")
    data, truncated = text.cap_utf8(serialized, text.RAW_LIMIT)
    return {"format": "ical", "data": data}, truncated


def _describe(what: str, exc: BaseException) -> str:
    return f"{what}: {type(exc).__name__}: {exc}"[:_ERROR_TEXT_LIMIT]
