"""Golden files: real-shaped Google event resources (`events.list` items with
`singleEvents=true`) and the canonical events they map to.

Each `golden/google/<name>.event.json` has a `golden/google/<name>.json` holding the mapping
context and the expected events (without `raw`, checked below). Regenerate after an intended
change with `python -m tests.unit.syncer.test_google_golden`, then review the diff.
"""

from __future__ import annotations

import json

import pytest

from services.syncer.domain.errors import MappingError
from services.syncer.domain.mapping import map_object
from services.syncer.domain.mapping_context import MappingContext
from services.syncer.domain.text import RAW_LIMIT
from shared.contracts.provider import ProviderObject
from shared.ids import derived_id
from tests.unit.syncer.golden_set import CALENDAR_ID, GoldenSet

SET = GoldenSet(
    "google",
    ".event.json",
    "google",
    {"calendar_time_zone": "Asia/Tokyo", "account_addresses": ["ada@example.com"]},
)
GOLDEN = SET.path
CASES = SET.cases()
DEFAULT_CONTEXT = SET.default_context
_mapped = SET.mapped


def _object(data: str, object_id: str = "evt-google") -> ProviderObject:
    return ProviderObject(provider_object_id=object_id, etag=None, format="google", data=data)


@pytest.mark.parametrize("name", CASES)
def test_golden_google_event_maps_to_expected_event(name: str) -> None:
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    assert _mapped(name, expected["context"]) == expected["events"]


def test_every_golden_google_event_has_expectations() -> None:
    assert len(CASES) >= 5
    assert all((GOLDEN / f"{name}.json").exists() for name in CASES)


def test_an_instance_id_derives_from_its_series_and_original_date_in_the_series_zone() -> None:
    [event] = _mapped("moved_instance", DEFAULT_CONTEXT)
    series = "s7a8b9c0d1e2f3g4h5i6j7k8l9"
    assert event["id"] == derived_id("evt", CALENDAR_ID, series, "20300121")
    [other] = _mapped("unmoved_instance", DEFAULT_CONTEXT)
    assert other["id"] == derived_id("evt", CALENDAR_ID, series, "20300128")
    assert other["series_id"] == event["series_id"] is not None
    assert (event["is_exception"], other["is_exception"]) == (True, False)


def _instance_at(original: str, zone: str = "Europe/Berlin") -> dict[str, object]:
    """The unmoved instance as Google shows it with its series started at `original`: a
    retime gives every instance a new Google id (`<series>_<original start in UTC>`)."""
    resource = json.loads(SET.payload("unmoved_instance"))
    moment = {"dateTime": original, "timeZone": zone}
    suffix = original.replace("-", "").replace(":", "")[:15]
    return {
        **resource,
        "id": f"{resource['recurringEventId']}_{suffix}Z",
        "start": moment,
        "end": moment,
        "originalStartTime": moment,
    }


def test_a_retimed_or_renamed_series_keeps_its_instance_ids() -> None:
    context = MappingContext.of(CALENDAR_ID, None, [])
    before = _instance_at("2030-01-28T10:00:00+01:00")
    retimed = _instance_at("2030-01-28T11:00:00+01:00")
    renamed = {**before, "summary": "Weekly standup, renamed"}
    ids = {
        event.id
        for resource in (before, retimed, renamed)
        for event in map_object(_object(json.dumps(resource), str(resource["id"])), context)
    }
    assert len(ids) == 1
    # 23:30 in Berlin is the next day in UTC: the key is the date in the series' zone.
    [late] = map_object(_object(json.dumps(_instance_at("2030-01-28T23:30:00+01:00"))), context)
    assert late.id == derived_id("evt", CALENDAR_ID, "s7a8b9c0d1e2f3g4h5i6j7k8l9", "20300128")


def test_raw_is_the_resource_and_a_huge_one_is_capped() -> None:
    context = MappingContext.of(CALENDAR_ID, None, [])
    text = (GOLDEN / "meet_berlin.event.json").read_text()
    [event] = map_object(_object(text), context)
    assert event.raw == {"format": "google", "data": json.loads(text)} and not event.raw_truncated
    huge = json.dumps({**json.loads(text), "description": "x" * (RAW_LIMIT + 10)})
    [capped] = map_object(_object(huge), context)
    assert capped.raw is not None and capped.raw_truncated
    assert len(capped.raw["data"].encode()) <= RAW_LIMIT
    assert capped.description_truncated


@pytest.mark.parametrize(
    "data",
    [
        "not json",
        "[]",
        '{"id": "x", "end": {"date": "2030-01-01"}}',
        '{"start": {"dateTime": "x"}}',
    ],
)
def test_unmappable_resources_raise_mapping_errors(data: str) -> None:
    with pytest.raises(MappingError):
        map_object(_object(data), MappingContext.of(CALENDAR_ID, None, []))


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("Etc/UTC", "UTC"),
        ("Nowhere/Land", None),
        (None, "Asia/Tokyo"),  # none named: the calendar's
    ],
)
def test_the_events_zone_is_its_current_iana_name(zone: str | None, expected: str | None) -> None:
    resource = json.loads(SET.payload("meet_berlin"))
    for side in ("start", "end"):
        resource[side].pop("timeZone", None)
        if zone is not None:
            resource[side]["timeZone"] = zone
    [event] = map_object(
        _object(json.dumps(resource)), MappingContext.of(CALENDAR_ID, "Asia/Tokyo", [])
    )
    assert event.time_zone == expected


def test_an_html_description_is_text_with_its_lists_links_and_line_breaks() -> None:
    resource = json.loads(SET.payload("meet_berlin"))
    resource["description"] = (
        "Hi &amp; welcome<br>Agenda:<ol><li>Intro</li><li>Q&amp;A</li></ol>"
        '<a href="https://www.google.com/url?q=https://x.example/a&amp;sa=D">https://x.example/a</a>'
        '\nSlides: <a href="https://x.example/s">here</a>'
    )
    [event] = map_object(_object(json.dumps(resource)), MappingContext.of(CALENDAR_ID, None, []))
    assert event.description == (
        "Hi & welcome\nAgenda:\n1. Intro\n2. Q&A\nhttps://x.example/a\nSlides: here <https://x.example/s>"
    )


if __name__ == "__main__":
    SET.regenerate()
