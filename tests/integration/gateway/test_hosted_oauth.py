"""Project settings and hosted OAuth through the gateway's public API, in-process with the real
connector app (its internal routes over ASGI) and the in-process sandbox, on real Postgres and
the broker: `GET/PATCH /v1/project` (secrets write-only, validation, tenant scope), then
`POST /v1/calendars/authorize` → consent → `GET /v1/oauth/callback` with its refusals (unknown,
reused, expired states, provider errors, duplicates, a wrong secret, no app, bad redirect_uri);
every redirect to the client carries the state back.
"""

from __future__ import annotations

import base64
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest

from rollcall.bootstrap import DatabaseLayout
from sandbox.app import create_app as create_sandbox
from sandbox.settings import SandboxSettings
from services.connector.app import create_app as create_connector
from services.connector.settings import ConnectorSettings
from services.gateway.app import create_app as create_gateway
from services.gateway.projects import create_project
from services.gateway.settings import GatewaySettings
from services.gateway.store import calendars as calendar_store
from shared.db.pool import create_pool
from shared.ids import new_id
from shared.provider_endpoints import sandbox_endpoints

pytestmark = pytest.mark.asyncio(loop_scope="session")

INTERNAL_TOKEN = "internal-test-token"
SANDBOX = "http://sandbox"
PUBLIC_BASE_URL = "http://127.0.0.1:8080"  # loopback: the sandbox's default apps accept it
CLIENT_REDIRECT = "https://client.example/done?from=test"


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Tenant:
    project_id: str
    api: httpx.AsyncClient


@dataclass
class System:
    gateway: httpx.ASGITransport
    sandbox: httpx.AsyncClient
    pool: asyncpg.Pool[Any]
    connector_pool: asyncpg.Pool[Any]
    clock: Clock

    async def tenant(self) -> Tenant:
        async with self.pool.acquire() as conn:
            project_id, key = await create_project(conn, f"test-{new_id('t')}")
        return Tenant(project_id, self.browser({"Authorization": f"Bearer {key}"}))

    def browser(self, headers: dict[str, str] | None = None) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=self.gateway, base_url="http://gateway", headers=headers or {}
        )

    async def account(self, provider: str) -> str:
        email = f"{new_id('user')}@example.com"
        created = await self.sandbox.post(
            "/_admin/accounts", json={"provider": provider, "email": email}
        )
        assert created.status_code == 201, created.text
        return email

    async def consent(self, authorization_url: str) -> str:
        """Follow the authorization URL as the browser: the gateway callback it redirects to,
        as a path with its query."""
        answer = await self.sandbox.get(authorization_url, follow_redirects=False)
        assert answer.status_code == 302, answer.text
        location = urlsplit(answer.headers["location"])
        assert f"{location.scheme}://{location.netloc}" == PUBLIC_BASE_URL
        assert location.path == "/v1/oauth/callback"
        return f"{location.path}?{location.query}"


@pytest.fixture(scope="module")
async def system(
    database: DatabaseLayout, broker_settings: dict[str, Any]
) -> AsyncIterator[System]:
    connector_pool = await create_pool(database.dsns["connector"], "connector")
    sandbox_transport = httpx.ASGITransport(app=create_sandbox(SandboxSettings()))
    connector_settings = ConnectorSettings.model_validate(
        {
            "encryption_keys": f"k1:{base64.b64encode(os.urandom(32)).decode()}",
            "internal_token": INTERNAL_TOKEN,
            "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
            "provider_endpoints": sandbox_endpoints(SANDBOX),
        }
    )
    connector = create_connector(
        connector_settings, pool=connector_pool, provider_transport=sandbox_transport
    )
    settings = GatewaySettings(
        GATEWAY_DATABASE_URL=database.dsns["gateway"],
        **broker_settings,
        GATEWAY_CONNECTOR_URL="http://connector",
        ROLLCALL_INTERNAL_TOKEN=INTERNAL_TOKEN,
    )
    clock = Clock()
    app = create_gateway(
        settings, clock=clock, connector_transport=httpx.ASGITransport(app=connector)
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=sandbox_transport, base_url=SANDBOX) as sandbox,
    ):
        yield System(
            httpx.ASGITransport(app=app), sandbox, app.state.wiring.pool, connector_pool, clock
        )
    await connector_pool.close()


def _default_app(provider: str) -> dict[str, str]:
    return {
        "client_id": f"sandbox-{provider}-client",
        "client_secret": f"sandbox-{provider}-secret",
    }


async def _with_app(tenant: Tenant, provider: str, **app: str) -> None:
    body = {"oauth_apps": {provider: app or _default_app(provider)}}
    answer = await tenant.api.patch("/v1/project", json=body)
    assert answer.status_code == 200, answer.text


