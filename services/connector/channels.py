"""Provider push channels (Google watch channels): opened after a successful sync, renewed
before they expire by opening a new one and stopping the old, stopped when the calendar goes.

Opening happens inside the sync's claim, so one calendar never opens two channels at once; it
never fails the sync (logged; the next sync tries again). Stops are queued in
`push_channel_stops` with a copy of the sealed grant (a deleted calendar's grant may be gone)
and done by the sync workers between syncs, retried a few times; a channel never stopped just
expires. The channel token is derived from the channel id (`shared/push_tokens.py`), so it is
never stored and the gateway checks it without our schema.
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
    ChannelProvider,
    InvalidCredentialsShape,
    ProviderError,
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
    """A channel opened by a sync, and the one it replaces (to be stopped)."""

    opened: OpenChannel
    replaced: OpenChannel | None


async def ensure_channel(
    config: PushConfig | None,
    provider: CalendarProvider[Any],
    credentials: Any,
    connection: Connection,
    calendar_url: str,
    now: datetime,
) -> Renewal | None:
    """Open a channel when the calendar has none or its channel expires soon; None when
    nothing was opened (not needed, not supported, or failed: logged, retried next sync)."""
    if config is None or not isinstance(provider, ChannelProvider):
        return None
    if not push.needs_new_channel(connection.channel, now):
        return None
    channel_id = new_channel_id(connection.calendar_id)
    token = channel_token(config.secret, channel_id)
    address = config.address(connection.provider)
    try:
        async with asyncio.timeout(OPEN_TIMEOUT_SECONDS):
            opened = await provider.open_channel(
                credentials, calendar_url, channel_id, token, address
            )
    except (ProviderError, TimeoutError) as exc:
        log.warning(
            "push channel not opened",
            extra={"calendar_id": connection.calendar_id, "error": type(exc).__name__},
        )
        return None
    log.info(
        "push channel opened",
        extra={"calendar_id": connection.calendar_id, "expires_at": opened.expires_at.isoformat()},
    )
    return Renewal(opened, connection.channel)


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
    try:
        raw = json.loads(keyring.open(queued.sealed, aad))
        # Submitted, not the stored grant: the grant may be gone with its calendar.
        credentials = provider.parse_credentials(raw, None)
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
