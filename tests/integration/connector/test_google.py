"""The Google provider through the sync loop, against real Postgres and the in-process sandbox:
first sync of the primary calendar, incremental changes (edits, deletions as removals), a
410 answered by a full listing, a secondary calendar by `platform_uuid`, `/raw` with nothing
stored, throttling kept connected with its Retry-After, a revoked grant disconnected without
further requests, and calendars of one mailbox converging on its newest verified grant of
the same client in the same project (never across clients or projects).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.connector import connecting
from services.connector.providers.base import ProviderThrottled
from shared.contracts.connections import ConnectCalendar, SyncWindow
from tests.integration.connector.conftest import Connector
from tests.integration.connector.sandbox_providers import (
    InProcessSandbox,
    SandboxAccount,
)


def _event(summary: str, days: int = 2, **extra: Any) -> dict[str, Any]:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)
    return {
        "summary": summary,
        "start": {"dateTime": start.isoformat()},
        "end": {"dateTime": (start + timedelta(hours=1)).isoformat()},
        **extra,
    }


async def _connected(
    connector: Connector, account: SandboxAccount, platform_uuid: str | None = None
) -> None:
    await connector.register("cal_g", account.credentials, platform_uuid, provider="google")
    await connector.connect("cal_g", platform_uuid, provider="google")
    assert await connector.run_syncs() == 1


async def test_first_sync_then_changes_then_a_full_listing_after_410(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    ada = await sandbox.account("ada@example.com")
    meet = {"createRequest": {"requestId": "r1", "conferenceSolutionKey": {"type": "hangoutsMeet"}}}
    kept = await sandbox.insert_event(ada, _event("Kept", conferenceData=meet))
    gone = await sandbox.insert_event(ada, _event("Gone"))
    await sandbox.insert_event(ada, _event("Far away", days=400))  # outside the window

    await _connected(connector, ada)
    [page] = await connector.pages()
    assert page.full and page.final
    assert {o.provider_object_id for o in page.objects} == {kept["id"], gone["id"]}
    assert all(o.format == "google" for o in page.objects)
    state = await connector.last_state()
    assert (state.state, state.account_email, state.platform_uuid) == (
        "connected",
        "ada@example.com",
        "ada@example.com",
    )

    token = await sandbox.user_token(ada)
    headers = {"Authorization": f"Bearer {token}"}
    events = "/google/calendar/v3/calendars/primary/events"
    await sandbox.admin.patch(f"{events}/{kept['id']}", json={"summary": "Kept!"}, headers=headers)
    await sandbox.admin.delete(f"{events}/{gone['id']}", headers=headers)
    [changes] = await connector.resync("cal_g")
    assert not changes.full
    assert [o.provider_object_id for o in changes.objects] == [kept["id"]]
    assert '"Kept!"' in changes.objects[0].data
    assert changes.removed == (gone["id"],)

    await sandbox.admin.post("/_admin/sync_tokens/expire", json={"provider": "google"})
    [listing] = await connector.resync("cal_g")
    assert listing.full and [o.provider_object_id for o in listing.objects] == [kept["id"]]
    assert (await connector.last_state()).state == "connected"


async def test_platform_uuid_picks_a_secondary_calendar_and_raw_lists_both(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    grace = await sandbox.account("grace@example.com")
    seeded = await sandbox.admin.post(
        "/_admin/seed",
        json={
            "provider": "google",
            "account_id": grace.id,
            "calendars": 2,
            "events_per_calendar": 0,
        },
    )
    secondary = seeded.json()["calendars"][1]
    google = connector.providers["google"]

    listing = await google.list_calendars(google.parse_credentials(grace.credentials))
    assert {c.url for c in listing.calendars} == {"grace@example.com", secondary}
    assert [c.url for c in listing.calendars if c.primary] == ["grace@example.com"]
    assert listing.account_email == "grace@example.com"
    assert await connector.pool.fetchval("SELECT count(*) FROM grants") == 0

    await _connected(connector, grace, platform_uuid=secondary)
    state = await connector.last_state()
    assert state.platform_uuid == secondary and state.account_email == "grace@example.com"


async def test_throttling_keeps_the_calendar_connected_and_waits_for_retry_after(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    bob = await sandbox.account("bob@example.com")
    await _connected(connector, bob)
    await sandbox.fault(path="/calendar/v3/calendars/*/events", status=429, retry_after=120)

    assert await connector.resync("cal_g") == []
    row = await connector.row("cal_g")
    assert row["state"] == "connected" and row["failure"] is None
    wait = (row["sync_requested_at"] - datetime.now(UTC)).total_seconds()
    assert 100 < wait <= 120

    await sandbox.fault(path="/calendar/v3/users/me/calendarList", status=403)
    google = connector.providers["google"]
    with pytest.raises(ProviderThrottled):  # 403 rateLimitExceeded is throttling too
        await google.list_calendars(google.parse_credentials(bob.credentials))


async def test_a_revoked_grant_disconnects_without_a_retry_storm(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    eve = await sandbox.account("eve@example.com")
    await _connected(connector, eve)
    await connector.pool.execute("UPDATE grants SET access_expires_at = now()")  # force a refresh
    await sandbox.admin.post(f"/_admin/accounts/{eve.id}/revoke")

    await connector.resync("cal_g")
    state = await connector.last_state()
    assert state.state == "disconnected"
    assert state.connection_failure_data is not None
    assert state.connection_failure_data.reason == "grant_revoked"
    assert eve.credentials["refresh_token"] not in state.connection_failure_data.message
    refused = [r for r in await sandbox.requests("/oauth2/token") if r["status"] == 400]
    assert len(refused) == 1
    row = await connector.row("cal_g")
    assert row["sync_requested_at"] is None and row["next_poll_at"] is None  # nothing queued


async def test_calendars_of_one_mailbox_converge_on_its_newest_verified_grant(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    fay = await sandbox.account("fay@example.com")
    await _connected(connector, fay)  # cal_g on the first grant
    first = (await connector.row("cal_g"))["grant_id"]
    await sandbox.admin.post(f"/_admin/accounts/{fay.id}/revoke")
    await connector.pool.execute("UPDATE grants SET access_expires_at = now()")
    await connector.resync("cal_g")
    assert (await connector.row("cal_g"))["state"] == "disconnected"

    # A new consent (as hosted OAuth gives): another refresh token, filed as another account
    # until its first sync shows the mailbox.
    second = (await sandbox.admin.post(f"/_admin/accounts/{fay.id}/grant")).json()
    renewed = {**fay.credentials, "refresh_token": second["refresh_token"]}
    await connector.register("cal_g2", renewed, None, provider="google")
    await connector.connect("cal_g2", provider="google")
    assert await connector.run_syncs() == 2  # cal_g2, then cal_g reconnected on its grant

    rows = {r["calendar_id"]: r for r in await connector.pool.fetch("SELECT * FROM connections")}
    assert {r["state"] for r in rows.values()} == {"connected"}
    assert rows["cal_g"]["grant_id"] == rows["cal_g2"]["grant_id"] != first
    grants = await connector.pool.fetch("SELECT id, mailbox FROM grants")
    assert [(g["id"], g["mailbox"]) for g in grants] == [(rows["cal_g"]["grant_id"], fay.email)]


async def test_grants_of_another_client_or_project_never_converge(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    gus = await sandbox.account("gus@example.com")
    await _connected(connector, gus)  # cal_g: the default app's grant
    app = (
        await sandbox.admin.post(
            "/_admin/apps", json={"provider": "google", "redirect_uris": ["https://x.test/cb"]}
        )
    ).json()
    consent = {"client_id": app["client_id"]}
    other_client = (
        await sandbox.admin.post(f"/_admin/accounts/{gus.id}/grant", json=consent)
    ).json()["refresh_token"]
    same_client = (await sandbox.admin.post(f"/_admin/accounts/{gus.id}/grant")).json()
    await connector.register("cal_app", {**app, "refresh_token": other_client}, provider="google")
    await connector.registrar.register(
        connecting.Submission(
            "prj_elsewhere",
            "cal_elsewhere",
            "google",
            {**gus.credentials, "refresh_token": same_client["refresh_token"]},
            None,
        )
    )
    await connector.connect("cal_app", provider="google")
    await connector.deliver(
        ConnectCalendar(
            calendar_id="cal_elsewhere",
            provider="google",
            platform_uuid=None,
            sync_window=SyncWindow(past_days=7, future_days=30),
        )
    )
    assert await connector.run_syncs() == 2

    rows = await connector.pool.fetch("SELECT calendar_id, grant_id FROM connections")
    grants = {r["calendar_id"]: r["grant_id"] for r in rows}
    assert len(set(grants.values())) == 3  # one mailbox, but three clients or projects
    mailboxes = await connector.pool.fetch("SELECT DISTINCT mailbox FROM grants")
    assert [r["mailbox"] for r in mailboxes] == [gus.email]
