"""Connector SQL (schema `connector`) for connections: rows to models, registration, the sync
queue (requests, polls, wake-ups) and deletion; one statement per function."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from services.connector.domain import window
from services.connector.domain.connections import Connection
from services.connector.domain.push import OpenChannel
from shared.contracts.calendars import ConnectionFailure
from shared.contracts.connections import SyncWindow
from shared.db import types as db

SYNC_CHANNEL = "connector_sync"


def connection_of(row: asyncpg.Record) -> Connection:
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
    return OpenChannel(
        row["push_channel_id"],
        row["push_resource_id"],
        row["push_expires_at"],
        renew_requested=row["push_renew_requested"],
    )


def maybe_connection(row: asyncpg.Record | None) -> Connection | None:
    return connection_of(row) if row is not None else None


async def lock_connection(conn: db.Connection, calendar_id: str) -> Connection | None:
    """The connection, locked until the transaction ends."""
    row = await conn.fetchrow(
        "SELECT * FROM connections WHERE calendar_id = $1 FOR UPDATE", calendar_id
    )
    return maybe_connection(row)


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
    return maybe_connection(row)


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


async def request_channel_renewal(conn: db.Connection, calendar_id: str, channel_id: str) -> bool:
    """Have the next sync renew the connected calendar's push channel `channel_id` whatever its
    expiry; False when the calendar is not connected or has another channel now."""
    status: str = await conn.execute(
        "UPDATE connections SET push_renew_requested = true, updated_at = now()"
        " WHERE calendar_id = $1 AND push_channel_id = $2 AND state = 'connected'",
        calendar_id,
        channel_id,
    )
    return status != "UPDATE 0"


async def forget_channel(conn: db.Connection, calendar_id: str, channel_id: str) -> bool:
    """Forget the connected calendar's push channel `channel_id`, which the provider removed
    (the next sync opens another); False when not connected or it has another channel now."""
    status: str = await conn.execute(
        """
        UPDATE connections SET push_channel_id = NULL, push_resource_id = NULL,
            push_expires_at = NULL, push_renew_requested = false, updated_at = now()
        WHERE calendar_id = $1 AND push_channel_id = $2 AND state = 'connected'
        """,
        calendar_id,
        channel_id,
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
    return maybe_connection(row)


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


async def zoom_calendars(
    conn: db.Connection, project_ids: list[str], user_ids: list[str], emails: list[str]
) -> list[str]:
    """The connected Zoom calendars of these projects for these Zoom users (by user id, the
    calendar's URL, or by the account's address)."""
    rows = await conn.fetch(
        "SELECT calendar_id FROM connections WHERE provider = 'zoom' AND state = 'connected'"
        " AND project_id = ANY($1::text[])"
        " AND (calendar_url = ANY($2::text[]) OR lower(account_email) = ANY($3::text[]))"
        " ORDER BY calendar_id",
        project_ids,
        user_ids,
        [email.lower() for email in emails],
    )
    return [row["calendar_id"] for row in rows]


async def mark_webhook_push(
    conn: db.Connection, calendar_ids: list[str], expires_at: datetime, renew_before: datetime
) -> list[Connection]:
    """Record app-level webhooks (Zoom's) as the push channel of connected calendars they
    reach, live until `expires_at`; only calendars whose channel lapses before `renew_before`
    change (announced: version+1). Returns those."""
    rows = await conn.fetch(
        "UPDATE connections SET push_channel_id = calendar_id || '.webhook',"
        " push_resource_id = '', push_expires_at = $2,"
        " state_version = state_version + 1, updated_at = now()"
        " WHERE calendar_id = ANY($1::text[]) AND state = 'connected'"
        " AND (push_expires_at IS NULL OR push_expires_at < $3)"
        " RETURNING *",
        calendar_ids,
        expires_at,
        renew_before,
    )
    return [connection_of(row) for row in rows]
