"""`POST /v1/push/google` against the real read model and outbox: verified channels hint a
sync, anything else publishes nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client import REGISTRY

from services.gateway import usecases
from services.gateway.push_hints import PushHints
from shared.contracts.calendars import CalendarStateChanged, PushChannel
from shared.contracts.envelope import wrap
from shared.push_tokens import channel_token, new_channel_id
from tests.integration.gateway.conftest import PUSH_SECRET, Gateway

pytestmark = pytest.mark.asyncio(loop_scope="session")


def _headers(channel_id: str, token: str | None, state: str = "exists") -> dict[str, str]:
    headers = {
        "X-Goog-Channel-ID": channel_id,
        "X-Goog-Resource-ID": "resource-1",
        "X-Goog-Resource-State": state,
        "X-Goog-Message-Number": "2",
    }
    if token is not None:
        headers["X-Goog-Channel-Token"] = token
    return headers


async def _notify(gateway: Gateway, headers: dict[str, str]) -> httpx.Response:
    async with gateway.client() as client:
        return await client.post("/v1/push/google", headers=headers)


async def _hints(gateway: Gateway, calendar_id: str) -> int:
    count = await gateway.pool.fetchval(
        "SELECT count(*) FROM outbox WHERE key = $1 AND envelope->>'type' = 'sync.hint'",
        calendar_id,
    )
    return int(count)


def _rejected() -> float:
    value = REGISTRY.get_sample_value(
        "rollcall_push_notifications_total", {"provider": "google", "outcome": "rejected"}
    )
    return value or 0.0


async def test_a_verified_notification_publishes_one_push_hint(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    calendar_id = await gateway.calendar(tenant, provider="google")
    channel_id = new_channel_id(calendar_id)
    response = await _notify(gateway, _headers(channel_id, channel_token(PUSH_SECRET, channel_id)))
    assert response.status_code == 200
    assert await _hints(gateway, calendar_id) == 1
    reason = await gateway.pool.fetchval(
        "SELECT envelope->'payload'->>'reason' FROM outbox"
        " WHERE key = $1 AND envelope->>'type' = 'sync.hint'",
        calendar_id,
    )
    assert reason == "push"


async def test_the_sync_message_is_acknowledged_only(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    calendar_id = await gateway.calendar(tenant, provider="google")
    channel_id = new_channel_id(calendar_id)
    token = channel_token(PUSH_SECRET, channel_id)
    response = await _notify(gateway, _headers(channel_id, token, state="sync"))
    assert response.status_code == 200
    assert await _hints(gateway, calendar_id) == 0


async def test_bad_or_missing_tokens_are_refused_counted_and_publish_nothing(
    gateway: Gateway,
) -> None:
    tenant = await gateway.tenant()
    calendar_id = await gateway.calendar(tenant, provider="google")
    channel_id = new_channel_id(calendar_id)
    other = channel_token(PUSH_SECRET, new_channel_id(calendar_id))
    before = _rejected()
    for token in (None, "", other, channel_token("another-secret", channel_id)):
        response = await _notify(gateway, _headers(channel_id, token))
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
    no_calendar = await _notify(gateway, _headers("nodot", channel_token(PUSH_SECRET, "nodot")))
    assert no_calendar.status_code == 401
    assert _rejected() == before + 5
    assert await _hints(gateway, calendar_id) == 0


async def test_channels_of_unknown_deleted_or_other_calendars_publish_nothing(
    gateway: Gateway,
) -> None:
    tenant = await gateway.tenant()
    caldav = await gateway.calendar(tenant)
    deleted = await gateway.calendar(tenant, provider="google")
    assert (await tenant.api.delete(f"/v1/calendars/{deleted}")).status_code == 204
    for calendar_id in (caldav, deleted, "cal_unknown"):
        channel_id = new_channel_id(calendar_id)
        token = channel_token(PUSH_SECRET, channel_id)
        assert (await _notify(gateway, _headers(channel_id, token))).status_code == 200
        assert await _hints(gateway, calendar_id) == 0


async def test_the_calendar_shows_its_push_channel_from_the_state_feed(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    calendar_id = await gateway.calendar(tenant, provider="google")
    shown = (await tenant.api.get(f"/v1/calendars/{calendar_id}")).json()
    assert shown["push"] is None
    expires = datetime(2030, 1, 1, tzinfo=UTC) + timedelta(days=7)
    state = CalendarStateChanged(
        calendar_id=calendar_id,
        version=1,
        provider="google",
        state="connected",
        platform_uuid="owner@example.com",
        name="Work",
        account_email="owner@example.com",
        time_zone="UTC",
        connection_failure_data=None,
        last_attempted_sync_at=None,
        last_successful_sync_at=None,
        push=PushChannel(kind="google_watch", expires_at=expires),
    )
    async with gateway.pool.acquire() as conn:
        await usecases.project_calendar_state(conn, wrap(state, tenant.project_id), state)
    shown = (await tenant.api.get(f"/v1/calendars/{calendar_id}")).json()
    assert shown["push"]["kind"] == "google_watch"
    assert datetime.fromisoformat(shown["push"]["expires_at"]) == expires


async def test_a_flood_is_one_hint_at_once_and_one_trailing_hint(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    calendar_id = await gateway.calendar(tenant, provider="google")
    channel_id = new_channel_id(calendar_id)
    headers = _headers(channel_id, channel_token(PUSH_SECRET, channel_id))
    default = gateway.wiring.push_hints
    gateway.wiring.push_hints = PushHints(gateway.pool, window=0.5)
    try:
        statuses = [(await _notify(gateway, headers)).status_code for _ in range(20)]
        assert statuses == [200] * 20
        assert await _hints(gateway, calendar_id) == 1
        await asyncio.sleep(0.8)
        assert await _hints(gateway, calendar_id) == 2  # the last change is not lost
    finally:
        await gateway.wiring.push_hints.close()
        gateway.wiring.push_hints = default
