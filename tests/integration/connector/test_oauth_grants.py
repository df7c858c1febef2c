"""The OAuth grant machinery against real Postgres and the sandbox's token endpoints: one
refresh per grant at a time (row lock), the cached token reused, a rotated refresh token stored
before the new access token is handed out, a dead grant declared after one request, and a 401
answered by one refresh and a retry.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from services.connector.credentials import associated_data
from services.connector.domain.budget import RequestBudget
from services.connector.oauth import store as token_store
from services.connector.oauth.grants import GrantTokenCache
from services.connector.oauth.servers import DiscoveredServer, FixedServer, TokenEndpoint
from services.connector.oauth.session import OAuthSession
from services.connector.providers.base import GrantRef, GrantRevoked
from shared.ids import new_id
from tests.integration.connector.conftest import PROJECT, Connector
from tests.integration.connector.sandbox_providers import (
    BASE,
    LIMITS,
    InProcessSandbox,
    SandboxAccount,
    in_process_sandbox,
)

GOOGLE_SERVER = DiscoveredServer(f"{BASE}/google", LIMITS)
ZOOM_SERVER = FixedServer(TokenEndpoint(f"{BASE}/zoom/oauth/token", basic_auth=True, rotates=True))


@pytest.fixture
async def sandbox() -> AsyncIterator[InProcessSandbox]:
    async with in_process_sandbox() as running:
        yield running


@pytest.fixture
def cache(connector: Connector) -> GrantTokenCache:
    return GrantTokenCache(lambda: connector.pool, connector.keyring, LIMITS)


async def _grant(connector: Connector, account: SandboxAccount, provider: str) -> GrantRef:
    grant_id = new_id("grt")
    aad = associated_data(PROJECT, grant_id, provider)
    sealed = connector.keyring.seal(json.dumps(account.credentials).encode(), aad)
    await connector.pool.execute(
        "INSERT INTO grants (id, project_id, provider, account, key_id, ciphertext)"
        " VALUES ($1, $2, $3, $4, $5, $6)",
        grant_id,
        PROJECT,
        provider,
        account.email,
        sealed.key_id,
        sealed.blob,
    )
    return GrantRef(PROJECT, grant_id, provider)


async def test_concurrent_refreshes_of_one_grant_make_one_token_request(
    connector: Connector, cache: GrantTokenCache, sandbox: InProcessSandbox
) -> None:
    grant = await _grant(connector, await sandbox.account("ada@example.com"), "google")
    # A slow token endpoint: without the row lock, every caller would send its own request.
    await sandbox.fault(path="/oauth2/token", latency_ms=300)

    async with httpx.AsyncClient(transport=sandbox.transport) as client:
        tokens = await asyncio.gather(
            *(cache.access_token(grant, GOOGLE_SERVER, client) for _ in range(3))
        )
        again = await cache.access_token(grant, GOOGLE_SERVER, client)

    assert len(set(tokens)) == 1 and again == tokens[0]
    assert len(await sandbox.requests("/google/oauth2/token")) == 1
    row = await connector.pool.fetchrow("SELECT * FROM grants WHERE id = $1", grant.grant_id)
    assert row is not None and tokens[0].encode() not in bytes(row["access_ciphertext"])
    assert row["access_expires_at"] > datetime.now(UTC) + timedelta(minutes=30)


async def test_a_rotated_refresh_token_is_stored_before_the_access_token_is_handed_out(
    connector: Connector, cache: GrantTokenCache, sandbox: InProcessSandbox
) -> None:
    account = await sandbox.account("zed@example.com", provider="zoom")
    grant = await _grant(connector, account, "zoom")

    async with httpx.AsyncClient(transport=sandbox.transport) as client:
        first = await cache.access_token(grant, ZOOM_SERVER, client)
        rotated = await connector.stored_refresh_token(grant)
        assert rotated != account.credentials["refresh_token"]
        # The old refresh token is dead at Zoom now; the stored one keeps the grant alive.
        second = await cache.access_token(grant, ZOOM_SERVER, client, refused=first)

    assert second != first
    assert await connector.stored_refresh_token(grant) not in (
        rotated,
        account.credentials["refresh_token"],
    )
    assert len(await sandbox.requests("/zoom/oauth/token")) == 2


async def test_a_refresh_completes_and_is_stored_even_if_its_caller_is_cancelled(
    connector: Connector, cache: GrantTokenCache, sandbox: InProcessSandbox
) -> None:
    """A rotating provider retires the old refresh token as it answers: a caller cancelled
    mid-refresh (sync budget, shutdown) must not lose the new one."""
    account = await sandbox.account("cut@example.com", provider="zoom")
    grant = await _grant(connector, account, "zoom")
    await sandbox.fault(provider="zoom", path="/oauth/token", latency_ms=300)

    async with httpx.AsyncClient(transport=sandbox.transport) as client:
        caller = asyncio.create_task(cache.access_token(grant, ZOOM_SERVER, client))
        await asyncio.sleep(0.1)  # the token request is on its way
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        original = account.credentials["refresh_token"]
        deadline = asyncio.get_running_loop().time() + 5
        while await connector.stored_refresh_token(grant) == original:
            assert asyncio.get_running_loop().time() < deadline, "the refresh was abandoned"
            await asyncio.sleep(0.02)
        token = await cache.access_token(grant, ZOOM_SERVER, client)  # cached, no new request

    assert token and len(await sandbox.requests("/zoom/oauth/token")) == 1


async def test_a_dead_grant_is_declared_revoked_after_one_request(
    connector: Connector, cache: GrantTokenCache, sandbox: InProcessSandbox
) -> None:
    account = await sandbox.account("gone@example.com")
    grant = await _grant(connector, account, "google")
    await sandbox.admin.post(f"/_admin/accounts/{account.id}/revoke")

    async with httpx.AsyncClient(transport=sandbox.transport) as client:
        with pytest.raises(GrantRevoked) as raised:
            await cache.access_token(grant, GOOGLE_SERVER, client)

    assert len(await sandbox.requests("/google/oauth2/token")) == 1
    assert account.credentials["refresh_token"] not in str(raised.value)


async def test_a_401_is_answered_by_one_refresh_and_a_retry(
    connector: Connector, cache: GrantTokenCache, sandbox: InProcessSandbox
) -> None:
    grant = await _grant(connector, await sandbox.account("bob@example.com"), "google")
    aad = associated_data(PROJECT, grant.grant_id, "google:access")
    stale = connector.keyring.seal(b"ya29.no-longer-valid", aad)
    async with connector.pool.acquire() as conn:
        expiry = datetime.now(UTC) + timedelta(hours=1)
        await token_store.store_access_token(conn, grant.grant_id, stale, expiry)

    async with httpx.AsyncClient(transport=sandbox.transport) as client:
        session = OAuthSession(
            client, cache.for_grant(grant, GOOGLE_SERVER), RequestBudget(600), "k", LIMITS
        )
        answer = await session.get(f"{BASE}/google/calendar/v3/users/me/calendarList")

    assert answer.status == 200
    assert len(await sandbox.requests("/google/oauth2/token")) == 1
    listed = await sandbox.requests("/calendarList")
    assert [r["status"] for r in listed] == [401, 200]
