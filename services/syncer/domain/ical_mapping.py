"""One provider object (an iCalendar resource) → canonical events: its single events, and the
instances of its recurring series inside the sync window (`ical_series`).

A single event's id derives from (calendar, provider object, ""); an instance's from
(calendar, provider object, its key: the date it originally fell on, `instance_keys`), so
replays, retries, full resyncs, and a rename or retime of the series land on the same ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from icalendar import Calendar, Component, vDDDTypes, vText

from services.syncer.domain import (
    ical_meeting,
    ical_people,
    ical_props,
    ical_series,
    ical_times,
    instance_keys,
    text,
)
from services.syncer.domain.errors import MappingError, SeriesRefused
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
# What icalendar and recurring-ical-events raise on data they cannot read (lazily, on access).
_UNREADABLE = (ValueError, TypeError, KeyError, OverflowError)


def map_object(obj: ProviderObject, context: MappingContext) -> list[EventState]:
    """Every single VEVENT of the object as an event, then every instance of its series in the
    window; an event id met twice keeps its first event. Raises `MappingError` (a
    `SeriesRefused` when a guard refuses a series)."""
    # One object is one event or one series with its overrides: thousands of VEVENTs in it
    # are hostile (each would be parsed and mapped, most to a duplicate id). Counted in the
    # text first, since parsing them alone takes longer than an item's CPU budget.
    count = obj.data.upper().count("BEGIN:VEVENT")
    if count > context.limits.max_instances:
        raise SeriesRefused("too_many_instances", f"{count} VEVENTs in one object")
    vevents = _vevents(obj.data)
    events: dict[str, EventState] = {}
    try:
        singles = [v for v in vevents if not ical_series.is_part_of_series(v)]
        for vevent in singles:
            event = _event(vevent, obj.provider_object_id, context)
            events.setdefault(event.id, event)
        recurring = [v for v in vevents if ical_series.is_part_of_series(v)]
        for instance in _instances(recurring, obj.provider_object_id, context):
            events.setdefault(instance.id, instance)
    except _UNREADABLE as exc:
        raise MappingError(_describe("invalid VEVENT", exc)) from exc
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


def _instances(
    vevents: list[Component], object_id: str, context: MappingContext
) -> list[EventState]:
    if not vevents:
        return []
    templates = {id(v): _event(v, object_id, context) for v in vevents}
    if context.window is None:
        raise MappingError("a recurring series needs the page's sync window to be expanded")
    found = ical_series.expand(vevents, context.window, context.limits, context.floating)
    instances: list[EventState] = []
    for series in found:
        master = _MasterReference.of(series.master) if series.master is not None else None
        for occurrence in series.in_window():
            template = templates[id(occurrence.source)]
            key = instance_keys.key_of(occurrence.original, series.zone, series.own_time)
            instance = _instance(template, occurrence, key, object_id, context)
            if master is not None and not occurrence.is_override:
                instance = instance.model_copy(
                    update={"raw": master.raw(occurrence.original), "raw_truncated": False}
                )
            instances.append(instance)
    return instances


@dataclass(frozen=True)
class _MasterReference:
    """What an instance of a series master (not an override) keeps as `raw`: not the master's
    VEVENT (up to 256 KB, once per instance: 365 instances of a large master would carry
    ~100 MB through the store, outbox, broker and gateway) but a reference to it, a few
    hundred bytes: the UID, the instance's RECURRENCE-ID (its original start, as iCalendar
    writes it), the master's SEQUENCE and DTSTAMP and the SHA-256 of its VEVENT text."""

    uid: str | None
    sequence: int | None
    dtstamp: str | None
    sha256: str

    @classmethod
    def of(cls, master: Component) -> _MasterReference:
        serialized = master.to_ical()
        sequence = master.get("SEQUENCE")
        stamp = master.get("DTSTAMP")
        return cls(
            uid=ical_props.text(master, "UID"),
            sequence=_integer(sequence),
            dtstamp=stamp.to_ical().decode("ascii") if stamp is not None else None,
            sha256=hashlib.sha256(serialized).hexdigest(),
        )

    def raw(self, original: datetime | date) -> dict[str, Any]:
        return {
            "format": "ical",
            "instance_of": {
                "uid": self.uid,
                "recurrence_id": vDDDTypes(original).to_ical().decode("ascii"),
                "tzid": _tzid(original),
                "master_sequence": self.sequence,
                "master_dtstamp": self.dtstamp,
                "master_sha256": self.sha256,
            },
        }


