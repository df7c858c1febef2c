"""Event times as Google writes them: `{dateTime, timeZone}` or `{date}`, RFC 3339 in and out.

All-day events are dates (end exclusive); they become instants only in a calendar's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sandbox.google import errors


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The IANA zone `name`; 400 when Google would not know it either."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise errors.bad_request(f"Invalid time zone definition: {name}") from None


@dataclass(frozen=True, slots=True)
class EventTime:
    """One `start`/`end`/`originalStartTime` value: a date, or an aware datetime (+ its zone)."""

    date: date | None
    date_time: datetime | None
    time_zone: str | None

    @property
    def all_day(self) -> bool:
        return self.date is not None

    def instant(self, calendar_zone: ZoneInfo) -> datetime:
        """The moment it denotes; an all-day date starts at midnight in the calendar's zone."""
        if self.date_time is not None:
            return self.date_time
        assert self.date is not None
        return datetime.combine(self.date, time(), calendar_zone)

    def expansion_zone(self, calendar_zone: ZoneInfo) -> ZoneInfo:
        return zone(self.time_zone) if self.time_zone else calendar_zone


def parse_event_time(value: Any, field: str) -> EventTime:
    """Read a request's `start`/`end`; 400 on anything Google would refuse."""
    if not isinstance(value, dict):
        raise errors.required(f"Missing {field} time.")
    tz_name = value.get("timeZone")
    if tz_name is not None and not isinstance(tz_name, str):
        raise errors.bad_request(f"Invalid time zone definition for {field} time.")
    if tz_name:
        zone(tz_name)
    if value.get("date"):
        if value.get("dateTime"):
            raise errors.bad_request(f"Invalid {field} time: both date and dateTime given.")
        try:
            return EventTime(date.fromisoformat(str(value["date"])), None, tz_name or None)
        except ValueError:
            raise errors.bad_request(f"Invalid {field} date.") from None
    raw = value.get("dateTime")
    if not raw:
        raise errors.required(f"Missing {field} time.")
    try:
        moment = datetime.fromisoformat(str(raw))
    except ValueError:
        raise errors.bad_request(f"Invalid {field} time.") from None
    if moment.tzinfo is None:
        if not tz_name:
            raise errors.bad_request(f"Missing time zone definition for {field} time.")
        moment = moment.replace(tzinfo=zone(tz_name))
    return EventTime(None, moment.replace(microsecond=0), tz_name or None)


def render_event_time(value: EventTime, display_zone: ZoneInfo) -> dict[str, str]:
    """`{date}` or `{dateTime[, timeZone]}`; shown in the event's zone, else `display_zone`."""
    if value.date is not None:
        return {"date": value.date.isoformat()}
    assert value.date_time is not None
    shown_in = zone(value.time_zone) if value.time_zone else display_zone
    rendered = {"dateTime": rfc3339(value.date_time.astimezone(shown_in))}
    if value.time_zone:
        rendered["timeZone"] = value.time_zone
    return rendered


def rfc3339(moment: datetime) -> str:
    """`2024-05-01T10:00:00+02:00`, with `Z` for UTC as Google writes it."""
    text = moment.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


@lru_cache(maxsize=4096)
def rfc3339_millis(moment: datetime) -> str:
    """`created`/`updated` style: UTC with milliseconds, `2024-05-01T08:00:00.000Z`."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_query_time(value: str | None, name: str) -> datetime | None:
    """A `timeMin`/`timeMax`/`updatedMin` query value: RFC 3339 with a mandatory offset."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace(" ", "+"))
    except ValueError:
        raise errors.bad_request(f"Invalid value for {name}: {value}", location=name) from None
    if moment.tzinfo is None:
        raise errors.bad_request(f"{name} must carry a time zone offset", location=name)
    return moment.replace(microsecond=0)
