"""Recurring iCalendar series expanded into instances inside the sync window: one test per
recurrence case (rules, exceptions, zones, all-day, floating, splits, retimes, renames), and
the ids each instance keeps."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from services.syncer.domain import diff
from services.syncer.domain.errors import MappingError
from services.syncer.domain.window import Window
from shared.contracts.events import EventState
from shared.ids import derived_id
from tests.unit.syncer.samples import CALENDAR_ID, map_text, vcalendar

MARCH = Window(datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC))
BERLIN = "DTSTART;TZID=Europe/Berlin:{}\nDTEND;TZID=Europe/Berlin:{}"


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, month, day, hour, minute, tzinfo=UTC)


def key_id(key: str, object_id: str = "obj-1.ics") -> str:
    return derived_id("evt", CALENDAR_ID, object_id, key)


def series(
    *lines: str,
    window: Window | None = MARCH,
    calendar_time_zone: str | None = None,
    object_id: str = "obj-1.ics",
) -> list[EventState]:
    return map_text(
        vcalendar(*lines),
        window=window,
        calendar_time_zone=calendar_time_zone,
        object_id=object_id,
    )


def starts(events: list[EventState]) -> list[datetime | date]:
    return [e.start_time for e in events]


WEEKLY = (
    "UID:weekly@example.com\n"
    "DTSTART;TZID=Europe/Berlin:20240304T100000\n"
    "DTEND;TZID=Europe/Berlin:20240304T103000\n"
    "RRULE:FREQ=WEEKLY;BYDAY=MO\n"
    "SUMMARY:Planning\n"
)


def test_daily_with_count_stops_after_count() -> None:
    events = series("UID:d\nDTSTART:20240310T090000Z\nDURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=3")
    assert starts(events) == [utc(3, 10, 9), utc(3, 11, 9), utc(3, 12, 9)]
    assert [e.id for e in events] == [key_id(k) for k in ("20240310", "20240311", "20240312")]
    assert [e.end_time for e in events] == [utc(3, 10, 10), utc(3, 11, 10), utc(3, 12, 10)]
    assert all(e.is_recurring and not e.is_exception for e in events)
    assert [e.original_start_time for e in events] == starts(events)


def test_weekly_by_day_until() -> None:
    events = series(
        "UID:w\nDTSTART:20240304T090000Z\nDURATION:PT30M\n"
        "RRULE:FREQ=WEEKLY;BYDAY=MO,WE,FR;UNTIL=20240313T090000Z"
    )
    assert starts(events) == [utc(3, d, 9) for d in (4, 6, 8, 11, 13)]


def test_an_exdate_occurrence_is_not_listed() -> None:
    events = series(WEEKLY + "EXDATE;TZID=Europe/Berlin:20240311T100000")
    assert [e.original_start_time for e in events] == [utc(3, d, 9) for d in (4, 18, 25)]


def test_an_rdate_adds_an_occurrence() -> None:
    events = series(WEEKLY + "RDATE;TZID=Europe/Berlin:20240307T100000")
    assert utc(3, 7, 9) in starts(events)
    assert key_id("20240307") in {e.id for e in events}


def test_a_moved_override_keeps_the_id_of_its_original_date() -> None:
    moved = """
        UID:weekly@example.com
        RECURRENCE-ID;TZID=Europe/Berlin:20240311T100000
        DTSTART;TZID=Europe/Berlin:20240313T160000
        DTEND;TZID=Europe/Berlin:20240313T170000
        SUMMARY:Planning (Wednesday)
    """
    plain = {e.id: e for e in series(WEEKLY)}
    events = {e.id: e for e in series(WEEKLY, moved)}
    assert set(events) == set(plain)
    instance = events[key_id("20240311")]
    assert (instance.is_exception, instance.title) == (True, "Planning (Wednesday)")
    assert (instance.start_time, instance.end_time) == (utc(3, 13, 15), utc(3, 13, 16))
    assert instance.original_start_time == utc(3, 11, 9)
    change = diff.diff_event(plain[instance.id], instance)
    assert change is not None and change.change_type == "updated"
    assert change.changed_fields == ("end_time", "is_exception", "start_time", "title")


def test_a_cancelled_override_removes_its_instance() -> None:
    cancelled = """
        UID:weekly@example.com
        RECURRENCE-ID;TZID=Europe/Berlin:20240318T100000
        DTSTART;TZID=Europe/Berlin:20240318T100000
        DTEND;TZID=Europe/Berlin:20240318T103000
        STATUS:CANCELLED
    """
    events = series(WEEKLY, cancelled)
    assert key_id("20240318") not in {e.id for e in events}
    assert len(events) == 3


def test_a_cancelled_series_lists_its_instances_as_cancelled() -> None:
    events = series(WEEKLY + "STATUS:CANCELLED")
    assert len(events) == 4 and {e.status for e in events} == {"cancelled"}


def test_berlin_series_keeps_its_wall_time_across_the_dst_switch() -> None:
    events = series(WEEKLY)  # 31 March 2024: CET → CEST
    assert starts(events) == [utc(3, 4, 9), utc(3, 11, 9), utc(3, 18, 9), utc(3, 25, 9)]
    april = Window(datetime(2024, 3, 28, tzinfo=UTC), datetime(2024, 4, 10, tzinfo=UTC))
    after = series(WEEKLY, window=april)
    assert starts(after) == [utc(4, 1, 8), utc(4, 8, 8)]
    assert after[0].id == key_id("20240401") and after[0].time_zone == "Europe/Berlin"


def test_new_york_series_keeps_its_wall_time_across_the_dst_switch() -> None:
    november = Window(datetime(2024, 10, 28, tzinfo=UTC), datetime(2024, 11, 12, tzinfo=UTC))
    events = series(
        "UID:ny\nDTSTART;TZID=America/New_York:20241028T100000\nDURATION:PT1H\nRRULE:FREQ=WEEKLY",
        window=november,
    )
    assert starts(events) == [utc(10, 28, 14), utc(11, 4, 15), utc(11, 11, 15)]
    assert [e.id for e in events] == [key_id(k) for k in ("20241028", "20241104", "20241111")]


def test_an_all_day_series_lists_dates() -> None:
    events = series("UID:a\nDTSTART;VALUE=DATE:20240329\nRRULE:FREQ=DAILY;COUNT=4")
    assert starts(events) == [date(2024, 3, 29), date(2024, 3, 30), date(2024, 3, 31)]
    assert [e.end_time for e in events] == [date(2024, 3, 30), date(2024, 3, 31), date(2024, 4, 1)]
    assert all(e.is_all_day and e.time_zone is None for e in events)
    assert events[0].original_start_time == date(2024, 3, 29)
    assert events[0].id == key_id("20240329")
    assert events[0].provider_event_id == "obj-1.ics#20240329"


def test_floating_series_reads_in_the_calendar_zone_and_keys_by_its_wall_date() -> None:
    body = "UID:f\nDTSTART:20240311T083000\nDURATION:PT15M\nRRULE:FREQ=DAILY;COUNT=2"
    tokyo = series(body, calendar_time_zone="Asia/Tokyo")
    lisbon = series(body, calendar_time_zone="Europe/Lisbon")
    assert starts(tokyo) == [utc(3, 10, 23, 30), utc(3, 11, 23, 30)]
    assert starts(lisbon) == [utc(3, 11, 8, 30), utc(3, 12, 8, 30)]
    assert (
        [e.id for e in tokyo] == [e.id for e in lisbon] == [key_id("20240311"), key_id("20240312")]
    )
    assert tokyo[0].time_zone == "Asia/Tokyo"


def test_a_series_split_this_and_following_becomes_two_series() -> None:
    """Apple Calendar and Thunderbird trim the series with UNTIL and start a new one (a new
    UID, in its own resource) at the split: the second half gets new ids."""
    trimmed = series(
        WEEKLY.replace("BYDAY=MO", "BYDAY=MO;UNTIL=20240317T225959Z"), object_id="old.ics"
    )
    following = series(
        "UID:weekly-2@example.com\n"
        + BERLIN.format("20240318T110000", "20240318T113000")
        + "\nRRULE:FREQ=WEEKLY;BYDAY=MO\nSUMMARY:Planning",
        object_id="new.ics",
    )
    assert [e.id for e in trimmed] == [key_id(k, "old.ics") for k in ("20240304", "20240311")]
    assert starts(following) == [utc(3, 18, 10), utc(3, 25, 10)]
    assert [e.id for e in following] == [key_id(k, "new.ics") for k in ("20240318", "20240325")]
    assert trimmed[0].series_id != following[0].series_id


def test_a_retimed_series_keeps_every_id_and_updates_each_instance() -> None:
    before = series(WEEKLY)
    after = series(WEEKLY.replace("T100000", "T110000").replace("T103000", "T113000"))
    assert [e.id for e in after] == [e.id for e in before]
    assert starts(after) == [utc(3, d, 10) for d in (4, 11, 18, 25)]
    for old, new in zip(before, after, strict=True):
        change = diff.diff_event(old, new)
        assert change is not None and change.change_type == "updated"
        assert change.changed_fields == (
            "end_time",
            "original_start_time",
            "provider_event_id",
            "start_time",
        )


def test_a_renamed_series_keeps_every_id_and_only_the_title_changes() -> None:
    before = series(WEEKLY)
    after = series(WEEKLY.replace("SUMMARY:Planning", "SUMMARY:Quarterly planning"))
    changes = [diff.diff_event(old, new) for old, new in zip(before, after, strict=True)]
    assert all(c is not None and c.changed_fields == ("title",) for c in changes)
    assert [e.id for e in after] == [e.id for e in before]


def test_a_series_moved_to_another_day_gets_new_ids() -> None:
    """The documented limit of date keys: a retime onto another day is a new set of ids."""
    before = series(WEEKLY)
    after = series(WEEKLY.replace("20240304", "20240305").replace("BYDAY=MO", "BYDAY=TU"))
    assert not {e.id for e in before} & {e.id for e in after}


def test_only_instances_overlapping_the_window_are_listed() -> None:
    window = Window(utc(3, 11, 9, 15), utc(3, 25, 9, 0))
    events = series(WEEKLY, window=window)
    # 11 March 09:00-09:30 overlaps the start; 25 March starts right at the end: outside.
    assert starts(events) == [utc(3, 11, 9), utc(3, 18, 9)]


def test_a_second_occurrence_on_a_day_is_keyed_by_its_local_time() -> None:
    events = series(WEEKLY + "RDATE;TZID=Europe/Berlin:20240311T160000")
    keys = {e.start_time: e.id for e in events}
    assert keys[utc(3, 11, 9)] == key_id("20240311")
    assert keys[utc(3, 11, 15)] == key_id("20240311T160000")


def test_an_override_for_this_and_future_shifts_the_later_occurrences() -> None:
    shifted = """
        UID:weekly@example.com
        RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20240318T100000
        DTSTART;TZID=Europe/Berlin:20240318T120000
        DTEND;TZID=Europe/Berlin:20240318T123000
        SUMMARY:Planning (later)
    """
    events = series(WEEKLY, shifted)
    assert starts(events) == [utc(3, 4, 9), utc(3, 11, 9), utc(3, 18, 11), utc(3, 25, 11)]
    assert [e.original_start_time for e in events] == [utc(3, d, 9) for d in (4, 11, 18, 25)]
    assert [e.id for e in events] == [
        key_id(k) for k in ("20240304", "20240311", "20240318", "20240325")
    ]
    assert [e.title for e in events][2:] == ["Planning (later)"] * 2


def test_an_override_without_its_master_is_an_instance_when_in_the_window() -> None:
    override = """
        UID:invited-once@example.com
        RECURRENCE-ID:20240312T090000Z
        DTSTART:20240312T100000Z
        DURATION:PT1H
    """
    (event,) = series(override)
    # Without a master there is no own time of day: keyed by its original date and time.
    key = key_id("20240312T090000")
    assert (event.id, event.is_exception, event.is_recurring) == (key, True, True)
    assert series(override, window=Window(utc(4, 1, 0), utc(5, 1, 0))) == []


def test_single_events_and_a_series_in_one_object() -> None:
    events = series("UID:one\nDTSTART:20240301T090000Z\nSUMMARY:Once", WEEKLY)
    assert [e.title for e in events] == ["Once"] + ["Planning"] * 4
    assert events[0].id == key_id("")


def test_a_series_needs_a_window() -> None:
    with pytest.raises(MappingError, match="window"):
        series(WEEKLY, window=None)


TWICE_DAILY = (
    "UID:twice@example.com\n"
    "DTSTART;TZID=Europe/Berlin:20240304T100000\n"
    "DTEND;TZID=Europe/Berlin:20240304T103000\n"
    "RRULE:FREQ=DAILY;BYHOUR=10,15;COUNT=6\n"
    "SUMMARY:Stand-up\n"
)


def _ids_by_original(events: list[EventState]) -> dict[datetime | date | None, str]:
    return {e.original_start_time: e.id for e in events}


def test_an_exdate_never_hands_its_id_to_another_occurrence_of_its_day() -> None:
    """10:00 and 15:00 each day; the 10:00 of 5 March EXDATE'd: the 15:00 keeps its own id,
    and the 10:00's id is listed by nobody (a bot attached to it joins nothing else)."""
    before = _ids_by_original(series(TWICE_DAILY))
    after = _ids_by_original(series(TWICE_DAILY + "EXDATE;TZID=Europe/Berlin:20240305T100000"))
    assert before[utc(3, 5, 9)] == key_id("20240305")
    assert after[utc(3, 5, 14)] == before[utc(3, 5, 14)] == key_id("20240305T150000")
    assert key_id("20240305") not in after.values()
    assert {o: i for o, i in before.items() if o != utc(3, 5, 9)} == after


