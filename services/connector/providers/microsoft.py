"""Outlook calendars over Microsoft Graph (`provider: microsoft`) with direct OAuth credentials
`{client_id, client_secret, refresh_token}` (providers.md §2).

- Tokens: Entra ID's v2 token endpoint of the `common` tenant (work, school and personal
  accounts alike) at `MICROSOFT_LOGIN_BASE_URL`, scope `offline_access Calendars.Read
  User.Read`, the client secret in the body. Every refresh rotates the refresh token: the
  grant's token cache stores the new one before the access token is used
  (`oauth/grants.py`). `invalid_grant` (AADSTS70008, 700082, 50173, 65001, …) is a dead grant;
  `invalid_client` a rejected client. `/raw` lists through a grant held for the account
  (`Registrar.hold_grant`), so the rotated token is kept for the registration that follows.
- Account: `account_key` is a digest of the client id and the refresh token *as submitted*;
  the grant row keeps it when the token rotates, so calendars registered with the same
  submitted credentials find the same account. The address is `/me`'s `mail`, else its
  `userPrincipalName`.
- Calendars: `/me/calendars`; `platform_uuid` is the calendar id, the default calendar
  (`isDefaultCalendar`) by default. No time zone: the mailbox's (`/me/mailboxSettings`) needs
  a scope we do not ask for, and every Graph time names its zone anyway.
- Events: a round of `calendarView/delta` over the sync window (UTC times); its `deltaLink`,
  relative to `MICROSOFT_GRAPH_BASE_URL`, is the cursor. Sparse occurrences are merged onto
  their series master (`domain/graph_delta.py`); each event is published as it came
  (`format: graph`). 410 / `syncStateNotFound` → a new round (the syncer reconciles).
- Limits: 4 requests in flight per mailbox (per grant, in this process) and the request
  budget; 429 and 503 with `Retry-After` are throttling.
- Push: a change-notification subscription per calendar (`open_channel`, `renew_channel`,
  `stop_channel`, §2.5) on `me/calendars/{id}/events`, `clientState` = the channel id and its
  token, living `push.SUBSCRIPTION_TTL`: a `RenewableChannelProvider`, renewed in place by
  PATCH; the sync worker opens, renews and stops them (`channels.py`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from services.connector.domain import graph_subscriptions, push
from services.connector.domain.discovery import AccountCalendars, CalendarEntry
from services.connector.domain.graph_delta import DeltaRound
from services.connector.domain.push import OpenChannel
from services.connector.oauth.concurrency import AccountConcurrency
from services.connector.oauth.grants import GrantTokenCache
from services.connector.oauth.servers import FixedServer, OAuthServer, TokenEndpoint
from services.connector.oauth.session import OAuthSession
from services.connector.providers.base import (
    ChannelGone,
    FetchedChanges,
    ProviderError,
    Window,
)
from services.connector.providers.graph_api import Graph
from services.connector.providers.guarded_http import HttpLimits
from services.connector.providers.oauth_provider import OAuthAccount, OAuthProvider
from shared.contracts.provider import ProviderObject
from shared.push_tokens import client_state

TENANT = "common"
SCOPE = "offline_access Calendars.Read User.Read"
# Outlook's limits per app and mailbox (providers.md §2.6): 4 concurrent requests, 10,000
# requests per 10 minutes.
CONCURRENT_REQUESTS = 4
REQUESTS_PER_MINUTE = 1000


MicrosoftAccount = OAuthAccount


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class MicrosoftEndpoints:
    graph_base_url: str  # MICROSOFT_GRAPH_BASE_URL (Graph's `/v1.0` hangs off it)
    login_base_url: str  # MICROSOFT_LOGIN_BASE_URL (the Entra ID host)


def token_server(login_base_url: str) -> OAuthServer:
    """Entra ID's v2 token endpoint for the `common` tenant; refresh tokens rotate."""
    url = f"{login_base_url.rstrip('/')}/{TENANT}/oauth2/v2.0/token"
    return FixedServer(TokenEndpoint(url, rotates=True, extra=(("scope", SCOPE),)))


