"""The syncer domain's errors. Each carries the reason code its object's sync issue records."""

from __future__ import annotations

from typing import Literal

IssueReason = Literal[
    "unmappable",
    "too_many_instances",
    "unsupported_frequency",
    "invalid_interval",
    "too_costly",
]


class MappingError(Exception):
    """Raised when a provider object cannot become canonical events: unparsable iCalendar,
    no VEVENT, a VEVENT without DTSTART, a property value the parser rejects, or a series
    with no sync window to expand it in."""

    reason: IssueReason = "unmappable"


class SeriesRefused(MappingError):
    """Raised when a recurring series is refused by a guard: more instances in the sync window
    than allowed (`too_many_instances`), a rule repeating more often than hourly
    (`unsupported_frequency`), an `INTERVAL` below 1 (`invalid_interval`), or an expansion
    over its CPU budget (`too_costly`)."""

    def __init__(self, reason: IssueReason, message: str) -> None:
        super().__init__(message)
        self.reason = reason
