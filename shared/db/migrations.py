"""Forward-only numbered SQL migrations per service schema, applied under an advisory lock."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    sql: str


class MigrationError(RuntimeError):
    """Raised when the migration folder is malformed or the database has unknown migrations."""


def load_migrations(folder: Path) -> list[Migration]:
    """Numbered `NNNN_name.sql` files in order; gaps or duplicates are an error."""
    found: list[Migration] = []
    for path in sorted(folder.glob("*.sql")):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"migration file name not NNNN_name.sql: {path.name}")
        found.append(Migration(int(match.group(1)), path.name, path.read_text()))
    for expected, migration in enumerate(found, start=1):
        if migration.number != expected:
            raise MigrationError(
                f"migration {migration.name} out of sequence (want {expected:04d})"
            )
    return found


async def apply_migrations(
    conn: asyncpg.Connection[Any], schema: str, folders: dict[str, Path]
) -> list[str]:
    """Apply pending migrations into `schema`, each in its own transaction; returns their names.

    `folders` maps a namespace (`messaging` for the shared outbox/inbox tables, the service's
    name for its own) to its folder; namespaces are applied in the given order.
    """
    applied: list[str] = []
    lock_key = f"rollcall.migrate.{schema}"
    await conn.execute("SELECT pg_advisory_lock(hashtext($1))", lock_key)
    try:
        await conn.execute(f"SET search_path = {schema}")
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " namespace text NOT NULL, number int NOT NULL, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (namespace, number))"
        )
        for namespace, folder in folders.items():
            applied += await _apply_namespace(conn, schema, namespace, load_migrations(folder))
    finally:
        await conn.execute("SELECT pg_advisory_unlock(hashtext($1))", lock_key)
    return applied


async def _apply_namespace(
    conn: asyncpg.Connection[Any], schema: str, namespace: str, migrations: list[Migration]
) -> list[str]:
    rows = await conn.fetch("SELECT number FROM schema_migrations WHERE namespace = $1", namespace)
    done = {r["number"] for r in rows}
    unknown = done - {m.number for m in migrations}
    if unknown:
        raise MigrationError(f"{schema}/{namespace}: unknown migrations {sorted(unknown)}")
    applied: list[str] = []
    for migration in migrations:
        if migration.number in done:
            continue
        async with conn.transaction():
            await conn.execute(migration.sql)
            await conn.execute(
                "INSERT INTO schema_migrations (namespace, number, name) VALUES ($1, $2, $3)",
                namespace,
                migration.number,
                migration.name,
            )
        log.info("migration applied", extra={"schema": schema, "migration": migration.name})
        applied.append(f"{namespace}/{migration.name}")
    return applied
