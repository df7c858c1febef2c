"""Instance keys: the original date in the series' zone, with the local time where a day holds
several occurrences and this one is not at the series' own time of day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from services.syncer.domain import instance_keys

BERLIN = ZoneInfo("Europe/Berlin")


def test_the_day_key_is_the_date_in_the_series_zone() -> None:
    late = datetime(2024, 3, 10, 23, 30, tzinfo=UTC)  # 00:30 on the 11th in Berlin
    assert instance_keys.day_key(late, BERLIN) == "20240311"
    assert instance_keys.day_key(late, UTC) == "20240310"
    floating = datetime(2024, 3, 10, 23, 30)  # noqa: DTZ001 - a floating time is naive
    assert instance_keys.day_key(floating, BERLIN) == "20240310"
    assert instance_keys.day_key(date(2024, 3, 10), BERLIN) == "20240310"


def test_one_occurrence_a_day_keys_by_date_whatever_its_time() -> None:
    originals = [datetime(2024, 3, d, 9, tzinfo=BERLIN) for d in (4, 5)]
    keys = instance_keys.keys_of(originals, BERLIN, time(10))
    assert list(keys.values()) == ["20240304", "20240305"]


def test_a_crowded_day_keeps_the_date_key_for_the_series_own_time_only() -> None:
    nine, three = (datetime(2024, 3, 4, h, tzinfo=BERLIN) for h in (9, 15))
    keys = instance_keys.keys_of([nine, three], BERLIN, time(9))
    assert (keys[nine], keys[three]) == ("20240304", "20240304T150000")
    unowned = instance_keys.keys_of([nine, three], BERLIN, time(11))
    assert (unowned[nine], unowned[three]) == ("20240304T090000", "20240304T150000")


def test_instances_of_one_series_share_its_object_and_differ_by_key() -> None:
    first = instance_keys.instance_id("cal_1", "series.ics", "20240304")
    assert first == instance_keys.instance_id("cal_1", "series.ics", "20240304")
    assert first != instance_keys.instance_id("cal_1", "series.ics", "20240305")
    assert first != instance_keys.instance_id("cal_2", "series.ics", "20240304")
    assert first.startswith("evt_")
