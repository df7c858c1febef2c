"""Recurring series: RRULE/EXRULE/RDATE/EXDATE lines expanded into instance start times (pure).

Timed series expand in `start.timeZone` (wall-clock times stay put across DST); all-day series
expand as dates. Instance ids follow Google's observed `<masterId>_<YYYYMMDDTHHMMSSZ>` (all-day:
`<masterId>_<YYYYMMDD>`) convention, providers.md §1.7.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

from sandbox.google.times import EventTime, zone

# How far past max(now, series start) a series is expanded when no timeMax bounds it; Google's
# own horizon is undocumented (providers.md §7), so this is the sandbox's choice.
HORIZON = timedelta(days=730)
# Never more instances than this per series and listing.
MAX_INSTANCES = 5000


@dataclass(frozen=True, slots=True)
class Expansion:
    """A series' original instance starts, up to `bound_ts` (all of them when `complete`)."""

    originals: tuple[EventTime, ...]
    start_ts: tuple[float, ...]
    bound_ts: float
    complete: bool


def validate(lines: list[str], start: EventTime) -> None:
    """Raise ValueError when the lines are not a recurrence Google would accept for `start`."""
    if start.date_time is not None and not start.time_zone:
        raise ValueError("Missing time zone definition for start time.")
    _ruleset(lines, start, zone(start.time_zone or "UTC"))


def expand(
    lines: tuple[str, ...], start: EventTime, calendar_zone: ZoneInfo, now: datetime
) -> Expansion:
    """Original starts of every instance from the first up to max(now, first start) + HORIZON."""
    series_zone = start.expansion_zone(calendar_zone)
    ruleset = _ruleset(list(lines), start, series_zone)
    first = start.instant(calendar_zone)
    bound = max(now, first) + HORIZON
    originals: list[EventTime] = []
    stamps: list[float] = []
    complete = True
    for occurrence in ruleset:
        original = _original(occurrence, start, series_zone)
        instant = original.instant(calendar_zone)
        if instant >= bound or len(originals) >= MAX_INSTANCES:
            complete = False
            break
        originals.append(original)
        stamps.append(instant.timestamp())
    return Expansion(tuple(originals), tuple(stamps), bound.timestamp(), complete)


def is_occurrence(
    lines: tuple[str, ...], start: EventTime, calendar_zone: ZoneInfo, original: EventTime
) -> bool:
    """True when `original` is one of the series' instance starts (at any distance)."""
    series_zone = start.expansion_zone(calendar_zone)
    ruleset = _ruleset(list(lines), start, series_zone)
    wanted = _as_rule_value(original, series_zone)
    found = ruleset.after(wanted, inc=True)
    return found is not None and found == wanted


def instance_id(master_id: str, original: EventTime) -> str:
    if original.date is not None:
        return f"{master_id}_{original.date.strftime('%Y%m%d')}"
    assert original.date_time is not None
    return f"{master_id}_{original.date_time.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"


def split_instance_id(event_id: str) -> tuple[str, EventTime] | None:
    """(master id, original start) of an instance id, or None when it is not one."""
    master_id, sep, stamp = event_id.rpartition("_")
    if not sep or not master_id:
        return None
    try:
        if len(stamp) == 8 and stamp.isdigit():
            return master_id, EventTime(_basic_date(stamp), None, None)
        if len(stamp) != 16 or stamp[8] != "T" or stamp[15] != "Z":
            return None
        moment = _basic_datetime(stamp[:15], UTC)
    except ValueError:
        return None
    return master_id, EventTime(None, moment, None)


def in_series_zone(original: EventTime, start: EventTime, calendar_zone: ZoneInfo) -> EventTime:
    """An instance-id original (UTC) restated in the series' zone, as Google shows it."""
    if original.date_time is None:
        return original
    series_zone = start.expansion_zone(calendar_zone)
    return EventTime(None, original.date_time.astimezone(series_zone), start.time_zone)