def _integer(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _tzid(value: datetime | date) -> str | None:
    """The zone a date-time RECURRENCE-ID is written in (None: a date, UTC or floating)."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        return None
    name = getattr(value.tzinfo, "key", None) or value.tzinfo.tzname(value)
    return None if name in (None, "UTC") else str(name)


def _instance(
    template: EventState,
    occurrence: ical_series.Occurrence,
    key: str,
    object_id: str,
    context: MappingContext,
) -> EventState:
    """The occurrence's event: its source VEVENT's details at the occurrence's times."""
    series_times = ical_times.EventTimes(
        template.start_time, template.end_time, template.is_all_day, template.time_zone
    )
    times = ical_times.occurrence_times(
        occurrence.start, occurrence.end, series_times, context.floating
    )
    original = _original_start(occurrence.original, times.is_all_day, context.floating)
    return template.model_copy(
        update={
            "id": instance_keys.instance_id(context.calendar_id, object_id, key),
            "provider_event_id": f"{object_id}#{ical_times.recurrence_key(original)}",
            "is_recurring": True,
            "is_exception": occurrence.is_override,
            "original_start_time": original,
            "start_time": times.start,
            "end_time": times.end,
        }
    )


def _original_start(
    value: datetime | date, all_day: bool, floating: ical_times.FloatingZone
) -> datetime | date:
    """The original start as the canonical model has it: a UTC instant, or all day its date
    (as written: a date-time RECURRENCE-ID of an all-day series names its day in its zone)."""
    if all_day:
        return value.date() if isinstance(value, datetime) else value
    return ical_times.instant(value, floating)


def _event(vevent: Component, object_id: str, context: MappingContext) -> EventState:
    """A VEVENT as written: a single event, or the template of a series' instances."""
    uid = ical_props.text(vevent, "UID")
    recurring = ical_series.is_part_of_series(vevent)
    times = ical_times.event_times(vevent, context.floating)
    organizer = ical_people.organizer_of(vevent, context.own_addresses)
    description, description_truncated = _description(vevent)
    raw, raw_truncated = _raw(vevent)
    return EventState(
        id=derived_id("evt", context.calendar_id, object_id, ""),
        calendar_id=context.calendar_id,
        provider_event_id=object_id,
        ical_uid=uid,
        series_id=series_id(context.calendar_id, uid or object_id) if recurring else None,
        is_recurring=recurring,
        is_exception=False,
        original_start_time=None,
        title=text.short(ical_props.text(vevent, "SUMMARY")),
        description=description,
        description_truncated=description_truncated,
        location=text.short(ical_props.text(vevent, "LOCATION")),
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


def _description(vevent: Component) -> tuple[str | None, bool]:
    """DESCRIPTION (text, which may hold HTML), else Outlook's HTML twin (`X-ALT-DESC`)."""
    found = text.description(ical_props.text(vevent, "DESCRIPTION"))
    if found[0] is not None:
        return found
    return text.description(ical_props.html_description(vevent), "html")


def _status(vevent: Component) -> EventStatus:
    value = (ical_props.text(vevent, "STATUS") or "").strip().upper()
    return _STATUSES.get(value, "confirmed")


def _raw(vevent: Component) -> tuple[dict[str, Any], bool]:
    serialized = _within_raw_limit(vevent).to_ical().decode("utf-8", errors="replace")
    data, truncated = text.cap_utf8(serialized, text.RAW_LIMIT)
    return {"format": "ical", "data": data}, truncated


def _within_raw_limit(vevent: Component) -> Component:
    """The VEVENT with text values longer than the raw cap cut to it: the capped output is the
    same (a value of `RAW_LIMIT` characters alone fills the cap), but serializing (folding)
    a 10 MB DESCRIPTION whole costs seconds of CPU."""
    long = [
        name
        for name, value in vevent.items()
        if isinstance(value, vText) and len(value) > text.RAW_LIMIT
    ]
    if not long:
        return vevent
    compact = vevent.copy()
    for name in long:
        cut = vText(str(vevent[name])[: text.RAW_LIMIT])
        cut.params = vevent[name].params
        compact[name] = cut
    return compact


def _describe(what: str, exc: BaseException) -> str:
    return f"{what}: {type(exc).__name__}: {exc}"[:_ERROR_TEXT_LIMIT]
