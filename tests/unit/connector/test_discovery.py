"""Choosing a calendar among an account's collections, and where discovery looks first."""

from __future__ import annotations

from services.connector.domain.discovery import (
    CalendarEntry,
    choose_calendar,
    default_calendar,
    entry_urls,
    time_zone_of,
)


def _entry(name: str, *, events: bool = True, writable: bool = True) -> CalendarEntry:
    return CalendarEntry(
        url=f"https://dav.example.com/u/{name}/",
        name=name,
        time_zone=None,
        holds_events=events,
        writable=writable,
    )


def test_the_default_is_the_first_writable_event_calendar() -> None:
    entries = [
        _entry("tasks", events=False),
        _entry("shared", writable=False),
        _entry("work"),
        _entry("home"),
    ]
    assert default_calendar(entries) == entries[2]


def test_read_only_event_calendars_are_the_fallback_and_task_lists_never_count() -> None:
    assert default_calendar([_entry("t", events=False), _entry("ro", writable=False)]) == _entry(
        "ro", writable=False
    )
    assert default_calendar([_entry("t", events=False)]) is None


def test_a_requested_calendar_is_found_by_url_or_path_but_only_among_event_calendars() -> None:
    entries = [_entry("tasks", events=False), _entry("work")]
    assert choose_calendar(entries, "/u/work") == entries[1]
    assert choose_calendar(entries, "https://dav.example.com/u/work/") == entries[1]
    assert choose_calendar(entries, "/u/tasks/") is None
    assert choose_calendar(entries, None) == entries[1]


def test_a_bare_host_also_tries_the_well_known_uri() -> None:
    assert entry_urls("https://dav.example.com") == [
        "https://dav.example.com",
        "https://dav.example.com/.well-known/caldav",
    ]
    assert entry_urls("https://dav.example.com/dav/") == ["https://dav.example.com/dav/"]


def test_the_calendar_time_zone_is_the_vtimezone_tzid() -> None:
    text = (
        "BEGIN:VCALENDAR\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/\r\n Berlin\r\nEND:VTIMEZONE\r\n"
        "END:VCALENDAR\r\n"
    )
    assert time_zone_of(text) == "Europe/Berlin"
    assert time_zone_of(None) is None
    assert time_zone_of("BEGIN:VCALENDAR\nEND:VCALENDAR\n") is None
