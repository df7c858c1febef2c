"""The Zoom provider through the sync loop, against real Postgres and the in-process sandbox:
the first listing (each meeting read in full, no `start_url`, recurring meetings with their
occurrences, meetings without a fixed time and beyond the window left out), every resync a full
listing of what is there now, refresh tokens rotated and stored across several refreshes, a
reused (dead) refresh token and revoked grants disconnected after one token request, and
throttling kept connected.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.connector.providers.base import ProviderError
from tests.integration.connector.conftest import Connector, objects_by_id
from tests.integration.connector.sandbox_providers import (
    InProcessSandbox,
    SandboxAccount,
)

CALENDAR = "cal_z"


def _at(days: float) -> str:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return start.strftime("%Y-%m-%dT%H:%M:%SZ")


def _meeting(topic: str, days: float = 2, **extra: Any) -> dict[str, Any]:
    return {"topic": topic, "type": 2, "start_time": _at(days), "duration": 45, **extra}


async def _create(sandbox: InProcessSandbox, account: SandboxAccount, body: Any) -> dict[str, Any]:
    return await sandbox.zoom_api(account, "POST", "/users/me/meetings", body)


async def _connected(connector: Connector, account: SandboxAccount) -> None:
    await connector.register(CALENDAR, account.credentials, provider="zoom")
    await connector.connect(CALENDAR, provider="zoom")
    assert await connector.run_syncs() == 1


async def test_the_first_listing_then_every_resync_lists_what_is_there_now(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    ada = await sandbox.account("ada.lovelace@example.com", provider="zoom")
    standup = await _create(sandbox, ada, _meeting("Standup", password="4711"))
    gone = await _create(sandbox, ada, _meeting("Gone", days=3))
    weekly = _meeting("Weekly", days=1)
    weekly |= {"type": 8, "recurrence": {"type": 2, "repeat_interval": 1, "end_times": 3}}
    series = await _create(sandbox, ada, weekly)
    await _create(sandbox, ada, {"topic": "No fixed time", "type": 3})
    await _create(sandbox, ada, _meeting("Far away", days=400))
    assert "start_url" in standup  # Zoom hands it to the host: it must go no further

    await _connected(connector, ada)
    [page] = await connector.pages()
    assert page.full and page.final and all(o.format == "zoom" for o in page.objects)
    meetings = objects_by_id(page)
    assert set(meetings) == {str(standup["id"]), str(gone["id"]), str(series["id"])}
    assert all("start_url" not in o.data and "zak=" not in o.data for o in page.objects)
    assert meetings[str(standup["id"])]["password"] == "4711"  # read in full
    assert meetings[str(standup["id"])]["host_email"] == "ada.lovelace@example.com"
    assert len(meetings[str(series["id"])]["occurrences"]) == 3
    state = await connector.last_state()
    assert (state.state, state.account_email) == ("connected", "ada.lovelace@example.com")
    assert state.platform_uuid == (await sandbox.zoom_api(ada, "GET", "/users/me"))["id"]
    assert (await connector.row(CALENDAR))["sync_cursor"] is None

    added = await _create(sandbox, ada, _meeting("Added", days=5))
    await sandbox.zoom_api(ada, "PATCH", f"/meetings/{standup['id']}", {"topic": "Standup!"})
    await sandbox.zoom_api(ada, "DELETE", f"/meetings/{gone['id']}")
    [listing] = await connector.resync(CALENDAR)
    assert listing.full and listing.removed == ()
    found = objects_by_id(listing)
    assert set(found) == {str(standup["id"]), str(series["id"]), str(added["id"])}
    assert found[str(standup["id"])]["topic"] == "Standup!"
    assert (await connector.last_state()).state == "connected"


async def test_rotated_refresh_tokens_are_stored_across_several_refreshes(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    bob = await sandbox.account("bob@example.com", provider="zoom")
    zoom = connector.providers["zoom"]
    with pytest.raises(ProviderError):  # listing would rotate (and so burn) the refresh token
        await zoom.list_calendars(zoom.parse_credentials(bob.credentials))

    await _connected(connector, bob)
    grant = await connector.grant_ref(CALENDAR, "zoom")
    seen = {bob.credentials["refresh_token"], await connector.stored_refresh_token(grant)}
    for _ in range(3):
        await connector.pool.execute("UPDATE grants SET access_expires_at = now()")
        await connector.resync(CALENDAR)
        assert (await connector.last_state()).state == "connected"
        seen.add(await connector.stored_refresh_token(grant))
    assert len(seen) == 5  # the submitted token, then one rotation per refresh
    refreshes = await sandbox.requests("/zoom/oauth/token")
    assert [r["status"] for r in refreshes] == [200] * 4

    # The same submitted credentials again (another calendar): the same grant, still alive.
    await connector.register("cal_z2", bob.credentials, None, provider="zoom")
    assert await connector.pool.fetchval("SELECT count(*) FROM grants") == 1
    await connector.connect("cal_z2", provider="zoom")
    await connector.run_syncs()
    assert (await connector.row("cal_z2"))["state"] == "connected"


async def test_a_reused_refresh_token_disconnects_after_one_token_request(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    """Someone else refreshed with the grant's token: the stored one died with that rotation,
    and Zoom answers `{"reason":"Invalid Token!","error":"invalid_request"}`."""
    cal = await sandbox.account("cal@example.com", provider="zoom")
    await _connected(connector, cal)
    stored = await connector.stored_refresh_token(await connector.grant_ref(CALENDAR, "zoom"))
    pair = f"{cal.credentials['client_id']}:{cal.credentials['client_secret']}"
    elsewhere = await sandbox.admin.post(
        "/zoom/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": stored},
        headers={"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()},
    )
    assert elsewhere.status_code == 200
    await connector.pool.execute("UPDATE grants SET access_expires_at = now()")

    await connector.resync(CALENDAR)
    state = await connector.last_state()
    assert state.state == "disconnected" and state.connection_failure_data is not None
    assert state.connection_failure_data.reason == "grant_revoked"
    refused = [r for r in await sandbox.requests("/zoom/oauth/token") if r["status"] == 400]
    assert len(refused) == 1
    assert stored not in state.connection_failure_data.message
    row = await connector.row(CALENDAR)
    assert row["sync_requested_at"] is None and row["next_poll_at"] is None


@pytest.mark.parametrize("reason", ["revoked", "expired", "consent_revoked"])
async def test_a_dead_grant_disconnects(
    connector: Connector, sandbox: InProcessSandbox, reason: str
) -> None:
    eve = await sandbox.account("eve@example.com", provider="zoom")
    await _connected(connector, eve)
    await connector.pool.execute("UPDATE grants SET access_expires_at = now()")  # force a refresh
    await sandbox.admin.post(f"/_admin/accounts/{eve.id}/revoke", json={"reason": reason})

    await connector.resync(CALENDAR)
    state = await connector.last_state()
    assert state.state == "disconnected" and state.connection_failure_data is not None
    assert state.connection_failure_data.reason == "grant_revoked"


async def test_a_wrong_client_secret_is_the_invalid_client_failure(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    fay = await sandbox.account("fay@example.com", provider="zoom")
    wrong = {**fay.credentials, "client_secret": "not-the-secret"}
    await connector.register(CALENDAR, wrong, provider="zoom")
    await connector.connect(CALENDAR, provider="zoom")
    await connector.run_syncs()
    state = await connector.last_state()
    assert state.state == "disconnected" and state.connection_failure_data is not None
    assert state.connection_failure_data.reason == "invalid_client"


@pytest.mark.parametrize("path", ["/v2/users/me/meetings", "/v2/meetings/*"])
async def test_throttling_keeps_the_calendar_connected_and_waits_for_retry_after(
    connector: Connector, sandbox: InProcessSandbox, path: str
) -> None:
    hal = await sandbox.account("hal@example.com", provider="zoom")
    await _create(sandbox, hal, _meeting("Planning"))
    await _connected(connector, hal)
    await sandbox.fault("zoom", path=path, status=429, retry_after=120)

    assert await connector.resync(CALENDAR) == []
    row = await connector.row(CALENDAR)
    assert row["state"] == "connected" and row["failure"] is None
    wait = (row["sync_requested_at"] - datetime.now(UTC)).total_seconds()
    assert 100 < wait <= 120

    await connector.pool.execute("UPDATE connections SET sync_requested_at = now()")
    await connector.run_syncs()
    assert (await connector.last_state()).state == "connected"
    assert len((await connector.pages())[-1].objects) == 1  # the listing went through after
