""" "Give me a valid access token" for a stored grant: the cached one while it lives, else one
refresh per grant at a time.

A refresh locks the grant row (`SELECT … FOR UPDATE`) and makes the token request while
holding it (bounded by the provider timeout): whoever waited on the lock finds the new token
cached and sends no request of its own. A rotated refresh token is re-sealed into the grant in
that same transaction, before anyone uses the new access token. On `invalid_grant` the grant
is re-read: if its refresh token changed meanwhile (another process rotated it), the refresh
is tried once more with it; otherwise the grant is dead (`GrantRevoked`). This deliberately
breaks the "no network I/O in a transaction" rule, for the one request the lock exists for.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import asyncpg
import httpx
from pydantic import ValidationError

from services.connector.credentials import Keyring, SealError, associated_data
from services.connector.domain.failures import FailureKind
from services.connector.oauth import store, token_client
from services.connector.oauth.credentials import OAuthCredentials
from services.connector.oauth.servers import OAuthServer
from services.connector.providers.base import GrantRef, GrantRevoked, ProviderError
from services.connector.providers.guarded_http import HttpLimits
from shared.db import types as db

# A cached token this close to its expiry is refreshed rather than used: a sync's requests
# must not start failing halfway through.
EXPIRY_MARGIN = timedelta(minutes=2)


class GrantUnavailable(ProviderError):
    """Raised when the grant row is gone (deleted meanwhile) or no longer opens: only new
    credentials help, so it is never retried."""

    kind = FailureKind.CREDENTIALS_UNAVAILABLE


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AccessTokens(Protocol):
    """An operation's access tokens; `refused` is the token the API just answered 401 to."""

    async def access_token(self, client: httpx.AsyncClient, refused: str | None = None) -> str: ...


@dataclass(frozen=True)
class GrantTokenCache:
    """The access-token cache of every stored grant (one per connector process)."""

    pool: Callable[[], asyncpg.Pool[Any]]
    keyring: Keyring
    limits: HttpLimits
    clock: Callable[[], datetime] = _utc_now

    def for_grant(self, grant: GrantRef, server: OAuthServer) -> StoredGrantTokens:
        return StoredGrantTokens(self, grant, server)

    async def access_token(
        self,
        grant: GrantRef,
        server: OAuthServer,
        client: httpx.AsyncClient,
        refused: str | None = None,
    ) -> str:
        """A live access token of `grant` other than `refused`: cached, else refreshed."""
        async with self.pool().acquire() as conn:
            tokens = await store.read_tokens(conn, grant.grant_id)
        if tokens is None:
            raise GrantUnavailable("the grant is gone")
        cached = self._usable(grant, tokens, refused)
        if cached:
            return cached
        # Shielded: a sync cancelled (budget, shutdown) while a rotating provider answers must
        # still store the new refresh token, or the grant dies with the old one.
        return await asyncio.shield(self._refresh(grant, server, client, refused))

    async def _refresh(
        self, grant: GrantRef, server: OAuthServer, client: httpx.AsyncClient, refused: str | None
    ) -> str:
        endpoint = await server.token_endpoint(client)  # discovery outside the lock
        tried: set[str] = set()
        for _ in range(2):
            async with self.pool().acquire() as conn, conn.transaction():
                tokens = await store.lock_tokens(conn, grant.grant_id)
                if tokens is None:
                    raise GrantUnavailable("the grant is gone")
                cached = self._usable(grant, tokens, refused)
                if cached:
                    return cached  # refreshed by whoever held the lock before us
                credentials = self._credentials(grant, tokens)
                refresh_token = credentials.refresh_token.get_secret_value()
                if refresh_token in tried:
                    break  # re-read, unchanged: the grant is dead
                tried.add(refresh_token)
                try:
                    answer = await token_client.refresh(client, endpoint, credentials, self.limits)
                except token_client.InvalidGrant:
                    continue  # re-read the grant: another process may have rotated it
                await self._store(conn, grant, credentials, answer)
                return answer.access_token.get_secret_value()
        raise GrantRevoked("the token endpoint refused the grant")

    async def _store(
        self,
        conn: db.Connection,
        grant: GrantRef,
        credentials: OAuthCredentials,
        answer: token_client.TokenAnswer,
    ) -> None:
        """Rotated refresh token first, then the access token: one transaction."""
        rotated = answer.refresh_token
        if rotated is not None and rotated != credentials.refresh_token:
            plaintext = credentials.rotated(rotated.get_secret_value()).sealable()
            sealed = self.keyring.seal(plaintext, _credentials_aad(grant))
            await store.store_rotated_credentials(conn, grant.grant_id, sealed)
        access = self.keyring.seal(answer.access_token.get_secret_value().encode(), _aad(grant))
        expires_at = self.clock() + timedelta(seconds=answer.expires_in)
        await store.store_access_token(conn, grant.grant_id, access, expires_at)

    def _usable(
        self, grant: GrantRef, tokens: store.GrantTokens, refused: str | None
    ) -> str | None:
        if tokens.access is None or tokens.access_expires_at is None:
            return None
        if tokens.access_expires_at - EXPIRY_MARGIN <= self.clock():
            return None
        try:
            token = self.keyring.open(tokens.access, _aad(grant)).decode()
        except (SealError, UnicodeDecodeError):
            return None
        return None if token == refused else token

    def _credentials(self, grant: GrantRef, tokens: store.GrantTokens) -> OAuthCredentials:
        try:
            raw = json.loads(self.keyring.open(tokens.credentials, _credentials_aad(grant)))
            return OAuthCredentials.model_validate(raw)
        except (SealError, ValueError, ValidationError):
            raise GrantUnavailable("the stored grant does not open") from None


@dataclass(frozen=True)
class StoredGrantTokens:
    """`AccessTokens` of one stored grant."""

    cache: GrantTokenCache
    grant: GrantRef
    server: OAuthServer

    async def access_token(self, client: httpx.AsyncClient, refused: str | None = None) -> str:
        return await self.cache.access_token(self.grant, self.server, client, refused)


@dataclass(frozen=True)
class SubmittedTokens:
    """`AccessTokens` of credentials that are not stored (`POST /v1/calendars/raw`): every
    operation refreshes once and caches nothing. Fine for Google, whose refresh tokens do not
    rotate; a rotating provider would burn the user's refresh token here, so rotating servers
    are refused (see ARCHITECTURE → OAuth grants), unless the credentials are `retired`: a
    copy of a grant since deleted, whose rotated refresh token nobody needs."""

    credentials: OAuthCredentials
    server: OAuthServer
    limits: HttpLimits
    retired: bool = False

    async def access_token(self, client: httpx.AsyncClient, refused: str | None = None) -> str:
        if self.server.rotates and not self.retired:
            raise ProviderError("listing without a stored grant would rotate its refresh token")
        endpoint = await self.server.token_endpoint(client)
        try:
            answer = await token_client.refresh(client, endpoint, self.credentials, self.limits)
        except token_client.InvalidGrant:
            raise GrantRevoked("the token endpoint refused the grant") from None
        return answer.access_token.get_secret_value()


def _aad(grant: GrantRef) -> bytes:
    return associated_data(grant.project_id, grant.grant_id, f"{grant.provider}:access")


def _credentials_aad(grant: GrantRef) -> bytes:
    return associated_data(grant.project_id, grant.grant_id, grant.provider)
