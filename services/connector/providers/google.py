"""Google Calendar (`provider: google`) with direct OAuth credentials `{client_id,
client_secret, refresh_token}` (providers.md §1).

- Account: calendars registered with the same client and refresh token share one grant
  (`account_key` is a digest of both: knowing the Google account would need I/O at
  registration). The account's address is its primary calendar's id.
- Calendars: `calendarList`; `platform_uuid` is the calendar id, the primary one by default.
- Events: a full listing is `events.list` with `singleEvents=true` (series expanded into
  instances) bounded by the sync window; its last page's `nextSyncToken` is the cursor. An
  incremental sync repeats the same parameters with `syncToken` instead of the bounds;
  cancelled items are removals; 410 means list fully again. Each event resource is published
  as it came (`format: google`), for the syncer to map.
- Tokens: the access-token cache of the grant (`oauth/grants.py`); submitted credentials
  (`/raw`) refresh once and cache nothing, which is safe because Google does not rotate
  refresh tokens. The OAuth endpoints are discovered on `GOOGLE_OAUTH_BASE_URL`.
- Push: a watch channel per calendar (`open_channel`, `stop_channel`, §1.9): a
  `ChannelProvider`; the sync worker opens, renews and stops them (`channels.py`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from services.connector.domain import push
from services.connector.domain.discovery import AccountCalendars, CalendarEntry
from services.connector.domain.push import OpenChannel
from services.connector.oauth.grants import GrantTokenCache
from services.connector.oauth.servers import DiscoveredServer
from services.connector.oauth.session import OAuthSession
from services.connector.providers import google_api
from services.connector.providers.base import (
    FetchedChanges,
    ProviderError,
    Window,
)
from services.connector.providers.guarded_http import HttpLimits
from services.connector.providers.oauth_provider import OAuthAccount, OAuthProvider
from shared.contracts.provider import ProviderObject

# Google's per-user quota: 600 requests per minute per user and project (providers.md §1.10).
REQUESTS_PER_MINUTE = 600
_READABLE_ROLES = frozenset({"reader", "writer", "owner"})
_WRITABLE_ROLES = frozenset({"writer", "owner"})


GoogleAccount = OAuthAccount


@dataclass(frozen=True)
class GoogleEndpoints:
    api_base_url: str  # GOOGLE_API_BASE_URL
    oauth_base_url: str  # GOOGLE_OAUTH_BASE_URL: the accounts host, with its discovery document


class GoogleProvider(OAuthProvider):
    """`CalendarProvider[OAuthAccount]` for Google."""

    def __init__(
        self,
        limits: HttpLimits,
        endpoints: GoogleEndpoints,
        tokens: GrantTokenCache,
        *,
        requests_per_minute: int = REQUESTS_PER_MINUTE,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        server = DiscoveredServer(endpoints.oauth_base_url, limits)
        super().__init__(limits, server, tokens, requests_per_minute, transport)
        self._api = endpoints.api_base_url.rstrip("/")

    async def fetch_changes(
        self,
        credentials: GoogleAccount,
        calendar_url: str,
        cursor: str | None,
        window: Window | None = None,
    ) -> FetchedChanges:
        params = {"singleEvents": "true", "maxResults": google_api.EVENTS_PAGE}
        if cursor is not None:
            params["syncToken"] = cursor
        elif window is not None:
            params.update(timeMin=_rfc3339(window[0]), timeMax=_rfc3339(window[1]))
        objects: list[ProviderObject] = []
        removed: list[str] = []
        next_cursor: str | None = None
        async with self._session(credentials) as session:
            pages = google_api.event_pages(session, self._api, calendar_url, params)
            async for page in pages:
                for item in google_api.items(page):
                    _sort(item, objects, removed)
                next_cursor = page.get("nextSyncToken") or None
        return FetchedChanges(tuple(objects), tuple(removed), next_cursor, full=cursor is None)

    async def open_channel(
        self,
        credentials: GoogleAccount,
        calendar_url: str,
        channel_id: str,
        token: str,
        address: str,
    ) -> OpenChannel:
        """A watch channel on the calendar's events, delivering to `address` (§1.9)."""
        ttl = str(int(push.CHANNEL_TTL.total_seconds()))
        body = {
            "id": channel_id,
            "type": "web_hook",
            "address": address,
            "token": token,
            "params": {"ttl": ttl},
        }
        async with self._session(credentials) as session:
            answer = await google_api.watch_events(session, self._api, calendar_url, body)
        try:
            expires = datetime.fromtimestamp(int(answer["expiration"]) / 1000, UTC)
        except (KeyError, TypeError, ValueError):
            raise ProviderError("the provider answered with an unexpected channel") from None
        return OpenChannel(channel_id, str(answer["resourceId"]), expires)

    async def stop_channel(
        self, credentials: GoogleAccount, channel_id: str, resource_id: str
    ) -> None:
        async with self._session(credentials) as session:
            await google_api.stop_channel(session, self._api, channel_id, resource_id)

    async def _account_calendars(self, credentials: GoogleAccount) -> AccountCalendars:
        async with self._session(credentials) as session:
            entries = await google_api.calendar_list(session, self._api)
        primary = next((e["id"] for e in entries if e.get("primary")), None)
        addresses = (primary.lower(),) if primary and "@" in primary else ()
        calendars = tuple(_entry(e) for e in entries)
        # The primary calendar's id is the Google account's address, which Google keeps unique.
        email = addresses[0] if addresses else None
        return AccountCalendars(calendars, addresses, email, mailbox=email)

    @asynccontextmanager
    async def _session(self, account: GoogleAccount) -> AsyncIterator[OAuthSession]:
        tokens, key = self._access(account)
        async with self._client() as client:
            yield OAuthSession(client, tokens, self._budget, key, self._limits)


def _entry(entry: Mapping[str, Any]) -> CalendarEntry:
    role = entry.get("accessRole")
    name = entry.get("summaryOverride") or entry.get("summary")
    return CalendarEntry(
        url=str(entry["id"]),
        name=str(name) if name else None,
        time_zone=str(entry["timeZone"]) if entry.get("timeZone") else None,
        holds_events=role in _READABLE_ROLES,  # freeBusyReader sees no event details
        writable=role in _WRITABLE_ROLES,
        primary=bool(entry.get("primary")),
    )


def _sort(item: dict[str, Any], objects: list[ProviderObject], removed: list[str]) -> None:
    """A cancelled item is a deletion (of an event, or of one instance of a series, §1.6)."""
    if item.get("status") == "cancelled":
        removed.append(item["id"])
        return
    data = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
    objects.append(
        ProviderObject(
            provider_object_id=item["id"], etag=item.get("etag"), format="google", data=data
        )
    )


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
