"""The composition root starts for real: pool, Kafka consumer, outbox relay and sync worker."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest

from rollcall.bootstrap import DatabaseLayout
from services.connector.app import create_app, keyring_of, providers_of
from services.connector.credentials import KeyringError
from services.connector.settings import ConnectorSettings
from tests.integration.connector.conftest import (
    INTERNAL_TOKEN,
    PROJECT,
    connector_settings,
    credentials,
)
from tests.servers import Radicale


def test_the_connector_refuses_to_start_without_an_encryption_key() -> None:
    with pytest.raises(KeyringError, match="CONNECTOR_ENCRYPTION_KEYS is not set"):
        create_app(ConnectorSettings.model_validate({"internal_token": "x"}))


async def test_the_lifespan_starts_and_becomes_ready(database: DatabaseLayout, kafka: str) -> None:
    settings = connector_settings(
        service_database_url=database.dsns["connector"],
        kafka_bootstrap_servers=kafka,
        kafka_idempotent_producer=False,  # the embedded Tansu broker rejects InitProducerId
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://connector") as client,
    ):
        deadline = time.monotonic() + 60
        while True:
            response = await client.get("/readyz")
            if response.status_code == 200 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
        assert response.status_code == 200, response.json()


def test_the_caldav_thread_pools_grow_with_the_sync_workers() -> None:
    settings = connector_settings(sync_workers=24)
    providers = providers_of(settings, keyring_of(settings), _no_pool)
    assert providers["caldav"].threads >= 24 and providers["apple"].threads >= 24


def _no_pool() -> Any:
    raise AssertionError("no database here")


def _dav_threads(before: set[threading.Thread]) -> list[str]:
    """CalDAV worker threads started since `before` and still alive."""
    return [t.name for t in set(threading.enumerate()) - before if t.name.startswith("dav")]


async def test_the_lifespan_lets_the_caldav_threads_go_at_shutdown(
    database: DatabaseLayout, kafka: str, radicale: Radicale
) -> None:
    settings = connector_settings(
        service_database_url=database.dsns["connector"],
        kafka_bootstrap_servers=kafka,
        kafka_idempotent_producer=False,
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    before = set(threading.enumerate())
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://connector") as client,
    ):
        response = await client.post(
            "/internal/calendars/raw",
            headers={"Authorization": f"Bearer {INTERNAL_TOKEN}"},
            json={
                "project_id": PROJECT,
                "provider": "caldav",
                "credentials": credentials(radicale),
            },
        )
        assert response.status_code == 200, response.text
        assert _dav_threads(before)

    deadline = time.monotonic() + 5
    while _dav_threads(before) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert _dav_threads(before) == []
