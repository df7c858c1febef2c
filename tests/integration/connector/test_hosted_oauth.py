"""Hosted OAuth in the connector against real Postgres and the in-process sandbox: projects' apps
sealed at rest (merged, versioned, re-sealed by key rotation), the authorization URL with PKCE,
and the code exchange registering a calendar that then syncs, for Google, Microsoft and Zoom;
refusals (used code, wrong secret, provider down, other project, expired, no app); an app's
secret rotated at the provider and given anew reaching the grants made with it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest

from rollcall.bootstrap import DatabaseLayout
from services.connector import connecting
from services.connector.app import create_app
from services.connector.credentials import Keyring, Sealed, associated_data
from services.connector.domain.oauth_apps import AppChange, FieldError, InvalidAppChange
from services.connector.hosted_oauth import (
    HostedOAuth,
    HostedOAuthUnavailable,
    NoOAuthApp,
    UnknownAuthorization,
)
from services.connector.oauth.apps import ProjectApps, app_aad
from services.connector.oauth.consent import ExchangeFailed, consent_servers
from services.connector.oauth.grants import GrantTokenCache
from services.connector.providers.base import GrantRef
from services.connector.rotation import rotate_keys
from shared.contracts.connections import ResyncCalendar
from shared.provider_endpoints import ProviderEndpoints
from tests.integration.connector.conftest import INTERNAL_TOKEN, PROJECT, Connector
from tests.integration.connector.sandbox_providers import (
    BASE,
    LIMITS,
    InProcessSandbox,
    SandboxAccount,
    in_process_sandbox,
)

REPO = Path(__file__).resolve().parents[3]
PUBLIC_BASE_URL = "http://127.0.0.1:8080"  # loopback: the sandbox's default apps accept it
CALLBACK = f"{PUBLIC_BASE_URL}/v1/oauth/callback"
ENDPOINTS = ProviderEndpoints.model_validate(
    {
        "GOOGLE_API_BASE_URL": f"{BASE}/google",
        "GOOGLE_OAUTH_BASE_URL": f"{BASE}/google",
        "MICROSOFT_GRAPH_BASE_URL": f"{BASE}/microsoft",
        "MICROSOFT_LOGIN_BASE_URL": f"{BASE}/microsoft/login",
        "ZOOM_API_BASE_URL": f"{BASE}/zoom",
        "ZOOM_OAUTH_BASE_URL": f"{BASE}/zoom",
    }
)
STATE = "s" * 43


def _default_app(provider: str) -> AppChange:
    return AppChange(
        client_id=f"sandbox-{provider}-client", client_secret=f"sandbox-{provider}-secret"
    )


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Hosted:
    """The connector's hosted OAuth wired to the sandbox, and a browser that consents."""

    connector: Connector
    sandbox: InProcessSandbox
    apps: ProjectApps
    oauth: HostedOAuth
    clock: Clock

    async def consent(self, url: str) -> dict[str, str]:
        """Follow the authorization URL as the user's browser: the query of the redirect."""
        answer = await self.sandbox.admin.get(url, follow_redirects=False)
        assert answer.status_code == 302, answer.text
        location = answer.headers["location"]
        assert location.startswith(CALLBACK + "?")
        return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}

    async def authorized_code(
        self, provider: str, account: SandboxAccount, state: str = STATE
    ) -> str:
        url = await self.oauth.start(PROJECT, provider, state, account.email)
        redirect = await self.consent(url)
        assert redirect["state"] == state
        return redirect["code"]

    async def complete(self, provider: str, state: str, code: str, calendar_id: str) -> None:
        await self.oauth.complete(
            project_id=PROJECT,
            provider=provider,
            state=state,
            code=code,
            calendar_id=calendar_id,
            platform_uuid=None,
        )


