"""Zoom end to end, through the public API only, against the sandbox `make run` starts: direct
credentials connect the account's one pseudo-calendar, meetings made through the sandbox's Zoom
API reach `GET /v1/calendar_events` (with the `meeting` block: join URL and structured
passcode; a weekly meeting as its occurrences), an edit and a deletion follow on resync, a
revoked grant disconnects without a retry storm and a new grant reconnects it, throttling is
survived connected, and no `start_url` (the host's link with its ZAK) shows anywhere: not in
the API's answers here, nor in the run's database dump and logs (the audit in
`test_connector_end_to_end.py`).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningSystem

pytestmark = pytest.mark.e2e

LISTING = "/v2/users/me/meetings"


@dataclass
class ZoomAccount:
    id: str
    email: str
    credentials: dict[str, str]


class ZoomSandbox:
    """The sandbox's admin API and Zoom's REST API, acting as the user's own Zoom app."""

    def __init__(self, client: httpx.Client, system: RunningSystem) -> None:
        self.client, self.system = client, system

    def account(self) -> ZoomAccount:
        email = f"e2e-{secrets.token_hex(4)}@example.com"
        body = self.admin("accounts", {"provider": "zoom", "email": email})
        credentials = {k: body[k] for k in ("client_id", "client_secret", "refresh_token")}
        self.system.secrets += [body["refresh_token"], body["client_secret"]]
        return ZoomAccount(body["account_id"], email, credentials)

    def new_grant(self, account: ZoomAccount) -> dict[str, str]:
        token = self.admin(f"accounts/{account.id}/grant")["refresh_token"]
        self.system.secrets.append(token)
        return {**account.credentials, "refresh_token": token}

    def api(self, account: ZoomAccount, method: str, path: str, body: Any = None) -> Any:
        token = self.admin(f"accounts/{account.id}/token")["access_token"]
        response = self.client.request(
            method, f"/zoom/v2{path}", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code < 300, response.text
        found = response.json() if response.content else None
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

    def admin(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.client.post(f"/_admin/{path}", json=body)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def requests(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.client.get(
            "/_admin/requests", params={"provider": "zoom"}
        ).json()["results"]
        return found

    def token_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests() if r["path"].endswith("/oauth/token")]


@pytest.fixture(scope="module")
def zoom(system: RunningSystem) -> Iterator[ZoomSandbox]:
    with httpx.Client(base_url=system.sandbox_url, timeout=20) as client:
        yield ZoomSandbox(client, system)


@pytest.fixture
def api(system: RunningSystem) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {system.api_key}"}
    with httpx.Client(base_url=system.gateway_url, timeout=20, headers=headers) as client:
        yield client


def _eventually(check: Callable[[], Any], timeout: float = 45) -> Any:
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(0.2)
    return result


def _connect(api: httpx.Client, credentials: dict[str, str]) -> str:
    response = api.post("/v1/calendars", json={"provider": "zoom", "credentials": credentials})
    assert response.status_code == 201, response.text
    assert credentials["refresh_token"] not in response.text
    return str(response.json()["id"])


def _calendar(api: httpx.Client, calendar_id: str) -> dict[str, Any]:
    found: dict[str, Any] = api.get(f"/v1/calendars/{calendar_id}").json()
    return found


def _in_state(api: httpx.Client, calendar_id: str, state: str) -> dict[str, Any] | None:
    calendar = _calendar(api, calendar_id)
    return calendar if calendar["state"] == state else None


def _events(api: httpx.Client, calendar_id: str, **params: str) -> list[dict[str, Any]]:
    query = {"calendar_id": calendar_id, "when": "all", **params}
    response = api.get("/v1/calendar_events", params=query)
    assert response.status_code == 200, response.text
    assert "start_url" not in response.text and "zak=" not in response.text
    found: list[dict[str, Any]] = response.json()["results"]
    return found


def _titles(api: httpx.Client, calendar_id: str) -> list[str]:
    return sorted(e["title"] for e in _events(api, calendar_id))


def _resync(api: httpx.Client, calendar_id: str) -> None:
    assert api.post(f"/v1/calendars/{calendar_id}/resync").status_code == 202


def test_connect_sync_edit_and_delete_meetings(api: httpx.Client, zoom: ZoomSandbox) -> None:
    ada = zoom.account()
    standup = zoom.create(ada, "Standup", password="438211")
    lunch = zoom.create(ada, "Lunch")
    zoom.api(ada, "POST", "/users/me/meetings", {"topic": "Whenever", "type": 3})
    user = zoom.api(ada, "GET", "/users/me")

    calendar_id = _connect(api, ada.credentials)
    calendar = _eventually(lambda: _in_state(api, calendar_id, "connected"))
    assert calendar["account_email"] == ada.email and calendar["name"] == "Zoom meetings"
    assert calendar["platform_uuid"] == user["id"] and calendar["provider"] == "zoom"
    _eventually(lambda: _titles(api, calendar_id) == ["Lunch", "Standup"])  # type 3: no time
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
    _resync(api, calendar_id)
    expected = ["Standup (edited)", "Weekly", "Weekly", "Weekly"]
    _eventually(lambda: _titles(api, calendar_id) == expected)
    found = _events(api, calendar_id)
    series = [e for e in found if e["title"] == "Weekly"]
    assert len({e["series_id"] for e in series}) == 1 and all(e["is_recurring"] for e in series)
    assert {e["provider_event_id"]: e["id"] for e in found}[str(standup["id"])] == ids[
        str(standup["id"])
    ]
    deleted = _events(api, calendar_id, include_deleted="true")
    assert [e["is_deleted"] for e in deleted if e["title"] == "Lunch"] == [True]

    _resync(api, calendar_id)  # nothing changed: the same events, no duplicates
    time.sleep(1)
    again = _events(api, calendar_id, include_deleted="true")
    assert sorted(e["id"] for e in again) == sorted(e["id"] for e in deleted)
    assert _calendar(api, calendar_id)["state"] == "connected"


def test_a_revoked_grant_disconnects_quietly_and_a_new_grant_reconnects(
    api: httpx.Client, zoom: ZoomSandbox
) -> None:
    bob = zoom.account()
    zoom.create(bob, "Planning")
    calendar_id = _connect(api, bob.credentials)
    _eventually(lambda: _titles(api, calendar_id) == ["Planning"])

    zoom.admin(f"accounts/{bob.id}/revoke", {"reason": "revoked"})
    # The access token dies with the grant: the refresh that follows is refused.
    _resync(api, calendar_id)
    calendar = _eventually(lambda: _in_state(api, calendar_id, "disconnected"))
    failure = calendar["connection_failure_data"]
    assert failure["reason"] == "grant_revoked" and "Invalid Token" not in failure["message"]
    attempted = calendar["last_attempted_sync_at"]
    asked = len(zoom.token_requests())
    time.sleep(5)  # more than two poll intervals: nothing is tried again
    assert _calendar(api, calendar_id)["last_attempted_sync_at"] == attempted
    assert len(zoom.token_requests()) == asked

    patched = api.patch(f"/v1/calendars/{calendar_id}", json={"credentials": zoom.new_grant(bob)})
    assert patched.status_code == 200, patched.text
    calendar = _eventually(lambda: _in_state(api, calendar_id, "connected"))
    assert calendar["connection_failure_data"] is None
    zoom.create(bob, "Planning II")
    _resync(api, calendar_id)
    _eventually(lambda: _titles(api, calendar_id) == ["Planning", "Planning II"])


def test_throttling_is_survived_connected(api: httpx.Client, zoom: ZoomSandbox) -> None:
    carol = zoom.account()
    calendar_id = _connect(api, carol.credentials)
    _eventually(lambda: _in_state(api, calendar_id, "connected"))
    zoom.create(carol, "After the storm")
    zoom.admin("faults", {"provider": "zoom", "path": LISTING, "status": 429, "retry_after": 2})
    _resync(api, calendar_id)

    _eventually(lambda: any(r["status"] == 429 for r in zoom.requests()))
    assert _calendar(api, calendar_id)["state"] == "connected"
    _eventually(lambda: _titles(api, calendar_id) == ["After the storm"])
    calendar = _calendar(api, calendar_id)
    assert calendar["state"] == "connected" and calendar["connection_failure_data"] is None