def test_a_cancelled_override_never_hands_its_id_to_another_occurrence_of_its_day() -> None:
    cancelled = """
        UID:twice@example.com
        RECURRENCE-ID;TZID=Europe/Berlin:20240305T100000
        DTSTART;TZID=Europe/Berlin:20240305T100000
        DTEND;TZID=Europe/Berlin:20240305T103000
        STATUS:CANCELLED
    """
    before = _ids_by_original(series(TWICE_DAILY))
    after = _ids_by_original(series(TWICE_DAILY, cancelled))
    assert utc(3, 5, 9) not in after and key_id("20240305") not in after.values()
    assert {o: i for o, i in before.items() if o != utc(3, 5, 9)} == after


def test_removing_one_of_two_overrides_of_a_day_keeps_the_others_id() -> None:
    """An object of overrides alone (an invitation to single instances), two on one day."""
    morning, afternoon = (
        f"UID:invited@example.com\nRECURRENCE-ID:20240312T{h}0000Z\n"
        f"DTSTART:20240312T{h}0000Z\nDURATION:PT1H"
        for h in ("09", "14")
    )
    both = _ids_by_original(series(morning, afternoon))
    assert _ids_by_original(series(afternoon)) == {utc(3, 12, 14): both[utc(3, 12, 14)]}
    assert _ids_by_original(series(morning)) == {utc(3, 12, 9): both[utc(3, 12, 9)]}
    assert both[utc(3, 12, 9)] != both[utc(3, 12, 14)]


