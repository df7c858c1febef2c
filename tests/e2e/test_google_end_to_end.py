"""Google end to end, through the public API only, against the sandbox `make run` starts:
direct credentials connect (with `/raw` first), events made through the sandbox's Calendar
API reach `GET /v1/calendar_events` (a Meet link as the `meeting` block), an edit and a
deletion follow, an expired sync token is answered by a full listing with the same ids, a
revoked grant disconnects without a retry storm and a new grant reconnects it, throttling is
survived connected, `platform_uuid` picks a secondary calendar, and a recurring series edited
(retimed and renamed, one instance moved, one cancelled) keeps its instances' ids.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.conftest import RunningSystem
from tests.e2e.public_api import (
    ProviderSandbox,
    SandboxAccount,
    calendar_in_state,
    connect_calendar,
    event_titles,
    get_calendar,
    list_events,
    request_resync,
    wait_for,
)

pytestmark = pytest.mark.e2e

EVENTS = "/google/calendar/v3/calendars/{calendar}/events"


GoogleAccount = SandboxAccount


class GoogleSandbox(ProviderSandbox):
    """The sandbox's admin API and Google Calendar API, acting as the user's own calendar app."""

    provider = "google"

    def insert(
        self, account: GoogleAccount, summary: str, calendar: str = "primary", **extra: Any
    ) -> str:
        start = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
        body = {
            "summary": summary,
            "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Berlin"},
            "end": {"dateTime": (start + timedelta(hours=1)).isoformat()},
            **extra,
        }
        response = self.client.post(
            EVENTS.format(calendar=calendar),
            params={"conferenceDataVersion": "1"},
            json=body,
            headers=self.bearer(account),
        )
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    def edit(self, account: GoogleAccount, event_id: str, summary: str) -> None:
        self.change(account, event_id, {"summary": summary})

    def change(self, account: GoogleAccount, event_id: str, body: dict[str, Any]) -> None:
        """`events.patch` of an event, a series (its master) or one instance."""
        url = f"{EVENTS.format(calendar='primary')}/{event_id}"
        response = self.client.patch(url, json=body, headers=self.bearer(account))
        assert response.status_code == 200, response.text

    def delete(self, account: GoogleAccount, event_id: str) -> None:
        url = f"{EVENTS.format(calendar='primary')}/{event_id}"
        assert self.client.delete(url, headers=self.bearer(account)).status_code == 204


@pytest.fixture(scope="module")
def google(system: RunningSystem) -> Iterator[GoogleSandbox]:
    with httpx.Client(base_url=system.sandbox_url, timeout=20) as client:
        yield GoogleSandbox(client, system)


MEET = {"createRequest": {"requestId": "e2e", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}


def test_connect_sync_edit_delete_and_a_full_listing_after_410(
    api: httpx.Client, google: GoogleSandbox
) -> None:
    ada = google.account()
    standup = google.insert(ada, "Standup", conferenceData=MEET)
    lunch = google.insert(ada, "Lunch")

    listed = api.post(
        "/v1/calendars/raw", json={"provider": "google", "credentials": ada.credentials}
    )
    assert listed.status_code == 200, listed.text
    assert [
        (r["platform_uuid"], r["email"], r["is_primary"]) for r in listed.json()["results"]
    ] == [(ada.email, ada.email, True)]

    calendar_id = connect_calendar(api, "google", ada.credentials)
    calendar = wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    assert calendar["account_email"] == ada.email and calendar["platform_uuid"] == ada.email
    assert calendar["name"]
    wait_for(lambda: set(event_titles(api, calendar_id)) == {"Standup", "Lunch"})
    [meeting] = [e["meeting"] for e in list_events(api, calendar_id) if e["title"] == "Standup"]
    assert meeting["platform"] == "google_meet" and meeting["key"].startswith("google_meet:")

    google.edit(ada, standup, "Standup (edited)")
    google.delete(ada, lunch)
    request_resync(api, calendar_id)
    wait_for(lambda: set(event_titles(api, calendar_id)) == {"Standup (edited)"})
    ids = {e["provider_event_id"]: e["id"] for e in list_events(api, calendar_id)}

    google.admin("sync_tokens/expire", {"provider": "google", "account_id": ada.id})
    google.insert(ada, "Retro")
    request_resync(api, calendar_id)
    wait_for(lambda: set(event_titles(api, calendar_id)) == {"Standup (edited)", "Retro"})
    assert any(r["status"] == 410 for r in google.requests())
    after = list_events(api, calendar_id, include_deleted="true")
    assert {e["provider_event_id"]: e["id"] for e in after}[standup] == ids[standup]
    assert len(after) == len({e["id"] for e in after}) == 3  # Lunch stays deleted, no duplicate
    assert get_calendar(api, calendar_id)["state"] == "connected"


def test_a_revoked_grant_disconnects_quietly_and_a_new_grant_reconnects(
    api: httpx.Client, google: GoogleSandbox
) -> None:
    bob = google.account()
    google.insert(bob, "Planning")
    calendar_id = connect_calendar(api, "google", bob.credentials)
    wait_for(lambda: set(event_titles(api, calendar_id)) == {"Planning"})

    google.admin(f"accounts/{bob.id}/revoke")
    request_resync(api, calendar_id)
    calendar = wait_for(lambda: calendar_in_state(api, calendar_id, "disconnected"))
    failure = calendar["connection_failure_data"]
    assert failure["reason"] == "grant_revoked" and failure["at"].endswith("Z")
    assert failure["message"] and bob.credentials["refresh_token"] not in str(calendar)
    attempted = calendar["last_attempted_sync_at"]
    tokens_asked = sum(1 for r in google.requests() if r["path"].endswith("/oauth2/token"))
    time.sleep(5)  # more than two poll intervals: nothing is tried again
    assert get_calendar(api, calendar_id)["last_attempted_sync_at"] == attempted
    assert sum(1 for r in google.requests() if r["path"].endswith("/oauth2/token")) == tokens_asked

    patched = api.patch(f"/v1/calendars/{calendar_id}", json={"credentials": google.new_grant(bob)})
    assert patched.status_code == 200, patched.text
    calendar = wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    assert calendar["connection_failure_data"] is None
    google.insert(bob, "Planning II")
    request_resync(api, calendar_id)
    wait_for(lambda: set(event_titles(api, calendar_id)) == {"Planning", "Planning II"})


def test_throttling_is_survived_connected(api: httpx.Client, google: GoogleSandbox) -> None:
    carol = google.account()
    calendar_id = connect_calendar(api, "google", carol.credentials)
    wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    google.insert(carol, "After the storm")
    rule = {"provider": "google", "path": "/calendar/v3/calendars/*/events", "status": 429}
    google.admin("faults", {**rule, "retry_after": 2, "count": 1})
    request_resync(api, calendar_id)

    wait_for(lambda: any(r["status"] == 429 for r in google.requests()))
    assert get_calendar(api, calendar_id)["state"] == "connected"
    wait_for(lambda: set(event_titles(api, calendar_id)) == {"After the storm"})
    calendar = get_calendar(api, calendar_id)
    assert calendar["state"] == "connected" and calendar["connection_failure_data"] is None


def test_platform_uuid_picks_a_secondary_calendar(api: httpx.Client, google: GoogleSandbox) -> None:
    dan = google.account()
    seeded = google.admin(
        "seed",
        {"provider": "google", "account_id": dan.id, "calendars": 2, "events_per_calendar": 0},
    )
    secondary = seeded["calendars"][1]
    google.insert(dan, "On the team calendar", calendar=secondary)
    google.insert(dan, "On the primary")
    listed = api.post(
        "/v1/calendars/raw", json={"provider": "google", "credentials": dan.credentials}
    )
    assert {r["platform_uuid"] for r in listed.json()["results"]} == {dan.email, secondary}

    calendar_id = connect_calendar(api, "google", dan.credentials, platform_uuid=secondary)
    calendar = wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    assert calendar["platform_uuid"] == secondary and calendar["account_email"] == dan.email
    wait_for(lambda: set(event_titles(api, calendar_id)) == {"On the team calendar"})


BERLIN = ZoneInfo("Europe/Berlin")


def _berlin(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), BERLIN)


def _moment(day: date, hour: int, minute: int = 0) -> dict[str, str]:
    return {"dateTime": _berlin(day, hour, minute).isoformat(), "timeZone": "Europe/Berlin"}


def _utc(day: date, hour: int, minute: int = 0) -> str:
    return _berlin(day, hour, minute).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _instance(series: str, day: date, hour: int, minute: int = 0) -> str:
    """Google's id of a series' instance: the series' id and the original start in UTC."""
    return f"{series}_{_berlin(day, hour, minute).astimezone(UTC):%Y%m%dT%H%M%SZ}"


