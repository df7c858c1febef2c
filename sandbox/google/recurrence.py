"""Recurring series: RRULE/EXRULE/RDATE/EXDATE lines expanded into instance start times (pure).

Timed series expand in `start.timeZone` (wall-clock times stay put across DST); all-day series
expand as dates. Instance ids follow Google's observed `<masterId>_<YYYYMMDDTHHMMSSZ>` (all-day:
`<masterId>_<YYYYMMDD>`) convention, providers.md §1.7. Every walk over a series is bounded, by
a stop date and by a number of steps.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo

from sandbox.google import recurrence_lines
from sandbox.google.recurrence_lines import RecurrenceSet, as_rule_value
from sandbox.google.times import EventTime, zone

# How far past max(now, series start) a series is expanded when no timeMax bounds it; Google's
# own horizon is undocumented (providers.md §7), so this is the sandbox's choice.
HORIZON = timedelta(days=730)
# Never more instances than this per series and listing.
MAX_INSTANCES = 5000
# Never more occurrences stepped through (excluded ones included) per walk over a series: an
# instance further away than this (say an hourly series' instance in a century) is not found.
MAX_STEPS = 100_000
# Steps a new series must survive before it is accepted.
_CHECKED_STEPS = 3


class TooManySteps(Exception):
    """Raised inside a walk over a series that reached `MAX_STEPS`."""


@dataclass(frozen=True, slots=True)
class Expansion:
    """A series' original instance starts, up to `bound_ts` (all of them when `complete`)."""

    originals: tuple[EventTime, ...]
    start_ts: tuple[float, ...]
    bound_ts: float
    complete: bool


def validate(lines: list[str], start: EventTime) -> None:
    """Raise ValueError when the lines are not a recurrence Google would accept for `start`:
    malformed, out of range, a pattern that never occurs, or one that fails when stepped."""
    if start.date_time is not None and not start.time_zone:
        raise ValueError("Missing time zone definition for start time.")
    parsed = recurrence_lines.parse(lines, start, zone(start.time_zone or "UTC"))
    try:
        for pattern in parsed.patterns:
            if not recurrence_lines.pattern_occurs(pattern, parsed.dtstart):
                raise ValueError(f"Recurrence rule never occurs: {pattern}")
        for rule in (*parsed.rules, *parsed.exrules):
            list(islice(rule, _CHECKED_STEPS))
    except ArithmeticError as error:  # OverflowError near datetime's limits
        raise ValueError("Invalid recurrence rule.") from error


def expand(
    lines: tuple[str, ...], start: EventTime, calendar_zone: ZoneInfo, now: datetime
) -> Expansion:
    """Original starts of every instance from the first up to max(now, first start) + HORIZON
    (fewer when MAX_INSTANCES or MAX_STEPS is reached first; then it is not `complete`)."""
    series_zone = start.expansion_zone(calendar_zone)
    parsed = recurrence_lines.parse(list(lines), start, series_zone)
    first = start.instant(calendar_zone)
    bound = max(now, first) + HORIZON
    originals: list[EventTime] = []
    stamps: list[float] = []
    complete = True
    walk = Walk()
    try:
        for occurrence in occurrences(parsed, _stop_value(bound, start, series_zone), walk):
            original = _original(occurrence, start, series_zone)
            instant = original.instant(calendar_zone)
            if instant >= bound or len(originals) >= MAX_INSTANCES:
                complete = False
                break
            originals.append(original)
            stamps.append(instant.timestamp())
    except TooManySteps:
        complete = False
    complete = complete and not walk.cut
    return Expansion(tuple(originals), tuple(stamps), bound.timestamp(), complete)


def first_only(start: EventTime, calendar_zone: ZoneInfo) -> Expansion:
    """A series reduced to its first instance (what a series that cannot expand shows)."""
    instant = start.instant(calendar_zone).timestamp()
    return Expansion((start,), (instant,), instant, True)


def is_occurrence(
    lines: tuple[str, ...], start: EventTime, calendar_zone: ZoneInfo, original: EventTime
) -> bool:
    """True when `original` is one of the series' instance starts, at most MAX_STEPS away."""
    series_zone = start.expansion_zone(calendar_zone)
    parsed = recurrence_lines.parse(list(lines), start, series_zone)
    wanted = as_rule_value(original, series_zone)
    try:
        for occurrence in occurrences(parsed, wanted):
            if occurrence >= wanted:
                return occurrence == wanted
    except TooManySteps:
        return False
    return False


@dataclass
class Walk:
    """How far a walk over a series went: occurrences stepped, and whether it stopped at `stop`
    (rather than at the end of the series)."""

    steps: int = 0
    cut: bool = False


def occurrences(
    parsed: RecurrenceSet, stop: datetime, walk: Walk | None = None
) -> Iterator[datetime]:
    """The series' starts in order (RDATEs and RRULEs, less EXDATEs and EXRULEs), up to the first
    one past `stop`; raises TooManySteps once MAX_STEPS occurrences have been stepped through."""
    walk = walk or Walk()

    def bounded(source: Iterable[datetime], included: bool) -> Iterator[datetime]:
        for value in source:
            walk.steps += 1
            if walk.steps > MAX_STEPS:
                raise TooManySteps
            yield value
            if value > stop:
                walk.cut = walk.cut or included
                return

    included = heapq.merge(bounded(parsed.dates, True), *(bounded(r, True) for r in parsed.rules))
    excluded = heapq.merge(*(bounded(r, False) for r in parsed.exrules))
    next_excluded = next(excluded, None)
    last = None
    for value in included:
        if value == last or value in parsed.exdates:
            continue
        while next_excluded is not None and next_excluded < value:
            next_excluded = next(excluded, None)
        if next_excluded == value:
            continue
        last = value
        yield value
        if value > stop:
            return


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
            return master_id, EventTime(recurrence_lines.basic_date(stamp), None, None)
        if len(stamp) != 16 or stamp[8] != "T" or stamp[15] != "Z":
            return None
        moment = recurrence_lines.basic_datetime(stamp[:15], UTC)
    except ValueError:
        return None
    return master_id, EventTime(None, moment, None)


def in_series_zone(original: EventTime, start: EventTime, calendar_zone: ZoneInfo) -> EventTime:
    """An instance-id original (UTC) restated in the series' zone, as Google shows it."""
    if original.date_time is None:
        return original
    series_zone = start.expansion_zone(calendar_zone)
    return EventTime(None, original.date_time.astimezone(series_zone), start.time_zone)


def _original(occurrence: datetime, start: EventTime, series_zone: ZoneInfo) -> EventTime:
    if start.all_day:
        return EventTime(occurrence.date(), None, None)
    return EventTime(None, occurrence.astimezone(series_zone), start.time_zone)


def _stop_value(bound: datetime, start: EventTime, series_zone: ZoneInfo) -> datetime:
    """`bound` as the series' rules compare it (naive for all-day series)."""
    local = bound.astimezone(series_zone)
    return local.replace(tzinfo=None) if start.all_day else local
