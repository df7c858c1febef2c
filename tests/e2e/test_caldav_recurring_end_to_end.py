"""End to end through the public API only: a recurring series on a CalDAV server (its own
Radicale) is listed as its instances; then one instance is moved, one cancelled, and the
series retimed and renamed, all in one edit, and the API shows exactly the right instances,
each under the id it had. A series the syncer refuses to expand (FREQ=MINUTELY) shows on the
calendar as a sync issue while the rest syncs, and goes once the event is fixed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import caldav
import httpx
import pytest

from tests.e2e.conftest import RunningSystem
from tests.e2e.public_api import calendar_in_state, list_events, request_resync, wait_for
from tests.servers import Radicale, running_radicale

pytestmark = pytest.mark.e2e

BERLIN = ZoneInfo("Europe/Berlin")
USER, PASSWORD = "carol", "carol-secret"
OTHER, OTHER_PASSWORD = "dave", "dave-secret"
TZ_BLOCK = (
    "BEGIN:VTIMEZONE\nTZID:Europe/Berlin\n"
    "BEGIN:STANDARD\nDTSTART:19701025T030000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\n"
    "TZOFFSETFROM:+0200\nTZOFFSETTO:+0100\nEND:STANDARD\n"
    "BEGIN:DAYLIGHT\nDTSTART:19700329T020000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\n"
    "TZOFFSETFROM:+0100\nTZOFFSETTO:+0200\nEND:DAYLIGHT\nEND:VTIMEZONE\n"
)


@pytest.fixture(scope="module")
def server() -> Iterator[Radicale]:
    """A Radicale of its own: carol's and dave's calendars are the only ones of their accounts."""
    with running_radicale({USER: PASSWORD, OTHER: OTHER_PASSWORD}) as radicale:
        yield radicale


def _days() -> list[date]:
    first = (datetime.now(BERLIN) + timedelta(days=2)).date()
    return [first + timedelta(days=n) for n in range(5)]


def _local(day: date, hour: int, minute: int = 0) -> str:
    return f"{day:%Y%m%d}T{hour:02d}{minute:02d}00"


def _utc(day: date, hour: int, minute: int = 0) -> str:
    moment = datetime.combine(day, time(hour, minute), BERLIN).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _vevent(*lines: str) -> str:
    return (
        "BEGIN:VEVENT\nUID:standup\nDTSTAMP:20260101T000000Z\n"
        + "\n".join(lines)
        + "\nEND:VEVENT\n"
    )


def _calendar(*vevents: str) -> str:
    return (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//rollcall-tests//EN\n"
        + TZ_BLOCK
        + "".join(vevents)
        + "END:VCALENDAR\n"
    )


def _series(days: list[date]) -> str:
    """Five daily standups at 09:00 in Berlin, from the day after tomorrow."""
    return _calendar(
        _vevent(
            f"DTSTART;TZID=Europe/Berlin:{_local(days[0], 9)}",
            f"DTEND;TZID=Europe/Berlin:{_local(days[0], 9, 30)}",
            "RRULE:FREQ=DAILY;COUNT=5",
            "SUMMARY:Standup",
            "LOCATION:https://meet.google.com/abc-defg-hij",
        )
    )


def _edited(days: list[date]) -> str:
    """What a calendar app saves after: the series moved to 10:30 and renamed, then the third
    instance moved to 15:00 and the fourth cancelled (overrides at the new time)."""
    return _calendar(
        _vevent(
            f"DTSTART;TZID=Europe/Berlin:{_local(days[0], 10, 30)}",
            f"DTEND;TZID=Europe/Berlin:{_local(days[0], 11)}",
            "RRULE:FREQ=DAILY;COUNT=5",
            "SUMMARY:Daily standup",
            "LOCATION:https://meet.google.com/abc-defg-hij",
            "SEQUENCE:1",
        ),
        _vevent(
            f"RECURRENCE-ID;TZID=Europe/Berlin:{_local(days[2], 10, 30)}",
            f"DTSTART;TZID=Europe/Berlin:{_local(days[2], 15)}",
            f"DTEND;TZID=Europe/Berlin:{_local(days[2], 15, 30)}",
            "SUMMARY:Daily standup (moved)",
            "LOCATION:https://meet.google.com/abc-defg-hij",
            "SEQUENCE:1",
        ),
        _vevent(
            f"RECURRENCE-ID;TZID=Europe/Berlin:{_local(days[3], 10, 30)}",
            f"DTSTART;TZID=Europe/Berlin:{_local(days[3], 10, 30)}",
            f"DTEND;TZID=Europe/Berlin:{_local(days[3], 11)}",
            "SUMMARY:Daily standup",
            "STATUS:CANCELLED",
            "SEQUENCE:1",
        ),
    )


def _summary(events: list[dict[str, Any]]) -> list[tuple[str, str, str, bool]]:
    return [
        (e["title"], e["start_time"], e["original_start_time"], e["is_exception"]) for e in events
    ]


def test_a_recurring_series_edited_keeps_its_instance_ids(
    system: RunningSystem, api: httpx.Client, server: Radicale
) -> None:
    days = _days()
    with caldav.DAVClient(url=server.url, username=USER, password=PASSWORD) as client:
        cal = client.principal().make_calendar(
            name="Team", cal_id="team", supported_calendar_component_set=["VEVENT"]
        )
        cal.add_event(_series(days))
    credentials = {"url": server.url, "username": USER, "password": PASSWORD}
    response = api.post("/v1/calendars", json={"provider": "caldav", "credentials": credentials})
    assert response.status_code == 201, response.text
    calendar_id = response.json()["id"]
    wait_for(lambda: calendar_in_state(api, calendar_id, "connected"), timeout=60)
    wait_for(lambda: len(list_events(api, calendar_id)) == 5, timeout=60)

    before = list_events(api, calendar_id, ordering="start_time")
    assert _summary(before) == [("Standup", _utc(d, 9), _utc(d, 9), False) for d in days]
    assert len({e["series_id"] for e in before}) == 1 and before[0]["series_id"]
    assert all(e["is_recurring"] and e["meeting"]["platform"] == "google_meet" for e in before)
    ids = [e["id"] for e in before]
    assert len(set(ids)) == 5

    with caldav.DAVClient(url=server.url, username=USER, password=PASSWORD) as client:
        event = client.calendar(url=str(cal.url)).get_event_by_uid("standup")
        event.data = _edited(days)
        event.save()
    request_resync(api, calendar_id)

    def edited() -> list[dict[str, Any]] | None:
        """The listing once every change of the edit has reached the API (they arrive one by
        one: a listing in between shows some instances renamed and others not yet)."""
        found = list_events(api, calendar_id, ordering="start_time")
        titles = [e["title"] for e in found]
        return found if len(found) == 4 and "Standup" not in titles else None

    after = wait_for(edited, timeout=60)
    assert _summary(after) == [
        ("Daily standup", _utc(days[0], 10, 30), _utc(days[0], 10, 30), False),
        ("Daily standup", _utc(days[1], 10, 30), _utc(days[1], 10, 30), False),
        ("Daily standup (moved)", _utc(days[2], 15), _utc(days[2], 10, 30), True),
        ("Daily standup", _utc(days[4], 10, 30), _utc(days[4], 10, 30), False),
    ]
    assert [e["id"] for e in after] == [ids[0], ids[1], ids[2], ids[4]]
    assert {e["series_id"] for e in after} == {before[0]["series_id"]}

    deleted = [e for e in list_events(api, calendar_id, include_deleted="true") if e["is_deleted"]]
    assert [e["id"] for e in deleted] == [ids[3]]
    assert api.get(f"/v1/calendar_events/{ids[2]}").json()["title"] == "Daily standup (moved)"
    assert api.delete(f"/v1/calendars/{calendar_id}").status_code == 204


def _one(uid: str, day: date, summary: str, *extra: str) -> str:
    return _calendar(
        "BEGIN:VEVENT\n"
        f"UID:{uid}\nDTSTAMP:20260101T000000Z\n"
        f"DTSTART;TZID=Europe/Berlin:{_local(day, 12)}\n"
        f"DTEND;TZID=Europe/Berlin:{_local(day, 13)}\n"
        f"SUMMARY:{summary}\n" + "".join(f"{line}\n" for line in extra) + "END:VEVENT\n"
    )


def test_a_refused_series_is_a_sync_issue_of_the_calendar_until_fixed(
    api: httpx.Client, server: Radicale
) -> None:
    day = _days()[0]
    with caldav.DAVClient(url=server.url, username=OTHER, password=OTHER_PASSWORD) as client:
        cal = client.principal().make_calendar(
            name="Floods", cal_id="floods", supported_calendar_component_set=["VEVENT"]
        )
        cal.add_event(_one("flood", day, "Flood", "RRULE:FREQ=MINUTELY;COUNT=500"))
        cal.add_event(_one("lunch", day, "Lunch"))
    credentials = {"url": server.url, "username": OTHER, "password": OTHER_PASSWORD}
    response = api.post("/v1/calendars", json={"provider": "caldav", "credentials": credentials})
    assert response.status_code == 201, response.text
    calendar_id = response.json()["id"]

    def with_issues(count: int) -> dict[str, Any] | None:
        shown = api.get(f"/v1/calendars/{calendar_id}").json()
        return shown if shown["sync_issue_count"] == count else None

    calendar = wait_for(lambda: with_issues(1), timeout=60)
    assert calendar["state"] == "connected"  # a refused series never fails the sync
    [issue] = calendar["sync_issues"]
    assert issue["reason"] == "unsupported_frequency" and issue["message"]
    assert issue["provider_object_id"].endswith(".ics")
    assert [e["title"] for e in list_events(api, calendar_id)] == ["Lunch"]

    with caldav.DAVClient(url=server.url, username=OTHER, password=OTHER_PASSWORD) as client:
        event = client.calendar(url=str(cal.url)).get_event_by_uid("flood")
        event.data = _one("flood", day, "Flood")
        event.save()
    request_resync(api, calendar_id)
    calendar = wait_for(lambda: with_issues(0), timeout=60)
    assert calendar["sync_issues"] == []
    wait_for(
        lambda: sorted(e["title"] for e in list_events(api, calendar_id)) == ["Flood", "Lunch"]
    )
