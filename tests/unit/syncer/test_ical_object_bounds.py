"""Bounds on one iCalendar object: a huge text property is cut before the VEVENT is serialized
for `raw` (exactly the capped serialization of the whole VEVENT, without folding megabytes),
and an object of more VEVENTs than the instance cap is refused before any is mapped."""

from __future__ import annotations

import pytest
from icalendar import Event

from services.syncer.domain import ical_mapping, text
from services.syncer.domain.errors import SeriesRefused
from services.syncer.domain.series_guards import ExpansionLimits
from tests.unit.syncer.samples import map_text, vcalendar


def _event(description: str) -> Event:
    event = Event()
    event.add("uid", "big")
    event.add("summary", "Big")
    event.add("description", description, parameters={"LANGUAGE": "fr"})
    event.add("location", "Room 1")
    return event


def test_a_huge_description_gives_the_same_capped_raw_as_serializing_it_whole() -> None:
    for description in ("é" * 700_000, "a\\nb, c; " * 200_000):
        event = _event(description)
        raw, truncated = ical_mapping._raw(event)
        whole = event.to_ical().decode()
        expected, _ = text.cap_utf8(whole, text.RAW_LIMIT)
        assert truncated and raw["data"] == expected
        assert "LANGUAGE=fr" in raw["data"]


def test_a_small_vevent_is_serialized_as_it_is() -> None:
    event = _event("short")
    raw, truncated = ical_mapping._raw(event)
    assert not truncated and raw["data"] == event.to_ical().decode()


def test_an_object_of_more_vevents_than_the_instance_cap_is_refused_before_mapping() -> None:
    body = "UID:dup\nDTSTAMP:20240101T000000Z\nDTSTART:20240105T100000Z\nSUMMARY:Copy"
    limits = ExpansionLimits(max_instances=10)
    assert len(map_text(vcalendar(*[body] * 10), limits=limits)) == 1  # duplicates: one event
    with pytest.raises(SeriesRefused) as refused:
        map_text(vcalendar(*[body] * 11), limits=limits)
    assert refused.value.reason == "too_many_instances"
