"""The composition root starts for real: pool, Kafka consumer, outbox relay and sync worker."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from rollcall.bootstrap import DatabaseLayout
from services.connector.app import create_app
from services.connector.credentials import KeyringError
from services.connector.settings import ConnectorSettings
from tests.integration.connector.conftest import connector_settings


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
