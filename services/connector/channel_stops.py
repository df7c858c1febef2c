"""Connector SQL for the queue of push channels to stop at the provider (a deleted calendar's,
or one replaced by renewal), each with a copy of the sealed grant that can stop it (used once
the grant itself is gone)."""

from __future__ import annotations

from dataclasses import dataclass

from services.connector.credentials import Sealed
from services.connector.domain.connections import Connection
from services.connector.domain.push import OpenChannel
from shared.db import types as db


@dataclass(frozen=True)
class QueuedStop:
    channel_id: str
    resource_id: str
    provider: str
    project_id: str
    grant_id: str
    sealed: Sealed  # the grant's credentials while it exists, else the copy
    attempts: int  # including the one just claimed
    grant_alive: bool  # the grant still exists (calendars of the account may use it)


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


async def claim_channel_stop(conn: db.Connection, retry_seconds: float) -> QueuedStop | None:
    """Take the longest-due queued stop, with the grant's current credentials while it exists;
    it comes due again after attempts times `retry_seconds` unless forgotten first."""
    row = await conn.fetchrow(
        """
        WITH claimed AS (
            UPDATE push_channel_stops s SET attempts = s.attempts + 1,
                next_attempt_at = now() + make_interval(secs => $1 * (s.attempts + 1))
            WHERE s.channel_id = (
                SELECT channel_id FROM push_channel_stops WHERE next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED)
            RETURNING s.*)
        SELECT c.channel_id, c.resource_id, c.provider, c.project_id, c.grant_id, c.attempts,
            COALESCE(g.key_id, c.key_id) AS key_id,
            COALESCE(g.ciphertext, c.ciphertext) AS ciphertext, g.id IS NOT NULL AS grant_alive
        FROM claimed c LEFT JOIN grants g ON g.id = c.grant_id
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
        row["grant_alive"],
    )


async def forget_channel_stop(conn: db.Connection, channel_id: str) -> None:
    await conn.execute("DELETE FROM push_channel_stops WHERE channel_id = $1", channel_id)