async def _authorize(tenant: Tenant, provider: str, email: str, **extra: Any) -> dict[str, Any]:
    body = {"provider": provider, "redirect_uri": CLIENT_REDIRECT, "login_hint": email, **extra}
    answer = await tenant.api.post("/v1/calendars/authorize", json=body)
    assert answer.status_code == 200, answer.text
    started: dict[str, Any] = answer.json()
    return started


def _fields(answer: httpx.Response) -> set[str]:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    return {e["field"] for e in answer.json()["errors"]}


def _client_redirect(answer: httpx.Response) -> dict[str, str]:
    """The query the client's redirect_uri is given (after its own `from=test`), each
    parameter once."""
    assert answer.status_code == 303, answer.text
    assert answer.headers["cache-control"] == "no-store"
    location = answer.headers["location"]
    assert location.startswith(CLIENT_REDIRECT + "&"), location
    query = parse_qs(urlsplit(location).query)
    assert all(len(values) == 1 for values in query.values()), location
    return {k: v[0] for k, v in query.items()}


# --- project settings ---


async def test_project_settings_take_secrets_and_never_show_them(system: System) -> None:
    tenant, other = await system.tenant(), await system.tenant()
    fresh = (await tenant.api.get("/v1/project")).json()
    assert fresh["id"] == tenant.project_id and fresh["bot_runner_url"] is None
    assert fresh["oauth_apps"] == {"google": None, "microsoft": None, "zoom": None}

    body = {
        "name": "Acme",
        "bot_runner_url": "https://bots.acme.example/join",
        "oauth_apps": {
            "google": {"client_id": "g-client", "client_secret": "g-secret-0001"},
            "zoom": {
                "client_id": "z-client",
                "client_secret": "z-secret-0002",
                "webhook_secret": "z-hook-0003-long-enough",
            },
        },
    }
    patched = await tenant.api.patch("/v1/project", json=body)
    assert patched.status_code == 200, patched.text
    shown = (await tenant.api.get("/v1/project")).json()
    assert shown == patched.json()
    assert (shown["name"], shown["bot_runner_url"]) == ("Acme", "https://bots.acme.example/join")
    assert shown["oauth_apps"] == {
        "google": {"client_id": "g-client", "client_secret_set": True, "webhook_secret_set": False},
        "microsoft": None,
        "zoom": {"client_id": "z-client", "client_secret_set": True, "webhook_secret_set": True},
    }
    gateway_rows = repr(await system.pool.fetch("SELECT * FROM projects"))
    for secret in ("g-secret-0001", "z-secret-0002", "z-hook-0003-long-enough"):
        assert secret not in patched.text and secret not in gateway_rows
    # another tenant sees only its own project
    assert (await other.api.get("/v1/project")).json()["oauth_apps"]["google"] is None

    # a merge patch: only what is given changes; null removes
    again = await tenant.api.patch(
        "/v1/project",
        json={
            "bot_runner_url": None,
            "oauth_apps": {"zoom": {"webhook_secret": None}, "google": None},
        },
    )
    assert again.status_code == 200, again.text
    changed = again.json()
    assert (changed["name"], changed["bot_runner_url"]) == ("Acme", None)
    assert changed["oauth_apps"]["google"] is None
    assert changed["oauth_apps"]["zoom"] == {
        "client_id": "z-client",
        "client_secret_set": True,
        "webhook_secret_set": False,
    }


async def test_project_settings_are_validated_with_field_paths(system: System) -> None:
    tenant = await system.tenant()
    api = tenant.api
    cases: list[tuple[dict[str, Any], str]] = [
        (
            {"oauth_apps": {"google": {"client_id": "g", "webhook_secret": "h"}}},
            "oauth_apps.google.webhook_secret",
        ),
        ({"oauth_apps": {"webex": {"client_id": "w"}}}, "oauth_apps.webex"),
        ({"oauth_apps": {"zoom": {"client_id": None}}}, "oauth_apps.zoom.client_id"),
        (
            {"oauth_apps": {"zoom": {"webhook_secret": "too-short"}}},
            "oauth_apps.zoom.webhook_secret",
        ),
        ({"oauth_apps": None}, "oauth_apps"),
        ({"name": None}, "name"),
        ({"name": ""}, "name"),
        ({"bot_runner_url": "ftp://bots.example/"}, "bot_runner_url"),
        ({"bot_runner_url": "https://bots.example/#x"}, "bot_runner_url"),
        ({"surprise": 1}, "surprise"),
    ]
    for body, field_path in cases:
        assert field_path in _fields(await api.patch("/v1/project", json=body)), body
    # completeness is the connector's rule, passed through with its field paths
    incomplete = await api.patch(
        "/v1/project",
        json={"name": "Kept?", "oauth_apps": {"microsoft": {"client_id": "m"}}},
    )
    assert _fields(incomplete) == {"oauth_apps.microsoft.client_secret"}
    assert (await api.get("/v1/project")).json()["name"] != "Kept?"  # nothing was changed
    assert (await system.browser().get("/v1/project")).status_code == 401


