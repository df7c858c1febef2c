"""Syncer composition root: settings → messaging runtime → HTTP app (health, metrics)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from services.syncer import handlers
from services.syncer.settings import SyncerSettings
from shared.http.health import ReadinessCheck, health_router
from shared.http.metrics import mount_metrics
from shared.runtime import MessagingRuntime

SERVICE = "syncer"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: SyncerSettings | None = None) -> FastAPI:
    settings = settings or SyncerSettings()
    checks: dict[str, ReadinessCheck] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await MessagingRuntime.start(
            service=SERVICE,
            settings=settings,
            dsn=settings.dsn(),
            handlers=handlers.HANDLERS,
            topic_names=handlers.TOPICS,
        )
        checks.update(runtime.readiness_checks())
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title="rollcall-syncer", lifespan=lifespan)
    app.include_router(health_router(checks))
    mount_metrics(app)
    return app
