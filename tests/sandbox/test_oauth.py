"""Google's OAuth endpoints over HTTP: consent with PKCE, code exchange, refresh, revocation and
expiry, with Google's error bodies (providers.md §1.1)."""

from __future__ import annotations

import base64
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from sandbox.oauth import pkce
from sandbox.world import World
from tests.sandbox.conftest import FakeClock, calendar_list, create_account, refresh

REDIRECT_URI = "http://127.0.0.1:8765/oauth/callback"
SCOPE = "https://www.googleapis.com/auth/calendar"


async def authorize(client: httpx.AsyncClient, **overrides: str) -> httpx.Response:
    params = {
        "client_id": "sandbox-google-client",
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": SCOPE,
        "state": "xyz-state",
        "login_hint": "ada@example.com",
        "access_type": "offline",
        "prompt": "consent",
    } | overrides
    return await client.get("/google/o/oauth2/v2/auth", params=params)


async def consent_code(client: httpx.AsyncClient, verifier: str, **overrides: str) -> str:
    challenge = pkce.s256_challenge(verifier)
    response = await authorize(
        client, code_challenge=challenge, code_challenge_method="S256", **overrides
    )
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == ["xyz-state"]
    return query["code"][0]


async def exchange(client: httpx.AsyncClient, code: str, **overrides: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "client_id": "sandbox-google-client",
        "client_secret": "sandbox-google-secret",
        "code": code,
        "redirect_uri": REDIRECT_URI,
    } | overrides
    return await client.post("/google/oauth2/token", data=form)


def assert_oauth_error(response: httpx.Response, status: int, error: str, description: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"error": error, "error_description": description}


def test_pkce_s256_matches_rfc_7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce.s256_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


async def test_authorization_code_with_pkce_s256(client: httpx.AsyncClient, world: World) -> None:
    await create_account(client, "ada@example.com")
    verifier = secrets.token_urlsafe(48)
    location = urlsplit(
        (
            await authorize(
                client,
                code_challenge=pkce.s256_challenge(verifier),
                code_challenge_method="S256",
            )
        ).headers["location"]
    )
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    code = parse_qs(location.query)["code"][0]
    assert code.startswith("4/")

    response = await exchange(client, code, code_verifier=verifier)

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == SCOPE
    assert body["access_token"].startswith("ya29.")
    assert body["refresh_token"].startswith("1//")
    account = world.identity.account_for_access_token("google", body["access_token"])
    assert account is not None and account.email == "ada@example.com"
    assert (await calendar_list(client, body["access_token"])).status_code == 200


async def test_plain_challenge_and_state_in_an_existing_query(client: httpx.AsyncClient) -> None:
    await create_account(client, "ada@example.com")
    verifier = secrets.token_urlsafe(48)
    redirect = "http://localhost:9000/cb?tenant=7"
    response = await authorize(client, redirect_uri=redirect, code_challenge=verifier)
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["tenant"] == ["7"]

    exchanged = await exchange(
        client, query["code"][0], redirect_uri=redirect, code_verifier=verifier
    )

    assert exchanged.status_code == 200, exchanged.text


async def test_code_reuse_is_invalid_grant(client: httpx.AsyncClient) -> None:
    await create_account(client, "ada@example.com")
    verifier = secrets.token_urlsafe(48)
    code = await consent_code(client, verifier)
    assert (await exchange(client, code, code_verifier=verifier)).status_code == 200

    again = await exchange(client, code, code_verifier=verifier)

    assert_oauth_error(again, 400, "invalid_grant", "Bad Request")


async def test_wrong_or_missing_verifier_is_invalid_grant(client: httpx.AsyncClient) -> None:
    await create_account(client, "ada@example.com")
    wrong = await exchange(
        client,
        await consent_code(client, secrets.token_urlsafe(48)),
        code_verifier=secrets.token_urlsafe(48),
    )
    missing = await exchange(client, await consent_code(client, secrets.token_urlsafe(48)))

    assert_oauth_error(wrong, 400, "invalid_grant", "Invalid code verifier.")
    assert_oauth_error(missing, 400, "invalid_grant", "Missing code verifier.")


