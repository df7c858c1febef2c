"""The syncer's migrations, as applied by provisioning, produce the expected tables."""

from __future__ import annotations

from typing import Any

import asyncpg


async def test_migrations_create_the_syncer_tables(syncer_pool: asyncpg.Pool[Any]) -> None:
    rows = await syncer_pool.fetch(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'syncer'"
    )
    assert {"calendars", "events", "sync_issues", "outbox", "inbox"} <= {
        r["table_name"] for r in rows
    }


async def test_events_are_unique_per_object_and_recurrence_key(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    indexes = await syncer_pool.fetch(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'syncer' AND tablename = 'events'"
    )
    definitions = " ".join(r["indexdef"] for r in indexes)
    assert "(calendar_id, provider_object_id, recurrence_key)" in definitions
    assert "WHERE (NOT is_deleted)" in definitions
