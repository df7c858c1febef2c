"""Placing Graph events in a sync window: UTC and Windows-zone wall times, all-day dates,
open-ended masters, and unreadable resources kept."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from services.connector.domain.graph_placement import place
from services.connector.domain.placement import Placement

START = datetime(2030, 1, 1, tzinfo=UTC)
END = datetime(2030, 2, 1, tzinfo=UTC)


def _event(start: str, end: str, zone: str = "UTC", **extra: Any) -> str:
    return json.dumps(
        {
            "start": {"dateTime": start, "timeZone": zone},
            "end": {"dateTime": end, "timeZone": zone},
            **extra,
        }
    )


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (_event("2030-01-10T10:00:00.0000000", "2030-01-10T11:00:00.0000000"), Placement.INSIDE),
        (_event("2029-12-01T10:00:00.0000000", "2029-12-01T11:00:00.0000000"), Placement.BEFORE),
        (_event("2030-03-01T10:00:00.0000000", "2030-03-01T11:00:00.0000000"), Placement.AFTER),
        # 1 Feb 08:30 in Tokyo is 31 Jan 23:30 UTC: inside; 09:30 is 1 Feb 00:30 UTC: after
        (
            _event(
                "2030-02-01T08:30:00.0000000", "2030-02-01T09:00:00.0000000", "Tokyo Standard Time"
            ),
            Placement.INSIDE,
        ),
        (
            _event(
                "2030-02-01T09:30:00.0000000", "2030-02-01T10:00:00.0000000", "Tokyo Standard Time"
            ),
            Placement.AFTER,
        ),
        (
            _event("2030-01-31T00:00:00.0000000", "2030-02-01T00:00:00.0000000", isAllDay=True),
            Placement.INSIDE,
        ),
        (
            _event(
                "2029-06-01T10:00:00.0000000", "2029-06-01T11:00:00.0000000", type="seriesMaster"
            ),
            Placement.INSIDE,
        ),
        ('{"start": {}}', Placement.UNKNOWN),
        (_event("x", "y"), Placement.UNKNOWN),
        (
            _event("2030-01-10T10:00:00.0000000", "2030-01-10T11:00:00.0000000", "Mars"),
            Placement.UNKNOWN,
        ),
    ],
)
def test_placement(event: str, expected: Placement) -> None:
    assert place(event, START, END) is expected