def _ruleset(lines: list[str], start: EventTime, series_zone: ZoneInfo) -> rrule.rruleset:
    dtstart = _as_rule_value(start, series_zone)
    ruleset = rrule.rruleset()
    has_rule = False
    for line in lines:
        name, _, value = line.partition(":")
        kind, *params = name.split(";")
        kind = kind.upper()
        if kind in ("RRULE", "EXRULE"):
            parsed = rrule.rrulestr(_fix_until(value, start, series_zone), dtstart=dtstart)
            if kind == "RRULE":
                ruleset.rrule(parsed)
                has_rule = True
            else:
                ruleset.exrule(parsed)
        elif kind in ("RDATE", "EXDATE"):
            add = ruleset.rdate if kind == "RDATE" else ruleset.exdate
            for moment in _date_values(value, params, start, series_zone):
                add(moment)
            has_rule = has_rule or kind == "RDATE"
        else:
            raise ValueError(f"Invalid recurrence rule: {line}")
    if not has_rule:
        raise ValueError("Invalid recurrence rule: no RRULE or RDATE")
    ruleset.rdate(dtstart)  # RFC 5545: DTSTART is always the first instance
    return ruleset


def _as_rule_value(value: EventTime, series_zone: ZoneInfo) -> datetime:
    """Timed: aware in the series zone; all-day: naive midnight (dateutil's date convention)."""
    if value.date is not None:
        return datetime.combine(value.date, time())
    assert value.date_time is not None
    return value.date_time.astimezone(series_zone)


def _original(occurrence: datetime, start: EventTime, series_zone: ZoneInfo) -> EventTime:
    if start.all_day:
        return EventTime(occurrence.date(), None, None)
    return EventTime(None, occurrence.astimezone(series_zone), start.time_zone)


def _fix_until(rule: str, start: EventTime, series_zone: ZoneInfo) -> str:
    """dateutil wants UTC UNTIL for aware starts and floating UNTIL for all-day starts."""
    parts = []
    for part in rule.split(";"):
        key, equals, value = part.partition("=")
        if key.upper() == "UNTIL":
            value = _until_value(value, start, series_zone)
        parts.append(f"{key}{equals}{value}")
    return ";".join(parts)


def _until_value(value: str, start: EventTime, series_zone: ZoneInfo) -> str:
    if start.all_day:
        return value[:8]
    if value.endswith("Z"):
        return value
    if len(value) == 8:
        moment = datetime.combine(_basic_date(value), time.max, series_zone)
    else:
        moment = _basic_datetime(value, series_zone)
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _date_values(
    value: str, params: list[str], start: EventTime, series_zone: ZoneInfo
) -> list[datetime]:
    tzid = next((p.split("=", 1)[1] for p in params if p.upper().startswith("TZID=")), None)
    value_zone = _tzid_zone(tzid) if tzid else series_zone
    moments = []
    for raw in value.split(","):
        raw = raw.strip()
        if len(raw) == 8:
            moments.append(_day_value(_basic_date(raw), start, value_zone))
        elif raw.endswith("Z"):
            moments.append(_timed_value(_basic_datetime(raw[:-1], UTC), start))
        else:
            moments.append(_timed_value(_basic_datetime(raw, value_zone), start))
    return moments


def _tzid_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"Invalid TZID: {name}") from None


def _day_value(day: date, start: EventTime, value_zone: ZoneInfo) -> datetime:
    if start.all_day:
        return datetime.combine(day, time())
    assert start.date_time is not None
    wall = start.date_time.astimezone(value_zone).time()
    return datetime.combine(day, wall, value_zone)


def _timed_value(moment: datetime, start: EventTime) -> datetime:
    if start.all_day:
        return datetime.combine(moment.date(), time())
    return moment


def _basic_date(text: str) -> date:
    """`20240508` (RFC 5545 basic format)."""
    return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))


def _basic_datetime(text: str, zone_info: tzinfo) -> datetime:
    """`20240508T100000` in `zone_info`."""
    if len(text) != 15 or text[8] != "T":
        raise ValueError(f"not a basic-format date-time: {text}")
    day = _basic_date(text)
    hour, minute, second = int(text[9:11]), int(text[11:13]), int(text[13:15])
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone_info)
