"""iCalendar times to the canonical model: UTC instants, all-day dates, and the event's zone.

RFC 5545 §3.3.5: a date-time is UTC (`Z`), bound to a TZID, or floating; floating times are
read in the calendar's zone. §3.6.1: without DTEND or DURATION, an all-day event lasts one day
and a timed one is instantaneous; DTEND is exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from icalendar import Component

from services.syncer.domain import ical_props
from services.syncer.domain.errors import MappingError
from services.syncer.domain.time_zones import iana_name, iana_zone

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class EventTimes:
    start: datetime | date
    end: datetime | date
    is_all_day: bool
    time_zone: str | None


@dataclass(frozen=True)
class FloatingZone:
    """The zone floating times are read in: the calendar's, or UTC without a valid one."""

    zone: ZoneInfo
    name: str

    @classmethod
    def of(cls, calendar_time_zone: str | None) -> FloatingZone:
        name = iana_name(calendar_time_zone)
        zone = iana_zone(name)
        if zone is None or name is None:
            return cls(ZoneInfo("UTC"), "UTC")
        return cls(zone, name)


def event_times(vevent: Component, floating: FloatingZone) -> EventTimes:
    start_prop = ical_props.single(vevent, "DTSTART")
    if start_prop is None:
        raise MappingError("VEVENT without DTSTART")
    start = start_prop.dt
    if not isinstance(start, datetime):
        return EventTimes(start, _all_day_end(vevent, start), True, None)
    local_start = _localize(start, floating)
    local_end = max(_timed_end(vevent, local_start, floating), local_start)
    zone = _zone_name(start, ical_props.param(start_prop, "TZID"), floating)
    return EventTimes(local_start.astimezone(UTC), local_end.astimezone(UTC), False, zone)


def occurrence_times(
    start: datetime | date, end: datetime | date, series: EventTimes, floating: FloatingZone
) -> EventTimes:
    """One occurrence's times, as expanded from its series (whose times `series` are): all-day
    dates stay dates, timed ones become UTC instants; the zone is the series'."""
    if series.is_all_day:
        first, last = _as_date(start), _as_date(end)
        return EventTimes(first, last if last > first else first + ONE_DAY, True, None)
    first, last = as_utc(_as_datetime(start), floating), as_utc(_as_datetime(end), floating)
    return EventTimes(first, max(first, last), False, series.time_zone)


def as_utc(value: datetime, floating: FloatingZone) -> datetime:
    """A date-time as a UTC instant, floating times read in the calendar's zone."""
    return _localize(value, floating).astimezone(UTC)


def instant(value: datetime | date, floating: FloatingZone) -> datetime:
    """A time as a UTC instant for placing it against the window: a date counts from
    midnight UTC, as the connector places all-day events."""
    if isinstance(value, datetime):
        return as_utc(value, floating)
    return datetime.combine(value, time.min, UTC)


def series_zone(start: datetime | date, floating: FloatingZone) -> tzinfo:
    """The zone a series' occurrences fall in: its DTSTART's (TZID or UTC), else the
    calendar's (floating times, all-day dates)."""
    if isinstance(start, datetime) and start.tzinfo is not None:
        return start.tzinfo
    return floating.zone


def recurrence_key(original_start_time: datetime | date | None) -> str:
    """An instance's original start as the provider names it: `YYYYMMDDTHHMMSSZ` (UTC) or
    `YYYYMMDD` all day; "" for a single event."""
    if original_start_time is None:
        return ""
    if isinstance(original_start_time, datetime):
        return original_start_time.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return original_start_time.strftime("%Y%m%d")


def _all_day_end(vevent: Component, start: date) -> date:
    end_prop = ical_props.single(vevent, "DTEND")
    end = end_prop.dt if end_prop is not None else None
    if end is None:
        duration = _duration(vevent)
        end = start + duration if duration is not None else None
    if not isinstance(end, date) or isinstance(end, datetime) or end <= start:
        return start + ONE_DAY
    return end


def _timed_end(vevent: Component, start: datetime, floating: FloatingZone) -> datetime:
    end_prop = ical_props.single(vevent, "DTEND")
    end = end_prop.dt if end_prop is not None else None
    if isinstance(end, datetime):
        return _localize(end, floating)
    duration = _duration(vevent)
    return _after(start, duration) if duration is not None else start


def _duration(vevent: Component) -> timedelta | None:
    prop = ical_props.single(vevent, "DURATION")
    value = prop.dt if prop is not None else None
    return value if isinstance(value, timedelta) else None


def _after(start: datetime, duration: timedelta) -> datetime:
    # RFC 5545 §3.3.6: days and weeks are nominal (same wall-clock time, across a DST switch),
    # hours and less are exact. (A parsed `PT24H` is indistinguishable from `P1D` here.)
    nominal = start + timedelta(days=duration.days)
    exact = timedelta(seconds=duration.seconds, microseconds=duration.microseconds)
    return nominal.astimezone(UTC) + exact


def _as_date(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value


def _as_datetime(value: datetime | date) -> datetime:
    return value if isinstance(value, datetime) else datetime.combine(value, time.min)


def _localize(value: datetime, floating: FloatingZone) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=floating.zone)


def _zone_name(value: datetime, tzid: str | None, floating: FloatingZone) -> str | None:
    if isinstance(value.tzinfo, ZoneInfo):
        # The parser resolved the TZID (IANA, Windows or vendor-prefixed name); `Z` is UTC.
        return iana_name(value.tzinfo.key)
    if tzid is not None:
        # Defined by a VTIMEZONE, or unknown (then read as floating): name it only if IANA has it.
        return iana_name(tzid)
    if value.tzinfo is None:
        return floating.name
    return "UTC" if value.utcoffset() == timedelta(0) else None
