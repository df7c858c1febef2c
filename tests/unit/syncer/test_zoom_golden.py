"""Golden files: real-shaped Zoom meetings (`GET /meetings/{id}` of the sandbox, which follows
Zoom's documented shapes, without `start_url`; one bare listing item) and the canonical events
they map to.

Each `golden/zoom/<name>.meeting.json` has a `golden/zoom/<name>.json` holding the mapping
context and the expected events (without `raw`, checked below). Regenerate after an intended
change with `python -m tests.unit.syncer.test_zoom_golden`, then review the diff.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from services.syncer.domain.errors import MappingError
from services.syncer.domain.mapping_context import MappingContext
from services.syncer.domain.text import RAW_LIMIT
from shared.ids import derived_id
from tests.unit.syncer.golden_set import CALENDAR_ID, GoldenSet

SET = GoldenSet(
    "zoom",
    ".meeting.json",
    "zoom",
    {"calendar_time_zone": "UTC", "account_addresses": ["ada.lovelace@example.com"]},
)
GOLDEN = SET.path
CASES = SET.cases()
DEFAULT_CONTEXT = SET.default_context
_mapped = SET.mapped
_map = SET.map


@pytest.mark.parametrize("name", CASES)
def test_golden_zoom_meeting_maps_to_expected_events(name: str) -> None:
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    assert _mapped(name, expected["context"]) == expected["events"]


def test_every_golden_zoom_meeting_has_expectations() -> None:
    assert len(CASES) >= 6
    assert all((GOLDEN / f"{name}.json").exists() for name in CASES)


def test_a_meeting_is_its_topic_times_host_and_structured_join_link() -> None:
    [event] = _mapped("scheduled_with_passcode", DEFAULT_CONTEXT)
    assert event["title"] == "Design review"
    assert (event["start_time"], event["end_time"]) == (
        "2027-03-02T15:00:00Z",
        "2027-03-02T15:45:00Z",
    )
    assert (event["time_zone"], event["status"], event["attendees"]) == ("UTC", "confirmed", [])
    assert event["organizer"] == {
        "email": "ada.lovelace@example.com",
        "name": None,
        "is_self": True,
    }
    meeting = event["meeting"]
    assert meeting["platform"] == "zoom" and meeting["passcode"] == "438211"
    object_id = str(json.loads((GOLDEN / "scheduled_with_passcode.meeting.json").read_text())["id"])
    assert meeting["meeting_id"] == object_id and meeting["key"] == f"zoom:{object_id}"
    assert event["id"] == derived_id("evt", CALENDAR_ID, object_id, "")
    assert (event["is_recurring"], event["series_id"]) == (False, None)


def test_a_wall_time_meeting_keeps_its_zone_and_is_answered_in_utc() -> None:
    [event] = _mapped("wall_time_in_berlin", DEFAULT_CONTEXT)
    assert event["time_zone"] == "Europe/Berlin"
    assert (event["start_time"], event["end_time"]) == (
        "2027-03-04T08:30:00Z",
        "2027-03-04T10:00:00Z",
    )


def test_a_recurring_meeting_is_one_event_per_occurrence_in_one_series() -> None:
    events = _mapped("weekly_recurring", DEFAULT_CONTEXT)
    assert [e["start_time"] for e in events] == [
        "2027-03-01T10:00:00Z",
        "2027-03-08T10:00:00Z",
        "2027-03-15T09:00:00Z",  # New York's clocks went forward in between
    ]
    assert len({e["series_id"] for e in events}) == 1 and events[0]["series_id"] is not None
    assert all(e["is_recurring"] and e["original_start_time"] == e["start_time"] for e in events)
    object_id = str(json.loads((GOLDEN / "weekly_recurring.meeting.json").read_text())["id"])
    # Keyed by the date in the meeting's zone (05:00 in New York), like every provider's.
    assert events[1]["id"] == derived_id("evt", CALENDAR_ID, object_id, "20270308")
    skipped = _mapped("recurring_occurrence_deleted", DEFAULT_CONTEXT)
    assert [e["id"] for e in skipped] == [events[0]["id"], events[2]["id"]]


def _an_hour_later(value: str) -> str:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) + timedelta(hours=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_retimed_recurring_meeting_keeps_its_occurrence_ids() -> None:
    text = SET.payload("weekly_recurring")
    meeting = json.loads(text)
    occurrences = [
        {**o, "start_time": _an_hour_later(o["start_time"])} for o in meeting["occurrences"]
    ]
    later = {
        **meeting,
        "start_time": _an_hour_later(meeting["start_time"]),
        "occurrences": occurrences,
    }
    context = MappingContext.of(CALENDAR_ID, None, [])
    before = _map(text, "x", context)
    after = _map(json.dumps(later), "x", context)
    assert [e.start_time for e in after] != [e.start_time for e in before]
    assert [e.id for e in after] == [e.id for e in before]


def test_without_a_passcode_the_meeting_has_none_and_the_host_is_the_account() -> None:
    [event] = _mapped("no_passcode", DEFAULT_CONTEXT)
    assert event["meeting"]["platform"] == "zoom" and event["meeting"]["passcode"] is None
    [item] = _mapped("list_item_only", DEFAULT_CONTEXT)  # no host_email, no password
    assert item["organizer"] == {"email": "ada.lovelace@example.com", "name": None, "is_self": True}
    assert item["meeting"]["platform"] == "zoom"


def test_raw_is_the_meeting_and_a_huge_one_is_capped() -> None:
    context = MappingContext.of(CALENDAR_ID, None, [])
    text = (GOLDEN / "scheduled_with_passcode.meeting.json").read_text()
    [event] = _map(text, "x", context)
    assert event.raw == {"format": "zoom", "data": json.loads(text)} and not event.raw_truncated
    huge = json.dumps({**json.loads(text), "agenda": "x" * (RAW_LIMIT + 10)})
    [capped] = _map(huge, "x", context)
    assert capped.raw is not None and capped.raw_truncated
    assert len(capped.raw["data"].encode()) <= RAW_LIMIT


@pytest.mark.parametrize(
    "data",
    [
        "not json",
        "[]",
        '{"id": 1, "type": 3, "topic": "No fixed time"}',
        '{"id": 1, "type": 2, "start_time": "soon"}',
        '{"id": 1, "type": 2, "start_time": "2030-01-01T10:00:00"}',
    ],
)
def test_unmappable_meetings_raise_mapping_errors(data: str) -> None:
    with pytest.raises(MappingError):
        _map(data, "x", MappingContext.of(CALENDAR_ID, None, []))


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("America/New_York", "America/New_York"),
        ("Nowhere/Land", None),
        ("", "Europe/Paris"),  # none named: the calendar's (the account's)
        (None, "Europe/Paris"),
    ],
)
def test_the_meetings_zone_is_its_current_iana_name(zone: str | None, expected: str | None) -> None:
    meeting = json.loads(SET.payload("scheduled_with_passcode"))
    meeting["timezone"] = zone
    [event] = _map(json.dumps(meeting), "x", MappingContext.of(CALENDAR_ID, "Europe/Paris", []))
    assert event.time_zone == expected


if __name__ == "__main__":
    SET.regenerate()


def test_a_deleted_occurrence_never_hands_its_id_to_another_of_its_day() -> None:
    """An occurrence moved onto a day of another (Zoom keys by the start: there is no original
    one) is keyed by its time; deleting the other one (listed as `deleted`) keeps that key."""
    meeting = json.loads(SET.payload("weekly_recurring"))
    first = meeting["occurrences"][0]
    moved = {**first, "occurrence_id": "moved", "start_time": _an_hour_later(first["start_time"])}
    both = {**meeting, "occurrences": [first, moved, *meeting["occurrences"][1:]]}
    deleted = {**both, "occurrences": [{**first, "status": "deleted"}, *both["occurrences"][1:]]}
    context = MappingContext.of(CALENDAR_ID, None, [])
    before = {e.start_time: e.id for e in _map(json.dumps(both), "x", context)}
    after = {e.start_time: e.id for e in _map(json.dumps(deleted), "x", context)}
    own = datetime.fromisoformat(first["start_time"].replace("Z", "+00:00"))
    assert own not in after and before[own] not in after.values()
    assert after == {start: i for start, i in before.items() if start != own}
