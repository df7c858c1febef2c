"""Zoom meetings against the sync window: start + duration, a recurring meeting by its
occurrences (deleted ones aside), and what cannot be placed kept as `UNKNOWN`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from services.connector.domain.placement import Placement
from services.connector.domain.window import apply_window
from services.connector.domain.zoom_placement import place
from services.connector.providers.zoom_api import public_meeting
from shared.contracts.provider import ProviderObject

START = datetime(2027, 3, 1, tzinfo=UTC)
END = datetime(2027, 4, 1, tzinfo=UTC)


def _where(**meeting: Any) -> Placement:
    return place(json.dumps({"id": 1, "type": 2, **meeting}), START, END)


def test_a_meeting_lies_from_its_start_for_its_duration() -> None:
    assert _where(start_time="2027-03-10T10:00:00Z", duration=30) is Placement.INSIDE
    assert _where(start_time="2027-04-02T10:00:00Z", duration=30) is Placement.AFTER
    assert _where(start_time="2027-02-28T10:00:00Z", duration=30) is Placement.BEFORE
    # Started before the window, still running at its start.
    assert _where(start_time="2027-02-28T23:30:00Z", duration=60) is Placement.INSIDE


def test_a_recurring_meeting_lies_where_its_live_occurrences_do() -> None:
    occurrences = [
        {"start_time": "2027-02-20T10:00:00Z", "duration": 30, "status": "available"},
        {"start_time": "2027-03-05T10:00:00Z", "duration": 30, "status": "deleted"},
        {"start_time": "2027-04-05T10:00:00Z", "status": "available"},
    ]
    assert _where(type=8, duration=30, occurrences=occurrences) is Placement.BEFORE
    occurrences[1]["status"] = "available"
    assert _where(type=8, duration=30, occurrences=occurrences) is Placement.INSIDE


@pytest.mark.parametrize(
    "meeting",
    [{"type": 3}, {"start_time": "soon"}, {"start_time": "2027-03-10T10:00:00"}],
)
def test_what_cannot_be_placed_is_unknown_and_kept(meeting: dict[str, Any]) -> None:
    assert _where(**meeting) is Placement.UNKNOWN
    item = ProviderObject(
        provider_object_id="1", etag=None, format="zoom", data=json.dumps(meeting)
    )
    assert apply_window([item], (), (START, END), listing=True).objects == (item,)


def test_start_url_is_removed_at_any_depth() -> None:
    meeting = {
        "id": 1,
        "start_url": "https://zoom.example/s/1?zak=secret",
        "occurrences": [{"start_url": "https://zoom.example/s/1?zak=other", "duration": 5}],
        "join_url": "https://zoom.example/j/1",
    }
    public = public_meeting(meeting)
    assert "zak=" not in json.dumps(public)
    assert public == {"id": 1, "occurrences": [{"duration": 5}], "join_url": meeting["join_url"]}
