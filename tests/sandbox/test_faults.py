"""Injected faults over HTTP (Google's rate-limit and backend error bodies, Retry-After, latency,
dropped pushes) and the provider request log."""

from __future__ import annotations

import time
from typing import Any

import httpx

from sandbox.traffic import RequestLog
from sandbox.world import World
from tests.sandbox.conftest import (
    CALENDAR_LIST,
    FakeClock,
    calendar_list,
    create_account,
    refresh,
)


async def add_fault(client: httpx.AsyncClient, **fault: Any) -> dict[str, Any]:
    response = await client.post("/_admin/faults", json={"provider": "google"} | fault)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def user_token(client: httpx.AsyncClient) -> str:
    account = await create_account(client, "ada@example.com")
    response = await client.post(f"/_admin/accounts/{account['account_id']}/token")
    token: str = response.json()["access_token"]
    return token


async def test_a_rule_is_spent_after_count_requests(client: httpx.AsyncClient) -> None:
    token = await user_token(client)
    await add_fault(client, path="/calendar/v3/users/me/calendarList", status=403, count=2)

    statuses = [(await calendar_list(client, token)).status_code for _ in range(3)]

    assert statuses == [403, 403, 200]
    assert (await client.get("/_admin/faults")).json()["results"] == []


async def test_rate_limit_bodies_are_googles(client: httpx.AsyncClient) -> None:
    token = await user_token(client)
    await add_fault(client, status=403)
    await add_fault(client, status=403, reason="userRateLimitExceeded")
    await add_fault(client, status=429)
    await add_fault(client, status=503)

    bodies = [(await calendar_list(client, token)).json() for _ in range(4)]

    assert bodies[0] == {
        "error": {
            "code": 403,
            "message": "Rate Limit Exceeded",
            "errors": [
                {
                    "domain": "usageLimits",
                    "reason": "rateLimitExceeded",
                    "message": "Rate Limit Exceeded",
                }
            ],
        }
    }
    assert bodies[1]["error"]["errors"][0]["reason"] == "userRateLimitExceeded"
    assert bodies[1]["error"]["message"] == "User Rate Limit Exceeded"
    assert (bodies[2]["error"]["code"], bodies[2]["error"]["errors"][0]["reason"]) == (
        429,
        "rateLimitExceeded",
    )
    assert bodies[3]["error"]["errors"][0]["reason"] == "backendError"


async def test_retry_after_header(client: httpx.AsyncClient) -> None:
    token = await user_token(client)
    await add_fault(client, status=429, retry_after=7)

    response = await calendar_list(client, token)

    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"


async def test_latency_only(client: httpx.AsyncClient) -> None:
    token = await user_token(client)
    await add_fault(client, latency_ms=50)

    started = time.monotonic()
    slow = await calendar_list(client, token)
    slowed = time.monotonic() - started

    assert slow.status_code == 200
    assert slowed >= 0.05
    assert (await client.get("/_admin/faults")).json()["results"] == []


async def test_paths_match_by_segment_with_wildcards(client: httpx.AsyncClient) -> None:
    token = await user_token(client)
    await add_fault(client, path="/calendar/v3/calendars/*/events", status=500, count=5)
    await add_fault(client, path="/google/calendar/v3/users/me/calendarListX", status=500)

    assert (await calendar_list(client, token)).status_code == 200
    events = await client.get("/google/calendar/v3/calendars/primary/events/abc")
    assert events.status_code == 500
    rules = (await client.get("/_admin/faults")).json()["results"]
    assert [(r["path"], r["count"]) for r in rules] == [
        ("/calendar/v3/calendars/*/events", 4),
        ("/calendar/v3/users/me/calendarListX", 1),
    ]


async def test_faults_reach_oauth_endpoints_but_never_admin(client: httpx.AsyncClient) -> None:
    account = await create_account(client, "ada@example.com")
    await add_fault(client, status=503, count=10)

    assert (await client.get("/_admin/faults")).status_code == 200
    assert (await client.get("/healthz")).status_code == 200
    assert (await refresh(client, account)).status_code == 503


async def test_clearing_faults(client: httpx.AsyncClient) -> None:
    token = await user_token(client)
    await add_fault(client, status=500, count=10, drop_push=3)

    cleared = await client.delete("/_admin/faults")

    assert cleared.status_code == 204
    assert (await calendar_list(client, token)).status_code == 200
    assert (await client.get("/_admin/faults")).json() == {"results": [], "push_drops": {}}


async def test_drop_push_is_consumed(client: httpx.AsyncClient, world: World) -> None:
    created = await add_fault(client, drop_push=2)

    assert created == {"id": None, "drop_push": 2}
    assert (await client.get("/_admin/faults")).json()["push_drops"] == {"google": 2}
    assert world.faults.take_push_drop("microsoft") is False
    drops = [world.faults.take_push_drop("google") for _ in range(3)]
    assert drops == [True, True, False]


async def test_fault_refusals(client: httpx.AsyncClient) -> None:
    not_an_error = await client.post("/_admin/faults", json={"provider": "google", "status": 302})
    no_count = await client.post(
        "/_admin/faults", json={"provider": "google", "status": 500, "count": 0}
    )
    unknown = await client.post("/_admin/faults", json={"provider": "aol", "status": 500})

    assert not_an_error.status_code == 422
    assert no_count.status_code == 422
    assert unknown.status_code == 404


async def test_request_log_filters_by_provider_and_skips_admin(
    client: httpx.AsyncClient, clock: FakeClock
) -> None:
    token = await user_token(client)
    await add_fault(client, status=429)
    await calendar_list(client, token)
    await calendar_list(client, token)
    await client.get("/zoom/v2/users/me/meetings")
    await client.get("/healthz")

    google = (await client.get("/_admin/requests", params={"provider": "google"})).json()
    everything = (await client.get("/_admin/requests")).json()
    unknown = await client.get("/_admin/requests", params={"provider": "aol"})

    at = clock.now.isoformat()
    assert google["results"] == [
        {"method": "GET", "path": CALENDAR_LIST, "status": 429, "at": at},
        {"method": "GET", "path": CALENDAR_LIST, "status": 200, "at": at},
    ]
    assert [r["path"] for r in everything["results"]] == [
        CALENDAR_LIST,
        CALENDAR_LIST,
        "/zoom/v2/users/me/meetings",
    ]
    assert unknown.status_code == 404


def test_request_log_is_bounded(clock: FakeClock) -> None:
    log = RequestLog(clock, limit=2)
    for n in range(3):
        log.record("google", "GET", f"/google/{n}", 200)

    assert [e.path for e in log.entries()] == ["/google/1", "/google/2"]


async def test_an_injected_401_looks_like_a_real_one(client: httpx.AsyncClient) -> None:
    token = await user_token(client)
    await add_fault(client, status=401)
    response = await calendar_list(client, token)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer ")
    error = response.json()["error"]
    assert error["status"] == "UNAUTHENTICATED"
    assert error["errors"][0]["location"] == "Authorization"


async def test_faults_on_the_token_endpoint_answer_in_oauths_shape(
    client: httpx.AsyncClient,
) -> None:
    account = await create_account(client, "oauth-fault@example.com")
    await add_fault(client, path="/oauth2/token", status=503, retry_after=2)
    response = await refresh(client, account)
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert response.json() == {
        "error": "temporarily_unavailable",
        "error_description": "Backend Error",
    }
