"""Microsoft end to end, through the public API only, against the sandbox `make run` starts:
direct credentials connect, events made through the sandbox's Graph API reach
`GET /v1/calendar_events` (a Teams meeting as the `meeting` block, a weekly series as its
occurrences), an edit and a deletion follow, an expired delta token is answered by a new round
with the same ids, rotated refresh tokens keep working across several refreshes, a revoked
grant disconnects without a retry storm and a new grant reconnects it, throttling is survived
connected, and `/raw` lists the calendars (rotating the refresh token, which the registration
that follows still opens) before `platform_uuid` picks a secondary one.
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

GRAPH = "/microsoft/v1.0"
DELTA = "/v1.0/me/calendars/*/calendarView/delta"


MicrosoftAccount = SandboxAccount


class MicrosoftSandbox(ProviderSandbox):
    """The sandbox's admin API and Graph, acting as the user's own calendar app."""

    provider = "microsoft"

    def graph(self, account: MicrosoftAccount, method: str, path: str, body: Any = None) -> Any:
        return self.as_user(account, method, f"{GRAPH}{path}", body)

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

    def token_requests(self) -> list[dict[str, Any]]:
        return [r for r in self.requests() if r["path"].endswith("/oauth2/v2.0/token")]


@pytest.fixture(scope="module")
def microsoft(system: RunningSystem) -> Iterator[MicrosoftSandbox]:
    with httpx.Client(base_url=system.sandbox_url, timeout=20) as client:
        yield MicrosoftSandbox(client, system)


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

    calendar_id = connect_calendar(api, "microsoft", ada.credentials)
    calendar = wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    assert calendar["account_email"] == ada.email and calendar["name"] == "Calendar"
    wait_for(lambda: event_titles(api, calendar_id) == ["Lunch", "Standup"])
    [meeting] = [e["meeting"] for e in list_events(api, calendar_id) if e["title"] == "Standup"]
    assert meeting["platform"] == "teams" and meeting["key"].startswith("teams:")

    microsoft.graph(ada, "PATCH", f"/me/events/{standup}", {"subject": "Standup (edited)"})
    microsoft.graph(ada, "DELETE", f"/me/events/{lunch}")
    microsoft.insert(ada, "Weekly", recurrence=_weekly(3))
    request_resync(api, calendar_id)
    expected = ["Standup (edited)", "Weekly", "Weekly", "Weekly"]
    wait_for(lambda: event_titles(api, calendar_id) == expected)
    weekly = [e for e in list_events(api, calendar_id) if e["title"] == "Weekly"]
    assert len({e["series_id"] for e in weekly}) == 1 and all(e["is_recurring"] for e in weekly)
    ids = {e["provider_event_id"]: e["id"] for e in list_events(api, calendar_id)}

    microsoft.admin("sync_tokens/expire", {"provider": "microsoft", "account_id": ada.id})
    microsoft.insert(ada, "Retro")
    request_resync(api, calendar_id)
    wait_for(lambda: event_titles(api, calendar_id) == sorted([*expected, "Retro"]))
    assert any(r["status"] == 410 for r in microsoft.requests())
    after = list_events(api, calendar_id, include_deleted="true")
    assert {e["provider_event_id"]: e["id"] for e in after}[standup] == ids[standup]
    assert len(after) == len({e["id"] for e in after}) == 6  # Lunch stays deleted, no duplicate
    assert get_calendar(api, calendar_id)["state"] == "connected"


def test_rotated_refresh_tokens_keep_working_across_refreshes(
    api: httpx.Client, microsoft: MicrosoftSandbox
) -> None:
    eve = microsoft.account()
    microsoft.insert(eve, "Rotation 0")
    calendar_id = connect_calendar(api, "microsoft", eve.credentials)
    wait_for(lambda: event_titles(api, calendar_id) == ["Rotation 0"])
    refreshed = len(microsoft.token_requests())
    for round_ in range(1, 4):
        # A refused access token makes the connector refresh, which rotates the refresh token.
        microsoft.admin("faults", {"provider": "microsoft", "path": DELTA, "status": 401})
        microsoft.insert(eve, f"Rotation {round_}")
        request_resync(api, calendar_id)
        wait_for(lambda: len(event_titles(api, calendar_id)) == round_ + 1)  # noqa: B023
    tokens = microsoft.token_requests()
    assert len(tokens) >= refreshed + 3 and all(r["status"] == 200 for r in tokens)
    assert get_calendar(api, calendar_id)["state"] == "connected"


def test_a_revoked_grant_disconnects_quietly_and_a_new_grant_reconnects(
    api: httpx.Client, microsoft: MicrosoftSandbox
) -> None:
    bob = microsoft.account()
    microsoft.insert(bob, "Planning")
    calendar_id = connect_calendar(api, "microsoft", bob.credentials)
    wait_for(lambda: event_titles(api, calendar_id) == ["Planning"])

    microsoft.admin(f"accounts/{bob.id}/revoke", {"reason": "revoked"})  # AADSTS50173
    request_resync(api, calendar_id)
    calendar = wait_for(lambda: calendar_in_state(api, calendar_id, "disconnected"))
    failure = calendar["connection_failure_data"]
    assert failure["reason"] == "grant_revoked" and "AADSTS" not in failure["message"]
    attempted = calendar["last_attempted_sync_at"]
    asked = len(microsoft.token_requests())
    time.sleep(5)  # more than two poll intervals: nothing is tried again
    assert get_calendar(api, calendar_id)["last_attempted_sync_at"] == attempted
    assert len(microsoft.token_requests()) == asked

    patched = api.patch(
        f"/v1/calendars/{calendar_id}", json={"credentials": microsoft.new_grant(bob)}
    )
    assert patched.status_code == 200, patched.text
    calendar = wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    assert calendar["connection_failure_data"] is None
    microsoft.insert(bob, "Planning II")
    request_resync(api, calendar_id)
    wait_for(lambda: event_titles(api, calendar_id) == ["Planning", "Planning II"])


def test_throttling_is_survived_connected(api: httpx.Client, microsoft: MicrosoftSandbox) -> None:
    carol = microsoft.account()
    calendar_id = connect_calendar(api, "microsoft", carol.credentials)
    wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    microsoft.insert(carol, "After the storm")
    rule = {"provider": "microsoft", "path": DELTA, "status": 429, "retry_after": 2}
    microsoft.admin("faults", rule)
    request_resync(api, calendar_id)

    wait_for(lambda: any(r["status"] == 429 for r in microsoft.requests()))
    assert get_calendar(api, calendar_id)["state"] == "connected"
    wait_for(lambda: event_titles(api, calendar_id) == ["After the storm"])
    calendar = get_calendar(api, calendar_id)
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
    # Listing refreshes (and so rotates) the refresh token; the grant it is kept on serves
    # the registration that follows with the credentials as first submitted.
    for _ in range(2):
        listed = api.post(
            "/v1/calendars/raw", json={"provider": "microsoft", "credentials": dan.credentials}
        )
        assert listed.status_code == 200, listed.text
        results = {r["platform_uuid"]: r for r in listed.json()["results"]}
        assert set(results) == set(seeded["calendars"]) and results[secondary]["email"] == dan.email
        assert [uuid for uuid, r in results.items() if r["is_primary"]] == [seeded["calendars"][0]]

    calendar_id = connect_calendar(api, "microsoft", dan.credentials, platform_uuid=secondary)
    calendar = wait_for(lambda: calendar_in_state(api, calendar_id, "connected"))
    assert calendar["platform_uuid"] == secondary and calendar["account_email"] == dan.email
    wait_for(lambda: event_titles(api, calendar_id) == ["On the team calendar"])
