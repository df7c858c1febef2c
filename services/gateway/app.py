"""Gateway composition root: settings → messaging runtime → public HTTP API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
from fastapi import FastAPI

from services.gateway import handlers
from services.gateway.connector_client import ConnectorClient
from services.gateway.readiness import remote_check
from services.gateway.routes import calendars, events
from services.gateway.routes.context import Wiring
from services.gateway.settings import GatewaySettings
from shared.http.correlation import CorrelationMiddleware
from shared.http.health import ReadinessCheck, health_router
from shared.http.metrics import mount_metrics
from shared.http.problems import install_problem_handlers
from shared.runtime import MessagingRuntime

SERVICE = "gateway"
MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    checks: dict[str, ReadinessCheck] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await MessagingRuntime.start(
            service=SERVICE,
            settings=settings,
            dsn=settings.dsn(),
            handlers=handlers.HANDLERS,
            topic_names=handlers.TOPICS,
            pool_size=20,
        )
        token = settings.internal_token.get_secret_value()
        connector = ConnectorClient(
            settings.connector_url, token, settings.internal_timeout_seconds
        )
        probe = httpx.AsyncClient(timeout=2.0)
        checks.update(runtime.readiness_checks())
        checks["connector"] = remote_check(probe, settings.connector_url)
        checks["syncer"] = remote_check(probe, settings.syncer_url)
        checks["scheduler"] = remote_check(probe, settings.scheduler_url)
        app.state.wiring = Wiring(pool=runtime.pool, connector=connector)
        try:
            yield
        finally:
            app.state.wiring = None
            await probe.aclose()
            await connector.close()
            await runtime.stop()

    app = FastAPI(
        title="Rollcall API",
        version="1.0",
        description="Calendar sync and meeting-bot scheduling. Auth: `Authorization: Bearer <key>`",
        lifespan=lifespan,
    )
    app.add_middleware(CorrelationMiddleware)
    install_problem_handlers(app)
    app.include_router(health_router(checks))
    app.include_router(calendars.router)
    app.include_router(events.router)
    mount_metrics(app)
    return app
