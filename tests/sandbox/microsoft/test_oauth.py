"""Entra ID v2 on the shared OAuth store (providers.md §2.1): code + PKCE, rotating refresh
tokens, AADSTS error bodies for rotated-out, revoked, expired and consent-less grants, bad
clients, code reuse; tenants; the OpenID configuration; Graph's 401 and 403."""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from sandbox.oauth.pkce import s256_challenge
from sandbox.settings import SandboxSettings
from tests.sandbox.microsoft.conftest import API, TOKEN_URL, Sandbox, User

VERIFIER = "v" * 50
REDIRECT = "http://127.0.0.1:8765/callback"
SCOPE = "openid offline_access https://graph.microsoft.com/Calendars.ReadWrite User.Read"


async def refresh(sandbox: Sandbox, user: User, token: str) -> httpx.Response:
    return await sandbox.client.post(
        TOKEN_URL,
        data={
            "grant_type": "refresh_token",
            "client_id": user.client_id,
            "client_secret": user.client_secret,
            "refresh_token": token,
            "scope": "Calendars.ReadWrite offline_access",
        },
    )


def assert_aadsts(response: httpx.Response, status: int, error: str, code: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["error"] == error
    assert body["error_codes"] == [code]
    assert re.match(
        rf"^AADSTS{code}: .+\r\nTrace ID: [0-9a-f-]{{36}}\r\nCorrelation ID: [0-9a-f-]{{36}}\r\n"
        r"Timestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$",
        body["error_description"],
        re.S,
    ), body["error_description"]
    assert body["error_uri"] == f"https://login.microsoftonline.com/error?code={code}"
    assert {"timestamp", "trace_id", "correlation_id"} <= set(body)
    assert response.headers["cache-control"].startswith("no-store")
    return body


async def authorize(sandbox: Sandbox, user: User, tenant: str = "common", **extra: str) -> str:
    params = {
        "client_id": user.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": SCOPE,
        "login_hint": user.email,
        "state": "xyz",
        "code_challenge": s256_challenge(VERIFIER),
        "code_challenge_method": "S256",
        "nonce": "n-0S6",
        **extra,
    }
    response = await sandbox.client.get(
        f"/microsoft/login/{tenant}/oauth2/v2.0/authorize", params=params
    )
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == ["xyz"]
    return query["code"][0]


async def redeem(
    sandbox: Sandbox, user: User, code: str, verifier: str = VERIFIER
) -> httpx.Response:
    return await sandbox.client.post(
        TOKEN_URL,
        data={
            "grant_type": "authorization_code",
            "client_id": user.client_id,
            "client_secret": user.client_secret,
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_info": "1",
        },
    )


def claims(jwt: str) -> dict[str, Any]:
    part = jwt.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


@pytest.mark.parametrize(
    "tenant", ["common", "organizations", "consumers", "5f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b"]
)
async def test_code_with_pkce_gives_tokens_that_call_graph(sandbox: Sandbox, tenant: str) -> None:
    user = await sandbox.user()
    code = await authorize(sandbox, user, tenant)
    response = await redeem(sandbox, user, code)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "openid Calendars.ReadWrite User.Read"
    assert body["expires_in"] == body["ext_expires_in"] == 3600
    assert body["refresh_token"].startswith("0.AXoA")
    assert claims(body["id_token"])["nonce"] == "n-0S6"
    assert claims(body["id_token"])["preferred_username"] == user.email
    assert claims("." + body["client_info"]) == {
        "uid": claims(body["id_token"])["oid"],
        "utid": claims(body["id_token"])["tid"],
    }
    me = await sandbox.client.get(
        f"{API}/me", headers={"Authorization": f"Bearer {body['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["mail"] == user.email


async def test_code_reuse_and_pkce_failures(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    code = await authorize(sandbox, user)
    assert (await redeem(sandbox, user, code)).status_code == 200
    assert_aadsts(await redeem(sandbox, user, code), 400, "invalid_grant", 54005)
    wrong = await redeem(sandbox, user, await authorize(sandbox, user), verifier="w" * 50)
    assert_aadsts(wrong, 400, "invalid_grant", 501481)
    expired = await authorize(sandbox, user)
    sandbox.clock.advance(601)
    assert_aadsts(await redeem(sandbox, user, expired), 400, "invalid_grant", 70008)


async def test_refresh_rotates_and_the_old_token_fails(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    first = await refresh(sandbox, user, user.refresh_token)
    assert first.status_code == 200, first.text
    rotated = first.json()["refresh_token"]
    assert rotated != user.refresh_token
    second = await refresh(sandbox, user, rotated)
    assert second.status_code == 200
    assert second.json()["refresh_token"] != rotated
    assert_aadsts(await refresh(sandbox, user, user.refresh_token), 400, "invalid_grant", 70008)
    assert_aadsts(await refresh(sandbox, user, "0.AXoAunknown"), 400, "invalid_grant", 70008)
    assert_aadsts(await refresh(sandbox, user, "nonsense"), 400, "invalid_grant", 9002313)


@pytest.mark.parametrize(
    "settings", [SandboxSettings(microsoft_keep_rotated_refresh_tokens=True)], indirect=True
)
async def test_a_setting_keeps_rotated_refresh_tokens_valid(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    first = await refresh(sandbox, user, user.refresh_token)
    assert first.json()["refresh_token"] != user.refresh_token
    again = await refresh(sandbox, user, user.refresh_token)
    assert again.status_code == 200


@pytest.mark.parametrize(
    ("reason", "code", "suberror"),
    [
        ("revoked", 50173, None),
        ("expired", 700082, None),
        ("consent_revoked", 65001, "consent_required"),
    ],
)
async def test_ended_grants_answer_their_aadsts_code(
    sandbox: Sandbox, reason: str, code: int, suberror: str | None
) -> None:
    user = await sandbox.user()
    rotated = (await refresh(sandbox, user, user.refresh_token)).json()["refresh_token"]
    revoked = await sandbox.client.post(
        f"/_admin/accounts/{user.account_id}/revoke", json={"reason": reason}
    )
    assert revoked.json() == {"revoked": 1}
    body = assert_aadsts(await refresh(sandbox, user, rotated), 400, "invalid_grant", code)
    assert body.get("suberror") == suberror
    # the replaced token tells the same story, and so does Graph for the access token
    assert_aadsts(await refresh(sandbox, user, user.refresh_token), 400, "invalid_grant", code)
    me = await sandbox.client.get(f"{API}/me", headers=user.headers)
    assert me.status_code == 401


async def test_bad_clients(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    wrong_secret = await sandbox.client.post(
        TOKEN_URL,
        data={"grant_type": "refresh_token", "refresh_token": user.refresh_token},
        auth=(user.client_id, "nope"),
    )
    assert_aadsts(wrong_secret, 401, "invalid_client", 7000215)
    no_secret = await sandbox.client.post(
        TOKEN_URL,
        data={"grant_type": "refresh_token", "client_id": user.client_id, "refresh_token": "x"},
    )
    assert_aadsts(no_secret, 401, "invalid_client", 7000218)
    unknown = await sandbox.client.post(
        TOKEN_URL,
        data={"grant_type": "refresh_token", "client_id": "nobody", "client_secret": "s"},
    )
    assert_aadsts(unknown, 400, "unauthorized_client", 700016)
    basic_ok = await sandbox.client.post(
        TOKEN_URL,
        data={"grant_type": "refresh_token", "refresh_token": user.refresh_token},
        auth=(user.client_id, user.client_secret),
    )
    assert basic_ok.status_code == 200
    other_grant = await sandbox.client.post(
        TOKEN_URL,
        data={
            "grant_type": "password",
            "client_id": user.client_id,
            "client_secret": user.client_secret,
        },
    )
    assert_aadsts(other_grant, 400, "unsupported_grant_type", 70003)
    missing = await sandbox.client.post(
        TOKEN_URL,
        data={
            "grant_type": "refresh_token",
            "client_id": user.client_id,
            "client_secret": user.client_secret,
        },
    )
    assert_aadsts(missing, 400, "invalid_request", 900144)


async def test_authorize_refusals(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    base = {"client_id": user.client_id, "response_type": "code", "scope": SCOPE}

    async def call(tenant: str = "common", **params: str) -> httpx.Response:
        return await sandbox.client.get(
            f"/microsoft/login/{tenant}/oauth2/v2.0/authorize", params={**base, **params}
        )

    assert_aadsts(
        await call(redirect_uri="https://evil.example/cb", login_hint=user.email),
        400,
        "invalid_request",
        50011,
    )
    assert_aadsts(
        await call(redirect_uri=REDIRECT, login_hint="nobody@example.com"),
        400,
        "invalid_request",
        50034,
    )
    assert_aadsts(
        await call("not a tenant", redirect_uri=REDIRECT, login_hint=user.email),
        400,
        "invalid_tenant",
        90002,
    )
    assert_aadsts(await call(redirect_uri=REDIRECT), 400, "invalid_request", 900144)


async def test_openid_configuration(sandbox: Sandbox) -> None:
    response = await sandbox.client.get(
        "/microsoft/login/common/v2.0/.well-known/openid-configuration"
    )
    config = response.json()
    assert config["token_endpoint"] == "http://sandbox/microsoft/login/common/oauth2/v2.0/token"
    assert config["authorization_endpoint"].endswith(
        "/microsoft/login/common/oauth2/v2.0/authorize"
    )
    assert config["issuer"] == "http://sandbox/microsoft/login/{tenantid}/v2.0"


async def test_graph_answers_401_for_bad_tokens_and_403_for_missing_scopes(
    sandbox: Sandbox,
) -> None:
    user = await sandbox.user()
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eDp5"}):
        response = await sandbox.client.get(f"{API}/me/events", headers=headers)
        assert response.status_code == 401
        error = response.json()["error"]
        assert error["code"] == "InvalidAuthenticationToken"
        assert {"date", "request-id", "client-request-id"} <= set(error["innerError"])
        assert response.headers["www-authenticate"].startswith('Bearer realm=""')
    sandbox.clock.advance(3601)
    expired = await sandbox.client.get(f"{API}/me", headers=user.headers)
    assert expired.json()["error"]["message"] == "Access token has expired or is not yet valid."
    code = await authorize(sandbox, user, scope="offline_access Calendars.Read")
    token = (await redeem(sandbox, user, code)).json()["access_token"]
    reader = {"Authorization": f"Bearer {token}"}
    assert (await sandbox.client.get(f"{API}/me/events", headers=reader)).status_code == 200
    write = await sandbox.client.post(f"{API}/me/events", json={}, headers=reader)
    assert write.status_code == 403
    assert write.json()["error"]["code"] == "ErrorAccessDenied"
    assert (await sandbox.client.get(f"{API}/me", headers=reader)).status_code == 403


async def test_unknown_graph_paths_answer_like_graph(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    unknown = await sandbox.client.get(f"{API}/me/nonsense", headers=user.headers)
    assert unknown.status_code == 400
    assert unknown.json()["error"] == {
        **unknown.json()["error"],
        "code": "BadRequest",
        "message": "Resource not found for the segment 'nonsense'.",
    }
    wrong_method = await sandbox.client.put(f"{API}/me/events", headers=user.headers)
    assert wrong_method.status_code == 405
