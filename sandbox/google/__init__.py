"""Google Calendar API v3 emulation under `/google/calendar/v3/…` (providers.md §1).

`google_provider` is what the composition root calls: it builds the backend (the admin API's
`ProviderBackend`) and the router serving the Calendar API with it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter

from sandbox.google import errors, oauth_routes
from sandbox.google.auth import bearer_account
from sandbox.google.backend import Clock, GoogleBackend, system_clock
from sandbox.google.errors import GoogleRoute
from sandbox.google.listing import ScanLimits
from sandbox.google.routes_calendars import calendars_router
from sandbox.google.routes_channels import channels_router
from sandbox.google.routes_events import events_router
from sandbox.unknown_paths import unknown_router
from sandbox.world import ProviderBackend, World

PREFIX = "/google/calendar/v3"

__all__ = ["PREFIX", "GoogleBackend", "google_provider"]


def google_provider(
    world: World, *, clock: Clock = system_clock, limits: ScanLimits | None = None
) -> tuple[ProviderBackend, APIRouter]:
    """The Google backend and its router: OAuth endpoints and the Calendar API (full paths; its
    lifespan ends push)."""
    backend = GoogleBackend(world.settings, world.faults, clock, limits)

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        yield
        await backend.aclose()

    auth = bearer_account(world.identity)
    api = APIRouter(prefix=PREFIX)
    api.include_router(channels_router(backend, auth))
    api.include_router(calendars_router(backend, auth))
    api.include_router(events_router(backend, auth))
    unknown = unknown_router(
        list(api.routes), GoogleRoute, errors.method_not_allowed, lambda _: errors.not_found()
    )
    api.include_router(unknown)  # last: it matches every path
    router = APIRouter(lifespan=lifespan)
    router.include_router(oauth_routes.oauth_router(world.oauth))
    router.include_router(api)
    return backend, router
