"""The syncer domain's errors."""

from __future__ import annotations


class MappingError(Exception):
    """Raised when a provider object cannot become canonical events: unparsable iCalendar,
    no VEVENT, a VEVENT without DTSTART, or a property value the parser rejects."""