# --- authorize ---


async def test_authorize_needs_an_app_and_a_good_redirect_uri(system: System) -> None:
    tenant = await system.tenant()
    body = {"provider": "zoom", "redirect_uri": CLIENT_REDIRECT}
    no_app = await tenant.api.post("/v1/calendars/authorize", json=body)
    assert no_app.status_code == 422, no_app.text
    assert no_app.json()["type"] == "/problems/no-oauth-app"
    assert "oauth_apps.zoom" in no_app.json()["detail"]

    await _with_app(tenant, "zoom")
    for bad in (
        "/done",
        "https://client.example/done#x",
        "ftp://client.example/",
        "https://u:p@c.example/",
        "https://client.example/done?state=mine",  # the callback adds the state
        "https://client.example/done?calendar_id=x",
    ):
        answer = await tenant.api.post(
            "/v1/calendars/authorize", json={**body, "redirect_uri": bad}
        )
        assert _fields(answer) == {"redirect_uri"}, bad
    assert _fields(
        await tenant.api.post("/v1/calendars/authorize", json={**body, "provider": "caldav"})
    ) == {"provider"}
    assert (await system.browser().post("/v1/calendars/authorize", json=body)).status_code == 401

    await calendar_store.insert_calendar(
        system.pool,  # type: ignore[arg-type]
        calendar_id=(existing := new_id("cal")),
        project_id=tenant.project_id,
        provider="zoom",
        platform_uuid=None,
        metadata={},
        deduplication_key="taken",
        sync_window={"past_days": 1, "future_days": 90},
    )
    taken = await tenant.api.post(
        "/v1/calendars/authorize", json={**body, "deduplication_key": "taken"}
    )
    assert taken.status_code == 409 and taken.json()["calendar_id"] == existing


async def test_an_authorization_is_never_kept_for_idempotent_replay(system: System) -> None:
    """Its answer holds the state, a bearer secret stored nowhere but as its hash: an
    Idempotency-Key is ignored, and a retry starts another flow."""
    tenant = await system.tenant()
    await _with_app(tenant, "google")
    body = {"provider": "google", "redirect_uri": CLIENT_REDIRECT}
    key = {"Idempotency-Key": "authorize-1"}
    first = await tenant.api.post("/v1/calendars/authorize", json=body, headers=key)
    again = await tenant.api.post("/v1/calendars/authorize", json=body, headers=key)
    assert first.status_code == again.status_code == 200, again.text
    assert "idempotent-replayed" not in again.headers
    assert first.json()["state"] != again.json()["state"]
    kept = await system.pool.fetch(
        "SELECT body FROM idempotency_keys WHERE project_id = $1", tenant.project_id
    )
    assert kept == []
    # other POSTs still keep their first answer
    resync = await tenant.api.post("/v1/calendars/resync", headers=key)
    replayed = await tenant.api.post("/v1/calendars/resync", headers=key)
    assert replayed.headers["idempotent-replayed"] == "true", resync.text


# --- the whole flow ---


@pytest.mark.parametrize("provider", ["google", "microsoft", "zoom"])
async def test_consent_creates_the_calendar_and_redirects_with_its_id(
    system: System, provider: str
) -> None:
    tenant, other = await system.tenant(), await system.tenant()
    await _with_app(tenant, provider)
    email = await system.account(provider)
    started = await _authorize(
        tenant,
        provider,
        email,
        metadata={"user": "u-1"},
        deduplication_key=f"user-1-{provider}",
        sync_window={"past_days": 2, "future_days": 30},
    )
    query = parse_qs(urlsplit(started["authorization_url"]).query)
    assert query["state"] == [started["state"]] and query["login_hint"] == [email]
    callback = await system.consent(started["authorization_url"])

    browser = system.browser()
    done = _client_redirect(await browser.get(callback))
    assert done["from"] == "test" and done["calendar_id"].startswith("cal_")
    assert done["state"] == started["state"]  # the client checks it against the user's session
    calendar = (await tenant.api.get(f"/v1/calendars/{done['calendar_id']}")).json()
    assert (calendar["provider"], calendar["state"], calendar["metadata"]) == (
        provider,
        "connecting",
        {"user": "u-1"},
    )
    assert calendar["deduplication_key"] == f"user-1-{provider}"
    assert calendar["sync_window"] == {"past_days": 2, "future_days": 30}
    assert (await other.api.get(f"/v1/calendars/{done['calendar_id']}")).status_code == 404
    connection = await system.connector_pool.fetchrow(
        "SELECT project_id, provider, state FROM connections WHERE calendar_id = $1",
        done["calendar_id"],
    )
    assert connection is not None
    assert tuple(connection) == (tenant.project_id, provider, "connecting")

    reused = await browser.get(callback)
    assert reused.status_code == 400 and reused.json()["type"] == "/problems/invalid-oauth-state"