async def test_malformed_expired_and_misdirected_codes(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    await create_account(client, "ada@example.com")
    verifier = secrets.token_urlsafe(48)
    misdirected = await exchange(
        client,
        await consent_code(client, verifier),
        code_verifier=verifier,
        redirect_uri="http://127.0.0.1:1/other",
    )
    code = await consent_code(client, verifier)
    clock.advance(600)
    expired = await exchange(client, code, code_verifier=verifier)

    assert_oauth_error(
        await exchange(client, "garbage"), 400, "invalid_grant", "Malformed auth code."
    )
    assert_oauth_error(misdirected, 400, "invalid_grant", "Bad Request")
    assert_oauth_error(expired, 400, "invalid_grant", "Bad Request")


async def test_unregistered_redirect_uri_is_refused_without_redirecting(
    client: httpx.AsyncClient,
) -> None:
    await create_account(client, "ada@example.com")
    registered = await client.post(
        "/_admin/apps", json={"provider": "google", "redirect_uris": ["https://app.example/cb"]}
    )
    client_id = registered.json()["client_id"]

    ok = await authorize(client, client_id=client_id, redirect_uri="https://app.example/cb")
    refused = await authorize(client, client_id=client_id, redirect_uri="https://evil.example/cb")
    not_loopback = await authorize(client, redirect_uri="https://evil.example/cb")

    assert ok.status_code == 302
    for response in (refused, not_loopback):
        assert response.status_code == 400
        assert "location" not in response.headers
        assert response.json()["error"] == "redirect_uri_mismatch"


async def test_consent_refusals_do_not_redirect(client: httpx.AsyncClient) -> None:
    await create_account(client, "ada@example.com")

    unknown_account = await authorize(client, login_hint="nobody@example.com")
    unknown_client = await authorize(client, client_id="nope")
    no_scope = await authorize(client, scope="")
    bad_method = await authorize(client, code_challenge="x" * 43, code_challenge_method="S512")

    assert unknown_account.status_code == 400
    assert unknown_account.json()["error"] == "access_denied"
    assert_oauth_error(unknown_client, 401, "invalid_client", "The OAuth client was not found.")
    assert_oauth_error(no_scope, 400, "invalid_request", "Missing required parameter: scope")
    assert bad_method.json()["error"] == "invalid_request"


async def test_online_access_gets_no_refresh_token(client: httpx.AsyncClient) -> None:
    await create_account(client, "ada@example.com")
    verifier = secrets.token_urlsafe(48)
    code = await consent_code(client, verifier, access_type="online")

    body = (await exchange(client, code, code_verifier=verifier)).json()

    assert "access_token" in body
    assert "refresh_token" not in body


async def test_refresh_grant_keeps_the_refresh_token(
    client: httpx.AsyncClient, world: World
) -> None:
    account = await create_account(client, "ada@example.com")

    response = await refresh(client, account)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "scope", "token_type"}
    assert world.identity.account_for_access_token("google", body["access_token"]) is not None
    assert (await refresh(client, account)).status_code == 200


async def test_client_authentication_by_http_basic(client: httpx.AsyncClient) -> None:
    account = await create_account(client, "ada@example.com")
    basic = base64.b64encode(f"{account['client_id']}:{account['client_secret']}".encode())

    response = await client.post(
        "/google/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": account["refresh_token"]},
        headers={"Authorization": f"Basic {basic.decode()}"},
    )

    assert response.status_code == 200, response.text


async def test_wrong_secret_or_unknown_client_is_invalid_client(
    client: httpx.AsyncClient,
) -> None:
    account = await create_account(client, "ada@example.com")

    wrong_secret = await refresh(client, account | {"client_secret": "wrong"})
    unknown = await refresh(client, account | {"client_id": "nope"})
    no_secret = await refresh(client, account | {"client_secret": ""})

    assert_oauth_error(wrong_secret, 401, "invalid_client", "Unauthorized")
    assert_oauth_error(unknown, 401, "invalid_client", "The OAuth client was not found.")
    assert_oauth_error(no_secret, 400, "invalid_request", "client_secret is missing.")


