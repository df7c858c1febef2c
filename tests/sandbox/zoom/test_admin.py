"""The shared admin API for provider `zoom`: accounts, grants, tokens, revoke, faults in Zoom's
error shapes, the request log, deterministic seeding, sync-token expiry (none) and reset."""

from __future__ import annotations

import base64
from typing import Any

import httpx

from sandbox.zoom import ZoomBackend
from tests.sandbox.zoom.conftest import (
    API,
    WebhookEndpoint,
    bearer,
    configure,
    create_account,
    poll_until,
    user,
)

MEETINGS = f"{API}/users/me/meetings"


async def fault(client: httpx.AsyncClient, **rule: Any) -> None:
    response = await client.post("/_admin/faults", json={"provider": "zoom"} | rule)
    assert response.status_code == 201, response.text


async def test_accounts_grants_and_tokens(client: httpx.AsyncClient, backend: ZoomBackend) -> None:
    account = await create_account(client, "ada@example.com")
    assert (account["provider"], account["client_id"], account["client_secret"]) == (
        "zoom",
        "sandbox-zoom-client",
        "sandbox-zoom-secret",
    )
    assert account["account_id"] in backend.store.users  # the backend made the Zoom user
    duplicate = await client.post(
        "/_admin/accounts", json={"provider": "zoom", "email": "ADA@example.com"}
    )
    assert duplicate.status_code == 409
    grant = await client.post(f"/_admin/accounts/{account['account_id']}/grant")
    basic = base64.b64encode(b"sandbox-zoom-client:sandbox-zoom-secret").decode()
    refreshed = await client.post(
        "/zoom/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": grant.json()["refresh_token"]},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert refreshed.status_code == 200
    headers = await bearer(client, account)
    assert (await client.get(f"{API}/users/me", headers=headers)).status_code == 200
    revoked = await client.post(
        f"/_admin/accounts/{account['account_id']}/revoke", json={"reason": "expired"}
    )
    assert revoked.json() == {"revoked": 2}
    assert (await client.get(f"{API}/users/me", headers=headers)).status_code == 401


async def test_rate_limit_faults_answer_like_zoom(client: httpx.AsyncClient) -> None:
    _, headers = await user(client, "ada@example.com")
    await fault(client, path="/v2/users/me/meetings", status=429, retry_after=2)
    limited = await client.get(MEETINGS, headers=headers)
    assert limited.status_code == 429
    assert limited.json() == {
        "code": 429,
        "message": "You have reached the maximum per-second rate limit for this API. "
        "Try again later.",
    }
    assert limited.headers["x-ratelimit-category"] == "Medium"
    assert limited.headers["x-ratelimit-type"] == "QPS"
    assert limited.headers["retry-after"] == "2"
    await fault(client, status=429, reason="daily")
    daily = await client.get(MEETINGS, headers=headers)
    assert daily.headers["x-ratelimit-type"] == "Daily-limit"
    assert "daily rate limit" in daily.json()["message"]
    assert (await client.get(MEETINGS, headers=headers)).status_code == 200


async def test_other_faults_answer_in_zoom_shapes(client: httpx.AsyncClient) -> None:
    account, headers = await user(client, "ada@example.com")
    await fault(client, path="/zoom/v2/meetings/*", status=503)
    await fault(client, path="/v2/users/me", status=401, count=1)
    await fault(client, path="/oauth/token", status=500)
    unavailable = await client.get(f"{API}/meetings/123", headers=headers)
    assert (unavailable.status_code, unavailable.json()) == (
        503,
        {"code": 503, "message": "Service Unavailable"},
    )
    unauthorized = await client.get(f"{API}/users/me", headers=headers)
    assert unauthorized.json() == {"code": 124, "message": "Invalid access token."}
    oauth = await client.post("/zoom/oauth/token", data={})
    assert (oauth.status_code, oauth.json()) == (
        500,
        {"reason": "Internal Server Error", "error": "server_error"},
    )
    log = (await client.get("/_admin/requests", params={"provider": "zoom"})).json()["results"]
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("GET", f"{API}/meetings/123", 503),
        ("GET", f"{API}/users/me", 401),
        ("POST", "/zoom/oauth/token", 500),
    ]
    assert account["account_id"]


async def test_seeding_is_deterministic(client: httpx.AsyncClient) -> None:
    async def seeded() -> tuple[dict[str, Any], list[dict[str, Any]]]:
        account, headers = await user(client, "ada@example.com")
        summary = await client.post(
            "/_admin/seed",
            json={
                "provider": "zoom",
                "account_id": account["account_id"],
                "calendars": 3,  # Zoom has no calendars: ignored
                "events_per_calendar": 50,
                "recurring_share": 0.2,
                "seed": 7,
            },
        )
        assert summary.status_code == 200, summary.text
        page = await client.get(MEETINGS, params={"page_size": 300}, headers=headers)
        meetings: list[dict[str, Any]] = page.json()["meetings"]
        return summary.json(), meetings

    first_summary, first = await seeded()
    assert first_summary["meetings"] == 50
    assert 0 < first_summary["recurring"] < 50
    assert len(first) == 50
    assert {m["type"] for m in first} == {2, 8}
    assert (await client.post("/_admin/reset")).status_code == 204
    second_summary, second = await seeded()
    assert second_summary == first_summary
    keys = ("id", "uuid", "topic", "start_time", "duration", "timezone", "join_url")
    assert [{k: m[k] for k in keys} for m in second] == [{k: m[k] for k in keys} for m in first]


async def test_sync_tokens_do_not_exist(client: httpx.AsyncClient) -> None:
    expired = await client.post("/_admin/sync_tokens/expire", json={"provider": "zoom"})
    assert expired.json() == {"expired": 0}


async def test_reset_forgets_meetings_and_webhooks(
    client: httpx.AsyncClient, backend: ZoomBackend, endpoint: WebhookEndpoint
) -> None:
    _, headers = await user(client, "ada@example.com")
    await client.post(MEETINGS, json={}, headers=headers)
    assert (await configure(client, "sandbox-zoom-client", endpoint.url)).status_code == 200
    assert (await client.post("/_admin/reset")).status_code == 204
    assert backend.store.meetings == {} and backend.store.users == {}
    assert (await client.get("/_admin/apps/sandbox-zoom-client/webhook")).status_code == 404
    assert (await client.get(f"{API}/users/me", headers=headers)).status_code == 401
    again, headers = await user(client, "ada@example.com")
    assert again["client_secret"] == "sandbox-zoom-secret"
    await client.post(MEETINGS, json={}, headers=headers)
    await poll_until(backend.hub.idle)  # every queued delivery finished
    assert endpoint.events == []  # nothing is sent to the forgotten endpoint