async def test_unknown_missing_and_expired_states_are_400(system: System) -> None:
    tenant = await system.tenant()
    await _with_app(tenant, "google")
    browser = system.browser()
    for path in ("/v1/oauth/callback?code=x&state=" + "u" * 43, "/v1/oauth/callback?code=x"):
        refused = await browser.get(path)
        assert refused.status_code == 400, path
        assert refused.headers["content-type"] == "application/problem+json"

    started = await _authorize(tenant, "google", await system.account("google"))
    callback = await system.consent(started["authorization_url"])
    system.clock.now += timedelta(minutes=10, seconds=1)
    try:
        expired = await browser.get(callback)
    finally:
        system.clock.now = datetime.now(UTC)
    assert expired.status_code == 400 and "expired" in expired.json()["detail"]
    assert (
        await system.pool.fetchval(
            "SELECT count(*) FROM calendars WHERE project_id = $1", tenant.project_id
        )
        == 0
    )


async def test_a_provider_error_goes_back_to_the_client_once(system: System) -> None:
    tenant = await system.tenant()
    await _with_app(tenant, "microsoft")
    started = await _authorize(tenant, "microsoft", await system.account("microsoft"))
    browser = system.browser()
    path = f"/v1/oauth/callback?error=access_denied&error_description=nope&state={started['state']}"
    assert _client_redirect(await browser.get(path)) == {
        "from": "test",
        "error": "access_denied",
        "state": started["state"],
    }
    odd = f"/v1/oauth/callback?error=%3Cb%3E&state={started['state']}"
    assert (await browser.get(odd)).status_code == 400  # the state is spent

    again = await _authorize(tenant, "microsoft", await system.account("microsoft"))
    no_code = await browser.get(f"/v1/oauth/callback?state={again['state']}")
    assert _client_redirect(no_code) == {
        "from": "test",
        "error": "invalid_request",
        "state": again["state"],
    }


async def test_a_deduplication_key_taken_meanwhile_redirects_with_the_existing_id(
    system: System,
) -> None:
    tenant = await system.tenant()
    await _with_app(tenant, "google")
    started = await _authorize(
        tenant, "google", await system.account("google"), deduplication_key="same-user"
    )
    callback = await system.consent(started["authorization_url"])
    existing = new_id("cal")
    await calendar_store.insert_calendar(
        system.pool,  # type: ignore[arg-type]
        calendar_id=existing,
        project_id=tenant.project_id,
        provider="google",
        platform_uuid=None,
        metadata={},
        deduplication_key="same-user",
        sync_window={"past_days": 1, "future_days": 90},
    )
    done = _client_redirect(await system.browser().get(callback))
    assert done == {
        "from": "test",
        "error": "duplicate_calendar",
        "calendar_id": existing,
        "state": started["state"],
    }


async def test_a_refused_exchange_redirects_with_its_error_and_creates_nothing(
    system: System,
) -> None:
    tenant = await system.tenant()
    await _with_app(tenant, "zoom", client_id="sandbox-zoom-client", client_secret="wrong")
    started = await _authorize(tenant, "zoom", await system.account("zoom"))
    callback = await system.consent(started["authorization_url"])
    done = _client_redirect(await system.browser().get(callback))
    assert done == {"from": "test", "error": "invalid_client", "state": started["state"]}
    assert (
        await system.pool.fetchval(
            "SELECT count(*) FROM calendars WHERE project_id = $1", tenant.project_id
        )
        == 0
    )


async def test_the_new_routes_are_in_the_openapi_document(system: System) -> None:
    document = (await system.browser().get("/openapi.json")).json()
    paths = document["paths"]
    assert {"get", "patch"} <= set(paths["/v1/project"])
    authorize = paths["/v1/calendars/authorize"]["post"]
    assert authorize["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/AuthorizeCalendar"
    )
    assert "303" in paths["/v1/oauth/callback"]["get"]["responses"]
    schemas = document["components"]["schemas"]
    assert {"ProjectOut", "UpdateProject", "OAuthAppsIn", "ZoomAppIn", "AuthorizationOut"} <= set(
        schemas
    )
    assert "webhook_secret" not in schemas["OAuthAppIn"]["properties"]
    assert set(schemas["OAuthAppOut"]["properties"]) == {
        "client_id",
        "client_secret_set",
        "webhook_secret_set",
    }
