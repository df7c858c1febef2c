"""Sandbox composition root: one `World` (OAuth store, fault rules), each provider's backend and
router (API and OAuth endpoints), the admin API and the traffic middleware."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from fastapi import APIRouter, FastAPI

from sandbox import admin
from sandbox.faults import FaultRules
from sandbox.oauth.clock import Clock, utc_now
from sandbox.oauth.store import OAuthStore
from sandbox.settings import SandboxSettings
from sandbox.traffic import ProviderTraffic, RequestLog
from sandbox.world import ProviderBackend, World

Provider = Callable[[World], tuple[ProviderBackend, APIRouter]]


def create_app(
    settings: SandboxSettings | None = None,
    providers: Sequence[Provider] | None = None,
    clock: Clock = utc_now,
) -> FastAPI:
    """The sandbox; `providers` defaults to Google's. Tests pass their own providers and clock."""
    settings = settings or SandboxSettings()
    store = OAuthStore(settings, clock)
    rules = FaultRules()
    log = RequestLog(clock)
    world = World(settings=settings, identity=store, faults=rules, oauth=store)
    app = FastAPI(title="Rollcall provider sandbox", version="1")
    for provide in default_providers(clock) if providers is None else providers:
        backend, router = provide(world)
        world.backends[backend.name] = backend
        app.include_router(router)
    app.include_router(admin.admin_router(world, store, rules, log))
    app.add_api_route("/healthz", healthz, methods=["GET"], tags=["health"])
    names = {*store.providers, *world.backends}
    app.add_middleware(
        ProviderTraffic, providers=names, rules=rules, log=log, backends=world.backends
    )
    app.state.world = world
    app.state.oauth = store
    return app


def default_providers(clock: Clock) -> list[Provider]:
    """Every provider's, on the same clock as the OAuth store."""
    from sandbox.google import google_provider  # imported only when used
    from sandbox.microsoft import microsoft_provider
    from sandbox.zoom import zoom_provider

    providers = (google_provider, microsoft_provider, zoom_provider)
    return [functools.partial(p, clock=clock) for p in providers]


async def healthz() -> dict[str, str]:
    return {"status": "ok"}
