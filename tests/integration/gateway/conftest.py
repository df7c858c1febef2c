"""The gateway app in-process (lifespan run) against the session's real Postgres and broker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from rollcall.bootstrap import DatabaseLayout
from rollcall.dev.ports import free_port
from services.gateway import usecases
from services.gateway.app import create_app
from services.gateway.projects import create_project
from services.gateway.routes.context import Wiring
from services.gateway.settings import GatewaySettings
from services.gateway.store import calendars as calendar_store
from shared.contracts.envelope import wrap
from shared.contracts.events import Attendee, CalendarEventChanged, Meeting, Person
from shared.ids import new_id
from tests.factories import event_state

PUSH_SECRET = "push-test-secret"


@dataclass
class Tenant:
    project_id: str
    api: httpx.AsyncClient


@dataclass
class Gateway:
    transport: httpx.ASGITransport
    pool: asyncpg.Pool[Any]
    wiring: Wiring

    def client(self, key: str | None = None) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.AsyncClient(
            transport=self.transport, base_url="http://gateway", headers=headers
        )

    async def tenant(self) -> Tenant:
        async with self.pool.acquire() as conn:
            project_id, key = await create_project(conn, f"test-{new_id('t')}")
        return Tenant(project_id, self.client(key))

    async def calendar(self, tenant: Tenant, **fields: Any) -> str:
        calendar_id = new_id("cal")
        async with self.pool.acquire() as conn:
            await calendar_store.insert_calendar(
                conn,
                calendar_id=calendar_id,
                project_id=tenant.project_id,
                provider=fields.get("provider", "caldav"),
                platform_uuid=None,
                metadata=fields.get("metadata", {}),
                deduplication_key=fields.get("deduplication_key"),
                sync_window={"past_days": 1, "future_days": 90},
            )
        return calendar_id

    async def event(self, tenant: Tenant, calendar_id: str, version: int, **fields: Any) -> str:
        start = fields.pop("start", datetime.now(UTC) + timedelta(days=1))
        state = event_state(
            id=fields.pop("id", new_id("evt")),
            calendar_id=calendar_id,
            start_time=start,
            organizer=Person(email="owner@example.com", name=None, is_self=True),
            attendees=tuple(
                Attendee(
                    email=a,
                    name=None,
                    is_self=False,
                    response_status="accepted",
                    is_organizer=False,
                )
                for a in fields.pop("attendees", ())
            ),
            **fields,
        )
        change = CalendarEventChanged(
            calendar_id=calendar_id,
            version=version,
            change="created",
            event=state,
            changed_fields=(),
            previous={},
        )
        async with self.pool.acquire() as conn, conn.transaction():
            await usecases.project_event_change(conn, wrap(change, tenant.project_id), change)
        return state.id


ZOOM = Meeting(
    url="https://zoom.us/j/123", platform="zoom", meeting_id="123", passcode=None, key="zoom:123"
)


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
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield Gateway(httpx.ASGITransport(app=app), app.state.wiring.pool, app.state.wiring)
