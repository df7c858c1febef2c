"""Connector SQL for sync claims: claiming a due sync, and the writes that end it (success, retry,
disconnect, release, a new push channel), each only while the claim's token still holds."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from services.connector import channel_stops, store
from services.connector.credentials import Sealed
from services.connector.domain.connections import CalendarFound, Connection
from services.connector.domain.push import OpenChannel
from shared.contracts.calendars import ConnectionFailure
from shared.db import types as db
from shared.ids import new_id

log = logging.getLogger(__name__)

CLAIM_SECONDS = 600


@dataclass(frozen=True)
class ClaimedSync:
    """A connection claimed for one sync, its sealed grant (and the account it logs in to),
    whether a full sync was asked, and the claim's token: the sync's writes require it."""

    connection: Connection
    sealed: Sealed
    full_requested: bool
    claim: str
    account: str


async def claim_next_sync(conn: db.Connection) -> ClaimedSync | None:
    """Claim the longest-waiting due sync of a calendar with no sync in flight (or whose
    sync's claim lapsed: that sync's writes no longer match the new token)."""
    row = await conn.fetchrow(
        """
        WITH picked AS (
            SELECT calendar_id, sync_full FROM connections
            WHERE sync_requested_at <= now()
              AND (sync_claimed_until IS NULL OR sync_claimed_until < now())
            ORDER BY sync_requested_at LIMIT 1
            FOR UPDATE SKIP LOCKED)
        UPDATE connections c
        SET sync_claimed_until = now() + make_interval(secs => $1), sync_claim = $2,
            sync_requested_at = NULL, sync_full = false
        FROM picked, grants g
        WHERE c.calendar_id = picked.calendar_id AND g.id = c.grant_id
        RETURNING c.*, picked.sync_full AS full_requested, g.key_id, g.ciphertext,
            g.account AS grant_account
        """,
        CLAIM_SECONDS,
        new_id("clm"),
    )
    if row is None:
        return None
    sealed = Sealed(row["key_id"], bytes(row["ciphertext"]))
    return ClaimedSync(
        store.connection_of(row),
        sealed,
        row["full_requested"],
        row["sync_claim"],
        row["grant_account"],
    )


async def record_success(
    conn: db.Connection,
    claimed: ClaimedSync,
    found: CalendarFound,
    account_email: str | None,
    cursor: str | None,
    poll_seconds: float,
    window_day: date,
) -> Connection | None:
    """Connected: store what the sync learnt, schedule the next poll, release the claim.

    Matches only while the sync still holds its claim and the connection still uses the grant
    the sync ran with (None otherwise).
    """
    row = await conn.fetchrow(
        """
        UPDATE connections SET calendar_url = $3, name = $4, account_email = $5,
            account_addresses = $6, time_zone = $7, sync_cursor = $8, window_day = $10,
            state = 'connected', failure = NULL, sync_failures = 0,
            last_attempted_sync_at = now(), last_successful_sync_at = now(),
            next_poll_at = now() + make_interval(secs => $9),
            state_version = state_version + 1, sync_claimed_until = NULL, sync_claim = NULL,
            updated_at = now()
        WHERE calendar_id = $1 AND grant_id = $2 AND sync_claim = $11
        RETURNING *
        """,
        claimed.connection.calendar_id,
        claimed.connection.grant_id,
        found.url,
        found.name,
        account_email,
        list(found.account_addresses),
        found.time_zone,
        cursor,
        poll_seconds,
        window_day,
        claimed.claim,
    )
    return store.maybe_connection(row)


async def record_disconnect(
    conn: db.Connection, claimed: ClaimedSync, failure: ConnectionFailure
) -> Connection | None:
    """Disconnected until a new command: no polls, the claim released (None when the sync no
    longer holds its claim or the connection moved to another grant)."""
    row = await conn.fetchrow(
        """
        UPDATE connections SET state = 'disconnected', failure = $3,
            last_attempted_sync_at = now(), sync_failures = sync_failures + 1,
            next_poll_at = NULL, state_version = state_version + 1,
            sync_claimed_until = NULL, sync_claim = NULL, updated_at = now()
        WHERE calendar_id = $1 AND grant_id = $2 AND sync_claim = $4
        RETURNING *
        """,
        claimed.connection.calendar_id,
        claimed.connection.grant_id,
        failure.model_dump(mode="json"),
        claimed.claim,
    )
    return store.maybe_connection(row)


async def record_retry(
    conn: db.Connection, claimed: ClaimedSync, delay_seconds: float
) -> Connection | None:
    """Still connected after a transient failure: retry after the backoff, release the claim
    (None when the sync no longer holds its claim or the connection moved to another grant)."""
    row = await conn.fetchrow(
        """
        UPDATE connections SET last_attempted_sync_at = now(),
            sync_failures = sync_failures + 1,
            sync_requested_at = now() + make_interval(secs => $3),
            sync_full = sync_full OR $4,
            state_version = state_version + 1, sync_claimed_until = NULL, sync_claim = NULL,
            updated_at = now()
        WHERE calendar_id = $1 AND grant_id = $2 AND sync_claim = $5
        RETURNING *
        """,
        claimed.connection.calendar_id,
        claimed.connection.grant_id,
        delay_seconds,
        claimed.full_requested,
        claimed.claim,
    )
    return store.maybe_connection(row)


async def release_claim(
    conn: db.Connection, claimed: ClaimedSync, retry_in_seconds: float | None = None
) -> bool:
    """End a sync that changed nothing; with a delay, count a failure and queue a retry (and a
    full sync if one was asked). False when the sync no longer held its claim."""
    status: str = await conn.execute(
        """
        UPDATE connections SET sync_claimed_until = NULL, sync_claim = NULL,
            sync_requested_at = CASE WHEN $2::float8 IS NULL THEN sync_requested_at
                ELSE now() + make_interval(secs => $2::float8) END,
            sync_failures = sync_failures + CASE WHEN $2::float8 IS NULL THEN 0 ELSE 1 END,
            sync_full = sync_full OR ($2::float8 IS NOT NULL AND $3)
        WHERE calendar_id = $1 AND sync_claim = $4
        """,
        claimed.connection.calendar_id,
        retry_in_seconds,
        claimed.full_requested,
        claimed.claim,
    )
    return status != "UPDATE 0"


async def set_channel(conn: db.Connection, claimed: ClaimedSync, channel: OpenChannel) -> bool:
    """Record the channel a sync opened or renewed, while the sync holds its claim and the
    calendar still has the channel the sync began with (a new channel also when that one was
    forgotten meanwhile: it replaces it anyway); a renewal asked for before the sync began is
    done (one asked for since stays asked).

    The calendar's channel can change under a claim: Graph removes the subscription a sync is
    extending, and `recreate` forgets it. Writing it back would leave a dead subscription
    recorded as live (no push until it "expires"), so it is not recorded but queued to be
    stopped (nobody else will know of it) and the hinted sync opens a new one. False when not
    recorded, also when the claim no longer holds (the caller drops the result then)."""
    current = await _claimed_channel(conn, claimed)
    if current is None:
        return False
    seen = claimed.connection.channel
    seen_id = seen.channel_id if seen is not None else None
    replaces = channel.channel_id != seen_id and current.channel_id is None
    if current.channel_id != seen_id and not replaces:
        await channel_stops.queue_channel_stop(conn, claimed.connection, channel)
        log.info(
            "push channel changed during the sync; the one it opened or renewed is queued to stop",
            extra={"calendar_id": claimed.connection.calendar_id},
        )
        return False
    await _record_channel(conn, claimed, channel)
    return True


@dataclass(frozen=True)
class _HeldChannel:
    channel_id: str | None


async def _claimed_channel(conn: db.Connection, claimed: ClaimedSync) -> _HeldChannel | None:
    """The calendar's current channel id, its row locked, while the sync holds its claim (and
    the connection its grant); None otherwise."""
    row = await conn.fetchrow(
        "SELECT push_channel_id FROM connections"
        " WHERE calendar_id = $1 AND grant_id = $2 AND sync_claim = $3 FOR UPDATE",
        claimed.connection.calendar_id,
        claimed.connection.grant_id,
        claimed.claim,
    )
    return _HeldChannel(row["push_channel_id"]) if row is not None else None


async def _record_channel(conn: db.Connection, claimed: ClaimedSync, channel: OpenChannel) -> None:
    """Store the channel on the calendar's row (locked by `_claimed_channel`)."""
    asked = claimed.connection.channel is not None and claimed.connection.channel.renew_requested
    await conn.execute(
        """
        UPDATE connections SET push_channel_id = $2, push_resource_id = $3,
            push_expires_at = $4, push_renew_requested = push_renew_requested AND NOT $5
        WHERE calendar_id = $1
        """,
        claimed.connection.calendar_id,
        channel.channel_id,
        channel.resource_id,
        channel.expires_at,
        asked,
    )
