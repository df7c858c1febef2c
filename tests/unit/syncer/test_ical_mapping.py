"""Identity, recurrence, text, status and raw rules of the iCalendar mapping, and its errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.syncer.domain.errors import MappingError
from services.syncer.domain.text import DESCRIPTION_LIMIT, RAW_LIMIT
from services.syncer.domain.window import Window
from shared.ids import derived_id
from tests.unit.syncer.samples import CALENDAR_ID, map_one, map_text, vcalendar

JANUARY = Window(datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 1, tzinfo=UTC))


def january(day: int, hour: int = 8, minute: int = 30) -> datetime:
    return datetime(2024, 1, day, hour, minute, tzinfo=UTC)


MASTER = """
    UID:series-1@example.com
    DTSTART;TZID=Europe/Berlin:20240108T093000
    DTEND;TZID=Europe/Berlin:20240108T094500
    RRULE:FREQ=WEEKLY;BYDAY=MO
    SUMMARY:Standup
"""
OVERRIDE = """
    UID:series-1@example.com
    RECURRENCE-ID;TZID=Europe/Berlin:20240122T093000
    DTSTART;TZID=Europe/Berlin:20240122T140000
    DTEND;TZID=Europe/Berlin:20240122T141500
    SUMMARY:Standup (moved)
