"""Syncer composition root: settings → messaging runtime → HTTP app (health, metrics)."""

from __future__ import annotations

from fastapi import FastAPI

from services.syncer import handlers
from services.syncer.settings import SyncerSettings
from shared.service_app import ServiceDefinition, create_service_app

SERVICE = "syncer"


def create_app(settings: SyncerSettings | None = None) -> FastAPI:
    settings = settings or SyncerSettings()
    definition = ServiceDefinition(SERVICE, handlers.HANDLERS, handlers.TOPICS)
    return create_service_app(definition, settings, settings.dsn)