@pytest.fixture
async def hosted(connector: Connector) -> AsyncIterator[Hosted]:
    async with in_process_sandbox() as sandbox:
        tokens = GrantTokenCache(lambda: connector.pool, connector.keyring, LIMITS)
        connector.providers["google"] = sandbox.google(tokens)
        connector.providers["microsoft"] = sandbox.microsoft(tokens)
        connector.providers["zoom"] = sandbox.zoom(tokens)
        apps = ProjectApps(lambda: connector.pool, connector.keyring)
        clock = Clock()
        oauth = HostedOAuth(
            pool=lambda: connector.pool,
            keyring=connector.keyring,
            apps=apps,
            servers=consent_servers(ENDPOINTS, LIMITS),
            registrar=connector.registrar,
            limits=LIMITS,
            public_base_url=PUBLIC_BASE_URL,
            transport=sandbox.transport,
            clock=clock,
        )
        yield Hosted(connector, sandbox, apps, oauth, clock)


# --- the project's apps ---


async def test_apps_are_sealed_at_rest_and_answered_as_public_facts(hosted: Hosted) -> None:
    view = await hosted.apps.change(
        PROJECT,
        {
            "google": AppChange(client_id="g-client", client_secret="g-secret-123"),
            "zoom": AppChange(
                client_id="z-client",
                client_secret="z-secret-456",
                webhook_secret="z-hook-789",
                webhook_given=True,
            ),
        },
    )
    assert {name: vars(facts) for name, facts in view.apps.items()} == {
        "google": {"client_id": "g-client", "client_secret_set": True, "webhook_secret_set": False},
        "zoom": {"client_id": "z-client", "client_secret_set": True, "webhook_secret_set": True},
    }
    rows = await hosted.connector.pool.fetch("SELECT * FROM oauth_apps ORDER BY provider")
    assert [(r["provider"], r["client_id"], r["key_id"]) for r in rows] == [
        ("google", "g-client", "k1"),
        ("zoom", "z-client", "k1"),
    ]
    stored = b"".join(bytes(r["ciphertext"]) for r in rows) + repr([dict(r) for r in rows]).encode()
    for secret in (b"g-secret-123", b"z-secret-456", b"z-hook-789"):
        assert secret not in stored
    zoom = await hosted.apps.app(PROJECT, "zoom")
    assert zoom is not None and zoom.webhook_secret is not None
    assert zoom.webhook_secret.get_secret_value() == "z-hook-789"
    # a blob moved onto another row does not open there
    await hosted.connector.pool.execute(
        "UPDATE oauth_apps SET ciphertext = (SELECT ciphertext FROM oauth_apps"
        " WHERE provider = 'zoom') WHERE provider = 'google'"
    )
    assert await hosted.apps.app(PROJECT, "google") is None


async def test_changes_merge_into_the_apps_and_are_numbered(hosted: Hosted) -> None:
    first = await hosted.apps.change(PROJECT, {"microsoft": _default_app("microsoft")})
    second = await hosted.apps.change(
        PROJECT, {"microsoft": AppChange(client_secret="rotated-secret")}
    )
    assert second.version == first.version + 1
    app = await hosted.apps.app(PROJECT, "microsoft")
    assert app is not None and app.client_id == "sandbox-microsoft-client"
    assert app.client_secret.get_secret_value() == "rotated-secret"

    with pytest.raises(InvalidAppChange) as refused:
        await hosted.apps.change(
            PROJECT,
            {"microsoft": None, "google": AppChange(client_id="no-secret")},
        )
    assert refused.value.errors == [
        FieldError("oauth_apps.google.client_secret", "required for a new app")
    ]
    assert await hosted.apps.app(PROJECT, "microsoft") is not None  # nothing of it was stored

    removed = await hosted.apps.change(PROJECT, {"microsoft": None})
    assert removed.apps == {} and await hosted.apps.app(PROJECT, "microsoft") is None
    assert (await hosted.apps.change("prj_other", {})).version == 1  # numbered per project


async def test_the_internal_route_takes_secrets_and_answers_facts(
    hosted: Hosted, pool: asyncpg.Pool[Any]
) -> None:
    app = create_app(hosted.connector.settings, pool=pool)
    auth = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://connector"
    ) as client:
        path = f"/internal/projects/{PROJECT}/oauth_apps"
        body = {"zoom": {"client_id": "z", "client_secret": "route-secret", "webhook_secret": "h"}}
        assert (await client.patch(path, json=body)).status_code == 401
        ok = await client.patch(path, json=body, headers=auth)
        assert ok.status_code == 200, ok.text
        assert "route-secret" not in ok.text
        assert ok.json()["apps"] == {
            "zoom": {"client_id": "z", "client_secret_set": True, "webhook_secret_set": True}
        }
        bad = await client.patch(
            path, json={"google": {"client_id": "g", "webhook_secret": "h"}}, headers=auth
        )
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} == {
            "oauth_apps.google.webhook_secret",
            "oauth_apps.google.client_secret",
        }


