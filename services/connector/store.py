"""Connector SQL (schema `connector`), one statement per function, returning models."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import asyncpg

from services.connector.credentials import Sealed
from services.connector.domain import window
from services.connector.domain.connections import CalendarFound, Connection
from services.connector.domain.push import OpenChannel
from shared.contracts.calendars import ConnectionFailure
from shared.contracts.connections import SyncWindow
from shared.db import types as db
from shared.ids import new_id

SYNC_CHANNEL = "connector_sync"
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


def _connection(row: asyncpg.Record) -> Connection:
    failure = row["failure"]
    return Connection(
        calendar_id=row["calendar_id"],
        project_id=row["project_id"],
        provider=row["provider"],
        grant_id=row["grant_id"],
        requested_platform_uuid=row["requested_platform_uuid"],
        calendar_url=row["calendar_url"],
        name=row["name"],
        account_email=row["account_email"],
        account_addresses=tuple(row["account_addresses"]),
        time_zone=row["time_zone"],
        state=row["state"],
        failure=ConnectionFailure.model_validate(failure) if failure else None,
        sync_cursor=row["sync_cursor"],
        sync_window=window.window_of(row["sync_window"]),
        state_version=row["state_version"],
        sync_failures=row["sync_failures"],
        last_attempted_sync_at=row["last_attempted_sync_at"],
        last_successful_sync_at=row["last_successful_sync_at"],
        window_day=row["window_day"],
        channel=_channel(row),
    )


def _channel(row: asyncpg.Record) -> OpenChannel | None:
    if row["push_channel_id"] is None:
        return None
    return OpenChannel(row["push_channel_id"], row["push_resource_id"], row["push_expires_at"])


def _maybe(row: asyncpg.Record | None) -> Connection | None:
    return _connection(row) if row is not None else None


@dataclass(frozen=True)
class StoredGrant:
    """A grant row: what its ciphertext is bound to, and the ciphertext."""

    id: str
    project_id: str
    provider: str
    sealed: Sealed


def _grant(row: asyncpg.Record) -> StoredGrant:
    sealed = Sealed(row["key_id"], bytes(row["ciphertext"]))
    return StoredGrant(row["id"], row["project_id"], row["provider"], sealed)


async def insert_grant(
    conn: db.Connection,
    grant_id: str,
    project_id: str,
    provider: str,
    account: str,
    sealed: Sealed,
) -> None:
    """Store a sealed grant for one provider account. `created_at` is the clock at insert (not
    the transaction's start), so the account lock orders its grants by creation."""
    await conn.execute(
        "INSERT INTO grants (id, project_id, provider, account, key_id, ciphertext, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp())",
        grant_id,
        project_id,
        provider,
        account,
        sealed.key_id,
        sealed.blob,
    )


async def lock_account(conn: db.Connection, project_id: str, provider: str, account: str) -> None:
    """Serialize, until the transaction ends, everything that chooses which grant an account's
    calendars use. Taken first, before any row lock, so two such transactions cannot deadlock
    (and a registration sees the grant a concurrent one just created)."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(concat_ws(chr(31),"
        " 'connector.account', $1::text, $2::text, $3::text), 0))",
        project_id,
        provider,
        account,
    )


async def older_account_grants(conn: db.Connection, grant_id: str) -> list[str]:
    """The grants of the same account (and project) created before this one."""
    rows = await conn.fetch(
        "SELECT o.id FROM grants g JOIN grants o ON o.project_id = g.project_id"
        " AND o.provider = g.provider AND o.account = g.account AND o.created_at < g.created_at"
        " WHERE g.id = $1 ORDER BY o.created_at",
        grant_id,
    )
    return [row["id"] for row in rows]


async def lock_account_grants(
    conn: db.Connection, project_id: str, provider: str, account: str
) -> list[StoredGrant]:
    """The grants of one provider account in the project, locked until the transaction ends."""
    rows = await conn.fetch(
        "SELECT * FROM grants WHERE project_id = $1 AND provider = $2 AND account = $3"
        " ORDER BY created_at FOR UPDATE",
        project_id,
        provider,
        account,
    )
    return [_grant(row) for row in rows]


async def reconnect_account(
    conn: db.Connection, old_grant_ids: list[str], grant_id: str, except_calendar: str
) -> list[Connection]:
    """Move the account's disconnected calendars to its new grant: `connecting`, version+1,
    a full resync queued."""
    rows = await conn.fetch(
        """
        UPDATE connections SET grant_id = $2, state = 'connecting', failure = NULL,
            sync_failures = 0, sync_requested_at = now(), sync_full = true,
            state_version = state_version + 1, updated_at = now()
        WHERE grant_id = ANY($1::text[]) AND calendar_id <> $3 AND state = 'disconnected'
        RETURNING *
        """,
        old_grant_ids,
        grant_id,
        except_calendar,
    )
    return [_connection(row) for row in rows]


async def repoint_account(
    conn: db.Connection, old_grant_ids: list[str], grant_id: str, except_calendar: str
) -> int:
    """Move the account's other calendars to its new grant and queue a sync unless one is
    queued (a sync in flight with the old grant will not be recorded)."""
    status: str = await conn.execute(
        """
        UPDATE connections SET grant_id = $2,
            sync_requested_at = COALESCE(sync_requested_at, now()), updated_at = now()
        WHERE grant_id = ANY($1::text[]) AND calendar_id <> $3
        """,
        old_grant_ids,
        grant_id,
        except_calendar,
    )
    return int(status.split()[-1])


async def lock_grants_to_reseal(
    conn: db.Connection, active_key_id: str, after_id: str, limit: int
) -> list[StoredGrant]:
    """The next grants (by id) sealed with another key than the active one, locked."""
    rows = await conn.fetch(
        "SELECT * FROM grants WHERE key_id <> $1 AND id > $2 ORDER BY id LIMIT $3 FOR UPDATE",
        active_key_id,
        after_id,
        limit,
    )
    return [_grant(row) for row in rows]


async def reseal_grant(conn: db.Connection, grant_id: str, sealed: Sealed) -> None:
    """Replace a grant's ciphertext (same plaintext, new key); its cached access token, sealed
    with the old key, is dropped (the next use refreshes it)."""
    await conn.execute(
        "UPDATE grants SET key_id = $2, ciphertext = $3, access_key_id = NULL,"
        " access_ciphertext = NULL, access_expires_at = NULL, updated_at = now() WHERE id = $1",
        grant_id,
        sealed.key_id,
        sealed.blob,
    )


async def delete_grant_if_unused(conn: db.Connection, grant_id: str) -> None:
    """Forget a grant no connection points at any more."""
    await conn.execute(
        "DELETE FROM grants WHERE id = $1"
        " AND NOT EXISTS (SELECT 1 FROM connections WHERE grant_id = $1)",
        grant_id,
    )


async def lock_connection(conn: db.Connection, calendar_id: str) -> Connection | None:
    """The connection, locked until the transaction ends."""
    row = await conn.fetchrow(
        "SELECT * FROM connections WHERE calendar_id = $1 FOR UPDATE", calendar_id
    )
    return _maybe(row)


async def upsert_connection(
    conn: db.Connection,
    calendar_id: str,
    project_id: str,
    provider: str,
    grant_id: str,
    platform_uuid: str | None,
) -> Connection | None:
    """Create the connection, or point it at a new grant: back to `connecting` (version+1)
    with a full resync queued in the same transaction (`api.md`: new credentials reconnect
    and resync atomically). A missing `platform_uuid` keeps the one asked for before.

    Returns None when the calendar id exists in another project.
    """
    row = await conn.fetchrow(
        """
        INSERT INTO connections (calendar_id, project_id, provider, grant_id,
            requested_platform_uuid, state)
        VALUES ($1, $2, $3, $4, $5, 'connecting')
        ON CONFLICT (calendar_id) DO UPDATE SET grant_id = EXCLUDED.grant_id,
            provider = EXCLUDED.provider,
            requested_platform_uuid = COALESCE(EXCLUDED.requested_platform_uuid,
                connections.requested_platform_uuid),
            state = 'connecting', failure = NULL, sync_failures = 0,
            sync_requested_at = now(), sync_full = true,
            state_version = connections.state_version + 1, updated_at = now()
        WHERE connections.project_id = EXCLUDED.project_id
        RETURNING *
        """,
        calendar_id,
        project_id,
        provider,
        grant_id,
        platform_uuid,
    )
    return _maybe(row)


async def request_connect(
    conn: db.Connection,
    calendar_id: str,
    sync_window: SyncWindow,
    platform_uuid: str | None,
) -> bool:
    """Store the window (and requested calendar) and queue a full sync; False if unknown."""
    status: str = await conn.execute(
        """
        UPDATE connections SET sync_window = $2,
            requested_platform_uuid = COALESCE($3, requested_platform_uuid),
            sync_requested_at = now(), sync_full = true, updated_at = now()
        WHERE calendar_id = $1
        """,
        calendar_id,
        sync_window.model_dump(mode="json"),
        platform_uuid,
    )
    return status != "UPDATE 0"


async def request_sync(conn: db.Connection, calendar_id: str, full: bool) -> bool:
    """Queue a sync now (at most one more while one is in flight); False if unknown."""
    status: str = await conn.execute(
        "UPDATE connections SET sync_requested_at = now(), sync_full = sync_full OR $2,"
        " updated_at = now() WHERE calendar_id = $1",
        calendar_id,
        full,
    )
    return status != "UPDATE 0"


async def request_hinted_sync(conn: db.Connection, calendar_id: str) -> bool:
    """Queue an incremental sync of a connected calendar unless one is already queued (its
    place in line and a retry's backoff are kept); False if there is no such calendar."""
    status: str = await conn.execute(
        "UPDATE connections SET sync_requested_at = COALESCE(sync_requested_at, now()),"
        " updated_at = now() WHERE calendar_id = $1 AND state = 'connected'",
        calendar_id,
    )
    return status != "UPDATE 0"


async def notify_sync_requested(conn: db.Connection) -> None:
    """Wake the sync workers once the caller's transaction commits."""
    await conn.execute("SELECT pg_notify($1, '')", SYNC_CHANNEL)


async def delete_connection(conn: db.Connection, calendar_id: str) -> Connection | None:
    """Forget the connection; returns it as it was, or None if unknown."""
    row = await conn.fetchrow(
        "DELETE FROM connections WHERE calendar_id = $1 RETURNING *", calendar_id
    )
    return _maybe(row)


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
        _connection(row), sealed, row["full_requested"], row["sync_claim"], row["grant_account"]
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
    return _maybe(row)


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
    return _maybe(row)


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
    return _maybe(row)


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
    """Record the channel a sync opened, while the sync still holds its claim."""
    status: str = await conn.execute(
        "UPDATE connections SET push_channel_id = $4, push_resource_id = $5,"
        " push_expires_at = $6 WHERE calendar_id = $1 AND grant_id = $2 AND sync_claim = $3",
        claimed.connection.calendar_id,
        claimed.connection.grant_id,
        claimed.claim,
        channel.channel_id,
        channel.resource_id,
        channel.expires_at,
    )
    return status != "UPDATE 0"


async def queue_channel_stop(
    conn: db.Connection, connection: Connection, channel: OpenChannel
) -> None:
    """Queue a channel to be stopped with the grant's sealed credentials (call before the
    grant may be deleted); a grant already gone leaves the channel to expire."""
    await conn.execute(
        """
        INSERT INTO push_channel_stops
            (channel_id, resource_id, provider, project_id, grant_id, key_id, ciphertext)
        SELECT $1, $2, g.provider, g.project_id, g.id, g.key_id, g.ciphertext
        FROM grants g WHERE g.id = $3
        ON CONFLICT (channel_id) DO NOTHING
        """,
        channel.channel_id,
        channel.resource_id,
        connection.grant_id,
    )


@dataclass(frozen=True)
class QueuedStop:
    channel_id: str
    resource_id: str
    provider: str
    project_id: str
    grant_id: str
    sealed: Sealed
    attempts: int  # including the one just claimed


async def claim_channel_stop(conn: db.Connection, retry_seconds: float) -> QueuedStop | None:
    """Take the longest-due queued stop; it comes due again after attempts times `retry_seconds`
    unless forgotten first."""
    row = await conn.fetchrow(
        """
        UPDATE push_channel_stops s SET attempts = s.attempts + 1,
            next_attempt_at = now() + make_interval(secs => $1 * (s.attempts + 1))
        WHERE s.channel_id = (
            SELECT channel_id FROM push_channel_stops WHERE next_attempt_at <= now()
            ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        RETURNING s.*
        """,
        retry_seconds,
    )
    if row is None:
        return None
    return QueuedStop(
        row["channel_id"],
        row["resource_id"],
        row["provider"],
        row["project_id"],
        row["grant_id"],
        Sealed(row["key_id"], bytes(row["ciphertext"])),
        row["attempts"],
    )


async def forget_channel_stop(conn: db.Connection, channel_id: str) -> None:
    await conn.execute("DELETE FROM push_channel_stops WHERE channel_id = $1", channel_id)


async def request_due_polls(conn: db.Connection) -> int:
    """Queue a sync for connected calendars due a poll, and for syncs whose claim lapsed."""
    status: str = await conn.execute(
        """
        UPDATE connections SET sync_requested_at = now()
        WHERE sync_requested_at IS NULL
          AND ((state = 'connected' AND next_poll_at <= now() AND sync_claimed_until IS NULL)
               OR sync_claimed_until < now())
        """
    )
    return int(status.split()[-1])


async def forget_abandoned_registrations(conn: db.Connection) -> int:
    """Drop registrations no connect command ever followed within 24 h (the gateway failed
    after handing them over), and their grants when unused, so no secret outlives the calendar
    it was meant for; returns how many registrations were dropped."""
    dropped: int = await conn.fetchval(
        """
        WITH gone AS (
            DELETE FROM connections
            WHERE state = 'connecting' AND last_attempted_sync_at IS NULL
              AND sync_requested_at IS NULL AND sync_claimed_until IS NULL
              AND created_at < now() - interval '24 hours'
            RETURNING calendar_id, grant_id),
        unused AS (
            DELETE FROM grants g WHERE g.id IN (SELECT grant_id FROM gone)
              AND NOT EXISTS (SELECT 1 FROM connections c WHERE c.grant_id = g.id
                              AND c.calendar_id NOT IN (SELECT calendar_id FROM gone)))
        SELECT count(*) FROM gone
        """
    )
    return dropped
