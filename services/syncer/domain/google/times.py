"""Google event times (`start`, `end`, `originalStartTime`): `{dateTime, timeZone}` for timed
events (RFC 3339 with an offset; `timeZone` names the zone the event was written in), `{date}`
for all-day ones (end exclusive, providers.md §1.7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

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
    start = moment(event.get("start"))
    if start is None:
        raise MappingError("event without start")
    end = moment(event.get("end"))
    if not isinstance(start, datetime):
        if not isinstance(end, date) or isinstance(end, datetime) or end <= start:
            end = start + ONE_DAY
        return EventTimes(start, end, True, None)
    if not isinstance(end, datetime) or end < start:
        end = start
    return EventTimes(start, end, False, _zone(event["start"], calendar_zone))


def moment(value: Any) -> datetime | date | None:
    """A `{dateTime}` as a UTC instant, a `{date}` as a date, None when absent."""
    if not isinstance(value, dict):
        return None
    try:
        if value.get("dateTime"):
            parsed = datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))
            if parsed.tzinfo is None:
                raise MappingError("dateTime without an offset")
            return parsed.astimezone(UTC)
        if value.get("date"):
            return date.fromisoformat(str(value["date"]))
    except ValueError as exc:
        raise MappingError(f"unreadable time: {exc}"[:200]) from exc
    return None


def series_zone(event: dict[str, Any], calendar_zone: FloatingZone) -> tzinfo:
    """The zone an instance's series is expanded in: its `originalStartTime.timeZone`, else
    its start's, else the calendar's."""
    for field in ("originalStartTime", "start"):
        value = event.get(field)
        name = value.get("timeZone") if isinstance(value, dict) else None
        zone = iana_zone(iana_name(name)) if isinstance(name, str) and name else None
        if zone is not None:
            return zone
    return calendar_zone.zone


def _zone(start: dict[str, Any], calendar_zone: FloatingZone) -> str | None:
    own = start.get("timeZone")
    if isinstance(own, str) and own:
        return iana_name(own)
    return calendar_zone.name
