"""Placing iCalendar objects against a sync window, and the window's daily anchor."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from services.connector.domain.placement import Placement, place
from services.connector.domain.window import apply_window, day_bounds, place_object, roll_over
from shared.contracts.connections import SyncWindow
from shared.contracts.provider import ProviderObject

START = datetime(2030, 1, 10, tzinfo=UTC)
END = datetime(2030, 2, 10, tzinfo=UTC)


def _ics(*lines: str) -> str:
    body = "\n".join(lines)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:u\n{body}\nEND:VEVENT\nEND:VCALENDAR\n"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (("DTSTART:20300115T100000Z", "DTEND:20300115T110000Z"), Placement.INSIDE),
        (("DTSTART:20300109T230000Z", "DTEND:20300110T010000Z"), Placement.INSIDE),
        (("DTSTART:20300101T100000Z", "DTEND:20300101T110000Z"), Placement.BEFORE),
        (("DTSTART:20300301T100000Z", "DTEND:20300301T110000Z"), Placement.AFTER),
        (("DTSTART;VALUE=DATE:20300210",), Placement.AFTER),
        (("DTSTART;VALUE=DATE:20300209",), Placement.INSIDE),
        (("DTSTART:20300120T100000", "DURATION:PT1H"), Placement.INSIDE),
        (("DTSTART:20200101T100000Z", "RRULE:FREQ=WEEKLY"), Placement.INSIDE),
        (("DTSTART:20200101T100000Z", "RRULE:FREQ=DAILY;COUNT=3"), Placement.INSIDE),
        (("DTSTART:20200101T100000Z", "RRULE:FREQ=DAILY;UNTIL=20200201T000000Z"), Placement.BEFORE),
        (("DTSTART:20200101T100000Z", "RRULE:FREQ=DAILY;UNTIL=20300111T000000Z"), Placement.INSIDE),
        (("DTSTART:20310101T100000Z", "RRULE:FREQ=DAILY"), Placement.AFTER),
        (("SUMMARY:no start",), Placement.UNKNOWN),
        (("DTSTART:2030-99-99",), Placement.UNKNOWN),
    ],
)
def test_placement(lines: tuple[str, ...], expected: Placement) -> None:
    assert place(_ics(*lines), START, END) is expected


def test_unparsable_text_and_objects_without_events_cannot_be_placed() -> None:
    assert place("not iCalendar at all", START, END) is Placement.UNKNOWN
    assert place("BEGIN:VCALENDAR\nEND:VCALENDAR\n", START, END) is Placement.UNKNOWN


def _object(name: str, *lines: str) -> ProviderObject:
    return ProviderObject(provider_object_id=name, etag=None, format="ical", data=_ics(*lines))


def test_listings_keep_the_window_and_changes_beyond_it_are_removed() -> None:
    inside = _object("in", "DTSTART:20300115T100000Z")
    after = _object("after", "DTSTART:20300301T100000Z")
    before = _object("before", "DTSTART:20300101T100000Z")
    broken = _object("broken", "SUMMARY:x")
    objects = [inside, after, before, broken]

    listing = apply_window(objects, ["gone"], (START, END), listing=True)
    assert listing.objects == (inside, broken) and listing.removed == ("gone",)
    assert listing.before == ("before",)  # seen, still there: reconciliation keeps it
    changes = apply_window(objects, ["gone"], (START, END), listing=False)
    assert changes.objects == (inside, before, broken)
    assert changes.removed == ("gone", "after")


def test_a_new_day_keeps_the_changes_that_left_the_window_and_adds_what_entered() -> None:
    moved_out = _object("moved-out", "DTSTART:20300515T100000Z")  # four months ahead now
    moved_back = _object("moved-back", "DTSTART:20300101T100000Z")
    edited = _object("edited", "DTSTART:20300115T100000Z", "SUMMARY:old")
    edited_later = _object("edited", "DTSTART:20300115T100000Z", "SUMMARY:new")
    entered = _object("entered", "DTSTART:20300209T100000Z")

    rolled = roll_over(
        [moved_out, moved_back, edited],
        ["deleted"],
        [edited_later, entered],
        (START, END),
    )

    assert rolled.objects == (moved_back, edited_later, entered)
    assert rolled.removed == ("deleted", "moved-out")


def test_the_window_is_anchored_on_whole_utc_days() -> None:
    start, end = day_bounds(SyncWindow(past_days=1, future_days=90), date(2030, 1, 10))
    assert start == datetime(2030, 1, 9, tzinfo=UTC)
    assert end == datetime(2030, 4, 11, tzinfo=UTC)


def _google(start: dict[str, str], end: dict[str, str], **extra: object) -> ProviderObject:
    data = json.dumps({"id": "g", "start": start, "end": end, **extra})
    return ProviderObject(provider_object_id="g", etag=None, format="google", data=data)


@pytest.mark.parametrize(
    ("start", "end", "extra", "expected"),
    [
        (
            {"dateTime": "2030-01-15T10:00:00+01:00"},
            {"dateTime": "2030-01-15T11:00:00+01:00"},
            {},
            Placement.INSIDE,
        ),
        (
            {"dateTime": "2030-01-01T10:00:00Z"},
            {"dateTime": "2030-01-01T11:00:00Z"},
            {},
            Placement.BEFORE,
        ),
        (
            {"dateTime": "2030-03-01T10:00:00Z"},
            {"dateTime": "2030-03-01T11:00:00Z"},
            {},
            Placement.AFTER,
        ),
        ({"date": "2030-02-09"}, {"date": "2030-02-10"}, {}, Placement.INSIDE),
        ({"date": "2030-02-10"}, {"date": "2030-02-11"}, {}, Placement.AFTER),
        (
            {"dateTime": "2020-01-01T10:00:00Z"},
            {"dateTime": "2020-01-01T11:00:00Z"},
            {"recurrence": ["RRULE:FREQ=WEEKLY"]},
            Placement.INSIDE,
        ),
        (
            {"dateTime": "2030-01-15T10:00:00"},
            {"dateTime": "2030-01-15T11:00:00"},
            {},
            Placement.UNKNOWN,
        ),
        ({}, {"date": "2030-01-15"}, {}, Placement.UNKNOWN),
    ],
)
def test_google_resources_are_placed_by_their_start_and_end(
    start: dict[str, str], end: dict[str, str], extra: dict[str, object], expected: Placement
) -> None:
    assert place_object(_google(start, end, **extra), (START, END)) is expected


def test_a_google_change_moved_past_the_window_is_removed() -> None:
    later = _google({"dateTime": "2030-03-01T10:00:00Z"}, {"dateTime": "2030-03-01T11:00:00Z"})
    kept = apply_window([later], [], (START, END), listing=False)
    assert kept.objects == () and kept.removed == ("g",)
