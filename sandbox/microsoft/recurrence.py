"""Graph's `patternedRecurrence` (pure): parsing, rendering, and the original starts of a series'
occurrences in a time range (https://learn.microsoft.com/graph/api/resources/patternedrecurrence).

Emulated: every pattern type (`daily`, `weekly`, `absoluteMonthly`, `relativeMonthly`,
`absoluteYearly`, `relativeYearly`) with `interval`, `daysOfWeek`, `dayOfMonth`, `month`, `index`
and `firstDayOfWeek`, and every range type (`endDate`, `noEnd`, `numbered`). Occurrences are wall
times in the range's `recurrenceTimeZone` (else the series' start zone), so they keep their local
time across DST; the first is the first date matching the pattern on or after `startDate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from typing import Any

from dateutil import rrule

from sandbox.microsoft import errors, times

PATTERN_TYPES = (
    "daily",
    "weekly",
    "absoluteMonthly",
    "relativeMonthly",
    "absoluteYearly",
    "relativeYearly",
)
RANGE_TYPES = ("endDate", "noEnd", "numbered")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
INDEXES = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
_FREQ = {
    "daily": rrule.DAILY,
    "weekly": rrule.WEEKLY,
    "absoluteMonthly": rrule.MONTHLY,
    "relativeMonthly": rrule.MONTHLY,
    "absoluteYearly": rrule.YEARLY,
    "relativeYearly": rrule.YEARLY,
}
# Never more occurrences than this from one series in one answer (a sandbox bound).
MAX_OCCURRENCES = 5000


@dataclass(frozen=True)
class Recurrence:
    pattern_type: str
    interval: int
    days_of_week: tuple[str, ...]
    day_of_month: int
    month: int
    index: str
    first_day_of_week: str
    range_type: str
    start_date: date
    end_date: date | None
    occurrences: int
    time_zone: str


def parse(value: Any, start: datetime, start_zone: str) -> Recurrence:
    """A request's `recurrence`; 400 for anything Graph would refuse."""
    if not isinstance(value, dict):
        raise errors.bad_request("recurrence must be a patternedRecurrence.")
    pattern, span = value.get("pattern"), value.get("range")
    if not isinstance(pattern, dict) or not isinstance(span, dict):
        raise errors.bad_request("recurrence needs both a pattern and a range.")
    kind = pattern.get("type")
    if kind not in PATTERN_TYPES:
        raise errors.bad_request(f"Invalid recurrence pattern type '{kind}'.")
    days = tuple(str(d).lower() for d in pattern.get("daysOfWeek") or ())
    if any(d not in DAYS for d in days):
        raise errors.bad_request("Invalid value in recurrence pattern daysOfWeek.")
    recurrence = Recurrence(
        pattern_type=kind,
        interval=_int(pattern.get("interval", 1), "interval", low=1),
        days_of_week=days,
        day_of_month=_int(pattern.get("dayOfMonth", 0), "dayOfMonth", low=0, high=31),
        month=_int(pattern.get("month", 0), "month", low=0, high=12),
        index=str(pattern.get("index") or "first"),
        first_day_of_week=str(pattern.get("firstDayOfWeek") or "sunday").lower(),
        range_type=str(span.get("type")),
        start_date=_date(span.get("startDate"), "startDate") or start.date(),
        end_date=_date(span.get("endDate"), "endDate"),
        occurrences=_int(span.get("numberOfOccurrences", 0), "numberOfOccurrences", low=0),
        time_zone=str(span.get("recurrenceTimeZone") or start_zone),
    )
    _check(recurrence)
    return recurrence


