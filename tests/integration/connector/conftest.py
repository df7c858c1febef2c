"""Connector integration fixtures: its schema in a real Postgres, a real Radicale, helpers that
drive the use cases and the sync worker the way Kafka and the worker loop would.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from caldav.davclient import DAVClient

from rollcall.bootstrap import DatabaseLayout
from services.connector import app as composition
from services.connector import connecting, handlers, syncing
from services.connector.credentials import Sealed, associated_data
from services.connector.oauth.grants import GrantTokenCache
from services.connector.providers.base import GrantRef, HoldsThreads
from services.connector.settings import ConnectorSettings
from services.connector.ssrf import UrlGuard
from shared.contracts.calendars import CalendarStateChanged
from shared.contracts.connections import ConnectCalendar, Provider, ResyncCalendar, SyncWindow
from shared.contracts.envelope import Envelope, Payload, wrap
from shared.contracts.provider import ProviderChangesFetched
from shared.db.pool import create_pool
from tests.integration.connector.sandbox_providers import (
    LIMITS,
    InProcessSandbox,
    in_process_sandbox,
)
from tests.servers import Radicale

INTERNAL_TOKEN = "internal-test-token"
PROJECT = "prj_test"


def connector_settings(**overrides: Any) -> ConnectorSettings:
    key = base64.b64encode(os.urandom(32)).decode()
    values: dict[str, Any] = {
        "encryption_keys": f"k1:{key}",
        "active_key_id": "k1",
        "allow_loopback_urls": True,
        "internal_token": INTERNAL_TOKEN,
        "provider_timeout_seconds": 5,
        "poll_interval_seconds": 300,
        **overrides,
    }
    return ConnectorSettings.model_validate(values)


@pytest.fixture(scope="session")
async def pool(database: DatabaseLayout) -> AsyncIterator[asyncpg.Pool[Any]]:
    created = await create_pool(database.dsns["connector"], "connector")
    yield created
    await created.close()


@pytest.fixture(autouse=True)
async def _empty_tables(pool: asyncpg.Pool[Any]) -> None:
    await pool.execute(
        "TRUNCATE connections, grants, outbox, inbox, push_channel_stops, oauth_apps,"
        " oauth_app_versions, oauth_authorizations"
    )


@dataclass
class Connector:
    """The connector's use cases, wired like `app.py` does, with time that never waits."""

    pool: asyncpg.Pool[Any]
    settings: ConnectorSettings
    sleeps: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.keyring = composition.keyring_of(self.settings)
        self.providers = composition.providers_of(self.settings, self.keyring, lambda: self.pool)
        self.registrar = connecting.Registrar(
            pool=lambda: self.pool,
            keyring=self.keyring,
            guard=UrlGuard(allow_loopback=self.settings.loopback_allowed()),
            providers=self.providers,
        )

        async def no_wait(seconds: float) -> None:
            self.sleeps.append(seconds)

        self.sync = syncing.SyncContext(
            pool=self.pool,
            keyring=self.keyring,
            providers=self.providers,
            poll_interval_seconds=self.settings.poll_interval_seconds,
            sleep=no_wait,
        )

    async def register(
        self,
        calendar_id: str,
        credentials: dict[str, Any],
        platform_uuid: str | None = None,
        provider: str = "caldav",
    ) -> None:
        await self.registrar.register(
            connecting.Submission(PROJECT, calendar_id, provider, credentials, platform_uuid)
        )

    async def deliver(self, command: Payload) -> None:
        """What the inbox consumer does: run the type's handler in one transaction."""
        envelope = wrap(command, PROJECT)
        async with self.pool.acquire() as conn, conn.transaction():
            await handlers.HANDLERS[envelope.type](conn, envelope, command)

    async def connect(
        self, calendar_id: str, platform_uuid: str | None = None, provider: Provider = "caldav"
    ) -> None:
        await self.deliver(
            ConnectCalendar(
                calendar_id=calendar_id,
                provider=provider,
                platform_uuid=platform_uuid,
                sync_window=SyncWindow(past_days=7, future_days=30),
            )
        )

    async def run_syncs(self) -> int:
        """Run due syncs until none is left; returns how many ran."""
        ran = 0
        while await syncing.sync_next(self.sync):
            ran += 1
        return ran

    async def messages(self, type_: str) -> list[Envelope]:
        rows = await self.pool.fetch(
            "SELECT envelope FROM outbox WHERE envelope->>'type' = $1 ORDER BY id", type_
        )
        return [Envelope.model_validate(row["envelope"]) for row in rows]

    async def pages(self) -> list[ProviderChangesFetched]:
        """Every `provider.changes` page published so far, in order."""
        found = await self.messages(ProviderChangesFetched.TYPE)
        return [ProviderChangesFetched.model_validate(e.payload) for e in found]

    async def last_state(self) -> CalendarStateChanged:
        found = await self.messages(CalendarStateChanged.TYPE)
        return CalendarStateChanged.model_validate(found[-1].payload)

    async def resync(self, calendar_id: str) -> list[ProviderChangesFetched]:
        """Ask for a sync, run it; the pages it published."""
        before = len(await self.pages())
        await self.deliver(ResyncCalendar(calendar_id=calendar_id))
        await self.run_syncs()
        return (await self.pages())[before:]

    async def grant_ref(self, calendar_id: str, provider: str) -> GrantRef:
        grant_id = await self.pool.fetchval(
            "SELECT grant_id FROM connections WHERE calendar_id = $1", calendar_id
        )
        return GrantRef(PROJECT, grant_id, provider)

    async def stored_refresh_token(self, grant: GrantRef) -> str:
        """The refresh token the grant holds now (rotating providers replace it)."""
        row = await self.pool.fetchrow(
            "SELECT key_id, ciphertext FROM grants WHERE id = $1", grant.grant_id
        )
        assert row is not None
        sealed = Sealed(row["key_id"], bytes(row["ciphertext"]))
        aad = associated_data(grant.project_id, grant.grant_id, grant.provider)
        token: str = json.loads(self.keyring.open(sealed, aad))["refresh_token"]
        return token

    async def row(self, calendar_id: str) -> asyncpg.Record:
        found = await self.pool.fetchrow(
            "SELECT * FROM connections WHERE calendar_id = $1", calendar_id
        )
        assert isinstance(found, asyncpg.Record)
        return found


