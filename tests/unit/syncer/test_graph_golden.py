"""Golden files: real-shaped Microsoft Graph event resources (`calendarView/delta` rows with
times in UTC, sparse occurrences merged onto their master) and the canonical events they map to.

Each `golden/graph/<name>.event.json` has a `golden/graph/<name>.json` holding the mapping
context and the expected events (without `raw`, checked below). Regenerate after an intended
change with `python -m tests.unit.syncer.test_graph_golden`, then review the diff.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from services.syncer.domain.errors import MappingError
from services.syncer.domain.mapping_context import MappingContext
from services.syncer.domain.text import DESCRIPTION_LIMIT, RAW_LIMIT
from shared.ids import derived_id
from tests.unit.syncer.golden_set import CALENDAR_ID, GoldenSet

SET = GoldenSet(
    "graph",
    ".event.json",
    "graph",
    {
        "calendar_time_zone": None,
        "account_addresses": ["ada.lovelace@example.com"],
    },
)
GOLDEN = SET.path
CASES = SET.cases()
DEFAULT_CONTEXT = SET.default_context
_mapped = SET.mapped
_map = SET.map


@pytest.mark.parametrize("name", CASES)
def test_golden_graph_event_maps_to_expected_event(name: str) -> None:
    expected = json.loads((GOLDEN / f"{name}.json").read_text())
    assert _mapped(name, expected["context"]) == expected["events"]


def test_every_golden_graph_event_has_expectations() -> None:
    assert len(CASES) >= 8
    assert all((GOLDEN / f"{name}.json").exists() for name in CASES)


def test_a_teams_meeting_has_its_join_url_as_the_meeting_and_the_body_as_text() -> None:
    [event] = _mapped("teams_meeting", DEFAULT_CONTEXT)
    assert event["meeting"]["platform"] == "teams"
    assert event["meeting"]["url"].startswith("https://teams.microsoft.com/l/meetup-join/")
    assert event["time_zone"] == "Europe/Berlin"  # W. Europe Standard Time
    assert event["start_time"] == "2027-01-13T09:30:00Z"
    assert "<div" not in event["description"]
    assert f"Join the meeting now <{event['meeting']['url']}>" in event["description"]
    assert event["organizer"]["is_self"] is True
    emails = [a["email"] for a in event["attendees"]]
    assert "room401@example.com" not in emails  # a resource, not a person
    # Graph leaves the organizer out of the attendees; the canonical list has it, first.
    assert event["attendees"][0] == {
        **event["organizer"],
        "response_status": "accepted",
        "is_organizer": True,
    }


def test_an_occurrence_keeps_its_id_once_moved_and_keys_by_its_series_and_original_date() -> None:
    """`occurrence_merged` and `exception_moved` are one instance before and after a move."""
    [occurrence] = _mapped("occurrence_merged", DEFAULT_CONTEXT)
    [moved] = _mapped("exception_moved", DEFAULT_CONTEXT)
    assert occurrence["series_id"] == moved["series_id"] is not None
    assert (occurrence["is_exception"], moved["is_exception"]) == (False, True)
    assert occurrence["original_start_time"] == occurrence["start_time"]
    master = json.loads((GOLDEN / "exception_moved.event.json").read_text())["seriesMasterId"]
    assert moved["id"] == occurrence["id"] == derived_id("evt", CALENDAR_ID, master, "20270116")


def test_an_all_day_exception_keys_by_its_original_date() -> None:
    [event] = _mapped("all_day_exception_berlin", DEFAULT_CONTEXT)
    master = json.loads(SET.payload("all_day_exception_berlin"))["seriesMasterId"]
    assert event["id"] == derived_id("evt", CALENDAR_ID, master, "20270208")


def test_an_all_day_exception_keys_by_its_original_date_in_the_series_zone() -> None:
    [event] = _mapped("all_day_exception_berlin", DEFAULT_CONTEXT)
    assert event["original_start_time"] == "2027-02-08"  # 23:00Z is the 8th in Berlin
    assert (event["start_time"], event["end_time"]) == ("2027-02-09", "2027-02-10")


def test_the_zoom_link_in_an_html_body_is_found_and_the_own_answer_is_used() -> None:
    [event] = _mapped("zoom_in_html_body", DEFAULT_CONTEXT)
    assert event["meeting"]["platform"] == "zoom"
    assert event["meeting"]["meeting_id"] == "85551234567"
    [me] = [a for a in event["attendees"] if a["is_self"]]
    assert me["response_status"] == "tentative"  # from the event's responseStatus
    assert event["organizer"]["is_self"] is False


def test_raw_is_the_resource_and_a_huge_one_is_capped() -> None:
    context = MappingContext.of(CALENDAR_ID, None, [])
    text = (GOLDEN / "teams_meeting.event.json").read_text()
    [event] = _map(text, "x", context)
    assert event.raw == {"format": "graph", "data": json.loads(text)} and not event.raw_truncated
    body = {"contentType": "text", "content": "x" * (RAW_LIMIT + 10)}
    huge = json.dumps({**json.loads(text), "body": body})
    [capped] = _map(huge, "x", context)
    assert capped.raw is not None and capped.raw_truncated
    assert len(capped.raw["data"].encode()) <= RAW_LIMIT
    assert capped.description_truncated


def test_an_all_day_event_shown_in_another_zone_keeps_its_dates() -> None:
    text = (GOLDEN / "all_day_two_days.event.json").read_text()
    shown = json.loads(text)
    shown["start"] = {"dateTime": "2027-02-01T00:00:00.0000000", "timeZone": "Tokyo Standard Time"}
    shown["end"] = {"dateTime": "2027-02-03T00:00:00.0000000", "timeZone": "Tokyo Standard Time"}
    [event] = _map(json.dumps(shown), "x", MappingContext.of(CALENDAR_ID, None, []))
    assert (event.start_time, event.end_time) == (date(2027, 2, 1), date(2027, 2, 3))


@pytest.mark.parametrize(
    "data",
    [
        "not json",
        "[]",
        '{"id": "x", "end": {"dateTime": "2030-01-01T00:00:00.0000000", "timeZone": "UTC"}}',
        '{"start": {"dateTime": "x", "timeZone": "UTC"}}',
        '{"start": {"dateTime": "2030-01-01T00:00:00.0000000", "timeZone": "Mars/Olympus"}}',
    ],
)
def test_unmappable_resources_raise_mapping_errors(data: str) -> None:
    with pytest.raises(MappingError):
        _map(data, "x", MappingContext.of(CALENDAR_ID, None, []))


@pytest.mark.parametrize(
    ("original_zone", "expected"),
    [
        ("India Standard Time", "Asia/Kolkata"),  # CLDR's Asia/Calcutta, named as Google does
        ("tzone://Microsoft/Utc", "UTC"),
        ("tzone://Microsoft/Custom", None),  # a legacy custom zone: no IANA zone to name
        ("Nowhere Standard Time", None),
        (None, "Asia/Tokyo"),  # none named: the calendar's, as for Google
    ],
)
def test_the_zone_the_event_was_written_in_is_named_by_iana(
    original_zone: str | None, expected: str | None
) -> None:
    resource = json.loads(SET.payload("teams_meeting"))
    resource["originalStartTimeZone"] = original_zone
    [event] = _map(json.dumps(resource), "x", MappingContext.of(CALENDAR_ID, "Asia/Tokyo", []))
    assert event.time_zone == expected
    assert event.start_time == datetime(2027, 1, 13, 9, 30, tzinfo=UTC)


def test_a_text_body_is_kept_as_written_and_an_html_body_converted() -> None:
    resource = json.loads(SET.payload("teams_meeting"))
    resource["body"] = {"contentType": "text", "content": "Bring <b> and </b>\r\nplease\r\n"}
    [text] = _map(json.dumps(resource), "x", MappingContext.of(CALENDAR_ID, None, []))
    assert text.description == "Bring <b> and </b>\nplease"
    resource["body"] = {"contentType": "html", "content": "<p>" + "é" * 40_000 + "</p>"}
    [html] = _map(json.dumps(resource), "x", MappingContext.of(CALENDAR_ID, None, []))
    assert html.description is not None and html.description_truncated
    assert len(html.description.encode()) == DESCRIPTION_LIMIT and set(html.description) == {"é"}


def test_blank_subject_and_location_are_none() -> None:
    resource = json.loads(SET.payload("teams_meeting"))
    resource |= {"subject": " ", "location": {"displayName": ""}}
    [event] = _map(json.dumps(resource), "x", MappingContext.of(CALENDAR_ID, None, []))
    assert (event.title, event.location) == (None, None)


def test_an_outlook_body_is_text_and_the_owners_decline_is_its_own_answer() -> None:
    [event] = _mapped("outlook_desktop_body_declined", DEFAULT_CONTEXT)
    assert event["status"] == "confirmed"
    assert [(a["email"], a["response_status"]) for a in event["attendees"] if a["is_self"]] == [
        ("ada.lovelace@example.com", "declined")
    ]
    assert event["attendees"][0]["is_organizer"] and event["time_zone"] == "Asia/Kolkata"
    assert "vendor review:\n\n- Contract & pricing\n- SLA \u2013 uptime" in event["description"]
    assert event["meeting"]["passcode"] == "271828"


if __name__ == "__main__":
    SET.regenerate()