def _check(rec: Recurrence) -> None:
    times.zone(rec.time_zone)
    if rec.range_type not in RANGE_TYPES:
        raise errors.bad_request(f"Invalid recurrence range type '{rec.range_type}'.")
    if rec.range_type == "endDate" and (rec.end_date is None or rec.end_date < rec.start_date):
        raise errors.bad_request("The recurrence range needs an endDate on or after startDate.")
    if rec.range_type == "numbered" and rec.occurrences < 1:
        raise errors.bad_request("The recurrence range needs numberOfOccurrences of 1 or more.")
    if rec.pattern_type in ("weekly", "relativeMonthly", "relativeYearly") and not rec.days_of_week:
        raise errors.bad_request(f"A {rec.pattern_type} pattern needs daysOfWeek.")
    if rec.pattern_type in ("absoluteMonthly", "absoluteYearly") and not rec.day_of_month:
        raise errors.bad_request(f"An {rec.pattern_type} pattern needs dayOfMonth.")
    if rec.pattern_type.endswith("Yearly") and not rec.month:
        raise errors.bad_request(f"A {rec.pattern_type} pattern needs month.")
    if rec.index not in INDEXES:
        raise errors.bad_request(f"Invalid recurrence pattern index '{rec.index}'.")
    if rec.first_day_of_week not in DAYS:
        raise errors.bad_request("Invalid recurrence pattern firstDayOfWeek.")


def render(rec: Recurrence) -> dict[str, Any]:
    """The `recurrence` of a series master, every property written as Graph does."""
    return {
        "pattern": {
            "type": rec.pattern_type,
            "interval": rec.interval,
            "month": rec.month,
            "dayOfMonth": rec.day_of_month,
            "daysOfWeek": list(rec.days_of_week),
            "firstDayOfWeek": rec.first_day_of_week,
            "index": rec.index,
        },
        "range": {
            "type": rec.range_type,
            "startDate": rec.start_date.isoformat(),
            "endDate": (rec.end_date or date(1, 1, 1)).isoformat(),
            "recurrenceTimeZone": rec.time_zone,
            "numberOfOccurrences": rec.occurrences,
        },
    }


def original_starts(
    rec: Recurrence, start: datetime, low: datetime, high: datetime
) -> list[datetime]:
    """Original starts `s` of the series with `low <= s < high` (aware, in the series' zone),
    at most MAX_OCCURRENCES; `start` gives the time of day."""
    where = times.zone(rec.time_zone)
    rule = _rule(rec, start.astimezone(where).time())
    first = low.astimezone(where).replace(tzinfo=None) - timedelta(days=1)
    last = high.astimezone(where).replace(tzinfo=None) + timedelta(days=1)
    found: list[datetime] = []
    for wall in islice(rule.xafter(first, inc=True), MAX_OCCURRENCES * 2):
        if wall > last or len(found) >= MAX_OCCURRENCES:
            break
        moment = wall.replace(tzinfo=where)
        if low <= moment < high:
            found.append(moment)
    return found


def is_original_start(rec: Recurrence, start: datetime, candidate: datetime) -> bool:
    window_end = candidate + timedelta(seconds=1)
    return candidate in original_starts(rec, start, candidate, window_end)


def _rule(rec: Recurrence, time_of_day: time) -> Any:
    options: dict[str, Any] = {
        "dtstart": datetime.combine(rec.start_date, time_of_day),
        "interval": rec.interval,
        "wkst": DAYS.index(rec.first_day_of_week),
    }
    weekdays = [DAYS.index(d) for d in rec.days_of_week]
    if rec.pattern_type == "weekly":
        options["byweekday"] = weekdays
    elif rec.pattern_type.startswith("absolute"):
        options["bymonthday"] = rec.day_of_month
    elif rec.pattern_type.startswith("relative"):
        options["byweekday"] = weekdays
        options["bysetpos"] = INDEXES[rec.index]
    if rec.pattern_type.endswith("Yearly"):
        options["bymonth"] = rec.month
    if rec.range_type == "endDate" and rec.end_date is not None:
        options["until"] = datetime.combine(rec.end_date, time.max)
    elif rec.range_type == "numbered":
        options["count"] = rec.occurrences
    return rrule.rrule(_FREQ[rec.pattern_type], **options)


def _int(value: Any, name: str, *, low: int, high: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise errors.bad_request(f"Invalid recurrence value for {name}.")
    if high is not None and value > high:
        raise errors.bad_request(f"Invalid recurrence value for {name}.")
    return value


def _date(value: Any, name: str) -> date | None:
    if value in (None, "", "0001-01-01"):
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise errors.bad_request(f"Invalid recurrence {name}: {value}.") from None
