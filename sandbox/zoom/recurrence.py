"""Occurrences of a recurring meeting with a fixed time (type 8): Zoom's `recurrence` object
(daily, weekly on `weekly_days`, monthly on `monthly_day`; ending after `end_times` or at
`end_date_time`) expanded in the meeting's time zone. Pure: no I/O, `now` is never needed.

https://developers.zoom.us/docs/api/meetings/#tag/meetings/POST/users/{userId}/meetings
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DAILY, WEEKLY, MONTHLY = 1, 2, 3
MAX_OCCURRENCES = 60  # Zoom refuses `end_times` above this; `end_date_time` is cut there too
# Zoom numbers weekdays from Sunday (1) to Saturday (7).
_ZOOM_WEEKDAY = {1: 6, 2: 0, 3: 1, 4: 2, 5: 3, 6: 4, 7: 5}


@dataclass(frozen=True)
class Recurrence:
    type: int
    repeat_interval: int = 1
    weekly_days: tuple[int, ...] = ()
    monthly_day: int | None = None
    end_times: int | None = None
    end_date_time: datetime | None = None

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"type": self.type, "repeat_interval": self.repeat_interval}
        if self.type == WEEKLY:
            body["weekly_days"] = ",".join(str(day) for day in self.weekly_days)
        if self.type == MONTHLY and self.monthly_day is not None:
            body["monthly_day"] = self.monthly_day
        if self.end_date_time is not None:
            body["end_date_time"] = self.end_date_time.astimezone(UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            )
        else:
            body["end_times"] = self.end_times or 1
        return body


def occurrences(rule: Recurrence, first: datetime, zone: str) -> list[datetime]:
    """Start instants (UTC) of every occurrence, in order, at most `MAX_OCCURRENCES`."""
    local = first.astimezone(ZoneInfo(zone))
    limit = min(rule.end_times or MAX_OCCURRENCES, MAX_OCCURRENCES)
    if rule.end_date_time is None and rule.end_times is None:
        limit = 1  # Zoom's default `end_times`
    found: list[datetime] = []
    for day in _days(rule, local.date()):
        start = datetime.combine(day, local.timetz()).replace(tzinfo=local.tzinfo)
        if rule.end_date_time is not None and start > rule.end_date_time:
            break
        found.append(start.astimezone(UTC))
        if len(found) >= limit:
            break
    return found


def _days(rule: Recurrence, first: date) -> Iterator[date]:
    step = max(1, rule.repeat_interval)
    if rule.type == DAILY:
        for index in range(10 * MAX_OCCURRENCES * step):
            yield first + timedelta(days=index * step)
    elif rule.type == WEEKLY:
        weekdays = {_ZOOM_WEEKDAY[d] for d in rule.weekly_days} or {first.weekday()}
        monday = first - timedelta(days=first.weekday())
        for week in range(10 * MAX_OCCURRENCES):
            base = monday + timedelta(weeks=week * step)
            yield from (
                base + timedelta(days=d)
                for d in sorted(weekdays)
                if base + timedelta(days=d) >= first
            )
    elif rule.type == MONTHLY:
        wanted = rule.monthly_day or first.day
        for month in range(10 * MAX_OCCURRENCES):
            index = first.month - 1 + month * step
            year, month_of_year = first.year + index // 12, index % 12 + 1
            if wanted <= calendar.monthrange(year, month_of_year)[1]:
                day = date(year, month_of_year, wanted)
                if day >= first:
                    yield day
