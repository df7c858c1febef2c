"""Syncer composition root: settings → handlers (with the meeting-host allow-list and the
series expansion limits) → messaging runtime → HTTP app (health, metrics) and the retention job.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.syncer import handlers, retention
from services.syncer.domain.meeting_links.platforms.other import HostAllowList
from services.syncer.settings import SyncerSettings
from shared.http.health import ReadinessCheck
from shared.runtime import MessagingRuntime
from shared.service_app import ServiceDefinition, create_service_app

SERVICE = "syncer"


def create_app(settings: SyncerSettings | None = None) -> FastAPI:
    settings = settings or SyncerSettings()
    meeting_hosts = HostAllowList.of(settings.meeting_hosts)
    routes = handlers.handlers_for(
        meeting_hosts, settings.expansion_limits(), settings.event_retention_days
    )

    @asynccontextmanager
    async def start_jobs(
        _app: FastAPI, runtime: MessagingRuntime
    ) -> AsyncIterator[dict[str, ReadinessCheck]]:
        runtime.spawn(retention.run(runtime.pool, settings.event_retention_days), "retention")
        yield {}

    definition = ServiceDefinition(SERVICE, routes, handlers.TOPICS, extension=start_jobs)
    return create_service_app(definition, settings, settings.dsn)
