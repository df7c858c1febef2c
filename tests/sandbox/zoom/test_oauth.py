"""Zoom's OAuth server (providers.md §4): authorize with auto-consent and PKCE, the token endpoint
with HTTP Basic client authentication, rotating refresh tokens whose reuse fails with
"Invalid Token!", ended grants, and revoke."""

from __future__ import annotations

import base64
import functools
import hashlib
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI

from sandbox.app import create_app
from sandbox.settings import SandboxSettings
from sandbox.zoom import ZoomOptions, zoom_provider
from tests.sandbox.conftest import FakeClock
from tests.sandbox.zoom.conftest import API, create_account

TOKEN = "/zoom/oauth/token"
REDIRECT = "http://127.0.0.1:8765/zoom/callback"
INVALID_TOKEN = {"reason": "Invalid Token!", "error": "invalid_request"}


def basic(client_id: str, secret: str) -> dict[str, str]:
    encoded = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def app_auth(account: dict[str, Any]) -> dict[str, str]:
    return basic(account["client_id"], account["client_secret"])


async def refresh(
    client: httpx.AsyncClient, account: dict[str, Any], refresh_token: str
) -> httpx.Response:
    return await client.post(
        TOKEN,
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        headers=app_auth(account),
    )


async def authorize(client: httpx.AsyncClient, **params: str) -> httpx.Response:
    query = {
        "response_type": "code",
        "client_id": "sandbox-zoom-client",
        "redirect_uri": REDIRECT,
        "login_hint": "ada@example.com",
    }
    return await client.get("/zoom/oauth/authorize", params=query | params)


def code_of(response: httpx.Response) -> dict[str, list[str]]:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT + "?")
    return parse_qs(urlsplit(location).query)


