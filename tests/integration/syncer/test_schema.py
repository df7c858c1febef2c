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


async def test_events_are_keyed_by_id_and_indexed_by_object(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    """An instance keeps its id when its recurrence key or its provider object changes, so
    (object, recurrence key) is indexed for loading, not unique."""
    indexes = await syncer_pool.fetch(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'syncer' AND tablename = 'events'"
    )
    definitions = " ".join(r["indexdef"] for r in indexes)
    assert "UNIQUE INDEX events_pkey ON syncer.events USING btree (id)" in definitions
    assert "events_by_object ON syncer.events USING btree (calendar_id, provider_object_id)" in (
        definitions
    )
    assert "recurrence_key" not in definitions
    assert "WHERE (NOT is_deleted)" in definitions


async def test_sync_issues_record_a_reason(syncer_pool: asyncpg.Pool[Any]) -> None:
    default = await syncer_pool.fetchval(
        "SELECT column_default FROM information_schema.columns WHERE table_schema = 'syncer'"
        " AND table_name = 'sync_issues' AND column_name = 'reason'"
    )
    assert default == "'unmappable'::text"


async def test_events_are_indexed_by_end_per_calendar_for_pruning(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    indexes = await syncer_pool.fetch(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'syncer' AND tablename = 'events'"
    )
    definitions = " ".join(r["indexdef"] for r in indexes)
    assert "events_by_end ON syncer.events USING btree (calendar_id, end_at)" in definitions
    columns = await syncer_pool.fetch(
        "SELECT table_name, column_name, is_nullable FROM information_schema.columns"
        " WHERE table_schema = 'syncer' AND column_name IN ('end_at', 'window_start')"
    )
    assert {(c["table_name"], c["column_name"], c["is_nullable"]) for c in columns} == {
        ("events", "end_at", "NO"),
        ("calendars", "window_start", "YES"),
    }
