"""Syncer composition root: settings → handlers (with the meeting-host allow-list and the
series expansion limits) → messaging runtime → HTTP app (health, metrics).
"""

from __future__ import annotations

from fastapi import FastAPI

from services.syncer import handlers
from services.syncer.domain.meeting_links.platforms.other import HostAllowList
from services.syncer.settings import SyncerSettings
from shared.service_app import ServiceDefinition, create_service_app

SERVICE = "syncer"


def create_app(settings: SyncerSettings | None = None) -> FastAPI:
    settings = settings or SyncerSettings()
    meeting_hosts = HostAllowList.of(settings.meeting_hosts)
    routes = handlers.handlers_for(meeting_hosts, settings.expansion_limits())
    definition = ServiceDefinition(SERVICE, routes, handlers.TOPICS)
    return create_service_app(definition, settings, settings.dsn)