async def test_authorization_code_with_pkce_gives_zooms_token_body(
    client: httpx.AsyncClient,
) -> None:
    account = await create_account(client, "ada@example.com")
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    query = code_of(
        await authorize(
            client,
            code_challenge=challenge.decode().rstrip("="),
            code_challenge_method="S256",
            state="xyz",
        )
    )
    assert query["state"] == ["xyz"]
    form = {
        "grant_type": "authorization_code",
        "code": query["code"][0],
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
    }
    response = await client.post(TOKEN, data=form, headers=app_auth(account))
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {
        "access_token",
        "token_type",
        "refresh_token",
        "expires_in",
        "scope",
        "api_url",
    }
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "meeting:read meeting:write"
    assert body["api_url"] == "http://sandbox/zoom"  # clients that follow it stay here
    me = await client.get(
        f"{body['api_url']}/v2/users/me".removeprefix("http://sandbox"),
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert me.json()["email"] == "ada@example.com"
    again = await client.post(TOKEN, data=form, headers=app_auth(account))
    assert again.status_code == 400
    assert again.json() == {"reason": "Invalid authorization code", "error": "invalid_grant"}


async def test_a_wrong_pkce_verifier_is_refused(client: httpx.AsyncClient) -> None:
    account = await create_account(client, "ada@example.com")
    query = code_of(await authorize(client, code_challenge="c" * 43))  # plain by default
    form = {
        "grant_type": "authorization_code",
        "code": query["code"][0],
        "redirect_uri": REDIRECT,
        "code_verifier": "d" * 43,
    }
    response = await client.post(TOKEN, data=form, headers=app_auth(account))
    assert response.status_code == 400
    assert response.json() == {"reason": "Invalid code verifier", "error": "invalid_grant"}


async def test_authorize_refusals_are_shown_not_redirected(client: httpx.AsyncClient) -> None:
    await create_account(client, "ada@example.com")
    cases = [
        ({"client_id": "nope"}, "invalid_client"),
        ({"client_id": "sandbox-google-client"}, "invalid_client"),
        ({"redirect_uri": "https://evil.example/cb"}, "invalid_request"),
        ({"response_type": "token"}, "unsupported_response_type"),
        ({"login_hint": "nobody@example.com"}, "access_denied"),
        ({"code_challenge": "short"}, "invalid_request"),
    ]
    for params, error in cases:
        response = await authorize(client, **params)
        assert response.status_code == 400, params
        assert response.json()["error"] == error


async def test_client_authentication_is_http_basic_only(client: httpx.AsyncClient) -> None:
    account = await create_account(client, "ada@example.com")
    form = {"grant_type": "refresh_token", "refresh_token": account["refresh_token"]}
    in_body = form | {
        "client_id": account["client_id"],
        "client_secret": account["client_secret"],
    }
    refused = await client.post(TOKEN, data=in_body)
    assert refused.status_code == 400
    assert refused.json() == {
        "reason": "Client ID or client secret is missing.",
        "error": "invalid_request",
    }
    for headers in (
        basic(account["client_id"], "wrong"),
        basic("unknown", "x"),
        basic("sandbox-google-client", "sandbox-google-secret"),
    ):
        wrong = await client.post(TOKEN, data=form, headers=headers)
        assert wrong.status_code == 400
        assert wrong.json() == {
            "reason": "Invalid client_id or client_secret",
            "error": "invalid_client",
        }
    # None of the refusals used the refresh token up.
    assert (await refresh(client, account, account["refresh_token"])).status_code == 200


async def test_refresh_tokens_rotate_and_the_old_one_dies(client: httpx.AsyncClient) -> None:
    account = await create_account(client, "ada@example.com")
    first = await refresh(client, account, account["refresh_token"])
    assert first.status_code == 200, first.text
    rotated = first.json()["refresh_token"]
    assert rotated != account["refresh_token"]

    reused = await refresh(client, account, account["refresh_token"])
    assert reused.status_code == 400
    assert reused.json() == INVALID_TOKEN

    second = await refresh(client, account, rotated)
    assert second.status_code == 200
    assert second.json()["refresh_token"] not in (rotated, account["refresh_token"])
    assert (await refresh(client, account, rotated)).json() == INVALID_TOKEN


@pytest.mark.parametrize("reason", ["revoked", "expired", "consent_revoked"])
async def test_ended_grants_answer_invalid_token(client: httpx.AsyncClient, reason: str) -> None:
    account = await create_account(client, "ada@example.com")
    access = (await refresh(client, account, account["refresh_token"])).json()
    revoked = await client.post(
        f"/_admin/accounts/{account['account_id']}/revoke", json={"reason": reason}
    )
    assert revoked.json() == {"revoked": 1}
    dead = await refresh(client, account, access["refresh_token"])
    assert (dead.status_code, dead.json()) == (400, INVALID_TOKEN)
    api = await client.get(
        f"{API}/users/me", headers={"Authorization": f"Bearer {access['access_token']}"}
    )
    assert (api.status_code, api.json()) == (401, {"code": 124, "message": "Invalid access token."})


async def test_grant_type_errors(client: httpx.AsyncClient) -> None:
    account = await create_account(client, "ada@example.com")
    missing = await client.post(TOKEN, data={}, headers=app_auth(account))
    assert missing.json() == {"reason": "Missing grant type", "error": "invalid_request"}
    other = await client.post(
        TOKEN, data={"grant_type": "client_credentials"}, headers=app_auth(account)
    )
    assert other.json() == {"reason": "Unsupported grant type", "error": "unsupported_grant_type"}


async def test_access_tokens_expire(client: httpx.AsyncClient, clock: FakeClock) -> None:
    account = await create_account(client, "ada@example.com")
    access = (await refresh(client, account, account["refresh_token"])).json()["access_token"]
    headers = {"Authorization": f"Bearer {access}"}
    assert (await client.get(f"{API}/users/me", headers=headers)).status_code == 200
    clock.advance(3600)
    assert (await client.get(f"{API}/users/me", headers=headers)).status_code == 401


async def test_revoke_kills_the_grant(client: httpx.AsyncClient) -> None:
    account = await create_account(client, "ada@example.com")
    tokens = (await refresh(client, account, account["refresh_token"])).json()
    revoke = "/zoom/oauth/revoke"
    unauthenticated = await client.post(revoke, params={"token": tokens["access_token"]})
    assert unauthenticated.status_code == 400
    done = await client.post(
        revoke, params={"token": tokens["access_token"]}, headers=app_auth(account)
    )
    assert (done.status_code, done.json()) == (200, {"status": "success"})
    assert (await refresh(client, account, tokens["refresh_token"])).json() == INVALID_TOKEN
    twice = await client.post(
        revoke, params={"token": tokens["access_token"]}, headers=app_auth(account)
    )
    assert (twice.status_code, twice.json()) == (400, INVALID_TOKEN)


async def test_the_dead_token_error_can_read_invalid_grant(clock: FakeClock) -> None:
    options = ZoomOptions(dead_refresh_token_error="invalid_grant")
    provider = functools.partial(zoom_provider, clock=clock, options=options)
    app: FastAPI = create_app(SandboxSettings(), providers=[provider], clock=clock)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as client:
        account = await create_account(client, "ada@example.com")
        await refresh(client, account, account["refresh_token"])
        reused = await refresh(client, account, account["refresh_token"])
    assert (reused.status_code, reused.json()) == (
        400,
        {"reason": "Invalid Token!", "error": "invalid_grant"},
    )
