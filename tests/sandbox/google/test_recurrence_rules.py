"""The pure recurrence code: expansion in the series' zone, EXDATE/RDATE forms, instance ids."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from sandbox.google import recurrence
from sandbox.google.times import EventTime

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2030, 1, 1, tzinfo=UTC)


def berlin(year: int, month: int, day: int, hour: int) -> EventTime:
    return EventTime(None, datetime(year, month, day, hour, tzinfo=BERLIN), "Europe/Berlin")


def starts(lines: tuple[str, ...], start: EventTime) -> list[str]:
    expansion = recurrence.expand(lines, start, ZoneInfo("UTC"), NOW)
    return [recurrence.instance_id("m", o) for o in expansion.originals]


def test_weekly_keeps_wall_time_across_dst() -> None:
    assert starts(("RRULE:FREQ=WEEKLY;COUNT=3",), berlin(2030, 3, 25, 10)) == [
        "m_20300325T090000Z",
        "m_20300401T080000Z",
        "m_20300408T080000Z",
    ]


@pytest.mark.parametrize(
    "exdate",
    [
        "EXDATE;TZID=Europe/Berlin:20300401T100000",
        "EXDATE:20300401T080000Z",
        "EXDATE;TZID=America/New_York:20300401T040000",
    ],
)
def test_exdate_forms(exdate: str) -> None:
    lines = ("RRULE:FREQ=WEEKLY;COUNT=3", exdate)
    assert starts(lines, berlin(2030, 3, 25, 10)) == ["m_20300325T090000Z", "m_20300408T080000Z"]


def test_until_rdate_and_all_day() -> None:
    lines = ("RRULE:FREQ=DAILY;UNTIL=20300327", "RDATE;TZID=Europe/Berlin:20300330T100000")
    assert starts(lines, berlin(2030, 3, 25, 10)) == [
        "m_20300325T090000Z",
        "m_20300326T090000Z",
        "m_20300327T090000Z",
        "m_20300330T090000Z",  # DST starts on the 31st
    ]
    all_day = EventTime(date(2030, 3, 25), None, None)
    assert starts(("RRULE:FREQ=DAILY;UNTIL=20300326T000000Z",), all_day) == [
        "m_20300325",
        "m_20300326",
    ]


def test_open_ended_series_stop_at_the_horizon() -> None:
    expansion = recurrence.expand(("RRULE:FREQ=DAILY",), berlin(2030, 1, 1, 9), BERLIN, NOW)
    assert not expansion.complete
    assert 725 <= len(expansion.originals) <= 735


def test_instance_ids_round_trip() -> None:
    original = berlin(2030, 4, 1, 10)
    instance_id = recurrence.instance_id("abc123", original)
    assert instance_id == "abc123_20300401T080000Z"
    parsed = recurrence.split_instance_id(instance_id)
    assert parsed is not None and parsed[0] == "abc123"
    assert parsed[1].date_time == original.date_time
    assert recurrence.split_instance_id("abc123") is None
    assert recurrence.split_instance_id("abc_2030") is None


@pytest.mark.parametrize(
    "lines",
    [["RRULE:FREQ=NEVER"], ["EXDATE:20300101T000000Z"], ["DTSTART:20300101T000000Z"], ["garbage"]],
)
def test_invalid_recurrences(lines: list[str]) -> None:
    with pytest.raises(ValueError):
        recurrence.validate(lines, berlin(2030, 1, 1, 9))


def test_timed_series_need_a_time_zone() -> None:
    with pytest.raises(ValueError, match="time zone"):
        recurrence.validate(["RRULE:FREQ=DAILY"], EventTime(None, NOW, None))
