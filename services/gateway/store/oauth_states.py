"""Hosted OAuth flows in flight (`oauth_states`), one statement per function."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from shared.db.types import Executor


@dataclass(frozen=True)
class PendingAuthorization:
    """What `POST /v1/calendars/authorize` asked for, kept until the callback."""

    project_id: str
    provider: str
    redirect_uri: str
    platform_uuid: str | None
    metadata: dict[str, str]
    deduplication_key: str | None
    sync_window: dict[str, int]
    expires_at: datetime


def _pending(row: asyncpg.Record) -> PendingAuthorization:
    return PendingAuthorization(**{k: row[k] for k in PendingAuthorization.__dataclass_fields__})


async def insert_state(conn: Executor, state_hash: bytes, pending: PendingAuthorization) -> None:
    await conn.execute(
        "INSERT INTO oauth_states (state_hash, project_id, provider, redirect_uri,"
        " platform_uuid, metadata, deduplication_key, sync_window, expires_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        state_hash,
        pending.project_id,
        pending.provider,
        pending.redirect_uri,
        pending.platform_uuid,
        pending.metadata,
        pending.deduplication_key,
        pending.sync_window,
        pending.expires_at,
    )


async def take_state(conn: Executor, state_hash: bytes) -> PendingAuthorization | None:
    """The flow with this state hash, deleted as it is read: a second read finds nothing."""
    row = await conn.fetchrow(
        "DELETE FROM oauth_states WHERE state_hash = $1 RETURNING *", state_hash
    )
    return _pending(row) if row is not None else None


async def delete_expired(conn: Executor, before: datetime) -> None:
    """Forget flows that expired before `before` (kept a while after expiry, so a late
    callback is told its flow expired rather than that it is unknown)."""
    await conn.execute("DELETE FROM oauth_states WHERE expires_at < $1", before)