def test_a_retimed_twice_daily_series_keeps_the_ids_at_its_own_time() -> None:
    before = _ids_by_original(series(TWICE_DAILY))
    later = TWICE_DAILY.replace("T100000", "T110000").replace("T103000", "T113000")
    after = _ids_by_original(series(later.replace("BYHOUR=10,15", "BYHOUR=11,15")))
    assert after[utc(3, 5, 10)] == before[utc(3, 5, 9)] == key_id("20240305")
    assert after[utc(3, 5, 14)] == before[utc(3, 5, 14)]


def test_an_instance_of_the_master_keeps_a_small_reference_as_raw() -> None:
    """Not the master's VEVENT once per instance: its UID, the instance's RECURRENCE-ID, and
    the master's SEQUENCE, DTSTAMP and hash; an override keeps its own VEVENT."""
    master = WEEKLY + "SEQUENCE:3\nDTSTAMP:20240201T120000Z\nDESCRIPTION:" + "x" * 50_000
    moved = """
        UID:weekly@example.com
        RECURRENCE-ID;TZID=Europe/Berlin:20240311T100000
        DTSTART;TZID=Europe/Berlin:20240313T160000
        DTEND;TZID=Europe/Berlin:20240313T170000
        SUMMARY:Planning (Wednesday)
    """
    events = series(master, moved)
    plain = [e for e in events if not e.is_exception]
    [override] = [e for e in events if e.is_exception]
    assert override.raw is not None and "SUMMARY:Planning (Wednesday)" in override.raw["data"]
    first = plain[0].raw
    assert first is not None and first["format"] == "ical" and "data" not in first
    reference = first["instance_of"]
    assert reference["uid"] == "weekly@example.com"
    assert reference["recurrence_id"] == "20240304T100000"
    assert reference["tzid"] == "Europe/Berlin"
    assert (reference["master_sequence"], reference["master_dtstamp"]) == (3, "20240201T120000Z")
    assert len(reference["master_sha256"]) == 64
    assert all(len(json.dumps(e.raw)) < 512 and not e.raw_truncated for e in plain)
    renamed = series(master.replace("x" * 50_000, "y" * 50_000), moved)[0].raw
    assert (
        renamed is not None
        and renamed["instance_of"]["master_sha256"] != (reference["master_sha256"])
    )
