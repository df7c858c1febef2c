"""The admin API over HTTP: apps, accounts and their tokens, delegation to the provider backend,
reset to the startup state; and `python -m sandbox` serving /healthz."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from sandbox.world import World
from tests.sandbox.conftest import FakeBackend, calendar_list, create_account, refresh

REPO = Path(__file__).resolve().parents[2]


async def test_creating_an_account_grants_the_default_app(
    client: httpx.AsyncClient, backend: FakeBackend
) -> None:
    account = await create_account(client, "ada@example.com")

    assert account["provider"] == "google"
    assert account["email"] == "ada@example.com"
    assert account["client_id"] == "sandbox-google-client"
    assert account["client_secret"] == "sandbox-google-secret"
    assert [a.id for a in backend.created] == [account["account_id"]]
    assert (await refresh(client, account)).status_code == 200


async def test_account_creation_refusals(client: httpx.AsyncClient) -> None:
    await create_account(client, "ada@example.com")

    duplicate = await client.post(
        "/_admin/accounts", json={"provider": "google", "email": "ADA@example.com"}
    )
    unknown = await client.post("/_admin/accounts", json={"provider": "aol", "email": "a@b.c"})
    no_email = await client.post("/_admin/accounts", json={"provider": "google"})
    typo = await client.post(
        "/_admin/accounts", json={"provider": "google", "email": "b@c.d", "emial": "x"}
    )

    assert duplicate.status_code == 409
    assert unknown.status_code == 404
    assert no_email.status_code == 422
    assert typo.status_code == 422


async def test_accounts_of_providers_without_a_backend(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/_admin/accounts", json={"provider": "zoom", "email": "ada@example.com"}
    )

    assert response.status_code == 201
    assert response.json()["client_id"] == "sandbox-zoom-client"


async def test_grant_adds_a_refresh_token_for_the_same_account(
    client: httpx.AsyncClient, world: World
) -> None:
    account = await create_account(client, "ada@example.com")

    second = (await client.post(f"/_admin/accounts/{account['account_id']}/grant")).json()

    assert second["refresh_token"] != account["refresh_token"]
    body = (await refresh(client, account, second["refresh_token"])).json()
    found = world.identity.account_for_access_token("google", body["access_token"])
    assert found is not None and found.id == account["account_id"]
    assert (await refresh(client, account)).status_code == 200


async def test_grant_for_a_registered_app(client: httpx.AsyncClient) -> None:
    account = await create_account(client, "ada@example.com")
    app = (await client.post("/_admin/apps", json={"provider": "google"})).json()
    url = f"/_admin/accounts/{account['account_id']}/grant"

    granted = (await client.post(url, json={"client_id": app["client_id"]})).json()
    unknown = await client.post(url, json={"client_id": "nope"})

    assert (await refresh(client, app, granted["refresh_token"])).status_code == 200
    assert (await refresh(client, account, granted["refresh_token"])).status_code == 400
    assert unknown.status_code == 404


async def test_a_registered_apps_secret_is_reset_and_the_old_one_refused(
    client: httpx.AsyncClient,
) -> None:
    account = await create_account(client, "ada@example.com")
    app = (await client.post("/_admin/apps", json={"provider": "google"})).json()
    url = f"/_admin/accounts/{account['account_id']}/grant"
    granted = (await client.post(url, json={"client_id": app["client_id"]})).json()

    reset = await client.post(f"/_admin/apps/{app['client_id']}/secret")

    assert reset.status_code == 200
    renewed = reset.json()
    assert renewed["client_id"] == app["client_id"]
    assert renewed["client_secret"] != app["client_secret"]
    refused = await refresh(client, app, granted["refresh_token"])
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert (await refresh(client, renewed, granted["refresh_token"])).status_code == 200
    default = await client.post("/_admin/apps/sandbox-google-client/secret")
    assert default.status_code == 409
    assert (await client.post("/_admin/apps/nope/secret")).status_code == 404


async def test_token_acts_as_the_user(client: httpx.AsyncClient) -> None:
    account = await create_account(client, "ada@example.com")

    token = (await client.post(f"/_admin/accounts/{account['account_id']}/token")).json()

    assert token["expires_in"] == 3600
    listed = await calendar_list(client, token["access_token"])
    assert listed.json()["items"][0]["id"] == "ada@example.com"


async def test_revoke_kills_every_grant_and_access_token(client: httpx.AsyncClient) -> None:
    account = await create_account(client, "ada@example.com")
    base = f"/_admin/accounts/{account['account_id']}"
    second = (await client.post(f"{base}/grant")).json()["refresh_token"]
    token = (await client.post(f"{base}/token")).json()["access_token"]

    revoked = await client.post(f"{base}/revoke")

    assert revoked.json() == {"revoked": 2}
    assert (await refresh(client, account)).status_code == 400
    assert (await refresh(client, account, second)).status_code == 400
    assert (await calendar_list(client, token)).status_code == 401
    fresh = (await client.post(f"{base}/token")).json()["access_token"]
    assert (await calendar_list(client, fresh)).status_code == 200


async def test_unknown_accounts_are_404(client: httpx.AsyncClient) -> None:
    for action in ("grant", "token", "revoke"):
        response = await client.post(f"/_admin/accounts/nope/{action}")
        assert response.status_code == 404, action


async def test_sync_token_expiry_and_seed_delegate_to_the_backend(
    client: httpx.AsyncClient, backend: FakeBackend
) -> None:
    account = await create_account(client, "ada@example.com")
    seed = {
        "provider": "google",
        "account_id": account["account_id"],
        "calendars": 3,
        "events_per_calendar": 10,
        "recurring_share": 0.2,
        "meeting_link_share": 0.5,
        "seed": 42,
    }

    expired = await client.post("/_admin/sync_tokens/expire", json={"provider": "google"})
    one = await client.post(
        "/_admin/sync_tokens/expire",
        json={"provider": "google", "account_id": account["account_id"]},
    )
    seeded = await client.post("/_admin/seed", json=seed)

    assert expired.json() == {"expired": 2}
    assert one.status_code == 200
    assert backend.expired_for == [None, account["account_id"]]
    assert seeded.json() == {"calendars": 3}
    ((owner, request),) = backend.seeded
    assert owner.id == account["account_id"]
    assert (request.calendars, request.events_per_calendar, request.seed) == (3, 10, 42)
    assert (request.recurring_share, request.meeting_link_share) == (0.2, 0.5)


async def test_delegation_refusals(client: httpx.AsyncClient) -> None:
    account = await create_account(client, "ada@example.com")

    no_backend = await client.post("/_admin/sync_tokens/expire", json={"provider": "zoom"})
    no_account = await client.post(
        "/_admin/seed", json={"provider": "google", "account_id": "nope"}
    )
    bad_share = await client.post(
        "/_admin/seed",
        json={"provider": "google", "account_id": account["account_id"], "recurring_share": 2},
    )

    assert no_backend.status_code == 404
    assert no_account.status_code == 404
    assert bad_share.status_code == 422


async def test_reset_restores_the_startup_state(
    client: httpx.AsyncClient, backend: FakeBackend
) -> None:
    account = await create_account(client, "ada@example.com")
    app = (await client.post("/_admin/apps", json={"provider": "google"})).json()
    await client.post("/_admin/faults", json={"provider": "google", "status": 500, "count": 5})

    reset = await client.post("/_admin/reset")

    assert reset.status_code == 204
    assert backend.resets == 1
    assert (await client.get("/_admin/faults")).json() == {"results": [], "push_drops": {}}
    assert (await client.get("/_admin/requests")).json() == {"results": []}
    assert (await client.post(f"/_admin/accounts/{account['account_id']}/token")).status_code == 404
    assert (await refresh(client, app, account["refresh_token"])).status_code == 401
    again = await create_account(client, "ada@example.com")
    assert (again["client_id"], again["client_secret"]) == (
        account["client_id"],
        account["client_secret"],
    )
    assert (await refresh(client, again)).status_code == 200


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert response.json() == {"status": "ok"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_python_dash_m_sandbox_serves_healthz(tmp_path: Path) -> None:
    port = free_port()
    env = os.environ | {"SANDBOX_PORT": "1"}  # the flag wins over the environment
    log = tmp_path / "sandbox.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "sandbox", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        assert healthz_within(url, process, log, seconds=20), log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=10)


def healthz_within(url: str, process: subprocess.Popen[bytes], log: Path, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(url).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    return False
