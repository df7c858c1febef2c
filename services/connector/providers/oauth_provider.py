"""What the OAuth providers (Google, Microsoft, Zoom) share: credentials `{client_id,
client_secret, refresh_token}`; an account keyed by the client and the refresh token as
submitted (knowing the provider's account would need I/O at registration); access tokens from
the grant's cache, or, for credentials only submitted (`/raw` of a provider that does not
rotate refresh tokens) or copied from a grant since deleted (stopping its push channel), one
refresh that caches nothing; and the calendar chosen from the account's listing.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from services.connector.domain.budget import RequestBudget
from services.connector.domain.connections import CalendarFound
from services.connector.domain.discovery import AccountCalendars, choose_calendar
from services.connector.oauth.credentials import OAuthCredentials
from services.connector.oauth.grants import AccessTokens, GrantTokenCache, SubmittedTokens
from services.connector.oauth.servers import OAuthServer
from services.connector.providers.base import (
    CalendarNotFound,
    GrantRef,
    ProviderUnavailable,
    parse_shape,
)
from services.connector.providers.guarded_http import HttpLimits


@dataclass(frozen=True)
class OAuthAccount:
    """Parsed credentials and the stored grant they came from (None when only submitted)."""

    credentials: OAuthCredentials
    grant: GrantRef | None


class OAuthProvider(ABC):
    """The `CalendarProvider[OAuthAccount]` parts every OAuth provider has in common."""

    def __init__(
        self,
        limits: HttpLimits,
        server: OAuthServer,
        tokens: GrantTokenCache,
        requests_per_minute: int,
        transport: httpx.AsyncBaseTransport | None,
    ) -> None:
        self._limits = limits
        self._server = server
        self._tokens = tokens
        self._budget = RequestBudget(requests_per_minute)
        self._transport = transport

    def parse_credentials(
        self, raw: Mapping[str, Any], grant: GrantRef | None = None
    ) -> OAuthAccount:
        return OAuthAccount(parse_shape(OAuthCredentials, raw), grant)

    def server_urls(self, credentials: OAuthAccount) -> tuple[str, ...]:
        return ()  # the operator's provider base URLs, never the user's

    def username(self, credentials: OAuthAccount) -> str | None:
        return None

    def account_key(self, credentials: OAuthAccount) -> str:
        client = credentials.credentials
        return f"{client.client_id}|{client.fingerprint()}"

    def rotates_refresh_tokens(self) -> bool:
        return self._server.rotates

    def same_grant(self, stored: Mapping[str, Any], submitted: Mapping[str, Any]) -> bool:
        """Whether stored credentials are the submitted ones. Where refresh tokens rotate, the
        account key already names the submitted refresh token and the stored one has moved on
        since, so the rest must match."""
        if self._server.rotates:
            return _client(stored) == _client(submitted)
        return dict(stored) == dict(submitted)

    async def list_calendars(self, credentials: OAuthAccount) -> AccountCalendars:
        """The account's calendars, answered within one provider timeout (a client waits)."""
        try:
            async with asyncio.timeout(self._limits.request_seconds):
                return await self._account_calendars(credentials)
        except TimeoutError:
            raise ProviderUnavailable("no answer in time") from None

    async def discover(self, credentials: OAuthAccount, platform_uuid: str | None) -> CalendarFound:
        listing = await self._account_calendars(credentials)
        chosen = choose_calendar(listing.calendars, platform_uuid)
        if chosen is None:
            raise CalendarNotFound("no matching calendar")
        return CalendarFound(
            chosen.url, chosen.name, chosen.time_zone, listing.account_addresses, listing.mailbox
        )

    @abstractmethod
    async def _account_calendars(self, credentials: OAuthAccount) -> AccountCalendars:
        """The account's calendars and addresses, straight from the provider."""

    def _access(self, account: OAuthAccount) -> tuple[AccessTokens, str]:
        """The account's access tokens, and the key its request budget is counted under."""
        grant = account.grant
        if grant is not None and not grant.retired:
            return self._tokens.for_grant(grant, self._server), grant.grant_id
        retired = grant is not None  # a deleted grant's copy: nobody needs what it rotates to
        submitted = SubmittedTokens(account.credentials, self._server, self._limits, retired)
        return submitted, self.account_key(account)

    def _client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self._transport, follow_redirects=False)


def _client(credentials: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in credentials.items() if k != "refresh_token"}
