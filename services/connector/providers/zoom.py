"""Zoom meetings as a calendar (`provider: zoom`) with direct OAuth credentials
`{client_id, client_secret, refresh_token}` (providers.md §4).

- Tokens: `{ZOOM_OAUTH_BASE_URL}/oauth/token`, the client authenticated with HTTP Basic (the
  one way Zoom documents). Every refresh rotates the refresh token: the grant's token cache
  stores the new one before the access token is used (`oauth/grants.py`). Zoom answers a dead
  refresh token (reused, revoked, expired) with `{"reason":"Invalid Token!","error":
  "invalid_request"}` (`invalid_grant` in newer reports): both are a dead grant. `/raw`
  lists through a grant held for the account, as Microsoft's.
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

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from services.connector.domain.discovery import AccountCalendars, CalendarEntry
from services.connector.oauth.grants import GrantTokenCache
from services.connector.oauth.servers import FixedServer, OAuthServer, TokenEndpoint
from services.connector.oauth.session import OAuthSession
from services.connector.providers.base import (
    FetchedChanges,
    ProviderError,
    Window,
)
from services.connector.providers.guarded_http import HttpLimits
from services.connector.providers.oauth_provider import OAuthAccount, OAuthProvider
from services.connector.providers.zoom_api import ZoomApi
from shared.contracts.provider import ProviderObject

CALENDAR_NAME = "Zoom meetings"
DEAD_REFRESH_REASON = "Invalid Token!"  # Zoom's error text for a dead refresh token
# Zoom's Medium category allows 20 requests a second per account on paid plans (fewer on free
# ones, and the account's apps share it): 10 a second leaves room for the others.
REQUESTS_PER_MINUTE = 600


ZoomAccount = OAuthAccount


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


class ZoomProvider(OAuthProvider):
    """`CalendarProvider[OAuthAccount]` for Zoom: the account's one pseudo-calendar."""

    def __init__(
        self,
        limits: HttpLimits,
        endpoints: ZoomEndpoints,
        tokens: GrantTokenCache,
        *,
        requests_per_minute: int = REQUESTS_PER_MINUTE,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        server = token_server(endpoints.oauth_base_url)
        super().__init__(limits, server, tokens, requests_per_minute, transport)
        self._api = endpoints.api_base_url.rstrip("/")

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
        email = addresses[0] if addresses else None
        return AccountCalendars((entry,), addresses, email, mailbox=user_id)

    @asynccontextmanager
    async def _session(self, account: ZoomAccount) -> AsyncIterator[ZoomApi]:
        tokens, key = self._access(account)
        async with self._client() as client:
            session = OAuthSession(client, tokens, self._budget, key, self._limits)
            yield ZoomApi(session, self._api)


def _meeting_id(row: Mapping[str, Any]) -> str | None:
    value = row.get("id")
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    return str(value) or None


def _object(meeting_id: str, meeting: dict[str, Any]) -> ProviderObject:
    """The meeting as Zoom gave it, `start_url` already removed (`zoom_api.public_meeting`)."""
    data = json.dumps(meeting, ensure_ascii=False, separators=(",", ":"))
    return ProviderObject(provider_object_id=meeting_id, etag=None, format="zoom", data=data)
