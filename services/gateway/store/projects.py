"""Projects and API keys."""

from __future__ import annotations

from shared.db.types import Connection, Executor


async def insert_project(conn: Connection, project_id: str, name: str) -> None:
    await conn.execute("INSERT INTO projects (id, name) VALUES ($1, $2)", project_id, name)


async def insert_api_key(conn: Connection, key_id: str, project_id: str, key_hash: bytes) -> None:
    """Store a key hash; the same hash already on this project is left as is (fixed dev key)."""
    await conn.execute(
        "INSERT INTO api_keys (id, project_id, key_hash) VALUES ($1, $2, $3)"
        " ON CONFLICT (key_hash) DO NOTHING",
        key_id,
        project_id,
        key_hash,
    )


async def project_of_key(conn: Executor, key_hash: bytes) -> str | None:
    """The project an unrevoked key belongs to, or None."""
    value = await conn.fetchval(
        "SELECT project_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL", key_hash
    )
    return str(value) if value is not None else None


async def project_with_name(conn: Connection, name: str) -> str | None:
    value = await conn.fetchval(
        "SELECT id FROM projects WHERE name = $1 ORDER BY created_at LIMIT 1", name
    )
    return str(value) if value is not None else None


async def revoke_project_keys(conn: Connection, project_id: str) -> None:
    await conn.execute(
        "UPDATE api_keys SET revoked_at = now() WHERE project_id = $1 AND revoked_at IS NULL",
        project_id,
    )
