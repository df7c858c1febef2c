"""Recurrence lines (RFC 5545 RRULE/EXRULE/RDATE/EXDATE, no DTSTART) read into dateutil rules and
dates (pure). Rules are checked part by part before dateutil sees them: dateutil accepts values
that never end (INTERVAL=0 loops forever) or mean nothing (BYMONTHDAY=0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule

from sandbox.google.times import EventTime

# Sub-hourly series are refused: Google Calendar offers nothing finer than daily, and a minutely
# series would make every expansion walk millions of occurrences.
FREQUENCIES = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
# BY* parts with numeric values: (smallest, largest, negative values allowed).
_NUMERIC_PARTS = {
    "BYSECOND": (0, 60, False),
    "BYMINUTE": (0, 59, False),
    "BYHOUR": (0, 23, False),
    "BYMONTHDAY": (1, 31, True),
    "BYYEARDAY": (1, 366, True),
    "BYWEEKNO": (1, 53, True),
    "BYMONTH": (1, 12, False),
    "BYSETPOS": (1, 366, True),
}
_OTHER_PARTS = ("FREQ", "UNTIL", "COUNT", "INTERVAL", "BYDAY", "WKST")
_WEEKDAY = re.compile(r"^([+-]?)(\d{0,2})(MO|TU|WE|TH|FR|SA|SU)$")
# The Gregorian calendar (weekdays included) repeats every 400 years, so a pattern that yields
# nothing in one such cycle never does; the cycle checked ends this close to datetime's limit.
_CYCLE_YEARS = 400
_LAST_CYCLE_START = MAXYEAR - 2 * _CYCLE_YEARS


@dataclass(frozen=True)
class RecurrenceSet:
    """A series' rules and dates, in the form dateutil compares (see `as_rule_value`)."""

    dtstart: datetime
    rules: tuple[rrule.rrule, ...]
    exrules: tuple[rrule.rrule, ...]
    dates: tuple[datetime, ...]  # RDATEs, DTSTART included (always the first instance)
    exdates: frozenset[datetime]
    patterns: tuple[str, ...]  # every RRULE/EXRULE as given, for `pattern_occurs`


def parse(lines: list[str], start: EventTime, series_zone: ZoneInfo) -> RecurrenceSet:
    """The series' rules and dates; ValueError on anything Google would not accept."""
    dtstart = as_rule_value(start, series_zone)
    rules: list[rrule.rrule] = []
    exrules: list[rrule.rrule] = []
    patterns: list[str] = []
    dates, exdates = [dtstart], set()
    has_rule = False
    for line in lines:
        name, _, value = line.partition(":")
        kind, *params = name.split(";")
        kind = kind.upper()
        if kind in ("RRULE", "EXRULE"):
            check_rule(value)
            patterns.append(value)
            parsed = _rule(_fix_until(value, start, series_zone), dtstart)
            (rules if kind == "RRULE" else exrules).append(parsed)
            has_rule = has_rule or kind == "RRULE"
        elif kind == "RDATE":
            dates.extend(_date_values(value, params, start, series_zone))
            has_rule = True
        elif kind == "EXDATE":
            exdates.update(_date_values(value, params, start, series_zone))
        else:
            raise ValueError(f"Invalid recurrence rule: {line}")
    if not has_rule:
        raise ValueError("Invalid recurrence rule: no RRULE or RDATE")
    return RecurrenceSet(
        dtstart,
        tuple(rules),
        tuple(exrules),
        tuple(sorted(dates)),
        frozenset(exdates),
        tuple(patterns),
    )


def check_rule(value: str) -> None:
    """ValueError unless every part of the rule is known, once, and in range (RFC 5545 §3.3.10)."""
    parts: dict[str, str] = {}
    for part in value.split(";"):
        key, equals, text = part.partition("=")
        key = key.strip().upper()
        if not equals or not text or key in parts:
            raise ValueError(f"Invalid recurrence rule part: {part}")
        parts[key] = text.strip().upper()
    if parts.get("FREQ") not in FREQUENCIES:
        raise ValueError(f"Unsupported recurrence frequency: {parts.get('FREQ')}")
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValueError("COUNT and UNTIL must not both be given")
    for key, text in parts.items():
        if key in ("INTERVAL", "COUNT"):
            _check_numbers(key, text, 1, 10**6, negative=False)
        elif key in _NUMERIC_PARTS:
            _check_numbers(key, text, *_NUMERIC_PARTS[key][:2], negative=_NUMERIC_PARTS[key][2])
        elif key in ("BYDAY", "WKST"):
            _check_weekdays(key, text)
        elif key not in _OTHER_PARTS:
            raise ValueError(f"Unsupported recurrence rule part: {key}")