class MicrosoftProvider(OAuthProvider):
    """`CalendarProvider[OAuthAccount]` for Microsoft Graph."""

    def __init__(
        self,
        limits: HttpLimits,
        endpoints: MicrosoftEndpoints,
        tokens: GrantTokenCache,
        *,
        requests_per_minute: int = REQUESTS_PER_MINUTE,
        concurrent_requests: int = CONCURRENT_REQUESTS,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        server = token_server(endpoints.login_base_url)
        super().__init__(limits, server, tokens, requests_per_minute, transport)
        self._graph = endpoints.graph_base_url.rstrip("/")
        self._concurrency = AccountConcurrency(concurrent_requests)
        self._clock = clock

    async def fetch_changes(
        self,
        credentials: MicrosoftAccount,
        calendar_url: str,
        cursor: str | None,
        window: Window | None = None,
    ) -> FetchedChanges:
        async with self._session(credentials) as graph:
            if cursor is not None:
                url = graph.resumed_delta(cursor)
            elif window is not None:
                url = graph.initial_delta(calendar_url, _utc(window[0]), _utc(window[1]))
            else:
                raise ProviderError("a Graph listing needs a time window")
            delta = DeltaRound()
            next_cursor: str | None = None
            async for rows, link in graph.delta_pages(url):
                delta.add(rows)
                next_cursor = link or next_cursor
            masters = {m: await graph.event(m) for m in sorted(delta.masters_to_fetch())}
        found = delta.events(masters)
        objects = tuple(_object(event) for event in found.events)
        return FetchedChanges(
            objects, found.removed, next_cursor, full=cursor is None, cursor_bound_to_window=True
        )

    async def open_channel(
        self,
        credentials: MicrosoftAccount,
        calendar_url: str,
        channel_id: str,
        token: str,
        address: str,
    ) -> OpenChannel:
        """A subscription on the calendar's events delivering to `address` (§2.5)."""
        expires = self._clock() + push.SUBSCRIPTION_TTL
        try:
            state = client_state(channel_id, token)
            body = graph_subscriptions.creation(calendar_url, address, state, expires)
        except ValueError:
            raise ProviderError("the calendar cannot be subscribed to") from None
        async with self._session(credentials) as graph:
            answer = await graph.create_subscription(body)
        return _channel(channel_id, answer)

    async def renew_channel(
        self, credentials: MicrosoftAccount, channel: OpenChannel
    ) -> OpenChannel:
        """PATCH the subscription to a new expiry, which also re-authorizes it (§2.5)."""
        body = graph_subscriptions.renewal(self._clock() + push.SUBSCRIPTION_TTL)
        async with self._session(credentials) as graph:
            answer = await graph.renew_subscription(channel.resource_id, body)
        if answer is None:
            raise ChannelGone("the subscription is gone")
        return _channel(channel.channel_id, answer)

    async def stop_channel(
        self, credentials: MicrosoftAccount, channel_id: str, resource_id: str
    ) -> None:
        async with self._session(credentials) as graph:
            await graph.delete_subscription(resource_id)

    async def _account_calendars(self, credentials: MicrosoftAccount) -> AccountCalendars:
        async with self._session(credentials) as graph:
            me = await graph.me()
            entries = await graph.calendars()
        addresses = _addresses(me)
        calendars = tuple(_entry(e) for e in entries)
        # `mail` is whatever the tenant's admin typed; the user's object id is Graph's own.
        user_id = me.get("id")
        mailbox = user_id if isinstance(user_id, str) and user_id else None
        return AccountCalendars(calendars, addresses, addresses[0] if addresses else None, mailbox)

    @asynccontextmanager
    async def _session(self, account: MicrosoftAccount) -> AsyncIterator[Graph]:
        tokens, key = self._access(account)
        async with self._client() as client:
            session = OAuthSession(
                client,
                tokens,
                self._budget,
                key,
                self._limits,
                concurrency=self._concurrency.semaphore(key),
            )
            yield Graph(session, self._graph)


def _channel(channel_id: str, subscription: Mapping[str, Any]) -> OpenChannel:
    subscription_id = subscription.get("id")
    try:
        expires = graph_subscriptions.expiry_of(subscription)
    except ValueError:
        expires = None
    if not isinstance(subscription_id, str) or not subscription_id or expires is None:
        raise ProviderError("the provider answered with an unexpected subscription")
    return OpenChannel(channel_id, subscription_id, expires)


def _addresses(me: Mapping[str, Any]) -> tuple[str, ...]:
    """The mailbox's address (`mail`), then its sign-in name when that differs."""
    found: list[str] = []
    for field in ("mail", "userPrincipalName"):
        value = me.get(field)
        address = value.strip().lower() if isinstance(value, str) else ""
        if "@" in address and address not in found:
            found.append(address)
    return tuple(found)


def _entry(entry: Mapping[str, Any]) -> CalendarEntry:
    name = entry.get("name")
    return CalendarEntry(
        url=str(entry["id"]),
        name=str(name) if name else None,
        time_zone=None,
        holds_events=True,
        writable=entry.get("canEdit") is not False,
        primary=entry.get("isDefaultCalendar") is True,
    )


def _object(event: dict[str, Any]) -> ProviderObject:
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    etag = event.get("@odata.etag")
    return ProviderObject(
        provider_object_id=event["id"],
        etag=etag if isinstance(etag, str) else None,
        format="graph",
        data=data,
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
