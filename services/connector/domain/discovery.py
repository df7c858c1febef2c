"""Choosing among an account's calendars (RFC 4791 §5.2): only collections that hold VEVENTs
count; without a requested `platform_uuid`, the provider's primary calendar (Google) is the
default, else the first writable one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from services.connector.domain.connections import calendar_matches

_TZID = re.compile(r"^TZID:(?P<zone>[^\r\n]+)", re.MULTILINE)


@dataclass(frozen=True)
class CalendarEntry:
    """One calendar collection of an account, as listed by the provider."""

    url: str
    name: str | None
    time_zone: str | None
    holds_events: bool
    writable: bool
    primary: bool = False  # the account's main calendar, where the provider names one


@dataclass(frozen=True)
class AccountCalendars:
    """An account's calendars and the account's identity (for `POST /v1/calendars/raw`)."""

    calendars: tuple[CalendarEntry, ...]
    account_addresses: tuple[str, ...]
    account_email: str | None
    # The provider's own stable id of the account (Graph user id, Zoom user id, the Google
    # account's email), where the provider vouches for it: OAuth grants converge on it.
    mailbox: str | None = None


def event_calendars(entries: Sequence[CalendarEntry]) -> list[CalendarEntry]:
    """The calendars that hold events (homes also hold inboxes, outboxes and task lists)."""
    return [entry for entry in entries if entry.holds_events]


def default_calendar(entries: Sequence[CalendarEntry]) -> CalendarEntry | None:
    """The primary event calendar, else the first writable event calendar, else the first
    event calendar (read-only shares)."""
    events = event_calendars(entries)
    primary = [entry for entry in events if entry.primary]
    if primary:
        return primary[0]
    writable = [entry for entry in events if entry.writable]
    candidates = writable or events
    return candidates[0] if candidates else None


def choose_calendar(
    entries: Sequence[CalendarEntry], platform_uuid: str | None
) -> CalendarEntry | None:
    """The requested event calendar (by URL or URL path), or the default one."""
    if platform_uuid is None:
        return default_calendar(entries)
    for entry in event_calendars(entries):
        if calendar_matches(platform_uuid, entry.url):
            return entry
    return None


def time_zone_of(calendar_timezone: str | None) -> str | None:
    """The TZID of a `C:calendar-timezone` property (an iCalendar VTIMEZONE), if any."""
    if not calendar_timezone:
        return None
    match = _TZID.search(calendar_timezone.replace("\r\n ", "").replace("\n ", ""))
    return match.group("zone").strip() if match else None


def entry_urls(url: str) -> list[str]:
    """Where to look for the account's principal: the given URL, then, for a bare host, the
    RFC 6764 §5 well-known URI (which the server redirects to its context path)."""
    parts = urlsplit(url.strip())
    if parts.path in ("", "/"):
        return [url, urlunsplit((parts.scheme, parts.netloc, "/.well-known/caldav", "", ""))]
    return [url]
