"""The HTTP app every service runs: messaging runtime in the lifespan, health, metrics, problems.

A service adds its own routes and, optionally, an extension: an async context manager entered
once the runtime is up (to start workers or wire clients) that yields extra readiness checks.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI
from starlette.types import ASGIApp

from shared.http.correlation import CorrelationMiddleware
from shared.http.health import ReadinessCheck, health_router
from shared.http.limits import BodySizeLimit
from shared.http.metrics import mount_metrics
from shared.http.problems import install_problem_handlers
from shared.messaging.consumer import Handler
from shared.runtime import MessagingRuntime
from shared.settings import CommonSettings

Extension = Callable[
    [FastAPI, MessagingRuntime], AbstractAsyncContextManager[dict[str, ReadinessCheck]]
]


@dataclass(frozen=True)
class ServiceDefinition:
    """What makes one service: its name (= schema), message handlers and topics."""

    name: str
    handlers: dict[str, Handler]
    topics: tuple[str, ...]
    pool_size: int = 10
    routers: Sequence[APIRouter] = field(default_factory=tuple)
    extension: Extension | None = None
    title: str | None = None
    description: str = ""
    middleware: Sequence[Callable[[ASGIApp], ASGIApp]] = field(
        default_factory=tuple
    )  # innermost first


def create_service_app(
    definition: ServiceDefinition, settings: CommonSettings, dsn: Callable[[], str]
) -> FastAPI:
    """`dsn` is resolved when the lifespan starts, so an app can be built without a database."""
    checks: dict[str, ReadinessCheck] = {}

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = await MessagingRuntime.start(
            service=definition.name,
            settings=settings,
            dsn=dsn(),
            handlers=definition.handlers,
            topic_names=definition.topics,
            pool_size=definition.pool_size,
        )
        try:
            checks.update(runtime.readiness_checks())
            if definition.extension is None:
                yield
            else:
                async with definition.extension(app, runtime) as extra:
                    checks.update(extra)
                    yield
        finally:
            checks.clear()
            await runtime.stop()

    app = FastAPI(
        title=definition.title or f"rollcall-{definition.name}",
        description=definition.description,
        version="1.0",
        lifespan=lifespan,
    )
    for layer in definition.middleware:
        app.add_middleware(layer)
    app.add_middleware(BodySizeLimit)
    app.add_middleware(CorrelationMiddleware)
    install_problem_handlers(app)
    app.include_router(health_router(checks))
    for router in definition.routers:
        app.include_router(router)
    mount_metrics(app)
    return app
