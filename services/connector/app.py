"""Connector composition root: settings → keyring, providers → messaging runtime, sync worker
→ HTTP app (internal routes, health, metrics).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
from fastapi import FastAPI

from services.connector import api, connecting, handlers, syncing
from services.connector.credentials import Keyring
from services.connector.providers.base import CalendarProvider
from services.connector.providers.caldav import CaldavProvider
from services.connector.settings import ConnectorSettings
from services.connector.ssrf import UrlGuard
from services.connector.worker import SyncWorker, poll_check_seconds
from shared.http.health import ReadinessCheck
from shared.http.problems import Problem
from shared.runtime import MessagingRuntime
from shared.service_app import ServiceDefinition, create_service_app

SERVICE = "connector"


@dataclass
class _PoolSlot:
    """The pool, once the lifespan (or a test) has provided it."""

    pool: asyncpg.Pool[Any] | None = None

    def get(self) -> asyncpg.Pool[Any]:
        if self.pool is None:
            raise Problem(503, "The connector is starting.")
        return self.pool


def providers_of(settings: ConnectorSettings) -> dict[str, CalendarProvider[Any]]:
    return {
        "caldav": CaldavProvider(
            timeout=settings.provider_timeout_seconds,
            allow_loopback=settings.loopback_allowed(),
        )
    }


def keyring_of(settings: ConnectorSettings) -> Keyring:
    """The encryption keys; raises `KeyringError` (refusing to start) when none is configured."""
    return Keyring.from_setting(settings.encryption_keys.get_secret_value(), settings.active_key_id)


def sync_context(
    settings: ConnectorSettings,
    pool: asyncpg.Pool[Any],
    keyring: Keyring,
    providers: Mapping[str, CalendarProvider[Any]],
) -> syncing.SyncContext:
    return syncing.SyncContext(
        pool=pool,
        keyring=keyring,
        providers=providers,
        poll_interval_seconds=settings.poll_interval_seconds,
    )


def create_app(
    settings: ConnectorSettings | None = None, *, pool: asyncpg.Pool[Any] | None = None
) -> FastAPI:
    """The connector app; with `pool` given (tests), the routes work without the lifespan."""
    settings = settings or ConnectorSettings()
    keyring = keyring_of(settings)
    providers = providers_of(settings)
    slot = _PoolSlot(pool)

    @asynccontextmanager
    async def start_worker(
        app: FastAPI, runtime: MessagingRuntime
    ) -> AsyncIterator[dict[str, ReadinessCheck]]:
        slot.pool = runtime.pool
        worker = SyncWorker(
            sync_context(settings, runtime.pool, keyring, providers),
            concurrency=settings.sync_workers,
            poll_check_seconds=poll_check_seconds(settings.poll_interval_seconds),
        )
        runtime.spawn(worker.run(), "sync-worker")
        yield {}

    registrar = connecting.Registrar(
        pool=slot.get,
        keyring=keyring,
        guard=UrlGuard(allow_loopback=settings.loopback_allowed()),
        providers=providers,
    )
    internal = api.internal_router(registrar, settings.internal_token.get_secret_value())
    definition = ServiceDefinition(
        SERVICE,
        handlers.HANDLERS,
        handlers.TOPICS,
        pool_size=settings.sync_workers + 8,
        routers=(internal,),
        extension=start_worker,
    )
    return create_service_app(definition, settings, settings.dsn)
