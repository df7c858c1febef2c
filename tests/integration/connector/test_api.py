"""`POST /internal/credentials` over ASGI: stored sealed, idempotent, and refused clearly."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from rollcall.dev.ports import free_port
from services.connector.app import create_app
from tests.integration.connector.conftest import (
    INTERNAL_TOKEN,
    PROJECT,
    RadicaleCalendar,
    connector_settings,
    credentials,
)
from tests.servers import Radicale

AUTH = {"Authorization": f"Bearer {INTERNAL_TOKEN}"}


def _client(pool: asyncpg.Pool[Any], **settings: Any) -> httpx.AsyncClient:
    app = create_app(connector_settings(**settings), pool=pool)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://connector")


@pytest.fixture
async def client(pool: asyncpg.Pool[Any]) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(pool) as http:
        yield http


def _body(creds: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "project_id": PROJECT,
        "calendar_id": "cal_api",
        "provider": "caldav",
        "credentials": creds,
        **extra,
    }


async def test_credentials_are_stored_sealed_with_a_connecting_connection(
    client: httpx.AsyncClient, pool: asyncpg.Pool[Any], radicale: Radicale
) -> None:
    body = _body(credentials(radicale), platform_uuid="/alice/work/")
    response = await client.post("/internal/credentials", json=body, headers=AUTH)

    assert response.status_code == 204
    row = await pool.fetchrow("SELECT * FROM connections WHERE calendar_id = 'cal_api'")
    assert row is not None
    assert (row["state"], row["project_id"], row["requested_platform_uuid"]) == (
        "connecting",
        PROJECT,
        "/alice/work/",
    )
    grant = await pool.fetchrow("SELECT * FROM grants WHERE id = $1", row["grant_id"])
    assert grant is not None and grant["id"].startswith("grt_") and grant["key_id"] == "k1"
    assert b"alice-secret" not in bytes(grant["ciphertext"])


async def test_posting_again_replaces_the_grant(
    client: httpx.AsyncClient, pool: asyncpg.Pool[Any], radicale: Radicale
) -> None:
    for _ in range(2):
        response = await client.post(
            "/internal/credentials", json=_body(credentials(radicale)), headers=AUTH
        )
        assert response.status_code == 204
    assert await pool.fetchval("SELECT count(*) FROM grants") == 1
    assert await pool.fetchval("SELECT count(*) FROM connections") == 1


async def test_the_internal_token_is_required(
    client: httpx.AsyncClient, radicale: Radicale
) -> None:
    body = _body(credentials(radicale))
    assert (await client.post("/internal/credentials", json=body)).status_code == 401
    wrong = {"Authorization": "Bearer nope"}
    assert (await client.post("/internal/credentials", json=body, headers=wrong)).status_code == 401


@pytest.mark.parametrize(
    ("creds", "field"),
    [
        (
            {"url": "https://dav.example.com/", "username": "a", "password": "p", "x": 1},
            "credentials.x",
        ),
        ({"url": "https://dav.example.com/", "username": "a"}, "credentials.password"),
        (
            {"url": "https://dav.example.com/", "username": "", "password": "p"},
            "credentials.username",
        ),
        ({"url": "ftp://dav.example.com/", "username": "a", "password": "p"}, "credentials.url"),
    ],
)
async def test_credentials_of_the_wrong_shape_are_422(
    client: httpx.AsyncClient, pool: asyncpg.Pool[Any], creds: dict[str, Any], field: str
) -> None:
    response = await client.post("/internal/credentials", json=_body(creds), headers=AUTH)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert await pool.fetchval("SELECT count(*) FROM grants") == 0


async def test_unknown_body_fields_are_422(client: httpx.AsyncClient, radicale: Radicale) -> None:
    body = _body(credentials(radicale), surprise=True)
    assert (await client.post("/internal/credentials", json=body, headers=AUTH)).status_code == 422


async def test_zoom_credentials_are_stored_sealed_and_an_unknown_provider_is_refused(
    client: httpx.AsyncClient, pool: asyncpg.Pool[Any]
) -> None:
    zoom = {"client_id": "a", "client_secret": "zoom-secret", "refresh_token": "zoom-refresh"}
    body = {**_body(zoom), "provider": "zoom"}
    response = await client.post("/internal/credentials", json=body, headers=AUTH)

    assert response.status_code == 204
    grant = await pool.fetchrow("SELECT * FROM grants")
    assert grant is not None and grant["provider"] == "zoom"
    assert b"zoom-secret" not in bytes(grant["ciphertext"])
    unknown = {**body, "provider": "webex"}
    response = await client.post("/internal/credentials", json=unknown, headers=AUTH)
    assert response.status_code == 422 and "zoom-secret" not in response.text


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.5/dav/",
        "http://169.254.169.254/",
        "http://[::ffff:192.168.0.1]/",
        "http://0.0.0.0/",
    ],
)
async def test_private_server_urls_are_refused(
    client: httpx.AsyncClient, pool: asyncpg.Pool[Any], url: str
) -> None:
    creds = {"url": url, "username": "a", "password": "p"}
    response = await client.post("/internal/credentials", json=_body(creds), headers=AUTH)

    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "/problems/url-not-allowed"
    assert "not allowed" in problem["detail"]
    assert await pool.fetchval("SELECT count(*) FROM connections") == 0


async def test_loopback_urls_are_refused_unless_allowed(
    pool: asyncpg.Pool[Any], radicale: Radicale
) -> None:
    async with _client(pool, allow_loopback_urls=False) as client:
        response = await client.post(
            "/internal/credentials", json=_body(credentials(radicale)), headers=AUTH
        )
    assert response.status_code == 422
    assert "loopback" in response.json()["detail"]


async def test_health_answers(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}


def _raw(creds: dict[str, Any], provider: str = "caldav") -> dict[str, Any]:
    return {"project_id": PROJECT, "provider": provider, "credentials": creds}


async def test_raw_lists_the_accounts_calendars_and_stores_nothing(
    client: httpx.AsyncClient, pool: asyncpg.Pool[Any], radicale: Radicale
) -> None:
    await RadicaleCalendar(radicale, "alice", "Raw").create(0)
    response = await client.post(
        "/internal/calendars/raw", json=_raw(credentials(radicale)), headers=AUTH
    )

    assert response.status_code == 200, response.text
    results = response.json()["results"]
    raw = next(r for r in results if r["name"] == "Raw")
    assert raw["platform_uuid"].startswith(radicale.url + "alice/")
    assert set(raw) == {"platform_uuid", "name", "email", "is_primary", "time_zone"}
    assert [r["is_primary"] for r in results].count(True) == 1
    assert "alice-secret" not in response.text
    assert await pool.fetchval("SELECT count(*) FROM grants") == 0
    assert await pool.fetchval("SELECT count(*) FROM connections") == 0


async def test_raw_with_refused_credentials_or_no_server_is_422_with_the_reason(
    client: httpx.AsyncClient, radicale: Radicale
) -> None:
    wrong = await client.post(
        "/internal/calendars/raw",
        json=_raw(credentials(radicale, password="Wr0ng-pass")),
        headers=AUTH,
    )
    assert wrong.status_code == 422
    assert wrong.headers["content-type"] == "application/problem+json"
    assert wrong.json()["reason"] == "invalid_credentials"
    assert "Wr0ng-pass" not in wrong.text

    dead = {"url": f"http://127.0.0.1:{free_port()}/", "username": "a", "password": "b"}
    gone = await client.post("/internal/calendars/raw", json=_raw(dead), headers=AUTH)
    assert gone.status_code == 422 and gone.json()["reason"] == "unreachable"

    shape = await client.post(
        "/internal/calendars/raw", json=_raw({"apple_id": "a@b.c"}, "apple"), headers=AUTH
    )
    assert shape.status_code == 422
    assert "credentials.app_specific_password" in [e["field"] for e in shape.json()["errors"]]
