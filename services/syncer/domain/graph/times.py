"""Graph event times (providers.md §2.3-2.4): `start`/`end` are `{dateTime, timeZone}`, a wall
time with 7 fractional digits and no offset, read in `timeZone` (a Windows or IANA name; UTC as
the connector asks). All-day events (`isAllDay`) keep their dates whatever zone is shown, end
exclusive. The zone the event was written in is `originalStartTimeZone` (usually a Windows
name, mapped by `time_zones`); one nobody knows (`tzone://Microsoft/Custom`, a legacy custom
zone) is no zone (None), and an event naming none is in the calendar's zone, as with Google.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.syncer.domain.errors import MappingError
from services.syncer.domain.ical_times import FloatingZone
from services.syncer.domain.time_zones import iana_name, iana_zone

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class EventTimes:
    start: datetime | date
    end: datetime | date
    is_all_day: bool
    time_zone: str | None


def event_times(event: dict[str, Any], calendar_zone: FloatingZone) -> EventTimes:
    """UTC instants (or dates), and the event's IANA zone: its own, else the calendar's."""
    all_day = event.get("isAllDay") is True
    start = moment(event.get("start"), all_day)
    if start is None:
        raise MappingError("event without start")
    end = moment(event.get("end"), all_day)
    if isinstance(start, datetime):
        if not isinstance(end, datetime) or end < start:
            end = start
        return EventTimes(start, end, False, _event_zone(event, calendar_zone))
    if end is None or isinstance(end, datetime) or end <= start:
        end = start + ONE_DAY
    return EventTimes(start, end, True, None)


def moment(value: Any, all_day: bool) -> datetime | date | None:
    """A `{dateTime, timeZone}` as a UTC instant, or as a date for an all-day event."""
    if not isinstance(value, dict) or not value.get("dateTime"):
        return None
    wall = _wall_time(str(value["dateTime"]))
    if all_day:
        return wall.date()
    if wall.tzinfo is None:
        wall = wall.replace(tzinfo=_zone(str(value.get("timeZone") or "UTC")))
    return wall.astimezone(UTC)


def original_start(event: dict[str, Any], start: datetime | date) -> datetime | date | None:
    """Where the series put an occurrence or exception (`originalStart`, an instant; the date
    in the event's own zone for an all-day series); an occurrence without it (a sparse delta
    row) is where it is. None for single events and masters."""
    if event.get("type") not in ("occurrence", "exception"):
        return None
    value = event.get("originalStart")
    if not isinstance(value, str) or not value:
        return start
    instant = _wall_time(value)
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    if isinstance(start, datetime):
        return instant.astimezone(UTC)
    zone = iana_zone(iana_name(str(event.get("originalStartTimeZone") or "UTC")))
    return instant.astimezone(zone or UTC).date()


def own_zone(event: dict[str, Any]) -> str | None:
    """The IANA zone the event was written in (`originalStartTimeZone`), if Graph names a
    known one."""
    name = event.get("originalStartTimeZone")
    return iana_name(name) if isinstance(name, str) else None


def _event_zone(event: dict[str, Any], calendar_zone: FloatingZone) -> str | None:
    name = event.get("originalStartTimeZone")
    if not isinstance(name, str) or not name.strip():
        return calendar_zone.name
    return iana_name(name)


def _zone(name: str) -> ZoneInfo:
    zone = iana_zone(iana_name(name))
    if zone is None:
        raise MappingError("a time in an unknown time zone")
    return zone


def _wall_time(text: str) -> datetime:
    """Graph writes 7 fractional digits (Python reads them, keeping 6) and maybe `Z`."""
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise MappingError(f"unreadable time: {exc}"[:200]) from exc
