"""The sync window a page was fetched for: recurring series are expanded into the instances
that overlap it. Bounds are UTC instants, the end exclusive, as the connector places objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    @classmethod
    def of(cls, start: datetime | None, end: datetime | None) -> Window | None:
        """The window of a page, or None when the page names none."""
        if start is None or end is None:
            return None
        return cls(start, end)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether an event from `start` to `end` (UTC instants) has any part in the window."""
        return start < self.end and end > self.start

    def widened(self, margin: timedelta) -> Window:
        return Window(self.start - margin, self.end + margin)