def pattern_occurs(value: str, dtstart: datetime) -> bool:
    """True when the rule's pattern (COUNT and UNTIL aside) yields any start at all.

    dateutil steps an impossible pattern (BYMONTH=2;BYMONTHDAY=30) up to year 9999 before it
    gives up; checking one 400-year cycle near that limit instead bounds the work.
    """
    kept = [
        p for p in value.split(";") if p.partition("=")[0].strip().upper() not in ("COUNT", "UNTIL")
    ]
    naive = dtstart.replace(tzinfo=None)
    cycles = max(0, (_LAST_CYCLE_START - naive.year) // _CYCLE_YEARS)
    shifted = naive.replace(year=naive.year + cycles * _CYCLE_YEARS)
    return next(iter(_rule(";".join(kept), shifted)), None) is not None


def as_rule_value(value: EventTime, series_zone: ZoneInfo) -> datetime:
    """Timed: aware in the series zone; all-day: naive midnight (dateutil's date convention)."""
    if value.date is not None:
        return datetime.combine(value.date, time())
    assert value.date_time is not None
    return value.date_time.astimezone(series_zone)


def basic_date(text: str) -> date:
    """`20240508` (RFC 5545 basic format)."""
    return date(int(text[0:4]), int(text[4:6]), int(text[6:8]))


def basic_datetime(text: str, zone_info: tzinfo) -> datetime:
    """`20240508T100000` in `zone_info`."""
    if len(text) != 15 or text[8] != "T":
        raise ValueError(f"not a basic-format date-time: {text}")
    day = basic_date(text)
    hour, minute, second = int(text[9:11]), int(text[11:13]), int(text[13:15])
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone_info)


def _part_name(part: str) -> str:
    return part.partition("=")[0].strip().upper()


def _rule(text: str, dtstart: datetime) -> rrule.rrule:
    try:
        parsed = rrule.rrulestr(text, dtstart=dtstart)
    except (KeyError, IndexError, TypeError, OverflowError) as error:
        raise ValueError(f"Invalid recurrence rule: {text}") from error
    if not isinstance(parsed, rrule.rrule):
        raise ValueError(f"Invalid recurrence rule: {text}")
    return parsed


def _check_numbers(key: str, text: str, low: int, high: int, *, negative: bool) -> None:
    for item in text.split(","):
        number = int(item)  # ValueError when not a number
        if not (low <= number <= high or (negative and low <= -number <= high)):
            raise ValueError(f"{key} out of range: {item}")


def _check_weekdays(key: str, text: str) -> None:
    for item in text.split(","):
        found = _WEEKDAY.match(item)
        if found is None or (key == "WKST" and (found[1] or found[2])):
            raise ValueError(f"Invalid {key}: {item}")
        if found[2] and not 1 <= int(found[2]) <= 53:
            raise ValueError(f"{key} ordinal out of range: {item}")
        if found[1] and not found[2]:
            raise ValueError(f"Invalid {key}: {item}")


def _fix_until(rule: str, start: EventTime, series_zone: ZoneInfo) -> str:
    """dateutil wants UTC UNTIL for aware starts and floating UNTIL for all-day starts."""
    parts = []
    for part in rule.split(";"):
        key, equals, value = part.partition("=")
        if key.strip().upper() == "UNTIL":
            value = _until_value(value.strip(), start, series_zone)
        parts.append(f"{key}{equals}{value}")
    return ";".join(parts)


def _until_value(value: str, start: EventTime, series_zone: ZoneInfo) -> str:
    if start.all_day:
        return value[:8]
    if value.endswith("Z"):
        return value
    if len(value) == 8:
        moment = datetime.combine(basic_date(value), time.max, series_zone)
    else:
        moment = basic_datetime(value, series_zone)
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
            moments.append(_day_value(basic_date(raw), start, value_zone))
        elif raw.endswith("Z"):
            moments.append(_timed_value(basic_datetime(raw[:-1], UTC), start))
        else:
            moments.append(_timed_value(basic_datetime(raw, value_zone), start))
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