@pytest.fixture
def connector(pool: asyncpg.Pool[Any]) -> Iterator[Connector]:
    wired = Connector(pool, connector_settings())
    yield wired
    for provider in wired.providers.values():
        if isinstance(provider, HoldsThreads):
            provider.close()


@pytest.fixture
async def sandbox(connector: Connector) -> AsyncIterator[InProcessSandbox]:
    """The provider sandbox in-process, the connector's Google, Microsoft and Zoom providers
    talking to it."""
    async with in_process_sandbox() as running:
        tokens = GrantTokenCache(lambda: connector.pool, connector.keyring, LIMITS)
        connector.providers["google"] = running.google(tokens)
        connector.providers["microsoft"] = running.microsoft(tokens)
        connector.providers["zoom"] = running.zoom(tokens)
        yield running


def credentials(
    radicale: Radicale, user: str = "alice", password: str | None = None
) -> dict[str, str]:
    return {"url": radicale.url, "username": user, "password": password or radicale.users[user]}


def event_text(uid: str, summary: str, days_ahead: int = 2) -> str:
    """An hour-long event `days_ahead` days from now (inside the tests' sync window)."""
    day = (datetime.now(UTC) + timedelta(days=days_ahead)).strftime("%Y%m%d")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rollcall tests//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:{day}T100000Z\r\n"
        f"DTEND:{day}T110000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )


class RadicaleCalendar:
    """A calendar on the test Radicale, edited with the caldav client in a thread."""

    def __init__(self, radicale: Radicale, user: str, name: str) -> None:
        self._radicale, self._user, self.name = radicale, user, name
        self.cal_id = f"{name.lower()}-{secrets.token_hex(4)}"
        self.url = f"{radicale.url}{user}/{self.cal_id}/"

    def _client(self) -> Any:  # caldav's annotations are partial
        return DAVClient(
            url=self._radicale.url, username=self._user, password=self._radicale.users[self._user]
        )

    def _create(self, events: int) -> None:
        with self._client() as client:
            calendar = client.principal().make_calendar(
                name=self.name, cal_id=self.cal_id, supported_calendar_component_set=["VEVENT"]
            )
            for number in range(events):
                calendar.save_event(event_text(f"{self.cal_id}-{number}", f"Event {number}"))

    def _edit(self, number: int, summary: str) -> None:
        with self._client() as client:
            event = client.calendar(url=self.url).event_by_uid(f"{self.cal_id}-{number}")
            event.data = event_text(f"{self.cal_id}-{number}", summary)
            event.save()

    def _save(self, number: int, summary: str, days_ahead: int) -> None:
        with self._client() as client:
            uid = f"{self.cal_id}-{number}"
            client.calendar(url=self.url).save_event(event_text(uid, summary, days_ahead))

    async def save(self, number: int, summary: str, days_ahead: int) -> None:
        await asyncio.to_thread(self._save, number, summary, days_ahead)

    def _delete(self, number: int) -> None:
        with self._client() as client:
            client.calendar(url=self.url).event_by_uid(f"{self.cal_id}-{number}").delete()

    async def create(self, events: int) -> RadicaleCalendar:
        await asyncio.to_thread(self._create, events)
        return self

    async def edit(self, number: int, summary: str) -> None:
        await asyncio.to_thread(self._edit, number, summary)

    async def delete(self, number: int) -> None:
        await asyncio.to_thread(self._delete, number)


def objects_by_id(page: ProviderChangesFetched) -> dict[str, dict[str, Any]]:
    """A JSON provider's page (Google, Graph, Zoom) as its decoded objects by id."""
    return {o.provider_object_id: json.loads(o.data) for o in page.objects}
