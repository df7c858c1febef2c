"""Scheduler composition root: settings → messaging runtime → HTTP app (health, metrics) and
the imminent-meetings job."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.scheduler import handlers, imminent
from services.scheduler.settings import SchedulerSettings
from shared.http.health import ReadinessCheck
from shared.runtime import MessagingRuntime
from shared.service_app import ServiceDefinition, create_service_app

SERVICE = "scheduler"


def create_app(settings: SchedulerSettings | None = None) -> FastAPI:
    settings = settings or SchedulerSettings()

    @asynccontextmanager
    async def start_jobs(
        _app: FastAPI, runtime: MessagingRuntime
    ) -> AsyncIterator[dict[str, ReadinessCheck]]:
        job = imminent.run(
            runtime.pool, settings.imminent_sync_seconds, settings.imminent_window_seconds
        )
        runtime.spawn(job, "imminent-meetings")
        yield {}

    definition = ServiceDefinition(
        SERVICE, handlers.HANDLERS, handlers.TOPICS, extension=start_jobs
    )
    return create_service_app(definition, settings, settings.dsn)
