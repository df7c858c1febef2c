"""Which instances of a calendar's events fall in a time window (pure): stored single instances
and exceptions by their own times, series masters expanded into generated occurrences (less the
cancelled ones and those an exception replaces). An instance is in [low, high) when it overlaps
it; a zero-length instance when it starts inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sandbox.microsoft import identifiers, recurrence
from sandbox.microsoft.store import Calendar, Shape, StoredEvent


@dataclass(frozen=True)
class Window:
    low: datetime
    high: datetime

    def holds(self, start: datetime, end: datetime) -> bool:
        if start == end:
            return self.low <= start < self.high
        return start < self.high and end > self.low


def generated(
    master: StoredEvent, shape: Shape, window: Window, replaced: frozenset[datetime]
) -> list[datetime]:
    """Original starts of the occurrences `shape` generates inside `window`, in order, less its
    cancelled ones and `replaced` (those exceptions stand for)."""
    if shape.recurrence is None:
        return []
    span = shape.end - shape.start
    starts = recurrence.original_starts(
        shape.recurrence, shape.start, window.low - span, window.high
    )
    skip = shape.cancelled | replaced
    return [s for s in starts if s not in skip and window.holds(s, s + span)]


def replaced_starts(calendar: Calendar, master_id: str) -> frozenset[datetime]:
    exceptions = calendar.exceptions.get(master_id, {})
    return frozenset(e.original_start for e in exceptions.values() if e.original_start)


def occurrences_now(master: StoredEvent, calendar: Calendar, window: Window) -> list[datetime]:
    return generated(master, master.shape(), window, replaced_starts(calendar, master.id))


def generated_ids(master_id: str, starts: list[datetime]) -> list[str]:
    return [identifiers.occurrence_id(master_id, s) for s in starts]


def series_in_window(master: StoredEvent, calendar: Calendar, window: Window) -> bool:
    """Whether any instance of the series (generated or exception) is in the window."""
    exceptions = calendar.exceptions.get(master.id, {}).values()
    if any(window.holds(e.start, e.end) for e in exceptions):
        return True
    return bool(occurrences_now(master, calendar, window))


def is_instance(master: StoredEvent, calendar: Calendar, original: datetime) -> bool:
    """Whether `original` is the start of a live generated occurrence of the series."""
    if master.recurrence is None or original in master.cancelled:
        return False
    if original in replaced_starts(calendar, master.id):
        return False
    return recurrence.is_original_start(master.recurrence, master.start, original)
