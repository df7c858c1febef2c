"""Projects, their settings and API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


@dataclass(frozen=True)
class ProjectRow:
    """A project's settings: name, bot runner URL and its OAuth apps' public facts."""

    id: str
    name: str
    bot_runner_url: str | None
    oauth_apps: dict[str, dict[str, Any]]
    created_at: datetime
    updated_at: datetime


async def get_project(conn: Executor, project_id: str) -> ProjectRow | None:
    row = await conn.fetchrow(
        "SELECT id, name, bot_runner_url, oauth_apps, created_at, updated_at FROM projects"
        " WHERE id = $1",
        project_id,
    )
    return ProjectRow(**dict(row)) if row is not None else None


async def update_settings(
    conn: Connection,
    project_id: str,
    *,
    name: str | None,
    bot_runner_url: str | None,
    bot_runner_url_given: bool,
) -> None:
    """Set the name (when given) and the bot runner URL (when given; None clears it)."""
    await conn.execute(
        "UPDATE projects SET name = COALESCE($2, name),"
        " bot_runner_url = CASE WHEN $3 THEN $4 ELSE bot_runner_url END, updated_at = now()"
        " WHERE id = $1",
        project_id,
        name,
        bot_runner_url_given,
        bot_runner_url,
    )


async def store_oauth_apps(
    conn: Connection, project_id: str, apps: dict[str, dict[str, Any]], version: int
) -> None:
    """Keep the connector's report of the project's apps unless a newer one is stored."""
    await conn.execute(
        "UPDATE projects SET oauth_apps = $2, oauth_apps_version = $3, updated_at = now()"
        " WHERE id = $1 AND oauth_apps_version < $3",
        project_id,
        apps,
        version,
    )