def test_a_recurring_series_edited_keeps_its_instance_ids(
    api: httpx.Client, google: GoogleSandbox
) -> None:
    """The Google counterpart of the CalDAV scenario: the series is retimed (every instance
    gets a new Google id) and renamed, then one instance moved and one cancelled."""
    erin = google.account()
    first = (datetime.now(BERLIN) + timedelta(days=2)).date()
    days = [first + timedelta(days=n) for n in range(5)]
    series = google.insert(
        erin,
        "Standup",
        start=_moment(days[0], 9),
        end=_moment(days[0], 9, 30),
        recurrence=["RRULE:FREQ=DAILY;COUNT=5"],
    )
    calendar_id = connect_calendar(api, "google", erin.credentials)
    wait_for(lambda: len(list_events(api, calendar_id)) == 5)
    before = list_events(api, calendar_id, ordering="start_time")
    assert [e["start_time"] for e in before] == [_utc(d, 9) for d in days]
    assert len({e["series_id"] for e in before}) == 1 and all(e["is_recurring"] for e in before)
    ids = [e["id"] for e in before]

    google.change(
        erin,
        series,
        {
            "summary": "Daily standup",
            "start": _moment(days[0], 10, 30),
            "end": _moment(days[0], 11),
        },
    )
    moved = {
        "summary": "Daily standup (moved)",
        "start": _moment(days[2], 15),
        "end": _moment(days[2], 15, 30),
    }
    google.change(erin, _instance(series, days[2], 10, 30), moved)
    google.delete(erin, _instance(series, days[3], 10, 30))
    request_resync(api, calendar_id)

    def edited() -> list[dict[str, Any]] | None:
        found = list_events(api, calendar_id, ordering="start_time")
        titles = [e["title"] for e in found]
        return found if len(found) == 4 and "Daily standup (moved)" in titles else None

    after = wait_for(edited)
    assert [
        (e["title"], e["start_time"], e["original_start_time"], e["is_exception"]) for e in after
    ] == [
        ("Daily standup", _utc(days[0], 10, 30), _utc(days[0], 10, 30), False),
        ("Daily standup", _utc(days[1], 10, 30), _utc(days[1], 10, 30), False),
        ("Daily standup (moved)", _utc(days[2], 15), _utc(days[2], 10, 30), True),
        ("Daily standup", _utc(days[4], 10, 30), _utc(days[4], 10, 30), False),
    ]
    assert [e["id"] for e in after] == [ids[0], ids[1], ids[2], ids[4]]
    deleted = [
        e["id"] for e in list_events(api, calendar_id, include_deleted="true") if e["is_deleted"]
    ]
    assert deleted == [ids[3]]
