"""Graph's date-times: `dateTimeTimeZone` values (`{"dateTime": "2030-01-08T10:00:00.0000000",
"timeZone": "W. Europe Standard Time"}`: 7 fractional digits, no offset, the zone by name) and the
Windows time-zone names Outlook uses beside IANA ones (providers.md §2.3-2.4).

Windows ↔ IANA goes through icalendar's copy of CLDR's `windowsZones.xml` (territory 001), not
a table of our own: a Windows name maps to its IANA zone, and an IANA zone that is some Windows
zone's primary one maps back to that name; any other IANA name is kept as written.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from sandbox.microsoft import errors

_IANA_TO_WINDOWS: dict[str, str] = {}
for _windows, _iana in sorted(WINDOWS_TO_OLSON.items()):
    _IANA_TO_WINDOWS.setdefault(_iana, _windows)
_IANA_TO_WINDOWS.update({"UTC": "UTC", "Etc/UTC": "UTC"})


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    """The zone a Graph `timeZone` names (Windows or IANA); 400 for one Graph would not know."""
    iana = WINDOWS_TO_OLSON.get(name, name)
    try:
        return ZoneInfo(iana)
    except (ZoneInfoNotFoundError, ValueError):
        raise errors.bad_request(
            f"A valid TimeZone value must be specified. The following TimeZone value is not "
            f"supported: '{name}'.",
            code="TimeZoneNotSupportedException",
        ) from None


def windows_name(name: str) -> str:
    """The Windows name Outlook stores for a zone given by either kind of name."""
    if name in WINDOWS_TO_OLSON:
        return name
    return _IANA_TO_WINDOWS.get(name, name)


def parse_date_time(value: Any, field: str) -> tuple[datetime, str]:
    """A request's `dateTimeTimeZone`: the aware moment and the zone name as written (default
    UTC). An offset inside `dateTime` wins over `timeZone` for the moment, as Graph reads it."""
    if not isinstance(value, dict) or not isinstance(value.get("dateTime"), str):
        raise errors.bad_request(f"Property '{field}' is required and must be a dateTimeTimeZone.")
    name = value.get("timeZone") or "UTC"
    if not isinstance(name, str):
        raise errors.bad_request(f"Invalid timeZone in '{field}'.")
    where = zone(name)
    try:
        moment = datetime.fromisoformat(_seven_to_six_digits(value["dateTime"].strip()))
    except ValueError:
        raise errors.bad_request(
            f"Cannot convert the literal '{value['dateTime']}' to the expected type "
            "'Edm.DateTimeOffset'."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=where)
    return moment.astimezone(where), name


def parse_query_time(value: str | None, name: str) -> datetime:
    """`startDateTime`/`endDateTime`: ISO 8601; without an offset it is UTC (as Graph reads it)."""
    if value is None:
        raise errors.bad_request(
            "This request requires a time window specified by the query string parameters "
            "StartDateTime and EndDateTime.",
            code="ErrorInvalidParameter",
        )
    try:
        moment = datetime.fromisoformat(_seven_to_six_digits(value.replace(" ", "+")))
    except ValueError:
        raise errors.bad_request(
            f"The value '{value}' of parameter '{name}' is invalid.", code="ErrorInvalidParameter"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def render(moment: datetime, zone_name: str) -> dict[str, str]:
    """`{"dateTime": "…0000000", "timeZone": zone_name}`, the moment as a wall time there."""
    local = moment.astimezone(zone(zone_name))
    return {"dateTime": seven_digits(local.replace(tzinfo=None)), "timeZone": zone_name}


def render_all_day(day: date, zone_name: str) -> dict[str, str]:
    """All-day events keep their dates whatever zone they are shown in (midnight to midnight)."""
    return {"dateTime": seven_digits(datetime.combine(day, time())), "timeZone": zone_name}


def seven_digits(moment: datetime) -> str:
    """`2030-01-08T10:00:00.0000000`: Graph's 7 fractional digits, no offset."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0"


def utc_stamp(moment: datetime) -> str:
    """`createdDateTime`/`lastModifiedDateTime`: `2030-01-08T10:00:00.1234567Z`."""
    return seven_digits(moment.astimezone(UTC).replace(tzinfo=None)) + "Z"


def offset_stamp(moment: datetime) -> str:
    """`originalStart` and subscription times (Edm.DateTimeOffset): `2030-01-08T10:00:00Z`."""
    text = moment.astimezone(UTC).isoformat(timespec="seconds")
    return text.replace("+00:00", "Z")


def _seven_to_six_digits(text: str) -> str:
    """Python reads at most 6 fractional digits; Graph writes 7."""
    head, dot, tail = text.partition(".")
    if not dot:
        return text
    digits = len(tail) - len(tail.lstrip("0123456789"))
    return f"{head}.{tail[: min(digits, 6)]}{tail[digits:]}" if digits else head + tail
