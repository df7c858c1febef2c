"""Stored first responses of POST requests that carried an Idempotency-Key."""

from __future__ import annotations

from dataclasses import dataclass

from shared.db.types import Executor


@dataclass(frozen=True)
class StoredRequest:
    request_hash: bytes
    status: int | None
    content_type: str | None
    body: bytes | None


async def claim(pool: Executor, project_id: str, key: str, request_hash: bytes) -> bool:
    """Reserve the key for this request; False when a live (under 24 h) entry already has it."""
    await pool.execute(
        "DELETE FROM idempotency_keys WHERE project_id = $1 AND key = $2"
        " AND created_at < now() - interval '24 hours'",
        project_id,
        key,
    )
    claimed = await pool.fetchval(
        "INSERT INTO idempotency_keys (project_id, key, request_hash) VALUES ($1, $2, $3)"
        " ON CONFLICT DO NOTHING RETURNING true",
        project_id,
        key,
        request_hash,
    )
    return bool(claimed)


async def find(pool: Executor, project_id: str, key: str) -> StoredRequest | None:
    row = await pool.fetchrow(
        "SELECT request_hash, status, content_type, body FROM idempotency_keys"
        " WHERE project_id = $1 AND key = $2",
        project_id,
        key,
    )
    return StoredRequest(**dict(row)) if row else None


async def complete(
    pool: Executor, project_id: str, key: str, status: int, content_type: str, body: bytes
) -> None:
    await pool.execute(
        "UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5"
        " WHERE project_id = $1 AND key = $2",
        project_id,
        key,
        status,
        content_type,
        body,
    )


async def release(pool: Executor, project_id: str, key: str) -> None:
    """Forget a reservation whose request failed on our side (5xx), so a retry runs again."""
    await pool.execute(
        "DELETE FROM idempotency_keys WHERE project_id = $1 AND key = $2 AND status IS NULL",
        project_id,
        key,
    )


async def purge_expired(pool: Executor) -> None:
    await pool.execute(
        "DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'"
    )
