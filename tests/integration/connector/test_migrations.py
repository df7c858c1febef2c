"""The connector migrations, applied to an empty schema by the session fixture, give its tables."""

from __future__ import annotations

from typing import Any

import asyncpg


async def test_migrations_create_the_connector_tables(pool: asyncpg.Pool[Any]) -> None:
    rows = await pool.fetch(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'connector'"
    )
    columns: dict[str, set[str]] = {}
    for row in rows:
        columns.setdefault(row["table_name"], set()).add(row["column_name"])
    assert {"id", "project_id", "provider", "key_id", "ciphertext"} <= columns["grants"]
    assert {
        "calendar_id",
        "grant_id",
        "state",
        "failure",
        "sync_cursor",
        "sync_window",
        "state_version",
        "sync_requested_at",
        "sync_full",
        "sync_claimed_until",
        "sync_claim",
        "sync_failures",
        "next_poll_at",
        "push_channel_id",
        "push_resource_id",
        "push_expires_at",
        "push_renew_requested",
    } <= columns["connections"]
    assert {"outbox", "inbox"} <= set(columns)
