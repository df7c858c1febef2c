"""Provider push channels (Google watch channels, Graph subscriptions): opened after a
successful sync, renewed before they expire (or when the provider asks), stopped when the
calendar goes.

A renewal extends the channel in place where the provider can (`RenewableChannelProvider`:
Graph's PATCH, falling back to a new channel when the old one is gone), else opens a new one
and stops the old (Google). Opening happens inside the sync's claim, so one calendar never
opens two channels at once; it never fails the sync (logged; the next sync tries again). Stops
are queued in `push_channel_stops` with a copy of the sealed grant and done by the sync
workers between syncs, retried a few times; a channel never stopped just expires. A stop uses
the grant itself while it exists (a rotating provider's refresh must be stored), else the
copy, retired. The channel token is derived from the channel id (`shared/push_tokens.py`), so
it is never stored and the gateway checks it without our schema.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from services.connector import channel_stops
from services.connector.credentials import Keyring, SealError, associated_data
from services.connector.domain import push
from services.connector.domain.connections import Connection
from services.connector.domain.push import OpenChannel
from services.connector.providers.base import (
    CalendarProvider,
    ChannelGone,
    ChannelProvider,
    GrantRef,
    InvalidCredentialsShape,
    ProviderError,
    RenewableChannelProvider,
)
from shared.push_tokens import channel_token, new_channel_id

log = logging.getLogger(__name__)

OPEN_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class PushConfig:
    """Where providers deliver notifications and the secret channel tokens derive from."""

    public_base_url: str  # PUBLIC_BASE_URL
    secret: str  # ROLLCALL_PUSH_SECRET

    def address(self, provider: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/v1/push/{provider}"


def push_config(public_base_url: str | None, secret: str) -> PushConfig | None:
    """Push needs both settings; without either, calendars are polled only."""
    if not public_base_url or not secret:
        return None
    return PushConfig(public_base_url, secret)


@dataclass(frozen=True)
class Renewal:
    """A channel opened (or extended) by a sync, and the one it replaces (to be stopped)."""

    opened: OpenChannel
    replaced: OpenChannel | None
    extended: bool = False  # `opened` is the calendar's own channel, extended in place


async def ensure_channel(
    config: PushConfig | None,
    provider: CalendarProvider[Any],
    credentials: Any,
    connection: Connection,
    calendar_url: str,
    now: datetime,
) -> Renewal | None:
    """Open or renew a channel when the calendar has none, its channel expires soon or the
    provider asked for a renewal; None when nothing changed (not needed, not supported, or
    failed: logged, retried next sync)."""
    if config is None or not isinstance(provider, ChannelProvider):
        return None
    if not push.needs_new_channel(connection.channel, now):
        return None
    try:
        async with asyncio.timeout(OPEN_TIMEOUT_SECONDS):
            return await _renew_or_open(config, provider, credentials, connection, calendar_url)
    except (ProviderError, TimeoutError) as exc:
        log.warning(
            "push channel not opened or renewed",
            extra={"calendar_id": connection.calendar_id, "error": type(exc).__name__},
        )
        return None


async def _renew_or_open(
    config: PushConfig,
    provider: ChannelProvider[Any],
    credentials: Any,
    connection: Connection,
    calendar_url: str,
) -> Renewal:
    current = connection.channel
    if current is not None and isinstance(provider, RenewableChannelProvider):
        try:
            renewed = await provider.renew_channel(credentials, current)
        except ChannelGone:
            log.info("push channel gone, opening another", extra=_fields(connection))
            return Renewal(
                await _open(config, provider, credentials, connection, calendar_url), None
            )
        log.info("push channel renewed", extra=_fields(connection, renewed))
        return Renewal(renewed, None, extended=True)
    opened = await _open(config, provider, credentials, connection, calendar_url)
    return Renewal(opened, current)


async def _open(
    config: PushConfig,
    provider: ChannelProvider[Any],
    credentials: Any,
    connection: Connection,
    calendar_url: str,
) -> OpenChannel:
    channel_id = new_channel_id(connection.calendar_id)
    token = channel_token(config.secret, channel_id)
    address = config.address(connection.provider)
    opened = await provider.open_channel(credentials, calendar_url, channel_id, token, address)
    log.info("push channel opened", extra=_fields(connection, opened))
    return opened


def _fields(connection: Connection, channel: OpenChannel | None = None) -> dict[str, str]:
    fields = {"calendar_id": connection.calendar_id}
    if channel is not None:
        fields["expires_at"] = channel.expires_at.isoformat()
    return fields


async def stop_next(
    pool: asyncpg.Pool[Any], keyring: Keyring, providers: dict[str, CalendarProvider[Any]]
) -> bool:
    """Stop one queued channel, if one is due; False when none is."""
    async with pool.acquire() as conn:
        queued = await channel_stops.claim_channel_stop(conn, push.STOP_RETRY.total_seconds())
    if queued is None:
        return False
    done = await _stop(queued, keyring, providers)
    if done or queued.attempts >= push.STOP_ATTEMPTS:
        if not done:
            log.warning("push channel stop given up", extra={"project_id": queued.project_id})
        async with pool.acquire() as conn:
            await channel_stops.forget_channel_stop(conn, queued.channel_id)
    return True


async def _stop(
    queued: channel_stops.QueuedStop, keyring: Keyring, providers: dict[str, CalendarProvider[Any]]
) -> bool:
    provider = providers.get(queued.provider)
    if not isinstance(provider, ChannelProvider):
        return True  # nothing can stop it: it expires
    aad = associated_data(queued.project_id, queued.grant_id, queued.provider)
    # The grant itself while it lives (other calendars may use it: a rotated refresh token
    # must be stored), else the copy, retired.
    grant = GrantRef(
        queued.project_id, queued.grant_id, queued.provider, retired=not queued.grant_alive
    )
    try:
        raw = json.loads(keyring.open(queued.sealed, aad))
        credentials = provider.parse_credentials(raw, grant)
    except (SealError, InvalidCredentialsShape, ValueError):
        log.warning("push channel stop without credentials", extra={"provider": queued.provider})
        return True
    try:
        async with asyncio.timeout(OPEN_TIMEOUT_SECONDS):
            await provider.stop_channel(credentials, queued.channel_id, queued.resource_id)
    except (ProviderError, TimeoutError) as exc:
        log.warning(
            "push channel stop failed",
            extra={"provider": queued.provider, "error": type(exc).__name__},
        )
        return False
    log.info("push channel stopped", extra={"provider": queued.provider})
    return True
