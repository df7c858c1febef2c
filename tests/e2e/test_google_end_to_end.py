"""Google end to end, through the public API only, against the sandbox `make run` starts:
direct credentials connect (with `/raw` first), events made through the sandbox's Calendar
API reach `GET /v1/calendar_events` (a Meet link as the `meeting` block), an edit and a
deletion follow, an expired sync token is answered by a full listing with the same ids, a
revoked grant disconnects without a retry storm and a new grant reconnects it, throttling is
survived connected, and `platform_uuid` picks a secondary calendar.
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

EVENTS = "/google/calendar/v3/calendars/{calendar}/events"


@dataclass
class GoogleAccount:
    id: str
    email: str
    credentials: dict[str, str]


class GoogleSandbox:
    """The sandbox's admin API and Google Calendar API, acting as the user's own calendar app."""

    def __init__(self, client: httpx.Client, system: RunningSystem) -> None:
        self.client, self.system = client, system

    def account(self) -> GoogleAccount:
        email = f"e2e-{secrets.token_hex(4)}@example.com"
        created = self.client.post("/_admin/accounts", json={"provider": "google", "email": email})
        assert created.status_code == 201, created.text
        body = created.json()
        credentials = {k: body[k] for k in ("client_id", "client_secret", "refresh_token")}
        self.system.secrets += [body["refresh_token"], body["client_secret"]]
        return GoogleAccount(body["account_id"], email, credentials)

    def new_grant(self, account: GoogleAccount) -> dict[str, str]:
        token = self.client.post(f"/_admin/accounts/{account.id}/grant").json()["refresh_token"]
        self.system.secrets.append(token)
        return {**account.credentials, "refresh_token": token}

    def _user(self, account: GoogleAccount) -> dict[str, str]:
        token = self.client.post(f"/_admin/accounts/{account.id}/token").json()["access_token"]
        return {"Authorization": f"Bearer {token}"}

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
            headers=self._user(account),
        )
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    def edit(self, account: GoogleAccount, event_id: str, summary: str) -> None:
        url = f"{EVENTS.format(calendar='primary')}/{event_id}"
        response = self.client.patch(url, json={"summary": summary}, headers=self._user(account))
        assert response.status_code == 200, response.text

    def delete(self, account: GoogleAccount, event_id: str) -> None:
        url = f"{EVENTS.format(calendar='primary')}/{event_id}"
        assert self.client.delete(url, headers=self._user(account)).status_code == 204

    def admin(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.client.post(f"/_admin/{path}", json=body)
        assert response.status_code < 300, response.text
        return response.json()

    def requests(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.client.get(
            "/_admin/requests", params={"provider": "google"}
        ).json()["results"]
        return found


@pytest.fixture(scope="module")
def google(system: RunningSystem) -> Iterator[GoogleSandbox]:
    with httpx.Client(base_url=system.sandbox_url, timeout=20) as client:
        yield GoogleSandbox(client, system)


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


def _connect(api: httpx.Client, credentials: dict[str, str], **extra: Any) -> str:
    body = {"provider": "google", "credentials": credentials, **extra}
    response = api.post("/v1/calendars", json=body)
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
    found: list[dict[str, Any]] = response.json()["results"]
    return found


def _titles(api: httpx.Client, calendar_id: str) -> set[str]:
    return {e["title"] for e in _events(api, calendar_id)}


def _resync(api: httpx.Client, calendar_id: str) -> None:
    assert api.post(f"/v1/calendars/{calendar_id}/resync").status_code == 202


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

    calendar_id = _connect(api, ada.credentials)
    calendar = _eventually(lambda: _in_state(api, calendar_id, "connected"))
    assert calendar["account_email"] == ada.email and calendar["platform_uuid"] == ada.email
    assert calendar["name"]
    _eventually(lambda: _titles(api, calendar_id) == {"Standup", "Lunch"})
    [meeting] = [e["meeting"] for e in _events(api, calendar_id) if e["title"] == "Standup"]
    assert meeting["platform"] == "google_meet" and meeting["key"].startswith("google_meet:")

    google.edit(ada, standup, "Standup (edited)")
    google.delete(ada, lunch)
    _resync(api, calendar_id)
    _eventually(lambda: _titles(api, calendar_id) == {"Standup (edited)"})
    ids = {e["provider_event_id"]: e["id"] for e in _events(api, calendar_id)}

    google.admin("sync_tokens/expire", {"provider": "google", "account_id": ada.id})
    google.insert(ada, "Retro")
    _resync(api, calendar_id)
    _eventually(lambda: _titles(api, calendar_id) == {"Standup (edited)", "Retro"})
    assert any(r["status"] == 410 for r in google.requests())
    after = _events(api, calendar_id, include_deleted="true")
    assert {e["provider_event_id"]: e["id"] for e in after}[standup] == ids[standup]
    assert len(after) == len({e["id"] for e in after}) == 3  # Lunch stays deleted, no duplicate
    assert _calendar(api, calendar_id)["state"] == "connected"


def test_a_revoked_grant_disconnects_quietly_and_a_new_grant_reconnects(
    api: httpx.Client, google: GoogleSandbox
) -> None:
    bob = google.account()
    google.insert(bob, "Planning")
    calendar_id = _connect(api, bob.credentials)
    _eventually(lambda: _titles(api, calendar_id) == {"Planning"})

    google.admin(f"accounts/{bob.id}/revoke")
    _resync(api, calendar_id)
    calendar = _eventually(lambda: _in_state(api, calendar_id, "disconnected"))
    failure = calendar["connection_failure_data"]
    assert failure["reason"] == "grant_revoked" and failure["at"].endswith("Z")
    assert failure["message"] and bob.credentials["refresh_token"] not in str(calendar)
    attempted = calendar["last_attempted_sync_at"]
    tokens_asked = sum(1 for r in google.requests() if r["path"].endswith("/oauth2/token"))
    time.sleep(5)  # more than two poll intervals: nothing is tried again
    assert _calendar(api, calendar_id)["last_attempted_sync_at"] == attempted
    assert sum(1 for r in google.requests() if r["path"].endswith("/oauth2/token")) == tokens_asked

    patched = api.patch(f"/v1/calendars/{calendar_id}", json={"credentials": google.new_grant(bob)})
    assert patched.status_code == 200, patched.text
    calendar = _eventually(lambda: _in_state(api, calendar_id, "connected"))
    assert calendar["connection_failure_data"] is None
    google.insert(bob, "Planning II")
    _resync(api, calendar_id)
    _eventually(lambda: _titles(api, calendar_id) == {"Planning", "Planning II"})


def test_throttling_is_survived_connected(api: httpx.Client, google: GoogleSandbox) -> None:
    carol = google.account()
    calendar_id = _connect(api, carol.credentials)
    _eventually(lambda: _in_state(api, calendar_id, "connected"))
    google.insert(carol, "After the storm")
    rule = {"provider": "google", "path": "/calendar/v3/calendars/*/events", "status": 429}
    google.admin("faults", {**rule, "retry_after": 2, "count": 1})
    _resync(api, calendar_id)

    _eventually(lambda: any(r["status"] == 429 for r in google.requests()))
    assert _calendar(api, calendar_id)["state"] == "connected"
    _eventually(lambda: _titles(api, calendar_id) == {"After the storm"})
    calendar = _calendar(api, calendar_id)
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

    calendar_id = _connect(api, dan.credentials, platform_uuid=secondary)
    calendar = _eventually(lambda: _in_state(api, calendar_id, "connected"))
    assert calendar["platform_uuid"] == secondary and calendar["account_email"] == dan.email
    _eventually(lambda: _titles(api, calendar_id) == {"On the team calendar"})
