"""Zoom emulation: OAuth under `/zoom/oauth/…`, the meetings API under `/zoom/v2/…` and app
webhooks (providers.md §4).

`zoom_provider` is what the composition root calls: it builds the backend (the admin API's
`ProviderBackend`) and the router serving OAuth, the API and the webhook admin routes with it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter

from sandbox.unknown_paths import unknown_router
from sandbox.world import ProviderBackend, World
from sandbox.zoom import admin_routes, errors, oauth_routes
from sandbox.zoom.auth import bearer_caller
from sandbox.zoom.backend import Clock, ZoomBackend, ZoomOptions, system_clock
from sandbox.zoom.routes_meetings import meetings_router

PREFIX = "/zoom/v2"

__all__ = ["PREFIX", "ZoomBackend", "ZoomOptions", "zoom_provider"]


def zoom_provider(
    world: World, *, clock: Clock = system_clock, options: ZoomOptions | None = None
) -> tuple[ProviderBackend, APIRouter]:
    """The Zoom backend and its router (full paths; its lifespan ends webhook delivery)."""
    backend = ZoomBackend(world.settings, world.faults, world.oauth.granted_apps, clock, options)

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        yield
        await backend.aclose()

    api = APIRouter(prefix=PREFIX)
    api.include_router(meetings_router(backend, bearer_caller(world.identity)))
    unknown = unknown_router(
        list(api.routes), errors.ZoomRoute, errors.method_not_allowed, lambda _: errors.not_found()
    )
    api.include_router(unknown)  # last: it matches every path
    router = APIRouter(lifespan=lifespan)
    router.include_router(
        oauth_routes.oauth_router(world.oauth, backend.options.dead_refresh_token_error)
    )
    router.include_router(api)
    router.include_router(admin_routes.admin_router(backend, world.oauth))
    return backend, router
