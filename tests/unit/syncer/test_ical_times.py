"""Start, end, all-day and zone rules of the iCalendar mapping."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests.unit.syncer.samples import map_one


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_timed_event_with_iana_tzid_is_converted_to_utc_and_keeps_its_zone() -> None:
    event = map_one("""
        UID:a
        DTSTART;TZID=Europe/Berlin:20240115T100000
        DTEND;TZID=Europe/Berlin:20240115T113000
    """)
    assert event.start_time == utc(2024, 1, 15, 9, 0)
    assert event.end_time == utc(2024, 1, 15, 10, 30)
    assert isinstance(event.start_time, datetime)
    assert event.start_time.utcoffset() is not None
    assert event.time_zone == "Europe/Berlin"
    assert event.is_all_day is False


def test_utc_times_have_the_utc_zone() -> None:
    event = map_one("UID:a\nDTSTART:20240418T150000Z\nDTEND:20240418T160000Z")
    assert event.start_time == utc(2024, 4, 18, 15)
    assert event.end_time == utc(2024, 4, 18, 16)
    assert event.time_zone == "UTC"


def test_floating_times_are_read_in_the_calendar_zone() -> None:
    event = map_one(
        "UID:a\nDTSTART:20240701T090000\nDTEND:20240701T100000",
        calendar_time_zone="America/New_York",
    )
    assert event.start_time == utc(2024, 7, 1, 13)
    assert event.end_time == utc(2024, 7, 1, 14)
    assert event.time_zone == "America/New_York"


def test_floating_times_without_a_calendar_zone_are_utc() -> None:
    event = map_one("UID:a\nDTSTART:20240701T090000\nDTEND:20240701T100000")
    assert event.start_time == utc(2024, 7, 1, 9)
    assert event.time_zone == "UTC"


def test_floating_times_with_an_unknown_calendar_zone_are_utc() -> None:
    event = map_one("UID:a\nDTSTART:20240701T090000", calendar_time_zone="Mars/Olympus_Mons")
    assert event.start_time == utc(2024, 7, 1, 9)
    assert event.time_zone == "UTC"


def test_a_legacy_zone_name_is_named_by_its_current_name() -> None:
    event = map_one("UID:a\nDTSTART;TZID=Asia/Calcutta:20240701T093000")
    assert (event.start_time, event.time_zone) == (utc(2024, 7, 1, 4), "Asia/Kolkata")
    floating = map_one("UID:a\nDTSTART:20240701T093000", calendar_time_zone="Europe/Kiev")
    assert (floating.start_time, floating.time_zone) == (utc(2024, 7, 1, 6, 30), "Europe/Kyiv")


def test_unknown_tzid_without_vtimezone_is_read_as_floating_with_no_zone() -> None:
    event = map_one(
        "UID:a\nDTSTART;TZID=Nowhere Standard Time:20240701T090000",
        calendar_time_zone="Europe/Berlin",
    )
    assert event.start_time == utc(2024, 7, 1, 7)
    assert event.time_zone is None


def test_windows_tzid_is_named_by_its_iana_zone() -> None:
    event = map_one("UID:a\nDTSTART;TZID=Pacific Standard Time:20240701T090000")
    assert event.start_time == utc(2024, 7, 1, 16)
    assert event.time_zone == "America/Los_Angeles"


def test_all_day_event_keeps_dates_with_exclusive_end() -> None:
    event = map_one("UID:a\nDTSTART;VALUE=DATE:20240701\nDTEND;VALUE=DATE:20240703")
    assert event.start_time == date(2024, 7, 1)
    assert event.end_time == date(2024, 7, 3)
    assert not isinstance(event.start_time, datetime)
    assert event.is_all_day is True
    assert event.time_zone is None


def test_all_day_event_without_dtend_lasts_one_day() -> None:
    event = map_one("UID:a\nDTSTART;VALUE=DATE:20240701")
    assert event.end_time == date(2024, 7, 2)


def test_all_day_event_with_duration() -> None:
    event = map_one("UID:a\nDTSTART;VALUE=DATE:20240701\nDURATION:P3D")
    assert event.end_time == date(2024, 7, 4)


def test_timed_event_without_dtend_is_instantaneous() -> None:
    event = map_one("UID:a\nDTSTART:20240701T090000Z")
    assert event.end_time == event.start_time


def test_duration_gives_the_end() -> None:
    event = map_one("UID:a\nDTSTART;TZID=Europe/Berlin:20240701T090000\nDURATION:PT1H30M")
    assert event.end_time == utc(2024, 7, 1, 8, 30)


def test_duration_in_days_is_nominal_across_a_dst_switch() -> None:
    # Berlin moves to summer time on 2024-03-31: one day later is 10:00 CEST, 23 hours on.
    event = map_one("UID:a\nDTSTART;TZID=Europe/Berlin:20240330T100000\nDURATION:P1D")
    assert event.start_time == utc(2024, 3, 30, 9)
    assert event.end_time == utc(2024, 3, 31, 8)


def test_end_before_start_is_clamped_to_start() -> None:
    event = map_one("UID:a\nDTSTART:20240701T090000Z\nDTEND:20240701T080000Z")
    assert event.end_time == event.start_time
