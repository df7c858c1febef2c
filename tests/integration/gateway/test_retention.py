"""Retention pruning of the gateway's event read model: what ended before the cutoff and
before the calendar's sync window goes, in batches, and the API no longer lists it.

The app runs with a century of retention, so its own pass at startup leaves these tests'
events alone; the tests prune with a `now` in the last century (each in its own year, so
they never reach the events of other tests).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from rollcall.bootstrap import DatabaseLayout
from rollcall.dev.ports import free_port
from services.gateway import retention
from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from services.gateway.store import calendars as calendar_store
from services.gateway.store import events as event_store
from tests.integration.gateway.conftest import PUSH_SECRET, Gateway, Tenant


@pytest.fixture(scope="module")
async def gateway(
    database: DatabaseLayout, broker_settings: dict[str, Any]
) -> AsyncIterator[Gateway]:
    settings = GatewaySettings(
        GATEWAY_DATABASE_URL=database.dsns["gateway"],
        **broker_settings,
        GATEWAY_CONNECTOR_URL=f"http://127.0.0.1:{free_port()}",  # nothing listens there
        ROLLCALL_INTERNAL_TOKEN="internal-test-token",
        ROLLCALL_PUSH_SECRET=PUSH_SECRET,
        GATEWAY_EVENT_RETENTION_DAYS=36_500,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield Gateway(httpx.ASGITransport(app=app), app.state.wiring.pool, app.state.wiring)


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, tzinfo=UTC)


async def _titles(tenant: Tenant, calendar_id: str) -> list[str]:
    params = {"calendar_id": calendar_id, "when": "all", "include_deleted": "true"}
    response = await tenant.api.get("/v1/calendar_events", params=params)
    assert response.status_code == 200, response.text
    return [e["title"] for e in response.json()["results"]]


async def test_events_that_ended_before_the_cutoff_leave_the_api(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    cal = await gateway.calendar(tenant)  # past_days 1
    now = _at(1980, 3, 1)
    await gateway.event(tenant, cal, 1, title="Old", start=now - timedelta(days=31))
    await gateway.event(
        tenant, cal, 2, title="Gone", start=now - timedelta(days=40), is_deleted=True
    )
    await gateway.event(tenant, cal, 3, title="Recent", start=now - timedelta(days=29))
    assert await _titles(tenant, cal) == ["Gone", "Old", "Recent"]

    await retention.prune(gateway.pool, now, 30)

    assert await _titles(tenant, cal) == ["Recent"]


async def test_pruning_never_reaches_into_the_calendars_window(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    cal = await gateway.calendar(tenant)
    async with gateway.pool.acquire() as conn:
        window = {"past_days": 60, "future_days": 90}
        await calendar_store.update_sync_window(conn, tenant.project_id, cal, window)
    now = _at(1981, 6, 1)
    await gateway.event(tenant, cal, 1, title="Before the window", start=now - timedelta(days=62))
    await gateway.event(tenant, cal, 2, title="In the window", start=now - timedelta(days=59))

    await retention.prune(gateway.pool, now, 30)

    assert await _titles(tenant, cal) == ["In the window"]


async def test_pruning_goes_in_batches(gateway: Gateway) -> None:
    tenant = await gateway.tenant()
    cal = await gateway.calendar(tenant)
    now = _at(1982, 6, 1)
    await retention.prune(gateway.pool, now, 30)  # what earlier tests left before the cutoff
    for day in range(5):
        await gateway.event(
            tenant, cal, day + 1, title=f"d{day}", start=now - timedelta(days=40 + day)
        )

    async with gateway.pool.acquire() as conn, conn.transaction():
        assert await event_store.prune_ended_events(conn, now, 30, 2) == 2
    assert len(await _titles(tenant, cal)) == 3

    assert await retention.prune(gateway.pool, now, 30, batch=2) == 3
    assert await _titles(tenant, cal) == []