"""


def test_single_event_identity() -> None:
    event = map_one("UID:one@example.com\nDTSTART:20240701T090000Z\nSUMMARY:Hi\nLOCATION:Room 1")
    assert event.id == derived_id("evt", CALENDAR_ID, "obj-1.ics", "")
    assert event.calendar_id == CALENDAR_ID
    assert event.provider_event_id == "obj-1.ics"
    assert event.ical_uid == "one@example.com"
    assert (event.series_id, event.is_recurring, event.is_exception) == (None, False, False)
    assert event.original_start_time is None
    assert (event.title, event.location) == ("Hi", "Room 1")
    assert event.is_deleted is False
    assert event.meeting is None


def test_ids_are_stable_across_mappings() -> None:
    data = vcalendar(MASTER, OVERRIDE)
    assert [e.id for e in map_text(data)] == [e.id for e in map_text(data)]


def test_a_series_maps_to_its_instances_in_the_window_with_the_override_in_place() -> None:
    events = map_text(vcalendar(MASTER, OVERRIDE), window=JANUARY)
    series = derived_id("ser", CALENDAR_ID, "series-1@example.com")
    assert [e.original_start_time for e in events] == [january(day) for day in (8, 15, 22, 29)]
    assert all(e.series_id == series and e.is_recurring for e in events)
    first, _, moved, _ = events
    assert first.id == derived_id("evt", CALENDAR_ID, "obj-1.ics", "20240108")
    assert first.provider_event_id == "obj-1.ics#20240108T083000Z"
    assert (first.is_exception, first.title, first.start_time) == (False, "Standup", january(8))
    assert moved.id == derived_id("evt", CALENDAR_ID, "obj-1.ics", "20240122")
    assert moved.provider_event_id == "obj-1.ics#20240122T083000Z"
    assert (moved.is_exception, moved.title) == (True, "Standup (moved)")
    assert moved.start_time == january(22, 13, 0)


def test_override_alone_is_still_recurring() -> None:
    (override,) = map_text(vcalendar(OVERRIDE))
    assert override.is_recurring and override.is_exception


def test_all_day_override_key_is_a_date() -> None:
    event = map_one("""
        UID:s
        RECURRENCE-ID;VALUE=DATE:20240105
        DTSTART;VALUE=DATE:20240106
    """)
    assert event.original_start_time == date(2024, 1, 5)
    assert event.provider_event_id == "obj-1.ics#20240105"
    assert event.id == derived_id("evt", CALENDAR_ID, "obj-1.ics", "20240105")


def test_rdate_makes_an_event_recurring() -> None:
    first, second = map_text(vcalendar("UID:r\nDTSTART:20240301T090000Z\nRDATE:20240308T090000Z"))
    assert first.is_recurring and not first.is_exception
    assert first.series_id == second.series_id == derived_id("ser", CALENDAR_ID, "r")
    assert second.start_time == datetime(2024, 3, 8, 9, tzinfo=UTC)


def test_repeated_recurrence_key_keeps_the_first_vevent() -> None:
    events = map_text(
        vcalendar(
            "UID:d\nDTSTART:20240701T090000Z\nSUMMARY:first",
            "UID:d\nDTSTART:20240701T100000Z\nSUMMARY:second",
        )
    )
    assert [e.title for e in events] == ["first"]


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("CONFIRMED", "confirmed"),
        ("TENTATIVE", "tentative"),
        ("CANCELLED", "cancelled"),
        ("cancelled", "cancelled"),
        ("IN-PROCESS", "confirmed"),
        (None, "confirmed"),
    ],
)
def test_status(value: str | None, status: str) -> None:
    line = f"\nSTATUS:{value}" if value else ""
    assert map_one(f"UID:a\nDTSTART:20240701T090000Z{line}").status == status


def test_html_description_becomes_text() -> None:
    html = (
        "<p>Hello&nbsp;team,</p><p>Agenda:<br>1. Q&amp;A<br/>2. Next</p>"
        "<script>alert(1)</script><a href='https://x.example'>link</a>"
    )
    event = map_one(f"UID:a\nDTSTART:20240701T090000Z\nDESCRIPTION:{html}")
    assert (
        event.description == "Hello team,\n\nAgenda:\n1. Q&A\n2. Next\n\nlink <https://x.example>"
    )
    assert event.description_truncated is False


def test_plain_description_is_kept_verbatim() -> None:
    event = map_one("UID:a\nDTSTART:20240701T090000Z\nDESCRIPTION:a < b\\, c > d\\nnext")
    assert event.description == "a < b, c > d\nnext"


def test_blank_title_location_and_description_are_none_and_others_trimmed() -> None:
    event = map_one(
        "UID:a\nDTSTART:20240701T090000Z\nSUMMARY:\nLOCATION: Room 1 \nDESCRIPTION:\\n\\n"
    )
    assert (event.title, event.location, event.description) == (None, "Room 1", None)
    event = map_one("UID:a\nDTSTART:20240701T090000Z\nSUMMARY:  Standup  ")
    assert event.title == "Standup"


def test_without_description_outlooks_html_twin_is_the_description() -> None:
    event = map_one(
        "UID:a\nDTSTART:20240701T090000Z\n"
        "X-ALT-DESC;FMTTYPE=text/html:<html><body><div>Agenda:\\n  budget</div></body></html>"
    )
    assert event.description == "Agenda: budget"
    both = map_one(
        "UID:a\nDTSTART:20240701T090000Z\nDESCRIPTION:plain\n"
        "X-ALT-DESC;FMTTYPE=text/html:<b>html</b>"
    )
    assert both.description == "plain"


def test_long_description_is_cut_at_64kb_on_a_character_boundary() -> None:
    event = map_one(f"UID:a\nDTSTART:20240701T090000Z\nDESCRIPTION:x{'é' * 40_000}")
    assert event.description is not None and event.description_truncated is True
    encoded = event.description.encode("utf-8")
    assert DESCRIPTION_LIMIT - 1 <= len(encoded) <= DESCRIPTION_LIMIT
    assert event.description.endswith("é")


def test_raw_is_the_serialized_vevent() -> None:
    event = map_one("UID:a\nDTSTART:20240701T090000Z\nSUMMARY:Hi")
    assert event.raw is not None and event.raw["format"] == "ical"
    assert event.raw["data"].startswith("BEGIN:VEVENT")
    assert "SUMMARY:Hi" in event.raw["data"]
    assert event.raw_truncated is False


def test_raw_over_256kb_is_truncated_and_flagged() -> None:
    event = map_one(f"UID:a\nDTSTART:20240701T090000Z\nX-BLOB:{'y' * 300_000}")
    assert event.raw is not None and event.raw_truncated is True
    assert len(event.raw["data"].encode("utf-8")) == RAW_LIMIT


@pytest.mark.parametrize(
    "data",
    [
        "this is not iCalendar",
        "",
        vcalendar(),
        vcalendar("UID:a\nSUMMARY:no start"),
        vcalendar("UID:a\nDTSTART:2024-07-01 nine"),
        vcalendar("UID:a\nDTSTART:20240701T090000Z\nDURATION:soon"),
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20240701T090000Z\r\nEND:VCALENDAR\r\n",
    ],
    ids=["garbage", "empty", "no-vevent", "no-dtstart", "bad-dtstart", "bad-duration", "unclosed"],
)
def test_malformed_input_raises_mapping_error(data: str) -> None:
    with pytest.raises(MappingError):
        map_text(data)
