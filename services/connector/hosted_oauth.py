"""Hosted OAuth, the connector's part (`POST /v1/calendars/authorize` → `GET /v1/oauth/callback`
in the gateway): the authorization URL with the project's own app and a PKCE verifier, kept
sealed for the exchange; then the code exchanged for a refresh token, registered exactly like
direct credentials (`connecting.Registrar`), so sync, grants and siblings behave the same.

The provider sends the user back to `{PUBLIC_BASE_URL}/v1/oauth/callback` (the gateway). An
authorization is found by the SHA-256 of its state, belongs to one project and provider,
serves one exchange, and dies after 11 minutes (the gateway's state lives 10; the extra
minute covers the round trip between the two).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from services.connector import connecting
from services.connector.credentials import Keyring, SealError, associated_data
from services.connector.domain.consent_urls import authorization_url, new_verifier
from services.connector.oauth import authorization_store, consent
from services.connector.oauth.apps import ProjectApps
from services.connector.oauth.consent import ConsentServer, ExchangeFailed
from services.connector.providers.guarded_http import HttpLimits

log = logging.getLogger(__name__)

CALLBACK_PATH = "/v1/oauth/callback"
AUTHORIZATION_LIFETIME = timedelta(minutes=11)


class NoOAuthApp(LookupError):
    """Raised when the project has no OAuth app for the provider (or hosted OAuth does not
    support the provider)."""


class HostedOAuthUnavailable(RuntimeError):
    """Raised when `PUBLIC_BASE_URL` is not set: providers would have nowhere to send users."""


class UnknownAuthorization(LookupError):
    """Raised when no live authorization of the project and provider has this state: unknown,
    expired, already exchanged, or another project's."""


def state_digest(state: str) -> bytes:
    return hashlib.sha256(state.encode()).digest()


def _verifier_aad(project_id: str, digest: bytes, provider: str) -> bytes:
    return associated_data(project_id, f"oauth_authorization:{digest.hex()}", provider)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class HostedOAuth:
    pool: Callable[[], asyncpg.Pool[Any]]
    keyring: Keyring
    apps: ProjectApps
    servers: Mapping[str, ConsentServer]
    registrar: connecting.Registrar
    limits: HttpLimits
    public_base_url: str | None
    transport: httpx.AsyncBaseTransport | None = None
    clock: Callable[[], datetime] = _utc_now

    async def start(
        self, project_id: str, provider: str, state: str, login_hint: str | None
    ) -> str:
        """The authorization URL for the project's app. Raises `NoOAuthApp`,
        `HostedOAuthUnavailable`, or `ProviderError` (Google's discovery failing)."""
        server = self.servers.get(provider)
        app = await self.apps.app(project_id, provider) if server is not None else None
        if server is None or app is None:
            raise NoOAuthApp(provider)
        redirect_uri = self._redirect_uri()
        endpoint = await consent.authorization_endpoint(server, self.limits, self.transport)
        verifier, digest, now = new_verifier(), state_digest(state), self.clock()
        sealed = self.keyring.seal(verifier.encode(), _verifier_aad(project_id, digest, provider))
        async with self.pool().acquire() as conn:
            await authorization_store.delete_expired(conn, now)
            await authorization_store.insert_authorization(
                conn,
                digest,
                project_id,
                provider,
                redirect_uri,
                sealed,
                now + AUTHORIZATION_LIFETIME,
            )
        return authorization_url(
            endpoint,
            server.request,
            client_id=app.client_id,
            redirect_uri=redirect_uri,
            state=state,
            verifier=verifier,
            login_hint=login_hint,
        )

    async def complete(
        self,
        *,
        project_id: str,
        provider: str,
        state: str,
        code: str,
        calendar_id: str,
        platform_uuid: str | None,
    ) -> None:
        """Exchange the code (no transaction open) and register the credentials for
        `calendar_id`. Raises `UnknownAuthorization`, `ExchangeFailed`, or what
        `Registrar.register` raises."""
        digest = state_digest(state)
        found = await authorization_store.take_authorization(
            self.pool(), digest, project_id, provider, self.clock()
        )
        if found is None:
            raise UnknownAuthorization(provider)
        try:
            verifier = self.keyring.open(
                found.sealed_verifier, _verifier_aad(project_id, digest, provider)
            ).decode()
        except SealError:
            raise ExchangeFailed("server_error") from None
        app = await self.apps.app(project_id, provider)
        if app is None:  # removed since the authorization started
            raise ExchangeFailed("invalid_client")
        refresh_token = await consent.exchange_code(
            self.servers[provider],
            app,
            code=code,
            redirect_uri=found.redirect_uri,
            verifier=verifier,
            limits=self.limits,
            transport=self.transport,
        )
        credentials = {
            "client_id": app.client_id,
            "client_secret": app.client_secret.get_secret_value(),
            "refresh_token": refresh_token.get_secret_value(),
        }
        submission = connecting.Submission(
            project_id, calendar_id, provider, credentials, platform_uuid
        )
        await self.registrar.register(submission)
        log.info("hosted oauth completed", extra={"calendar_id": calendar_id, "provider": provider})

    def _redirect_uri(self) -> str:
        if not self.public_base_url:
            raise HostedOAuthUnavailable("PUBLIC_BASE_URL is not set")
        return self.public_base_url.rstrip("/") + CALLBACK_PATH
