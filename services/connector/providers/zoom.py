"""Zoom meetings as a calendar (`provider: zoom`) with direct OAuth credentials
`{client_id, client_secret, refresh_token}` (providers.md §4).

- Tokens: `{ZOOM_OAUTH_BASE_URL}/oauth/token`, the client authenticated with HTTP Basic (the
  one way Zoom documents). Every refresh rotates the refresh token: the grant's token cache
  stores the new one before the access token is used (`oauth/grants.py`). Zoom answers a dead
  refresh token (reused, revoked, expired) with `{"reason":"Invalid Token!","error":
  "invalid_request"}` (`invalid_grant` in newer reports): both are a dead grant. Submitted
  credentials (`/raw`) are refused: refreshing them would burn the user's refresh token.
- Account: as Microsoft's, a digest of the client id and the refresh token *as submitted*; the
  grant keeps it when the token rotates. The address is `/users/me`'s `email`.
- Calendars: Zoom has none. The account is one pseudo-calendar, "Zoom meetings", whose
  `platform_uuid` is the Zoom user id, in the user's time zone; `discover` accepts only it.
- Events: the account's upcoming scheduled meetings (`type=upcoming`: not yet ended, so a
  meeting in progress stays), every page. Zoom has no incremental listing, so every sync is a
  full listing (`full`, no cursor) that the syncer reconciles: nothing changed, nothing
  emitted; an ended meeting leaves the listing and so the store. Each listed meeting is read
  in full (`GET /meetings/{id}`): the structured passcode, the host's email and a recurring
  meeting's `occurrences` are only there. That is one request per meeting, bounded by the
  per-grant request budget (Zoom's Medium rate-limit category). Meetings without a fixed time
  (type 3, no `start_time`) are not events and are left out. `start_url` (the host's start
  link with its ZAK) is removed from every payload before it leaves `zoom_api`.
- Limits: the request budget; 429 (with or without `Retry-After`) is throttling.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from services.connector.domain.budget import RequestBudget
from services.connector.domain.connections import CalendarFound
from services.connector.domain.discovery import AccountCalendars, CalendarEntry, choose_calendar
from services.connector.oauth.credentials import OAuthCredentials
from services.connector.oauth.grants import AccessTokens, GrantTokenCache, SubmittedTokens
from services.connector.oauth.servers import FixedServer, OAuthServer, TokenEndpoint
from services.connector.oauth.session import OAuthSession
from services.connector.providers.base import (
    CalendarNotFound,
    FetchedChanges,
    GrantRef,
    ProviderError,
    ProviderUnavailable,
    Window,
    parse_shape,
)
from services.connector.providers.guarded_http import HttpLimits
from services.connector.providers.zoom_api import ZoomApi
from shared.contracts.provider import ProviderObject

CALENDAR_NAME = "Zoom meetings"
DEAD_REFRESH_REASON = "Invalid Token!"  # Zoom's error text for a dead refresh token
# Zoom's Medium category allows 20 requests a second per account on paid plans (fewer on free
# ones, and the account's apps share it): 10 a second leaves room for the others.
REQUESTS_PER_MINUTE = 600


@dataclass(frozen=True)
class ZoomAccount:
    """Parsed credentials and the stored grant they came from (None when only submitted)."""

    credentials: OAuthCredentials
    grant: GrantRef | None


@dataclass(frozen=True)
class ZoomEndpoints:
    api_base_url: str  # ZOOM_API_BASE_URL (the REST API's `/v2` hangs off it)
    oauth_base_url: str  # ZOOM_OAUTH_BASE_URL (`/oauth/token`)


def token_server(oauth_base_url: str) -> OAuthServer:
    """Zoom's token endpoint: HTTP Basic client auth, rotating refresh tokens."""
    url = f"{oauth_base_url.rstrip('/')}/oauth/token"
    endpoint = TokenEndpoint(
        url, basic_auth=True, rotates=True, dead_grant_reasons=(DEAD_REFRESH_REASON,)
    )
    return FixedServer(endpoint)