async def test_refresh_token_of_another_client_is_unauthorized_client(
    client: httpx.AsyncClient,
) -> None:
    account = await create_account(client, "ada@example.com")
    other = (await client.post("/_admin/apps", json={"provider": "google"})).json()

    response = await refresh(client, account | other)

    assert_oauth_error(response, 400, "unauthorized_client", "Unauthorized")


async def test_token_request_errors(client: httpx.AsyncClient) -> None:
    account = await create_account(client, "ada@example.com")
    form: dict[str, Any] = {
        "client_id": account["client_id"],
        "client_secret": account["client_secret"],
    }

    no_grant_type = await client.post("/google/oauth2/token", data=form)
    no_token = await client.post(
        "/google/oauth2/token", data=form | {"grant_type": "refresh_token"}
    )
    unknown_token = await refresh(client, account, "1//0unknown")

    assert_oauth_error(no_grant_type, 400, "unsupported_grant_type", "Invalid grant_type: ")
    assert_oauth_error(
        no_token, 400, "invalid_request", "Missing required parameter: refresh_token"
    )
    assert_oauth_error(unknown_token, 400, "invalid_grant", "Token has been expired or revoked.")


async def test_revoked_grant_is_invalid_grant_and_its_access_tokens_die(
    client: httpx.AsyncClient, world: World
) -> None:
    account = await create_account(client, "ada@example.com")
    access_token = (await refresh(client, account)).json()["access_token"]

    revoked = await client.post(f"/_admin/accounts/{account['account_id']}/revoke")

    assert revoked.json() == {"revoked": 1}
    assert_oauth_error(
        await refresh(client, account), 400, "invalid_grant", "Token has been expired or revoked."
    )
    assert world.identity.account_for_access_token("google", access_token) is None
    unauthorized = await calendar_list(client, access_token)
    assert unauthorized.status_code == 401
    assert unauthorized.json()["error"]["errors"][0]["reason"] == "authError"


async def test_revoke_endpoint_kills_the_grant_of_an_access_token(
    client: httpx.AsyncClient, world: World
) -> None:
    account = await create_account(client, "ada@example.com")
    access_token = (await refresh(client, account)).json()["access_token"]

    revoked = await client.post("/google/oauth2/revoke", params={"token": access_token})
    again = await client.post("/google/oauth2/revoke", data={"token": access_token})

    assert revoked.status_code == 200
    assert_oauth_error(again, 400, "invalid_token", "Token expired or revoked")
    assert world.identity.account_for_access_token("google", access_token) is None
    assert (await refresh(client, account)).status_code == 400


async def test_access_tokens_expire_on_the_clock(
    client: httpx.AsyncClient, world: World, clock: FakeClock
) -> None:
    account = await create_account(client, "ada@example.com")
    access_token = (await refresh(client, account)).json()["access_token"]

    clock.advance(3599)
    assert world.identity.account_for_access_token("google", access_token) is not None
    assert world.identity.account_for_access_token("microsoft", access_token) is None
    clock.advance(1)

    assert world.identity.account_for_access_token("google", access_token) is None
    assert (await calendar_list(client, access_token)).status_code == 401
    assert (await refresh(client, account)).status_code == 200


def test_expired_access_tokens_are_forgotten() -> None:
    from datetime import UTC, datetime, timedelta

    from sandbox.oauth.store import OAuthStore
    from sandbox.settings import SandboxSettings

    now = [datetime(2030, 1, 1, tzinfo=UTC)]
    store = OAuthStore(SandboxSettings(SANDBOX_ACCESS_TOKEN_TTL_SECONDS=60), lambda: now[0])
    account = store.create_account("google", "sweep@example.com")
    grant = store.grant(account, store.default_app("google"))
    for _ in range(999):
        store.issue_access_token(grant)
    now[0] += timedelta(minutes=5)
    live = store.issue_access_token(grant)  # the 1,000th issue sweeps the expired ones
    assert len(store._access_tokens) == 1
    assert store.account_for_access_token("google", live.token) == account
