"""The public API over the gateway's read models: auth, validation, scoping, lists and filters,
and the projections shown on them (sync issues)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.gateway import usecases
from shared.contracts.envelope import wrap
from shared.contracts.sync_issues import CalendarSyncIssues, SyncIssue
from tests.integration.gateway.conftest import ZOOM, Gateway

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_requests_without_a_valid_key_get_401_problem(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    anonymous = gateway.client()
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer nope-nope-nope"}):
        response = await anonymous.get("/v1/calendars", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 401
    token_scheme = tenant.api.headers["Authorization"].replace("Bearer", "Token")
    ok = await anonymous.get("/v1/calendars", headers={"Authorization": token_scheme})
    assert ok.status_code == 200


async def test_bad_bodies_get_422_with_field_errors(gateway: Gateway) -> None:
    api = (await gateway.tenant()).api
    cases = [
        (
            {"provider": "caldav", "credentials": {"url": "x", "username": "a", "password": "b"}},
            "credentials.url",
        ),
        (
            {"provider": "caldav", "credentials": {"url": "http://h/", "username": "a"}},
            "credentials.password",
        ),
        ({"provider": "caldav", "credentials": {}, "surprise": True}, "surprise"),
        ({"provider": "exchange", "credentials": {}}, "provider"),
        ({"provider": "microsoft", "credentials": {}}, "credentials.client_secret"),
        ({"provider": "google", "credentials": {"client_id": "c"}}, "credentials.refresh_token"),
    ]
    for body, field in cases:
        response = await api.post("/v1/calendars", json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    zoom = await api.post("/v1/calendars", json={"provider": "zoom", "credentials": {}})
    assert "credentials.refresh_token" in {e["field"] for e in zoom.json()["errors"]}
    unknown = await api.post("/v1/calendars", json={"provider": "webex", "credentials": {}})
    assert unknown.status_code == 422
    assert (await api.post("/v1/calendars", content=b"{oops")).status_code == 422


async def test_raw_listing_validates_its_body_per_provider(gateway: Gateway) -> None:
    api = (await gateway.tenant()).api
    cases = [
        (
            {"provider": "apple", "credentials": {"apple_id": "a@b.c"}},
            "credentials.app_specific_password",
        ),
        ({"provider": "apple", "credentials": {"url": "http://h/"}}, "credentials.url"),
        (
            {"provider": "caldav", "credentials": {"url": "x", "username": "a", "password": "b"}},
            "credentials.url",
        ),
        ({"provider": "zoom", "credentials": {}}, "credentials.client_id"),
        ({"provider": "webex", "credentials": {}}, "provider"),
        ({"provider": "caldav", "credentials": {}, "platform_uuid": "x"}, "platform_uuid"),
    ]
    for body, field in cases:
        response = await api.post("/v1/calendars/raw", json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
        assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    apple = {
        "provider": "apple",
        "credentials": {"apple_id": "a@b.c", "app_specific_password": "pw-secret"},
    }
    down = await api.post("/v1/calendars/raw", json=apple)
    assert down.status_code == 503 and "pw-secret" not in down.text


async def test_connector_down_is_a_503_and_nothing_is_stored(gateway: Gateway) -> None:
    api = (await gateway.tenant()).api
    response = await api.post(
        "/v1/calendars",
        json={
            "provider": "caldav",
            "credentials": {
                "url": "http://dav.example.com/",
                "username": "a",
                "password": "secret-pw",
            },
        },
    )
    assert response.status_code == 503
    assert "secret-pw" not in response.text
    assert (await api.get("/v1/calendars")).json()["results"] == []


async def test_duplicate_deduplication_key_is_409_with_the_existing_id(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    existing = await gateway.calendar(tenant, deduplication_key="user-42")
    response = await tenant.api.post(
        "/v1/calendars",
        json={
            "provider": "caldav",
            "deduplication_key": "user-42",
            "credentials": {"url": "http://dav.example.com/", "username": "a", "password": "b"},
        },
    )
    assert response.status_code == 409
    assert response.json()["calendar_id"] == existing


async def test_another_projects_ids_are_404(gateway: Gateway) -> None:
    owner, stranger = await gateway.tenant(), await gateway.tenant()
    calendar_id = await gateway.calendar(owner)
    event_id = await gateway.event(owner, calendar_id, 1)
    assert (await owner.api.get(f"/v1/calendars/{calendar_id}")).status_code == 200
    assert (await owner.api.get(f"/v1/calendar_events/{event_id}")).status_code == 200
    for method, path in [
        ("GET", f"/v1/calendars/{calendar_id}"),
        ("PATCH", f"/v1/calendars/{calendar_id}"),
        ("DELETE", f"/v1/calendars/{calendar_id}"),
        ("POST", f"/v1/calendars/{calendar_id}/resync"),
        ("GET", f"/v1/calendar_events/{event_id}"),
    ]:
        response = await stranger.api.request(method, path, json={} if method == "PATCH" else None)
        assert response.status_code == 404, (method, path)
    assert (await stranger.api.get("/v1/calendar_events", params={"when": "all"})).json()[
        "results"
    ] == []
    assert (await stranger.api.post("/v1/calendars/resync")).json() == {"calendar_ids": []}


async def test_calendar_list_is_newest_first_with_stable_cursors(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    ids = [await gateway.calendar(tenant, metadata={"n": str(i)}) for i in range(5)]
    first = (await tenant.api.get("/v1/calendars", params={"limit": 2})).json()
    assert [c["id"] for c in first["results"]] == ids[::-1][:2]
    await gateway.calendar(tenant)  # a concurrent insert does not shift later pages
    second = (
        await tenant.api.get("/v1/calendars", params={"limit": 2, "cursor": first["next"]})
    ).json()
    assert [c["id"] for c in second["results"]] == ids[::-1][2:4]
    one = first["results"][0]
    assert one["state"] == "connecting" and one["event_count"] == 0
    assert one["sync_window"] == {"past_days": 1, "future_days": 90}
    assert one["created_at"].endswith("Z")
    assert (await tenant.api.get("/v1/calendars", params={"limit": 501})).status_code == 422


async def test_event_filters_and_when(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    calendar_id = await gateway.calendar(tenant)
    now = datetime.now(UTC)
    await gateway.event(tenant, calendar_id, 1, title="Past sync", start=now - timedelta(days=2))
    await gateway.event(
        tenant,
        calendar_id,
        2,
        title="Zoom review",
        meeting=ZOOM,
        attendees=("Carol@Example.com",),
        description="quarterly numbers",
    )
    await gateway.event(tenant, calendar_id, 3, title="Gone", is_deleted=True)
    await gateway.event(
        tenant, calendar_id, 4, title="Tentative", status="tentative", start=now + timedelta(days=3)
    )

    async def titles(**params: str) -> list[str]:
        response = await tenant.api.get(
            "/v1/calendar_events", params={"calendar_id": calendar_id, **params}
        )
        assert response.status_code == 200, response.text
        return [e["title"] for e in response.json()["results"]]

    assert await titles() == ["Zoom review", "Tentative"]
    assert await titles(when="past") == ["Past sync"]
    assert await titles(when="all") == ["Past sync", "Zoom review", "Tentative"]
    assert await titles(when="all", ordering="-start_time") == [
        "Tentative",
        "Zoom review",
        "Past sync",
    ]
    assert await titles(has_meeting="true") == ["Zoom review"]
    assert await titles(has_meeting="false", when="all") == ["Past sync", "Tentative"]
    assert await titles(platform="zoom") == ["Zoom review"]
    assert await titles(attendee_email="carol@example.com") == ["Zoom review"]
    assert await titles(q="QUARTERLY") == ["Zoom review"]
    assert await titles(status="tentative") == ["Tentative"]
    assert await titles(include_deleted="true") == ["Zoom review", "Gone", "Tentative"]
    assert await titles(organizer_email="OWNER@example.com") == ["Zoom review", "Tentative"]
    bad = await tenant.api.get("/v1/calendar_events", params={"when": "someday"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "when"
    naive = await tenant.api.get(
        "/v1/calendar_events", params={"start_time_gte": "2026-01-01T00:00"}
    )
    assert naive.status_code == 422


async def test_an_older_version_never_overwrites_a_newer_one(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    calendar_id = await gateway.calendar(tenant)
    event_id = await gateway.event(tenant, calendar_id, 7, title="Newest")
    await gateway.event(tenant, calendar_id, 5, id=event_id, title="Stale replay")
    event = (await tenant.api.get(f"/v1/calendar_events/{event_id}")).json()
    assert event["title"] == "Newest"
    assert event["bot"] is None and event["auto_join"]["decision"] == "skip"
    assert "raw_truncated" not in event


async def test_sync_issues_show_on_the_calendar_newest_first_wins(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    calendar_id = await gateway.calendar(tenant)
    since = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
    issue = SyncIssue(
        provider_object_id="flood.ics",
        reason="unsupported_frequency",
        message="FREQ=MINUTELY series are not expanded",
        since=since,
    )
    for version, issues in ((3, (issue,)), (2, ())):  # the replay of an older view is ignored
        message = CalendarSyncIssues(
            calendar_id=calendar_id, version=version, issues=issues, total=len(issues)
        )
        async with gateway.pool.acquire() as conn:
            await usecases.project_sync_issues(conn, wrap(message, tenant.project_id), message)
    calendar = (await tenant.api.get(f"/v1/calendars/{calendar_id}")).json()
    assert calendar["sync_issue_count"] == 1
    assert calendar["sync_issues"] == [
        {
            "provider_object_id": "flood.ics",
            "reason": "unsupported_frequency",
            "message": "FREQ=MINUTELY series are not expanded",
            "since": "2026-11-22T09:30:00Z",
        }
    ]
    fresh = await gateway.calendar(tenant)
    shown = (await tenant.api.get(f"/v1/calendars/{fresh}")).json()
    assert shown["sync_issues"] == [] and shown["sync_issue_count"] == 0


async def test_delete_hides_the_calendar_and_its_events_at_once(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    calendar_id = await gateway.calendar(tenant)
    event_id = await gateway.event(tenant, calendar_id, 1)
    assert (await tenant.api.delete(f"/v1/calendars/{calendar_id}")).status_code == 204
    assert (await tenant.api.get(f"/v1/calendars/{calendar_id}")).status_code == 404
    assert (await tenant.api.get(f"/v1/calendar_events/{event_id}")).status_code == 404
    assert (await tenant.api.delete(f"/v1/calendars/{calendar_id}")).status_code == 404
    command = await gateway.pool.fetchval(
        "SELECT envelope->>'type' FROM outbox WHERE key = $1 ORDER BY id DESC LIMIT 1", calendar_id
    )
    assert command == "calendar.delete"


async def test_the_syncers_deletions_after_a_delete_leave_nothing(gateway: Gateway) -> None:
    """The syncer announces each event of a deleted calendar as `deleted`; the gateway removed
    them on DELETE already and ignores changes of a calendar it no longer shows."""
    tenant = await gateway.tenant()
    calendar_id = await gateway.calendar(tenant)
    event_id = await gateway.event(tenant, calendar_id, 1)
    assert (await tenant.api.delete(f"/v1/calendars/{calendar_id}")).status_code == 204
    await gateway.event(tenant, calendar_id, 2, id=event_id, is_deleted=True)
    await gateway.event(tenant, calendar_id, 3, is_deleted=True)
    count = await gateway.pool.fetchval(
        "SELECT count(*) FROM events WHERE calendar_id = $1", calendar_id
    )
    assert count == 0


async def test_resync_enqueues_a_command_per_calendar(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    ids = {await gateway.calendar(tenant) for _ in range(2)}
    response = await tenant.api.post("/v1/calendars/resync")
    assert response.status_code == 202 and set(response.json()["calendar_ids"]) == ids
    one = next(iter(ids))
    assert (await tenant.api.post(f"/v1/calendars/{one}/resync")).status_code == 202
    count = await gateway.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE key = $1 AND envelope->>'type' = 'calendar.resync'", one
    )
    assert count == 2


async def test_patch_updates_the_window_and_sends_it_to_the_connector(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    calendar_id = await gateway.calendar(tenant)
    window = {"past_days": 3, "future_days": 30}

    response = await tenant.api.patch(f"/v1/calendars/{calendar_id}", json={"sync_window": window})

    assert response.status_code == 200 and response.json()["sync_window"] == window
    payload = await gateway.pool.fetchval(
        "SELECT envelope->'payload' FROM outbox WHERE key = $1"
        " AND envelope->>'type' = 'calendar.connect'",
        calendar_id,
    )
    assert payload["sync_window"] == window
    bad = await tenant.api.patch(
        f"/v1/calendars/{calendar_id}", json={"sync_window": {"past_days": -1, "future_days": 0}}
    )
    assert bad.status_code == 422
    assert {"sync_window.past_days", "sync_window.future_days"} <= {
        e["field"] for e in bad.json()["errors"]
    }
    misspelt = await tenant.api.patch(
        f"/v1/calendars/{calendar_id}", json={"sync_window": {"past_days": 3, "futur_days": 9}}
    )
    assert misspelt.status_code == 422
    assert "sync_window.futur_days" in {e["field"] for e in misspelt.json()["errors"]}
    down = await tenant.api.patch(
        f"/v1/calendars/{calendar_id}",
        json={"credentials": {"url": "http://h/", "username": "a", "password": "pw-secret-1"}},
    )
    assert down.status_code == 503 and "pw-secret-1" not in down.text  # the connector is down


async def test_openapi_and_metrics_are_served(gateway: Gateway) -> None:
    client = gateway.client()
    spec = (await client.get("/openapi.json")).json()
    assert {"/v1/calendars", "/v1/calendar_events", "/v1/calendars/{calendar_id}"} <= set(
        spec["paths"]
    )
    assert (await client.get("/metrics")).status_code == 200


async def test_a_request_id_is_echoed_and_carried_into_the_commands_it_enqueues(
    gateway: Gateway,
) -> None:
    tenant = await gateway.tenant()
    calendar_id = await gateway.calendar(tenant)
    response = await tenant.api.post(
        f"/v1/calendars/{calendar_id}/resync", headers={"X-Request-Id": "req-123"}
    )
    assert response.headers["x-request-id"] == "req-123"
    carried = await gateway.pool.fetchval(
        "SELECT envelope->>'correlation_id' FROM outbox WHERE key = $1", calendar_id
    )
    assert carried == "req-123"
    minted = await tenant.api.get("/v1/calendars", headers={"X-Request-Id": "bad id with spaces"})
    assert len(minted.headers["x-request-id"]) == 32


async def test_each_dev_start_replaces_the_generated_key(gateway: Gateway) -> None:
    from services.gateway.projects import ensure_dev_project

    async with gateway.pool.acquire() as conn:
        project, first = await ensure_dev_project(conn, None)
        again, second = await ensure_dev_project(conn, None)
        same, fixed = await ensure_dev_project(conn, "rk_fixed_dev_key_for_tests")
    assert project == again == same and first != second
    assert (await gateway.client(first).get("/v1/calendars")).status_code == 401
    assert (await gateway.client(second).get("/v1/calendars")).status_code == 200  # fixed: kept
    assert (await gateway.client(fixed).get("/v1/calendars")).status_code == 200


async def test_readyz_is_503_while_another_service_is_not_ready(gateway: Gateway) -> None:
    response = await gateway.client().get("/readyz")
    assert response.status_code == 503  # nothing answers at the connector, syncer, scheduler URLs
    checks = response.json()["checks"]
    assert checks["database"] and checks["outbox_relay"] and not checks["connector"]
    assert (await gateway.client().get("/healthz")).status_code == 200


async def test_oversized_bodies_and_unknown_routes_get_problems(gateway: Gateway) -> None:
    api = (await gateway.tenant()).api
    huge = {"provider": "caldav", "credentials": {}, "metadata": {"x": "y" * 2_000_000}}
    response = await api.post("/v1/calendars", json=huge)
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    missing = await api.get("/v1/nothing-here")
    assert missing.status_code == 404 and missing.json()["status"] == 404
    wrong = await api.put("/v1/calendars")
    assert wrong.status_code == 405 and wrong.headers["content-type"] == "application/problem+json"


async def test_rate_limits_answer_429_with_retry_after(gateway: Gateway) -> None:
    from services.gateway.domain.rate_limit import RateLimiter

    tenant = await gateway.tenant()
    saved = gateway.wiring.per_key, gateway.wiring.failed_auth
    gateway.wiring.per_key, gateway.wiring.failed_auth = RateLimiter(1, 3), RateLimiter(1, 3)
    try:
        statuses = [(await tenant.api.get("/v1/calendars")).status_code for _ in range(5)]
        assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
        limited = await tenant.api.get("/v1/calendars")
        assert int(limited.headers["Retry-After"]) >= 1
        assert limited.headers["content-type"] == "application/problem+json"
        guesses = [
            (await gateway.client(f"rk_guess_{n:020d}").get("/v1/calendars")).status_code
            for n in range(6)
        ]
        assert guesses.count(401) == 3 and guesses.count(429) == 3  # brute force is throttled
    finally:
        gateway.wiring.per_key, gateway.wiring.failed_auth = saved


async def test_an_idempotency_key_replays_the_first_response(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    calendar_id = await gateway.calendar(tenant)
    path = f"/v1/calendars/{calendar_id}/resync"
    first = await tenant.api.post(path, headers={"Idempotency-Key": "k-1"})
    again = await tenant.api.post(path, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    commands = await gateway.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE key = $1 AND envelope->>'type' = 'calendar.resync'",
        calendar_id,
    )
    assert commands == 1  # the replay did not run the request again
    other = await tenant.api.post("/v1/calendars/resync", headers={"Idempotency-Key": "k-1"})
    assert other.status_code == 422 and other.json()["type"] == "/problems/idempotency"
    stranger = await gateway.tenant()  # keys are per project
    assert (
        await stranger.api.post("/v1/calendars/resync", headers={"Idempotency-Key": "k-1"})
    ).status_code == 202


async def test_a_failed_request_frees_its_idempotency_key(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    body = {
        "provider": "caldav",
        "credentials": {"url": "http://dav.example.com/", "username": "a", "password": "b"},
    }
    for _ in range(2):  # the connector is down: each try runs (503), none is replayed
        response = await tenant.api.post(
            "/v1/calendars", json=body, headers={"Idempotency-Key": "k-503"}
        )
        assert response.status_code == 503 and "idempotent-replayed" not in response.headers
