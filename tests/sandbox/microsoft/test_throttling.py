"""Throttling (providers.md §2.6): injected faults answer in Graph's error shape on API paths and
as AADSTS bodies on the login endpoints, with `Retry-After`; and the real concurrency cap per
mailbox, made deterministic by stalling the mailbox so admitted requests stay in flight."""

from __future__ import annotations

import asyncio

import pytest

from sandbox.settings import SandboxSettings
from tests.sandbox.microsoft.conftest import API, TOKEN_URL, Sandbox, poll_until


async def fault(sandbox: Sandbox, **rule: object) -> None:
    response = await sandbox.client.post("/_admin/faults", json={"provider": "microsoft", **rule})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("status", "reason", "code"),
    [
        (429, None, "TooManyRequests"),
        (429, "ApplicationThrottled", "ApplicationThrottled"),
        (503, None, "ServiceNotAvailable"),
        (500, None, "UnknownError"),
        (504, None, "GatewayTimeout"),
    ],
)
async def test_injected_graph_faults(
    sandbox: Sandbox, status: int, reason: str | None, code: str
) -> None:
    user = await sandbox.user()
    await fault(sandbox, path="/v1.0/me/events", status=status, reason=reason, retry_after=7)
    response = await sandbox.client.get(f"{API}/me/events", headers=user.headers)
    assert response.status_code == status
    assert response.headers["retry-after"] == "7"
    error = response.json()["error"]
    assert error["code"] == code
    assert {"date", "request-id", "client-request-id"} <= set(error["innerError"])
    assert (await sandbox.client.get(f"{API}/me/events", headers=user.headers)).status_code == 200


async def test_throttled_concurrency_message(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    await fault(sandbox, status=429, reason="ApplicationThrottled")
    response = await sandbox.client.get(f"{API}/me", headers=user.headers)
    assert (
        response.json()["error"]["message"] == "Application is over its MailboxConcurrency limit."
    )


async def test_injected_login_faults_are_aadsts_shaped(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    await fault(sandbox, path="/login/common/oauth2/v2.0/token", status=503, retry_after=3)
    response = await sandbox.client.post(
        TOKEN_URL,
        data={
            "grant_type": "refresh_token",
            "client_id": user.client_id,
            "client_secret": user.client_secret,
            "refresh_token": user.refresh_token,
        },
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "3"
    body = response.json()
    assert body["error"] == "temporarily_unavailable"
    assert body["error_codes"] == [90033]
    assert body["error_description"].startswith("AADSTS90033: ")


async def test_the_mailbox_concurrency_cap(sandbox: Sandbox) -> None:
    ada = await sandbox.user("ada@example.com")
    grace = await sandbox.user("grace@example.com")
    stall = f"/_admin/microsoft/mailboxes/{ada.account_id}/stall"
    assert (await sandbox.client.post(stall)).status_code == 204
    held = [
        asyncio.create_task(sandbox.client.get(f"{API}/me/events", headers=ada.headers))
        for _ in range(4)
    ]
    await poll_until(lambda: sandbox.backend.gate.in_flight(ada.account_id) == 4)
    refused = await sandbox.client.get(f"{API}/me/calendars", headers=ada.headers)
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert refused.json()["error"]["code"] == "ApplicationThrottled"
    assert refused.json()["error"]["message"] == "Application is over its MailboxConcurrency limit."
    other = await sandbox.client.get(f"{API}/me/events", headers=grace.headers)
    assert other.status_code == 200  # the limit is per mailbox
    released = await sandbox.client.delete(stall)
    assert released.json()["released"] is True
    assert [r.status_code for r in await asyncio.gather(*held)] == [200, 200, 200, 200]
    assert sandbox.backend.gate.in_flight(ada.account_id) == 0
    assert (await sandbox.client.get(f"{API}/me/events", headers=ada.headers)).status_code == 200


@pytest.mark.parametrize(
    "settings", [SandboxSettings(microsoft_mailbox_concurrency=1)], indirect=True
)
async def test_the_cap_is_a_setting(sandbox: Sandbox) -> None:
    user = await sandbox.user()
    await sandbox.client.post(f"/_admin/microsoft/mailboxes/{user.account_id}/stall")
    held = asyncio.create_task(sandbox.client.get(f"{API}/me", headers=user.headers))
    await poll_until(lambda: sandbox.backend.gate.in_flight(user.account_id) == 1)
    assert (await sandbox.client.get(f"{API}/me", headers=user.headers)).status_code == 429
    await sandbox.client.delete(f"/_admin/microsoft/mailboxes/{user.account_id}/stall")
    assert (await held).status_code == 200


async def test_stalling_an_unknown_mailbox_is_404(sandbox: Sandbox) -> None:
    assert (await sandbox.client.post("/_admin/microsoft/mailboxes/nope/stall")).status_code == 404
