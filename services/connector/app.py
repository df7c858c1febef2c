"""Connector composition root: settings → keyring, providers → messaging runtime, sync worker
→ HTTP app (internal routes, health, metrics).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI

from services.connector import (
    api,
    channels,
    connecting,
    handlers,
    listing,
    oauth_api,
    push_api,
    syncing,
)
from services.connector.credentials import Keyring
from services.connector.hosted_oauth import HostedOAuth
from services.connector.oauth import app_store
from services.connector.oauth.apps import ProjectApps
from services.connector.oauth.consent import consent_servers
from services.connector.oauth.grants import GrantTokenCache
from services.connector.providers.apple import AppleProvider
from services.connector.providers.base import CalendarProvider, HoldsThreads
from services.connector.providers.caldav import CaldavProvider
from services.connector.providers.dav import LISTING_THREADS
from services.connector.providers.google import GoogleEndpoints, GoogleProvider
from services.connector.providers.guarded_http import HttpLimits
from services.connector.providers.microsoft import MicrosoftEndpoints, MicrosoftProvider
from services.connector.providers.zoom import ZoomEndpoints, ZoomProvider
from services.connector.settings import ConnectorSettings
from services.connector.ssrf import UrlGuard
from services.connector.worker import SyncWorker, poll_check_seconds
from services.connector.zoom_push import SecretCache, ZoomWebhookReceiver
from shared.http.health import ReadinessCheck
from shared.http.problems import Problem
from shared.runtime import MessagingRuntime
from shared.service_app import ServiceDefinition, create_service_app

SERVICE = "connector"

log = logging.getLogger(__name__)


@dataclass
class _PoolSlot:
    """The pool, once the lifespan (or a test) has provided it."""

    pool: asyncpg.Pool[Any] | None = None

    def get(self) -> asyncpg.Pool[Any]:
        if self.pool is None:
            raise Problem(503, "The connector is starting.")
        return self.pool


def http_limits(settings: ConnectorSettings) -> HttpLimits:
    return HttpLimits(
        allow_loopback=settings.loopback_allowed(),
        request_seconds=settings.provider_timeout_seconds,
        max_response_bytes=settings.max_response_bytes,
    )


def providers_of(
    settings: ConnectorSettings,
    keyring: Keyring,
    pool: Callable[[], asyncpg.Pool[Any]],
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, CalendarProvider[Any]]:
    """Every provider; the OAuth ones cache access tokens on their grants in `pool` (and send
    through `transport` when given: tests serve the provider sandbox in-process)."""
    limits = http_limits(settings)
    endpoints = settings.provider_endpoints
    google = GoogleEndpoints(endpoints.google_api_base_url, endpoints.google_oauth_base_url)
    microsoft = MicrosoftEndpoints(
        endpoints.microsoft_graph_base_url, endpoints.microsoft_login_base_url
    )
    zoom = ZoomEndpoints(endpoints.zoom_api_base_url, endpoints.zoom_oauth_base_url)
    tokens = GrantTokenCache(pool, keyring, limits)
    # Each CalDAV provider may run every sync worker's request at once, plus API listings.
    threads = settings.sync_workers + LISTING_THREADS
    return {
        "caldav": CaldavProvider(limits, threads),
        "apple": AppleProvider(limits, threads, settings.apple_caldav_url),
        "google": GoogleProvider(
            limits,
            google,
            tokens,
            requests_per_minute=settings.google_requests_per_minute,
            transport=transport,
        ),
        "microsoft": MicrosoftProvider(limits, microsoft, tokens, transport=transport),
        "zoom": ZoomProvider(limits, zoom, tokens, transport=transport),
    }


def keyring_of(settings: ConnectorSettings) -> Keyring:
    """The encryption keys; raises `KeyringError` (refusing to start) when none is configured."""
    return Keyring.from_setting(settings.encryption_keys.get_secret_value(), settings.active_key_id)


def sync_context(
    settings: ConnectorSettings,
    pool: asyncpg.Pool[Any],
    keyring: Keyring,
    providers: Mapping[str, CalendarProvider[Any]],
) -> syncing.SyncContext:
    return syncing.SyncContext(
        pool=pool,
        keyring=keyring,
        providers=providers,
        poll_interval_seconds=settings.poll_interval_seconds,
        push=channels.push_config(
            settings.public_base_url, settings.push_secret.get_secret_value()
        ),
        reconcile_interval_seconds=settings.reconcile_interval_seconds,
    )


def hosted_oauth_of(
    settings: ConnectorSettings,
    apps: ProjectApps,
    registrar: connecting.Registrar,
    transport: httpx.AsyncBaseTransport | None = None,
) -> HostedOAuth:
    limits = http_limits(settings)
    return HostedOAuth(
        pool=registrar.pool,
        keyring=registrar.keyring,
        apps=apps,
        servers=consent_servers(settings.provider_endpoints, limits),
        registrar=registrar,
        limits=limits,
        public_base_url=settings.public_base_url,
        transport=transport,
    )


def create_app(
    settings: ConnectorSettings | None = None,
    *,
    pool: asyncpg.Pool[Any] | None = None,
    provider_transport: httpx.AsyncBaseTransport | None = None,
) -> FastAPI:
    """The connector app; with `pool` given (tests), the routes work without the lifespan, and
    with `provider_transport` every provider request goes through it."""
    settings = settings or ConnectorSettings()
    keyring = keyring_of(settings)
    slot = _PoolSlot(pool)
    providers = providers_of(settings, keyring, slot.get, provider_transport)

    @asynccontextmanager
    async def start_worker(
        app: FastAPI, runtime: MessagingRuntime
    ) -> AsyncIterator[dict[str, ReadinessCheck]]:
        slot.pool = runtime.pool
        if settings.loopback_allowed():
            log.warning(
                "loopback server URLs are allowed (dev mode or CONNECTOR_ALLOW_LOOPBACK_URLS)"
            )
        worker = SyncWorker(
            sync_context(settings, runtime.pool, keyring, providers),
            concurrency=settings.sync_workers,
            poll_check_seconds=poll_check_seconds(settings.poll_interval_seconds),
        )
        runtime.spawn(worker.run(), "sync-worker")
        try:
            yield {}
        finally:
            await worker.stop()  # no sync is left to hand work to the providers' threads
            for provider in providers.values():
                if isinstance(provider, HoldsThreads):
                    provider.close()

    guard = UrlGuard(allow_loopback=settings.loopback_allowed())
    registrar = connecting.Registrar(
        pool=slot.get,
        keyring=keyring,
        guard=guard,
        providers=providers,
    )
    lister = listing.CalendarLister(guard=guard, providers=providers, registrar=registrar)
    token = settings.internal_token.get_secret_value()
    internal = api.internal_router(registrar, lister, token)
    apps = ProjectApps(pool=slot.get, keyring=keyring)
    hosted = hosted_oauth_of(settings, apps, registrar, provider_transport)
    zoom_secrets = SecretCache(apps.webhook_secrets, app_store.apps_stamp)
    zoom_webhooks = ZoomWebhookReceiver(pool=slot.get, secrets=zoom_secrets)
    definition = ServiceDefinition(
        SERVICE,
        handlers.HANDLERS,
        handlers.TOPICS,
        pool_size=settings.sync_workers + 8,
        routers=(
            internal,
            oauth_api.oauth_router(apps, hosted, token),
            push_api.push_router(zoom_webhooks, token),
        ),
        extension=start_worker,
    )
    return create_service_app(definition, settings, settings.dsn)