class ZoomProvider:
    """`CalendarProvider[ZoomAccount]`."""

    def __init__(
        self,
        limits: HttpLimits,
        endpoints: ZoomEndpoints,
        tokens: GrantTokenCache,
        *,
        requests_per_minute: int = REQUESTS_PER_MINUTE,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._limits = limits
        self._api = endpoints.api_base_url.rstrip("/")
        self._server = token_server(endpoints.oauth_base_url)
        self._tokens = tokens
        self._budget = RequestBudget(requests_per_minute)
        self._transport = transport

    def close(self) -> None:
        """Nothing to release: each operation opens and closes its own HTTP client."""

    def parse_credentials(
        self, raw: Mapping[str, Any], grant: GrantRef | None = None
    ) -> ZoomAccount:
        return ZoomAccount(parse_shape(OAuthCredentials, raw), grant)

    def server_urls(self, credentials: ZoomAccount) -> tuple[str, ...]:
        return ()  # the operator's ZOOM_* settings

    def username(self, credentials: ZoomAccount) -> str | None:
        return None

    def account_key(self, credentials: ZoomAccount) -> str:
        client = credentials.credentials
        return f"{client.client_id}|{client.fingerprint()}"

    def same_grant(self, stored: Mapping[str, Any], submitted: Mapping[str, Any]) -> bool:
        """The account key names the submitted client id and refresh token; the grant's
        refresh token has rotated since, so the rest of the credentials must match."""
        return _client(stored) == _client(submitted)

    async def list_calendars(self, credentials: ZoomAccount) -> AccountCalendars:
        """The account's one pseudo-calendar, answered within one provider timeout."""
        try:
            async with asyncio.timeout(self._limits.request_seconds):
                return await self._account_calendars(credentials)
        except TimeoutError:
            raise ProviderUnavailable("no answer in time") from None

    async def discover(self, credentials: ZoomAccount, platform_uuid: str | None) -> CalendarFound:
        listing = await self._account_calendars(credentials)
        chosen = choose_calendar(listing.calendars, platform_uuid)
        if chosen is None:
            raise CalendarNotFound("no matching calendar")
        return CalendarFound(chosen.url, chosen.name, chosen.time_zone, listing.account_addresses)

    async def fetch_changes(
        self,
        credentials: ZoomAccount,
        calendar_url: str,
        cursor: str | None,
        window: Window | None = None,
    ) -> FetchedChanges:
        """Every upcoming meeting, read in full; always a full listing (the caller filters
        by the window)."""
        objects: list[ProviderObject] = []
        seen: set[str] = set()
        async with self._session(credentials) as zoom:
            listed: list[str] = []
            async for rows in zoom.upcoming_pages():
                for row in rows:
                    meeting_id = _meeting_id(row)
                    if meeting_id and row.get("start_time") and meeting_id not in seen:
                        seen.add(meeting_id)
                        listed.append(meeting_id)
            for meeting_id in listed:
                meeting = await zoom.meeting(meeting_id)
                if meeting is not None:  # deleted since it was listed
                    objects.append(_object(meeting_id, meeting))
        return FetchedChanges(tuple(objects), (), None, full=True)

    async def _account_calendars(self, credentials: ZoomAccount) -> AccountCalendars:
        async with self._session(credentials) as zoom:
            me = await zoom.me()
        user_id = me.get("id")
        if not isinstance(user_id, str) or not user_id:
            raise ProviderError("the provider answered without a user id")
        zone = me.get("timezone")
        entry = CalendarEntry(
            url=user_id,
            name=CALENDAR_NAME,
            time_zone=zone if isinstance(zone, str) and zone else None,
            holds_events=True,
            writable=True,
            primary=True,
        )
        email = me.get("email")
        address = email.strip().lower() if isinstance(email, str) else ""
        addresses = (address,) if "@" in address else ()
        return AccountCalendars((entry,), addresses, addresses[0] if addresses else None)

    @asynccontextmanager
    async def _session(self, account: ZoomAccount) -> AsyncIterator[ZoomApi]:
        tokens: AccessTokens
        if account.grant is not None:
            tokens = self._tokens.for_grant(account.grant, self._server)
            key = account.grant.grant_id
        else:
            tokens = SubmittedTokens(account.credentials, self._server, self._limits)
            key = self.account_key(account)
        async with httpx.AsyncClient(transport=self._transport, follow_redirects=False) as client:
            session = OAuthSession(client, tokens, self._budget, key, self._limits)
            yield ZoomApi(session, self._api)


def _client(credentials: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in credentials.items() if k != "refresh_token"}


def _meeting_id(row: Mapping[str, Any]) -> str | None:
    value = row.get("id")
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    return str(value) or None


def _object(meeting_id: str, meeting: dict[str, Any]) -> ProviderObject:
    """The meeting as Zoom gave it, `start_url` already removed (`zoom_api.public_meeting`)."""
    data = json.dumps(meeting, ensure_ascii=False, separators=(",", ":"))
    return ProviderObject(provider_object_id=meeting_id, etag=None, format="zoom", data=data)
