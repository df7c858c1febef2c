"""Microsoft end to end, through the public API only, against the sandbox `make run` starts:
direct credentials connect, events made through the sandbox's Graph API reach
`GET /v1/calendar_events` (a Teams meeting as the `meeting` block, a weekly series as its
occurrences), an edit and a deletion follow, an expired delta token is answered by a new round
with the same ids, rotated refresh tokens keep working across several refreshes, a revoked
grant disconnects without a retry storm and a new grant reconnects it, throttling is survived
connected, and `platform_uuid` picks a secondary calendar.
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

GRAPH = "/microsoft/v1.0"
DELTA = "/v1.0/me/calendars/*/calendarView/delta"


@dataclass
class MicrosoftAccount:
    id: str
    email: str
    credentials: dict[str, str]


class MicrosoftSandbox:
    """The sandbox's admin API and Graph, acting as the user's own calendar app."""

    def __init__(self, client: httpx.Client, system: RunningSystem) -> None:
        self.client, self.system = client, system

    def account(self) -> MicrosoftAccount:
        email = f"e2e-{secrets.token_hex(4)}@example.com"
        body = self.admin("accounts", {"provider": "microsoft", "email": email})
        credentials = {k: body[k] for k in ("client_id", "client_secret", "refresh_token")}
        self.system.secrets += [body["refresh_token"], body["client_secret"]]
        return MicrosoftAccount(body["account_id"], email, credentials)

    def new_grant(self, account: MicrosoftAccount) -> dict[str, str]:
        token = self.admin(f"accounts/{account.id}/grant")["refresh_token"]
        self.system.secrets.append(token)
        return {**account.credentials, "refresh_token": token}

    def graph(self, account: MicrosoftAccount, method: str, path: str, body: Any = None) -> Any:
        token = self.admin(f"accounts/{account.id}/token")["access_token"]
        response = self.client.request(
            method, f"{GRAPH}{path}", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def insert(
        self, account: MicrosoftAccount, subject: str, calendar: str | None = None, **extra: Any
    ) -> str:
        start = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0, tzinfo=None)
        body = {
            "subject": subject,
            "start": {"dateTime": start.isoformat(), "timeZone": "UTC"},
            "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "UTC"},
            **extra,
        }
        path = f"/me/calendars/{calendar}/events" if calendar else "/me/events"
        return str(self.graph(account, "POST", path, body)["id"])

    def admin(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.client.post(f"/_admin/{path}", json=body)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None

    def requests(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.client.get(
            "/_admin/requests", params={"provider": "microsoft"}
        ).json()["results"]
        return found

    def token_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests() if r["path"].endswith("/oauth2/v2.0/token")]


@pytest.fixture(scope="module")
def microsoft(system: RunningSystem) -> Iterator[MicrosoftSandbox]:
    with httpx.Client(base_url=system.sandbox_url, timeout=20) as client:
        yield MicrosoftSandbox(client, system)


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
    body = {"provider": "microsoft", "credentials": credentials, **extra}
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


def _titles(api: httpx.Client, calendar_id: str) -> list[str]:
    return sorted(e["title"] for e in _events(api, calendar_id))


def _resync(api: httpx.Client, calendar_id: str) -> None:
    assert api.post(f"/v1/calendars/{calendar_id}/resync").status_code == 202


def _weekly(count: int) -> dict[str, Any]:
    day = (datetime.now(UTC) + timedelta(days=1)).date()
    return {
        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": [day.strftime("%A").lower()]},
        "range": {"type": "numbered", "startDate": day.isoformat(), "numberOfOccurrences": count},
    }


def test_connect_sync_edit_delete_and_a_new_round_after_an_expired_delta_token(
    api: httpx.Client, microsoft: MicrosoftSandbox
) -> None:
    ada = microsoft.account()
    standup = microsoft.insert(ada, "Standup", isOnlineMeeting=True)
    lunch = microsoft.insert(ada, "Lunch")

    calendar_id = _connect(api, ada.credentials)
    calendar = _eventually(lambda: _in_state(api, calendar_id, "connected"))
    assert calendar["account_email"] == ada.email and calendar["name"] == "Calendar"
    _eventually(lambda: _titles(api, calendar_id) == ["Lunch", "Standup"])
    [meeting] = [e["meeting"] for e in _events(api, calendar_id) if e["title"] == "Standup"]
    assert meeting["platform"] == "teams" and meeting["key"].startswith("teams:")

    microsoft.graph(ada, "PATCH", f"/me/events/{standup}", {"subject": "Standup (edited)"})
    microsoft.graph(ada, "DELETE", f"/me/events/{lunch}")
    microsoft.insert(ada, "Weekly", recurrence=_weekly(3))
    _resync(api, calendar_id)
    expected = ["Standup (edited)", "Weekly", "Weekly", "Weekly"]
    _eventually(lambda: _titles(api, calendar_id) == expected)
    weekly = [e for e in _events(api, calendar_id) if e["title"] == "Weekly"]
    assert len({e["series_id"] for e in weekly}) == 1 and all(e["is_recurring"] for e in weekly)
    ids = {e["provider_event_id"]: e["id"] for e in _events(api, calendar_id)}

    microsoft.admin("sync_tokens/expire", {"provider": "microsoft", "account_id": ada.id})
    microsoft.insert(ada, "Retro")
    _resync(api, calendar_id)
    _eventually(lambda: _titles(api, calendar_id) == sorted([*expected, "Retro"]))
    assert any(r["status"] == 410 for r in microsoft.requests())
    after = _events(api, calendar_id, include_deleted="true")
    assert {e["provider_event_id"]: e["id"] for e in after}[standup] == ids[standup]
    assert len(after) == len({e["id"] for e in after}) == 6  # Lunch stays deleted, no duplicate
    assert _calendar(api, calendar_id)["state"] == "connected"


def test_rotated_refresh_tokens_keep_working_across_refreshes(
    api: httpx.Client, microsoft: MicrosoftSandbox
) -> None:
    eve = microsoft.account()
    microsoft.insert(eve, "Rotation 0")
    calendar_id = _connect(api, eve.credentials)
    _eventually(lambda: _titles(api, calendar_id) == ["Rotation 0"])
    refreshed = len(microsoft.token_requests())
    for round_ in range(1, 4):
        # A refused access token makes the connector refresh, which rotates the refresh token.
        microsoft.admin("faults", {"provider": "microsoft", "path": DELTA, "status": 401})
        microsoft.insert(eve, f"Rotation {round_}")
        _resync(api, calendar_id)
        _eventually(lambda: len(_titles(api, calendar_id)) == round_ + 1)  # noqa: B023
    tokens = microsoft.token_requests()
    assert len(tokens) >= refreshed + 3 and all(r["status"] == 200 for r in tokens)
    assert _calendar(api, calendar_id)["state"] == "connected"


def test_a_revoked_grant_disconnects_quietly_and_a_new_grant_reconnects(
    api: httpx.Client, microsoft: MicrosoftSandbox
) -> None:
    bob = microsoft.account()
    microsoft.insert(bob, "Planning")
    calendar_id = _connect(api, bob.credentials)
    _eventually(lambda: _titles(api, calendar_id) == ["Planning"])

    microsoft.admin(f"accounts/{bob.id}/revoke", {"reason": "revoked"})  # AADSTS50173
    _resync(api, calendar_id)
    calendar = _eventually(lambda: _in_state(api, calendar_id, "disconnected"))
    failure = calendar["connection_failure_data"]
    assert failure["reason"] == "grant_revoked" and "AADSTS" not in failure["message"]
    attempted = calendar["last_attempted_sync_at"]
    asked = len(microsoft.token_requests())
    time.sleep(5)  # more than two poll intervals: nothing is tried again
    assert _calendar(api, calendar_id)["last_attempted_sync_at"] == attempted
    assert len(microsoft.token_requests()) == asked

    patched = api.patch(
        f"/v1/calendars/{calendar_id}", json={"credentials": microsoft.new_grant(bob)}
    )
    assert patched.status_code == 200, patched.text
    calendar = _eventually(lambda: _in_state(api, calendar_id, "connected"))
    assert calendar["connection_failure_data"] is None
    microsoft.insert(bob, "Planning II")
    _resync(api, calendar_id)
    _eventually(lambda: _titles(api, calendar_id) == ["Planning", "Planning II"])


def test_throttling_is_survived_connected(api: httpx.Client, microsoft: MicrosoftSandbox) -> None:
    carol = microsoft.account()
    calendar_id = _connect(api, carol.credentials)
    _eventually(lambda: _in_state(api, calendar_id, "connected"))
    microsoft.insert(carol, "After the storm")
    rule = {"provider": "microsoft", "path": DELTA, "status": 429, "retry_after": 2}
    microsoft.admin("faults", rule)
    _resync(api, calendar_id)

    _eventually(lambda: any(r["status"] == 429 for r in microsoft.requests()))
    assert _calendar(api, calendar_id)["state"] == "connected"
    _eventually(lambda: _titles(api, calendar_id) == ["After the storm"])
    calendar = _calendar(api, calendar_id)
    assert calendar["state"] == "connected" and calendar["connection_failure_data"] is None


def test_platform_uuid_picks_a_secondary_calendar(
    api: httpx.Client, microsoft: MicrosoftSandbox
) -> None:
    dan = microsoft.account()
    seeded = microsoft.admin(
        "seed",
        {"provider": "microsoft", "account_id": dan.id, "calendars": 2, "events_per_calendar": 0},
    )
    secondary = seeded["calendars"][1]
    microsoft.insert(dan, "On the team calendar", calendar=secondary)
    microsoft.insert(dan, "On the default one")

    calendar_id = _connect(api, dan.credentials, platform_uuid=secondary)
    calendar = _eventually(lambda: _in_state(api, calendar_id, "connected"))
    assert calendar["platform_uuid"] == secondary and calendar["account_email"] == dan.email
    _eventually(lambda: _titles(api, calendar_id) == ["On the team calendar"])
