"""The Microsoft provider through the sync loop, against real Postgres and the in-process
sandbox: first delta round of the default calendar (sparse occurrences merged onto their
master), incremental changes, an expired delta token answered by a new round, a secondary
calendar by `platform_uuid`, `/raw` keeping the rotated refresh token on a held grant for the
registration that follows, refresh tokens rotated and stored across several refreshes, dead
grants (AADSTS 50173, 700082, 65001) and a rejected client disconnected after one token
request, throttling kept connected, and at most 4 Graph requests in flight per mailbox.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.connector import accounts
from services.connector.listing import CalendarLister
from services.connector.providers.base import GrantRef, ProviderError
from tests.integration.connector.conftest import PROJECT, Connector, objects_by_id
from tests.integration.connector.sandbox_providers import (
    InProcessSandbox,
    SandboxAccount,
)

CALENDAR = "cal_m"
BERLIN = ZoneInfo("Europe/Berlin")


def _event(subject: str, days: int = 2, **extra: Any) -> dict[str, Any]:
    """An hour `days` from now, written as Berlin wall time under its Windows zone name."""
    start = (datetime.now(UTC) + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    local = start.astimezone(BERLIN).replace(tzinfo=None)
    return {
        "subject": subject,
        "start": {"dateTime": local.isoformat(), "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": (local + timedelta(hours=1)).isoformat(), "timeZone": "Europe/Berlin"},
        **extra,
    }


def _weekly(subject: str, count: int = 3) -> dict[str, Any]:
    body = _event(subject, days=1)
    day = datetime.fromisoformat(body["start"]["dateTime"])
    body["recurrence"] = {
        "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": [day.strftime("%A").lower()]},
        "range": {
            "type": "numbered",
            "startDate": day.date().isoformat(),
            "numberOfOccurrences": count,
        },
    }
    return body


async def _connected(
    connector: Connector, account: SandboxAccount, platform_uuid: str | None = None
) -> None:
    await connector.register(CALENDAR, account.credentials, platform_uuid, provider="microsoft")
    await connector.connect(CALENDAR, platform_uuid, provider="microsoft")
    assert await connector.run_syncs() == 1


async def test_first_round_then_changes_then_a_new_round_after_an_expired_token(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    ada = await sandbox.account("ada.lovelace@example.com", provider="microsoft")
    teams = await sandbox.graph(ada, "POST", "/me/events", _event("Teams", isOnlineMeeting=True))
    gone = await sandbox.graph(ada, "POST", "/me/events", _event("Gone"))
    series = await sandbox.graph(ada, "POST", "/me/events", _weekly("Weekly", count=3))
    await sandbox.graph(ada, "POST", "/me/events", _event("Far away", days=400))

    await _connected(connector, ada)
    [page] = await connector.pages()
    assert page.full and page.final and all(o.format == "graph" for o in page.objects)
    events = objects_by_id(page)
    occurrences = [e for e in events.values() if e.get("seriesMasterId") == series["id"]]
    assert len(occurrences) == 3 and series["id"] not in events  # the master is not published
    assert all(e["subject"] == "Weekly" for e in occurrences)  # merged onto the master
    assert {teams["id"], gone["id"]} <= set(events) and len(events) == 5
    assert events[teams["id"]]["onlineMeeting"]["joinUrl"].startswith("https://teams.microsoft")
    state = await connector.last_state()
    assert (state.state, state.account_email) == ("connected", "ada.lovelace@example.com")
    cursor = (await connector.row(CALENDAR))["sync_cursor"]
    assert cursor.startswith("/v1.0/me/calendars/") and "sandbox" not in cursor

    await sandbox.graph(ada, "PATCH", f"/me/events/{teams['id']}", {"subject": "Teams!"})
    await sandbox.graph(ada, "DELETE", f"/me/events/{gone['id']}")
    [changes] = await connector.resync(CALENDAR)
    assert not changes.full
    assert [o.provider_object_id for o in changes.objects] == [teams["id"]]
    assert objects_by_id(changes)[teams["id"]]["subject"] == "Teams!"
    assert changes.removed == (gone["id"],)

    await sandbox.admin.post("/_admin/sync_tokens/expire", json={"provider": "microsoft"})
    [listing] = await connector.resync(CALENDAR)
    assert listing.full and set(objects_by_id(listing)) == set(events) - {gone["id"]}
    assert (await connector.last_state()).state == "connected"


async def test_after_the_window_moves_edits_near_its_new_end_stay_changes(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    """A Graph delta link only follows the window of its round: the new day's sync must keep
    the new round's link, or an edit beyond the first window's end reads as a removal."""
    ada = await sandbox.account("ada.window@example.com", provider="microsoft")
    await _connected(connector, ada)  # window: 7 days back, 30 ahead (to day 31, exclusive)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today + timedelta(days=31, hours=10)  # outside today's window, inside tomorrow's
    late = {
        "subject": "Late",
        "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
        "end": {
            "dateTime": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"),
            "timeZone": "UTC",
        },
    }
    created = await sandbox.graph(ada, "POST", "/me/events", late)

    tomorrow = datetime.now(UTC) + timedelta(days=1)
    connector.sync = replace(connector.sync, clock=lambda: tomorrow)
    [moved] = await connector.resync(CALENDAR)
    assert created["id"] in objects_by_id(moved) and created["id"] not in moved.removed

    await sandbox.graph(ada, "PATCH", f"/me/events/{created['id']}", {"subject": "Later"})
    [edit] = await connector.resync(CALENDAR)
    assert created["id"] not in edit.removed
    assert objects_by_id(edit)[created["id"]]["subject"] == "Later"


async def test_platform_uuid_picks_a_secondary_calendar(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    grace = await sandbox.account("grace@example.com", provider="microsoft")
    seeded = await sandbox.admin.post(
        "/_admin/seed",
        json={
            "provider": "microsoft",
            "account_id": grace.id,
            "calendars": 2,
            "events_per_calendar": 3,
        },
    )
    secondary = seeded.json()["calendars"][1]
    microsoft = connector.providers["microsoft"]
    with pytest.raises(ProviderError):  # listing would rotate (and so burn) the refresh token
        await microsoft.list_calendars(microsoft.parse_credentials(grace.credentials))

    await _connected(connector, grace, platform_uuid=secondary)
    state = await connector.last_state()
    assert state.platform_uuid == secondary and state.account_email == "grace@example.com"
    [page] = await connector.pages()
    assert len(page.objects) <= 3


async def test_rotated_refresh_tokens_are_stored_across_several_refreshes(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    bob = await sandbox.account("bob@example.com", provider="microsoft")
    await _connected(connector, bob)
    grant = await connector.grant_ref(CALENDAR, "microsoft")
    seen = {bob.credentials["refresh_token"], await connector.stored_refresh_token(grant)}
    for _ in range(3):
        await connector.pool.execute("UPDATE grants SET access_expires_at = now()")
        await connector.resync(CALENDAR)
        assert (await connector.last_state()).state == "connected"
        seen.add(await connector.stored_refresh_token(grant))
    assert len(seen) == 5  # the submitted token, then one rotation per refresh
    refreshes = await sandbox.requests("/oauth2/v2.0/token")
    assert [r["status"] for r in refreshes] == [200] * 4

    # The same submitted credentials again (another calendar): the same grant, still alive.
    await connector.register("cal_m2", bob.credentials, None, provider="microsoft")
    assert await connector.pool.fetchval("SELECT count(*) FROM grants") == 1
    await connector.connect("cal_m2", provider="microsoft")
    await connector.run_syncs()
    assert (await connector.row("cal_m2"))["state"] == "connected"


@pytest.mark.parametrize("reason", ["revoked", "expired", "consent_revoked"])
async def test_a_dead_grant_disconnects_after_one_token_request(
    connector: Connector, sandbox: InProcessSandbox, reason: str
) -> None:
    eve = await sandbox.account("eve@example.com", provider="microsoft")
    await _connected(connector, eve)
    await connector.pool.execute("UPDATE grants SET access_expires_at = now()")  # force a refresh
    await sandbox.admin.post(f"/_admin/accounts/{eve.id}/revoke", json={"reason": reason})

    await connector.resync(CALENDAR)
    state = await connector.last_state()
    assert state.state == "disconnected" and state.connection_failure_data is not None
    assert state.connection_failure_data.reason == "grant_revoked"
    refused = [r for r in await sandbox.requests("/oauth2/v2.0/token") if r["status"] == 400]
    assert len(refused) == 1
    row = await connector.row(CALENDAR)
    assert row["sync_requested_at"] is None and row["next_poll_at"] is None


async def test_a_wrong_client_secret_is_the_invalid_client_failure(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    fay = await sandbox.account("fay@example.com", provider="microsoft")
    wrong = {**fay.credentials, "client_secret": "not-the-secret"}
    await connector.register(CALENDAR, wrong, provider="microsoft")
    await connector.connect(CALENDAR, provider="microsoft")
    await connector.run_syncs()
    state = await connector.last_state()
    assert state.state == "disconnected" and state.connection_failure_data is not None
    assert state.connection_failure_data.reason == "invalid_client"
    assert "not-the-secret" not in state.connection_failure_data.message


@pytest.mark.parametrize("status", [429, 503])
async def test_throttling_keeps_the_calendar_connected_and_waits_for_retry_after(
    connector: Connector, sandbox: InProcessSandbox, status: int
) -> None:
    hal = await sandbox.account("hal@example.com", provider="microsoft")
    await _connected(connector, hal)
    path = "/v1.0/me/calendars/*/calendarView/delta"
    await sandbox.fault("microsoft", path=path, status=status, retry_after=120)

    assert await connector.resync(CALENDAR) == []
    row = await connector.row(CALENDAR)
    assert row["state"] == "connected" and row["failure"] is None
    wait = (row["sync_requested_at"] - datetime.now(UTC)).total_seconds()
    assert 100 < wait <= 120


async def test_at_most_four_requests_are_in_flight_per_mailbox(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    ivy = await sandbox.account("ivy@example.com", provider="microsoft")
    await _connected(connector, ivy)
    microsoft = connector.providers["microsoft"]
    account = microsoft.parse_credentials(
        ivy.credentials, await connector.grant_ref(CALENDAR, "microsoft")
    )
    stall = f"/_admin/microsoft/mailboxes/{ivy.id}/stall"
    assert (await sandbox.admin.post(stall)).status_code == 204

    listings = [asyncio.create_task(microsoft.discover(account, None)) for _ in range(6)]
    done, _ = await asyncio.wait(listings, timeout=0.5)  # beyond 4, Graph would refuse at once
    assert not done
    released = (await sandbox.admin.delete(stall)).json()
    assert released["in_flight"] == 4
    assert all(found.url for found in await asyncio.gather(*listings))


async def test_listing_keeps_the_rotated_token_for_the_registration_that_follows(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    bea = await sandbox.account("bea@example.com", provider="microsoft")
    lister = CalendarLister(connector.registrar.guard, connector.providers, connector.registrar)
    for _ in range(2):  # the second listing uses the grant's cached access token
        [listed] = await lister.list_calendars(PROJECT, "microsoft", bea.credentials)
        assert listed.email == "bea@example.com" and listed.is_primary
    assert len(await sandbox.requests("/oauth2/v2.0/token")) == 1
    held = await connector.pool.fetchval("SELECT id FROM grants")
    assert (
        await connector.stored_refresh_token(GrantRef(PROJECT, held, "microsoft"))
        != bea.credentials["refresh_token"]
    )  # rotated, and kept

    await _connected(connector, bea)  # the submitted (now retired) token opens the held grant
    assert (await connector.row(CALENDAR))["grant_id"] == held
    async with connector.pool.acquire() as conn:
        assert await accounts.forget_unclaimed_grants(conn, ttl=timedelta(0)) == 0  # claimed

    cy = await sandbox.account("cy@example.com", provider="microsoft")
    await lister.list_calendars(PROJECT, "microsoft", cy.credentials)
    async with connector.pool.acquire() as conn:
        assert await accounts.forget_unclaimed_grants(conn) == 0  # too recent
        assert await accounts.forget_unclaimed_grants(conn, ttl=timedelta(0)) == 1
    assert [r["id"] for r in await connector.pool.fetch("SELECT id FROM grants")] == [held]