async def test_key_rotation_reseals_the_apps(hosted: Hosted, database: DatabaseLayout) -> None:
    await hosted.apps.change(PROJECT, {"google": _default_app("google")})
    await hosted.apps.change("prj_other", {"zoom": _default_app("zoom")})
    old = hosted.connector.settings.encryption_keys.get_secret_value()
    new = f"k2:{base64.b64encode(os.urandom(32)).decode()}"
    both = Keyring.from_setting(f"{old},{new}", "k2")

    report = await rotate_keys(hosted.connector.pool, both, batch=1)

    assert (report.apps_resealed, report.unreadable_apps) == (2, ())
    only_new = Keyring.from_setting(new, None)
    for row in await hosted.connector.pool.fetch("SELECT * FROM oauth_apps"):
        assert row["key_id"] == "k2"
        sealed = Sealed(row["key_id"], bytes(row["ciphertext"]))
        opened = json.loads(only_new.open(sealed, app_aad(row["project_id"], row["provider"])))
        assert opened["client_secret"].startswith("sandbox-")
    assert (await rotate_keys(hosted.connector.pool, both)).apps_resealed == 0

    third = f"k3:{base64.b64encode(os.urandom(32)).decode()}"
    env = {
        **os.environ,
        "CONNECTOR_DATABASE_URL": database.dsns["connector"],
        "CONNECTOR_ENCRYPTION_KEYS": f"{old},{new},{third}",
        "CONNECTOR_ACTIVE_KEY_ID": "k3",
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "rollcall.cli", "rotate-keys"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "oauth apps re-sealed: 2" in result.stdout
    assert "sandbox-google-secret" not in result.stdout + result.stderr


# --- authorization and exchange ---


@pytest.mark.parametrize("provider", ["google", "microsoft", "zoom"])
async def test_a_consented_code_registers_a_calendar_that_syncs(
    hosted: Hosted, provider: str
) -> None:
    await hosted.apps.change(PROJECT, {provider: _default_app(provider)})
    account = await hosted.sandbox.account(f"hosted-{provider}@example.com", provider)
    url = await hosted.oauth.start(PROJECT, provider, STATE, account.email)
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == [f"sandbox-{provider}-client"]
    assert query["redirect_uri"] == [CALLBACK] and query["code_challenge_method"] == ["S256"]
    stored = await hosted.connector.pool.fetchrow("SELECT * FROM oauth_authorizations")
    assert stored is not None and stored["state_hash"] != STATE.encode()

    code = (await hosted.consent(url))["code"]
    await hosted.complete(provider, STATE, code, "cal_hosted")

    assert await hosted.connector.pool.fetchval("SELECT count(*) FROM oauth_authorizations") == 0
    row = await hosted.connector.row("cal_hosted")
    assert (row["state"], row["provider"]) == ("connecting", provider)
    grant = await hosted.connector.grant_ref("cal_hosted", provider)
    assert await hosted.connector.stored_refresh_token(grant)  # the exchanged one, sealed
    await hosted.connector.connect("cal_hosted", provider=provider)  # type: ignore[arg-type]
    assert await hosted.connector.run_syncs() == 1
    state = await hosted.connector.last_state()
    assert (state.state, state.account_email) == ("connected", account.email)


async def test_a_code_serves_once_and_only_with_its_own_verifier(hosted: Hosted) -> None:
    await hosted.apps.change(PROJECT, {"google": _default_app("google")})
    ada = await hosted.sandbox.account("ada@example.com")
    code = await hosted.authorized_code("google", ada)
    await hosted.complete("google", STATE, code, "cal_first")
    with pytest.raises(UnknownAuthorization):  # the authorization is consumed
        await hosted.complete("google", STATE, code, "cal_again")

    # a new authorization presenting the used code (another verifier, too)
    await hosted.oauth.start(PROJECT, "google", "t" * 43, ada.email)
    with pytest.raises(ExchangeFailed) as refused:
        await hosted.complete("google", "t" * 43, code, "cal_replayed")
    assert refused.value.error == "invalid_grant"
    assert await hosted.connector.pool.fetchval("SELECT count(*) FROM connections") == 1


@pytest.mark.parametrize("provider", ["google", "microsoft", "zoom"])
async def test_a_wrong_client_secret_is_invalid_client(hosted: Hosted, provider: str) -> None:
    change = AppChange(client_id=f"sandbox-{provider}-client", client_secret="not-the-secret")
    await hosted.apps.change(PROJECT, {provider: change})
    account = await hosted.sandbox.account(f"wrong-{provider}@example.com", provider)
    code = await hosted.authorized_code(provider, account)
    with pytest.raises(ExchangeFailed) as refused:
        await hosted.complete(provider, STATE, code, "cal_wrong")
    assert refused.value.error == "invalid_client"
    assert await hosted.connector.pool.fetchval("SELECT count(*) FROM grants") == 0


async def test_a_failing_token_endpoint_is_temporarily_unavailable(hosted: Hosted) -> None:
    await hosted.apps.change(PROJECT, {"zoom": _default_app("zoom")})
    account = await hosted.sandbox.account("down@example.com", "zoom")
    code = await hosted.authorized_code("zoom", account)
    await hosted.sandbox.fault("zoom", path="/oauth/token", status=503)
    with pytest.raises(ExchangeFailed) as refused:
        await hosted.complete("zoom", STATE, code, "cal_down")
    assert refused.value.error == "temporarily_unavailable"


async def test_an_authorization_is_bound_to_its_project_provider_and_lifetime(
    hosted: Hosted,
) -> None:
    await hosted.apps.change(PROJECT, {"google": _default_app("google")})
    await hosted.apps.change("prj_other", {"google": _default_app("google")})
    await hosted.apps.change(PROJECT, {"microsoft": _default_app("microsoft")})
    ada = await hosted.sandbox.account("ada@example.com")
    code = await hosted.authorized_code("google", ada)
    with pytest.raises(UnknownAuthorization):
        await hosted.oauth.complete(
            project_id="prj_other",
            provider="google",
            state=STATE,
            code=code,
            calendar_id="cal_x",
            platform_uuid=None,
        )
    with pytest.raises(UnknownAuthorization):
        await hosted.complete("microsoft", STATE, code, "cal_x")
    hosted.clock.now += timedelta(minutes=11, seconds=1)
    with pytest.raises(UnknownAuthorization):
        await hosted.complete("google", STATE, code, "cal_x")
    assert await hosted.connector.pool.fetchval("SELECT count(*) FROM connections") == 0


async def test_no_app_or_no_public_url_refuses_to_start(hosted: Hosted) -> None:
    with pytest.raises(NoOAuthApp):
        await hosted.oauth.start(PROJECT, "zoom", STATE, None)
    await hosted.apps.change(PROJECT, {"zoom": _default_app("zoom")})
    unconfigured = HostedOAuth(
        pool=hosted.oauth.pool,
        keyring=hosted.oauth.keyring,
        apps=hosted.apps,
        servers=hosted.oauth.servers,
        registrar=hosted.oauth.registrar,
        limits=LIMITS,
        public_base_url=None,
        transport=hosted.sandbox.transport,
    )
    with pytest.raises(HostedOAuthUnavailable):
        await unconfigured.start(PROJECT, "zoom", STATE, None)
    assert await hosted.connector.pool.fetchval("SELECT count(*) FROM oauth_authorizations") == 0


# --- a rotated client secret ---


async def _stored_credentials(connector: Connector, grant: GrantRef) -> dict[str, str]:
    row = await connector.pool.fetchrow(
        "SELECT key_id, ciphertext FROM grants WHERE id = $1", grant.grant_id
    )
    assert row is not None
    sealed = Sealed(row["key_id"], bytes(row["ciphertext"]))
    aad = associated_data(grant.project_id, grant.grant_id, grant.provider)
    opened: dict[str, str] = json.loads(connector.keyring.open(sealed, aad))
    return opened


async def _grant_rows(connector: Connector) -> dict[str, tuple[Any, ...]]:
    rows = await connector.pool.fetch(
        "SELECT id, key_id, ciphertext, access_ciphertext FROM grants ORDER BY id"
    )
    return {row["id"]: tuple(row) for row in rows}


@pytest.mark.parametrize("provider", ["google", "zoom"])
async def test_a_new_client_secret_reaches_the_grants_of_that_client(
    hosted: Hosted, provider: str
) -> None:
    connector, sandbox = hosted.connector, hosted.sandbox
    registered = await sandbox.admin.post(
        "/_admin/apps", json={"provider": provider, "redirect_uris": [CALLBACK]}
    )
    app = registered.json()
    await hosted.apps.change(
        PROJECT,
        {provider: AppChange(client_id=app["client_id"], client_secret=app["client_secret"])},
    )
    user = await sandbox.account(f"hosted-{provider}@example.com", provider)
    await hosted.complete(provider, STATE, await hosted.authorized_code(provider, user), "cal_h")
    await connector.connect("cal_h", provider=provider)  # type: ignore[arg-type]
    assert await connector.run_syncs() == 1
    # Left alone: a grant of another client (the sandbox's default app) in the project, and
    # another project's grant of the same client.
    direct = await sandbox.account(f"direct-{provider}@example.com", provider)
    await connector.register("cal_direct", direct.credentials, provider=provider)
    other = await sandbox.admin.post(
        f"/_admin/accounts/{direct.id}/grant", json={"client_id": app["client_id"]}
    )
    other_credentials = {**app, "refresh_token": other.json()["refresh_token"]}
    await connector.registrar.register(
        connecting.Submission("prj_other", "cal_other", provider, other_credentials, None)
    )
    hosted_grant = await connector.grant_ref("cal_h", provider)
    before = await _stored_credentials(connector, hosted_grant)
    rows_before = await _grant_rows(connector)

    # The tenant resets the secret at the provider (the old one is refused from now on) and
    # gives Rollcall the new one, the client id unchanged.
    renewed = (await sandbox.admin.post(f"/_admin/apps/{app['client_id']}/secret")).json()
    await hosted.apps.change(PROJECT, {provider: AppChange(client_secret=renewed["client_secret"])})

    after = await _stored_credentials(connector, hosted_grant)
    assert after == {**before, "client_secret": renewed["client_secret"]}  # token kept
    rows_after = await _grant_rows(connector)
    changed = {g for g in rows_before if rows_before[g] != rows_after[g]}
    assert changed == {hosted_grant.grant_id}
    assert rows_after[hosted_grant.grant_id][3] is not None  # the cached access token stays

    # The next refresh uses the new secret: the calendar keeps syncing.
    await connector.pool.execute(
        "UPDATE grants SET access_expires_at = now() WHERE id = $1", hosted_grant.grant_id
    )
    refreshes = len(await sandbox.requests("/token"))
    await connector.deliver(ResyncCalendar(calendar_id="cal_h"))
    assert await connector.run_syncs() == 1
    state = await connector.last_state()
    assert (state.calendar_id, state.state) == ("cal_h", "connected")
    assert [r["status"] for r in (await sandbox.requests("/token"))[refreshes:]] == [200]


async def test_an_app_given_a_new_client_id_leaves_the_old_clients_grants(hosted: Hosted) -> None:
    await hosted.apps.change(PROJECT, {"google": _default_app("google")})
    ada = await hosted.sandbox.account("ada@example.com")
    await hosted.complete("google", STATE, await hosted.authorized_code("google", ada), "cal_h")
    rows_before = await _grant_rows(hosted.connector)
    await hosted.apps.change(PROJECT, {"google": AppChange(client_secret="sandbox-google-secret")})
    await hosted.apps.change(
        PROJECT, {"google": AppChange(client_id="another-client", client_secret="another")}
    )
    assert await _grant_rows(hosted.connector) == rows_before  # same secret, then another client
