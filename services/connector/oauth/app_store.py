"""SQL for projects' OAuth apps (`oauth_apps`, `oauth_app_versions`, migration 0008), one
statement per function."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from services.connector.credentials import Sealed
from shared.db import types as db


@dataclass(frozen=True)
class StoredApp:
    """An app row: its public facts in the clear and its sealed secrets."""

    project_id: str
    provider: str
    client_id: str
    has_webhook_secret: bool
    sealed: Sealed


def _app(row: asyncpg.Record) -> StoredApp:
    sealed = Sealed(row["key_id"], bytes(row["ciphertext"]))
    return StoredApp(
        row["project_id"], row["provider"], row["client_id"], row["has_webhook_secret"], sealed
    )


async def next_version(conn: db.Connection, project_id: str) -> int:
    """Bump the project's apps version and lock it until the transaction ends (so changes of
    one project serialize and their versions follow their commit order)."""
    version: int = await conn.fetchval(
        "INSERT INTO oauth_app_versions (project_id, version) VALUES ($1, 1)"
        " ON CONFLICT (project_id) DO UPDATE SET version = oauth_app_versions.version + 1"
        " RETURNING version",
        project_id,
    )
    return version


async def project_apps(conn: db.Connection, project_id: str) -> list[StoredApp]:
    """Every app of the project, by provider."""
    rows = await conn.fetch(
        "SELECT * FROM oauth_apps WHERE project_id = $1 ORDER BY provider", project_id
    )
    return [_app(row) for row in rows]


async def project_app(conn: db.Executor, project_id: str, provider: str) -> StoredApp | None:
    """The project's app for one provider, if it has one."""
    row = await conn.fetchrow(
        "SELECT * FROM oauth_apps WHERE project_id = $1 AND provider = $2", project_id, provider
    )
    return _app(row) if row is not None else None


async def apps_with_webhook_secret(conn: db.Connection, provider: str) -> list[StoredApp]:
    """Every project's app for `provider` that holds a webhook secret."""
    rows = await conn.fetch(
        "SELECT * FROM oauth_apps WHERE provider = $1 AND has_webhook_secret ORDER BY project_id",
        provider,
    )
    return [_app(row) for row in rows]


async def save_app(
    conn: db.Connection,
    project_id: str,
    provider: str,
    client_id: str,
    has_webhook_secret: bool,
    sealed: Sealed,
) -> None:
    """Insert or replace the project's app for one provider."""
    await conn.execute(
        "INSERT INTO oauth_apps (project_id, provider, client_id, has_webhook_secret, key_id,"
        " ciphertext) VALUES ($1, $2, $3, $4, $5, $6)"
        " ON CONFLICT (project_id, provider) DO UPDATE SET client_id = $3,"
        " has_webhook_secret = $4, key_id = $5, ciphertext = $6, updated_at = now()",
        project_id,
        provider,
        client_id,
        has_webhook_secret,
        sealed.key_id,
        sealed.blob,
    )


async def delete_app(conn: db.Connection, project_id: str, provider: str) -> None:
    await conn.execute(
        "DELETE FROM oauth_apps WHERE project_id = $1 AND provider = $2", project_id, provider
    )


async def lock_apps_to_reseal(
    conn: db.Connection, active_key_id: str, after: tuple[str, str], limit: int
) -> list[StoredApp]:
    """The next apps (by project and provider) sealed with another key than the active one,
    locked."""
    rows = await conn.fetch(
        "SELECT * FROM oauth_apps WHERE key_id <> $1 AND (project_id, provider) > ($2, $3)"
        " ORDER BY project_id, provider LIMIT $4 FOR UPDATE",
        active_key_id,
        after[0],
        after[1],
        limit,
    )
    return [_app(row) for row in rows]


async def reseal_app(conn: db.Connection, project_id: str, provider: str, sealed: Sealed) -> None:
    """Replace an app's ciphertext (same plaintext, new key)."""
    await conn.execute(
        "UPDATE oauth_apps SET key_id = $3, ciphertext = $4 WHERE project_id = $1"
        " AND provider = $2",
        project_id,
        provider,
        sealed.key_id,
        sealed.blob,
    )


async def apps_stamp(conn: db.Connection) -> int:
    """A number that grows with every change of any project's apps (the sum of the projects'
    versions), to tell whether apps opened earlier are still current."""
    stamp: int = await conn.fetchval("SELECT coalesce(sum(version), 0) FROM oauth_app_versions")
    return stamp
