"""Zoom end to end, through the public API only, against the sandbox `make run` starts: direct
credentials connect the account's one pseudo-calendar (listed by `/raw` first), meetings made
through the sandbox's Zoom API reach `GET /v1/calendar_events` (with the `meeting` block: join
URL and structured passcode; a weekly meeting as its occurrences), an edit and a deletion follow
on resync, a revoked grant disconnects without a retry storm and a new grant reconnects it,
throttling is survived connected, and no `start_url` (the host's link with its ZAK) shows
anywhere: not in the API's answers here, nor in the run's database dump and logs (the audit in
`test_connector_end_to_end.py`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

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

LISTING = "/v2/users/me/meetings"


ZoomAccount = SandboxAccount


class ZoomSandbox(ProviderSandbox):
    """The sandbox's admin API and Zoom's REST API, acting as the user's own Zoom app."""

    provider = "zoom"

    def api(self, account: ZoomAccount, method: str, path: str, body: Any = None) -> Any:
        found = self.as_user(account, method, f"/zoom/v2{path}", body)
        if isinstance(found, dict) and "start_url" in found:  # the host's: never to be seen
            self.system.secrets += [found["start_url"], found["start_url"].split("zak=")[-1]]
        return found

    def create(self, account: ZoomAccount, topic: str, **extra: Any) -> dict[str, Any]:
        start = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
        body = {
            "topic": topic,
            "type": 2,
            "start_time": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration": 30,
            **extra,
        }
        created: dict[str, Any] = self.api(account, "POST", "/users/me/meetings", body)
        return created

    def token_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests() if r["path"].endswith("/oauth/token")]


@pytest.fixture(scope="module")
def zoom(system: RunningSystem) -> Iterator[ZoomSandbox]:
    with httpx.Client(base_url=system.sandbox_url, timeout=20) as client:
        yield ZoomSandbox(client, system)


def _events(api: httpx.Client, calendar_id: str, **params: str) -> list[dict[str, Any]]:
    """The calendar's events; the host's start URL and its ZAK never appear."""
    return list_events(api, calendar_id, forbidden=("start_url", "zak="), **params)


def test_connect_sync_edit_and_delete_meetings(api: httpx.Client, zoom: ZoomSandbox) -> None:
    ada = zoom.account()
    standup = zoom.create(ada, "Standup", password="438211")
    lunch = zoom.create(ada, "Lunch")
    zoom.api(ada, "POST", "/users/me/meetings", {"topic": "Whenever", "type": 3})
    user = zoom.api(ada, "GET", "/users/me")
    # Zoom retires a refresh token once used: `/raw` keeps what it rotated to for the
    # registration that follows with the same submitted credentials.
    listed = api.post(
        "/v1/calendars/raw", json={"provider": "zoom", "credentials": ada.credentials}
    )
    assert listed.status_code == 200, listed.text
    assert [
        (r["platform_uuid"], r["email"], r["is_primary"]) for r in listed.json()["results"]
    ] == [(user["id"], ada.email, True)]

    calendar_id = connect_calendar(api, "zoom", ada.credentials)
    calendar = wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    assert calendar["account_email"] == ada.email and calendar["name"] == "Zoom meetings"
    assert calendar["platform_uuid"] == user["id"] and calendar["provider"] == "zoom"
    wait_for(lambda: event_titles(api, calendar_id) == ["Lunch", "Standup"])  # type 3: no time
    [event] = [e for e in _events(api, calendar_id) if e["title"] == "Standup"]
    meeting = event["meeting"]
    assert meeting["platform"] == "zoom" and meeting["passcode"] == "438211"
    assert meeting["meeting_id"] == str(standup["id"]) and meeting["key"] == f"zoom:{standup['id']}"
    assert meeting["url"] == standup["join_url"]
    assert event["start_time"] == standup["start_time"] and event["organizer"]["is_self"]
    ids = {e["provider_event_id"]: e["id"] for e in _events(api, calendar_id)}

    zoom.api(ada, "PATCH", f"/meetings/{standup['id']}", {"topic": "Standup (edited)"})
    zoom.api(ada, "DELETE", f"/meetings/{lunch['id']}")
    weekly = {"type": 2, "repeat_interval": 1, "end_times": 3}
    zoom.create(ada, "Weekly", type=8, recurrence=weekly)
    request_resync(api, calendar_id)
    expected = ["Standup (edited)", "Weekly", "Weekly", "Weekly"]
    wait_for(lambda: event_titles(api, calendar_id) == expected)
    found = _events(api, calendar_id)
    series = [e for e in found if e["title"] == "Weekly"]
    assert len({e["series_id"] for e in series}) == 1 and all(e["is_recurring"] for e in series)
    assert {e["provider_event_id"]: e["id"] for e in found}[str(standup["id"])] == ids[
        str(standup["id"])
    ]
    deleted = _events(api, calendar_id, include_deleted="true")
    assert [e["is_deleted"] for e in deleted if e["title"] == "Lunch"] == [True]

    request_resync(api, calendar_id)  # nothing changed: the same events, no duplicates
    time.sleep(1)
    again = _events(api, calendar_id, include_deleted="true")
    assert sorted(e["id"] for e in again) == sorted(e["id"] for e in deleted)
    assert get_calendar(api, calendar_id)["state"] == "connected"


def test_a_revoked_grant_disconnects_quietly_and_a_new_grant_reconnects(
    api: httpx.Client, zoom: ZoomSandbox
) -> None:
    bob = zoom.account()
    zoom.create(bob, "Planning")
    calendar_id = connect_calendar(api, "zoom", bob.credentials)
    wait_for(lambda: event_titles(api, calendar_id) == ["Planning"])

    zoom.admin(f"accounts/{bob.id}/revoke", {"reason": "revoked"})
    # The access token dies with the grant: the refresh that follows is refused.
    request_resync(api, calendar_id)
    calendar = wait_for(lambda: calendar_in_state(api, calendar_id, "disconnected"))
    failure = calendar["connection_failure_data"]
    assert failure["reason"] == "grant_revoked" and "Invalid Token" not in failure["message"]
    attempted = calendar["last_attempted_sync_at"]
    asked = len(zoom.token_requests())
    time.sleep(5)  # more than two poll intervals: nothing is tried again
    assert get_calendar(api, calendar_id)["last_attempted_sync_at"] == attempted
    assert len(zoom.token_requests()) == asked

    patched = api.patch(f"/v1/calendars/{calendar_id}", json={"credentials": zoom.new_grant(bob)})
    assert patched.status_code == 200, patched.text
    calendar = wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    assert calendar["connection_failure_data"] is None
    zoom.create(bob, "Planning II")
    request_resync(api, calendar_id)
    wait_for(lambda: event_titles(api, calendar_id) == ["Planning", "Planning II"])


def test_throttling_is_survived_connected(api: httpx.Client, zoom: ZoomSandbox) -> None:
    carol = zoom.account()
    calendar_id = connect_calendar(api, "zoom", carol.credentials)
    wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    zoom.create(carol, "After the storm")
    zoom.admin("faults", {"provider": "zoom", "path": LISTING, "status": 429, "retry_after": 2})
    request_resync(api, calendar_id)

    wait_for(lambda: any(r["status"] == 429 for r in zoom.requests()))
    assert get_calendar(api, calendar_id)["state"] == "connected"
    wait_for(lambda: event_titles(api, calendar_id) == ["After the storm"])
    calendar = get_calendar(api, calendar_id)
    assert calendar["state"] == "connected" and calendar["connection_failure_data"] is None
