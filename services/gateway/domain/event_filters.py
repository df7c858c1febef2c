"""The event list query as data: filters, ordering and the `when` window, resolved against `now`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

When = Literal["upcoming", "past", "all"]
Ordering = Literal["start_time", "-start_time", "updated_at", "-updated_at"]


@dataclass(frozen=True)
class EventFilter:
    calendar_id: str | None = None
    calendar_deduplication_key: str | None = None
    start_time_gte: datetime | None = None
    start_time_lte: datetime | None = None
    end_time_gte: datetime | None = None
    end_time_lte: datetime | None = None
    updated_at_gte: datetime | None = None
    organizer_email: str | None = None
    attendee_email: str | None = None
    status: str | None = None
    has_meeting: bool | None = None
    platform: str | None = None
    series_id: str | None = None
    q: str | None = None
    include_deleted: bool = False
    end_after: datetime | None = None
    end_not_after: datetime | None = None


def apply_when(base: EventFilter, when: When, now: datetime) -> EventFilter:
    """`upcoming`: events that end after now; `past`: the rest; `all`: no time condition."""
    from dataclasses import replace

    if when == "upcoming":
        return replace(base, end_after=now)
    if when == "past":
        return replace(base, end_not_after=now)
    return base


def sort_column(ordering: Ordering) -> tuple[str, bool]:
    """The read-model column behind an ordering, and whether it is descending."""
    column = "start_at" if ordering.lstrip("-") == "start_time" else "updated_at"
    return column, ordering.startswith("-")
