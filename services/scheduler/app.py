"""Scheduler composition root: settings → messaging runtime → HTTP app (health, metrics)."""

from __future__ import annotations

from fastapi import FastAPI

from services.scheduler import handlers
from services.scheduler.settings import SchedulerSettings
from shared.service_app import ServiceDefinition, create_service_app

SERVICE = "scheduler"


def create_app(settings: SchedulerSettings | None = None) -> FastAPI:
    settings = settings or SchedulerSettings()
    definition = ServiceDefinition(SERVICE, handlers.HANDLERS, handlers.TOPICS)
    return create_service_app(definition, settings, settings.dsn)
