"""Bad and costly recurrences: refused on write (400 `invalid`, as Google answers), bounded when
walked, and contained when one is stored anyway (the calendar keeps listing); any unexpected
failure answers Google's 500 `backendError`."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sandbox.google import event_listing, recurrence
from sandbox.google.times import EventTime
from tests.sandbox.google.conftest import Sandbox, events_url, insert, list_all, timed

BERLIN = ZoneInfo("Europe/Berlin")
START = EventTime(None, datetime(2030, 1, 1, 9, tzinfo=BERLIN), "Europe/Berlin")  # a Tuesday
NOW = datetime(2030, 1, 1, tzinfo=UTC)
BACKEND_ERROR = {
    "error": {
        "errors": [{"domain": "global", "reason": "backendError", "message": "Backend Error"}],
        "code": 500,
        "message": "Backend Error",
    }
}
REFUSED = [
    "RRULE:FREQ=WEEKLY;INTERVAL=0",
    "RRULE:FREQ=DAILY;INTERVAL=0;BYHOUR=3",  # dateutil would loop forever on this one
    "RRULE:FREQ=WEEKLY;INTERVAL=-1",
    "RRULE:FREQ=WEEKLY;COUNT=0",
    "RRULE:FREQ=MINUTELY",
    "RRULE:FREQ=SECONDLY;COUNT=5",
    "RRULE:FREQ=MONTHLY;BYMONTHDAY=0",
    "RRULE:FREQ=YEARLY;BYMONTH=13",
    "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",  # never occurs
    "RRULE:FREQ=HOURLY;BYMONTH=4;BYMONTHDAY=31",  # never occurs
    "RRULE:FREQ=WEEKLY;BYDAY=XX",
    "RRULE:FREQ=WEEKLY;COUNT=3;UNTIL=20300301T000000Z",
    "RRULE:FREQ=YEARLY;BYEASTER=0",
]


def series(rule: str, **fields: Any) -> dict[str, Any]:
    return timed(
        "2030-01-08T10:00:00", "2030-01-08T11:00:00", "Europe/Berlin", recurrence=[rule], **fields
    )


@pytest.mark.parametrize("rule", REFUSED)
def test_rules_google_refuses_are_invalid(rule: str) -> None:
    with pytest.raises(ValueError):
        recurrence.validate([rule], START)


@pytest.mark.parametrize(
    "rule",
    [
        "RRULE:FREQ=MONTHLY;BYDAY=-1FR",
        "RRULE:FREQ=MONTHLY;BYDAY=1MO,3MO",
        "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",  # leap days: every four years
        "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",  # a leap day on a Monday: rare
        "RRULE:FREQ=DAILY;INTERVAL=7;BYDAY=TU",
        "RRULE:FREQ=HOURLY;INTERVAL=6;COUNT=10",
        "RRULE:FREQ=WEEKLY;UNTIL=20300301T000000Z;WKST=SU",
    ],
)
def test_rules_google_accepts_are_valid(rule: str) -> None:
    recurrence.validate([rule], START)


def test_an_exrule_that_never_occurs_is_invalid() -> None:
    with pytest.raises(ValueError):
        recurrence.validate(
            ["RRULE:FREQ=DAILY", "EXRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=31"], START
        )


def test_far_off_instances_are_not_walked_to() -> None:
    """An hourly series has ~1.5 million starts before 2200: the lookup gives up instead."""
    lines = ("RRULE:FREQ=HOURLY",)
    near = EventTime(None, datetime(2030, 2, 1, 9, tzinfo=BERLIN), "Europe/Berlin")
    far = EventTime(None, datetime(2200, 1, 1, 9, tzinfo=BERLIN), "Europe/Berlin")
    assert recurrence.is_occurrence(lines, START, BERLIN, near)
    assert not recurrence.is_occurrence(lines, START, BERLIN, far)


def test_expansion_work_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(recurrence, "MAX_STEPS", 1000)
    pattern = "FREQ=DAILY;BYHOUR=" + ",".join(str(h) for h in range(24)) + ";BYMINUTE=0,10,20"
    every_ten_minutes = (f"RRULE:{pattern}", f"EXRULE:{pattern}")  # all excluded: nothing yields
    expansion = recurrence.expand(every_ten_minutes, START, BERLIN, NOW)
    assert expansion.originals == () and not expansion.complete


@pytest.mark.parametrize("rule", REFUSED[:5])
async def test_invalid_recurrences_are_refused_with_400(sandbox: Sandbox, rule: str) -> None:
    _, headers = sandbox.account("ada@example.com")
    response = await sandbox.client.post(events_url(), json=series(rule), headers=headers)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 400 and error["message"] == "Invalid recurrence rule."
    assert error["errors"][0]["reason"] == "invalid"
    patched = await insert(sandbox, headers, series("RRULE:FREQ=WEEKLY;COUNT=2"))
    response = await sandbox.client.patch(
        f"{events_url()}/{patched['id']}", json={"recurrence": [rule]}, headers=headers
    )
    assert response.status_code == 400


async def test_a_stored_series_that_cannot_expand_does_not_break_its_calendar(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """Data written before validation caught it: the series shows its first instance only."""
    _, headers = sandbox.account("ada@example.com")
    broken = await insert(sandbox, headers, series("RRULE:FREQ=WEEKLY;COUNT=3", summary="broken"))
    other = await insert(sandbox, headers, timed("2030-01-09T10:00:00Z", "2030-01-09T11:00:00Z"))
    stored = sandbox.backend.store.calendars["ada@example.com"].events[broken["id"]]
    stored.recurrence = ("RRULE:FREQ=WEEKLY;INTERVAL=-1",)  # dateutil raises stepping it
    stored.expansion = None
    with caplog.at_level(logging.ERROR, logger="sandbox.google.series"):
        items, _ = await list_all(
            sandbox, headers, singleEvents="true", timeMin="2030-01-01T00:00:00Z"
        )
    assert [i["id"] for i in items] == [f"{broken['id']}_20300108T090000Z", other["id"]]
    assert "recurrence expansion failed" in caplog.text
    far = await sandbox.client.get(
        f"{events_url()}/{broken['id']}_20300115T090000Z", headers=headers
    )
    assert far.status_code == 404


async def test_unexpected_failures_answer_googles_backend_error(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _, headers = sandbox.account("ada@example.com")

    def explode(*_args: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(event_listing, "list_events", explode)
    with caplog.at_level(logging.ERROR, logger="sandbox.google.errors"):
        response = await sandbox.client.get(events_url(), headers=headers)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == BACKEND_ERROR
    assert "RuntimeError: boom" in caplog.text
