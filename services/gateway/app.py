"""Gateway composition root: settings → messaging runtime → public HTTP API and the
read model's retention job."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

import httpx
from fastapi import FastAPI

from services.gateway import handlers, retention
from services.gateway.connector_client import ConnectorClient
from services.gateway.domain.rate_limit import RateLimiter
from services.gateway.idempotency import IdempotencyMiddleware
from services.gateway.push_hints import PushHints
from services.gateway.readiness import remote_check
from services.gateway.routes import calendars, events, hosted_oauth, project, push, zoom_push
from services.gateway.routes.context import Wiring
from services.gateway.settings import GatewaySettings
from shared.http.health import ReadinessCheck
from shared.runtime import MessagingRuntime
from shared.service_app import ServiceDefinition, create_service_app

SERVICE = "gateway"


def create_app(
    settings: GatewaySettings | None = None,
    *,
    clock: Callable[[], datetime] | None = None,
    connector_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The gateway app; tests may give a clock and a transport to an in-process connector."""
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def wire(
        app: FastAPI, runtime: MessagingRuntime
    ) -> AsyncIterator[dict[str, ReadinessCheck]]:
        token = settings.internal_token.get_secret_value()
        connector = ConnectorClient(
            settings.connector_url,
            token,
            settings.internal_timeout_seconds,
            transport=connector_transport,
        )
        push_hints = PushHints(runtime.pool)
        runtime.spawn(retention.run(runtime.pool, settings.event_retention_days), "retention")
        async with httpx.AsyncClient(timeout=2.0) as probe:
            app.state.wiring = Wiring(
                pool=runtime.pool,
                connector=connector,
                per_key=RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst),
                failed_auth=RateLimiter(
                    settings.failed_auth_per_second, settings.failed_auth_per_second * 4
                ),
                push_hints=push_hints,
                push_secret=settings.push_secret.get_secret_value(),
            )
            if clock is not None:
                app.state.wiring.clock = clock
            try:
                yield {
                    "connector": remote_check(probe, settings.connector_url),
                    "syncer": remote_check(probe, settings.syncer_url),
                    "scheduler": remote_check(probe, settings.scheduler_url),
                }
            finally:
                app.state.wiring = None
                await push_hints.close()
                await connector.close()

    definition = ServiceDefinition(
        SERVICE,
        handlers.HANDLERS,
        handlers.TOPICS,
        pool_size=20,
        routers=(
            hosted_oauth.router,
            calendars.router,
            events.router,
            project.router,
            push.router,
            zoom_push.router,
        ),
        extension=wire,
        middleware=(IdempotencyMiddleware,),
        title="Rollcall API",
        description="Calendar sync and meeting-bot scheduling. "
        "Auth: `Authorization: Bearer <api_key>`. Errors: RFC 9457 problem+json.",
    )
    return create_service_app(definition, settings, settings.dsn)
