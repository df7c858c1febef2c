"""Microsoft emulation: Entra ID v2 OAuth under `/microsoft/login/{tenant}/…` and Microsoft Graph
(Outlook calendars, change-notification subscriptions) under `/microsoft/v1.0/…` (providers.md §2).

`microsoft_provider` is what the composition root calls: it builds the backend (the admin API's
`ProviderBackend`) and the router serving OAuth, Graph and Microsoft's own admin routes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter

from sandbox.microsoft import errors, oauth_routes
from sandbox.microsoft.auth import bearer_authenticator
from sandbox.microsoft.backend import Clock, MicrosoftBackend, system_clock
from sandbox.microsoft.graph_route import graph_route
from sandbox.microsoft.routes_admin import admin_router
from sandbox.microsoft.routes_events import events_router
from sandbox.microsoft.routes_me import me_router
from sandbox.microsoft.routes_subscriptions import subscriptions_router
from sandbox.microsoft.routes_views import views_router
from sandbox.unknown_paths import unknown_router
from sandbox.world import ProviderBackend, World

PREFIX = "/microsoft/v1.0"

__all__ = ["PREFIX", "MicrosoftBackend", "microsoft_provider"]


def microsoft_provider(
    world: World, *, clock: Clock = system_clock
) -> tuple[ProviderBackend, APIRouter]:
    """The Microsoft backend and its router (full paths; its lifespan ends the deliveries)."""
    backend = MicrosoftBackend(world.settings, world.faults, world.oauth, clock)

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        yield
        await backend.aclose()

    route = graph_route(bearer_authenticator(world.identity, PREFIX), backend.gate)
    api = APIRouter(prefix=PREFIX)
    api.include_router(me_router(backend, route))
    api.include_router(events_router(backend, route))
    api.include_router(views_router(backend, route, PREFIX))
    api.include_router(subscriptions_router(backend, route))
    unknown = unknown_router(
        list(api.routes), graph_route(None, None), errors.method_not_allowed, _segment_not_found
    )
    api.include_router(unknown)  # last: it matches every path
    router = APIRouter(lifespan=lifespan)
    router.include_router(oauth_routes.oauth_router(world.oauth, world.settings))
    router.include_router(api)
    router.include_router(admin_router(backend, world.oauth))
    return backend, router


def _segment_not_found(path: str) -> Exception:
    """Graph names the last segment it could not resolve (400 `BadRequest`)."""
    segment = next((part for part in reversed(path.split("/")) if part), "v1.0")
    return errors.segment_not_found(segment)
