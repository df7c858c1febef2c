"""Syncer SQL (schema `syncer`), one statement per function."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from services.syncer.domain.errors import IssueReason
from services.syncer.domain.reconcile import EventWrite, StoredEvent, end_instant
from shared.contracts.events import EventState
from shared.db.types import Connection


@dataclass(frozen=True)
class CalendarRow:
    calendar_id: str
    version: int
    deleted: bool


@dataclass(frozen=True)
class SyncIssue:
    """An object that did not become events: why (`reason`, a code) and the error text."""

    provider_object_id: str
    error: str
    reason: IssueReason = "unmappable"


async def ensure_calendar(conn: Connection, calendar_id: str, project_id: str) -> None:
    """Create the calendar's row (version 0) if this is the first message about it."""
    await conn.execute(
        "INSERT INTO calendars (calendar_id, project_id) VALUES ($1, $2)"
        " ON CONFLICT (calendar_id) DO NOTHING",
        calendar_id,
        project_id,
    )


async def lock_calendar(conn: Connection, calendar_id: str) -> CalendarRow:
    """Read the calendar's version and tombstone, locking the row until the transaction ends."""
    row = await conn.fetchrow(
        "SELECT calendar_id, version, deleted FROM calendars WHERE calendar_id = $1 FOR UPDATE",
        calendar_id,
    )
    assert row is not None, "ensure_calendar runs first"
    return CalendarRow(row["calendar_id"], row["version"], row["deleted"])


async def set_calendar_version(conn: Connection, calendar_id: str, version: int) -> None:
    """Store the version of the calendar's latest announced change."""
    await conn.execute(
        "UPDATE calendars SET version = $2, updated_at = now() WHERE calendar_id = $1",
        calendar_id,
        version,
    )


async def record_window_start(conn: Connection, calendar_id: str, window_start: datetime) -> None:
    """Remember the start of the window the calendar's latest page was fetched for: pruning
    never reaches into it."""
    await conn.execute(
        "UPDATE calendars SET window_start = $2 WHERE calendar_id = $1"
        " AND window_start IS DISTINCT FROM $2",
        calendar_id,
        window_start,
    )


async def mark_calendar_deleted(conn: Connection, calendar_id: str, version: int) -> None:
    """Tombstone the calendar at its last announced version, so later pages are ignored."""
    await conn.execute(
        "UPDATE calendars SET deleted = true, version = $2, updated_at = now()"
        " WHERE calendar_id = $1",
        calendar_id,
        version,
    )


async def load_page_events(
    conn: Connection, calendar_id: str, object_ids: Sequence[str], event_ids: Sequence[str]
) -> list[StoredEvent]:
    """Every stored event (tombstones included) of the given provider objects or ids."""
    rows = await conn.fetch(
        "SELECT provider_object_id, recurrence_key, state::text AS state, version FROM events"
        " WHERE calendar_id = $1"
        " AND (provider_object_id = ANY($2::text[]) OR id = ANY($3::text[]))"
        " ORDER BY provider_object_id, recurrence_key, id",
        calendar_id,
        list(object_ids),
        list(event_ids),
    )
    return [_stored(row) for row in rows]


async def load_unlisted_events(
    conn: Connection, calendar_id: str, sync_id: str
) -> list[StoredEvent]:
    """Live events of the calendar that the sync `sync_id` did not list."""
    rows = await conn.fetch(
        "SELECT provider_object_id, recurrence_key, state::text AS state, version FROM events"
        " WHERE calendar_id = $1 AND NOT is_deleted AND last_sync_id IS DISTINCT FROM $2"
        " ORDER BY provider_object_id, recurrence_key",
        calendar_id,
        sync_id,
    )
    return [_stored(row) for row in rows]


async def live_event_ids(conn: Connection, calendar_id: str) -> list[str]:
    """Ids of the calendar's live events (tombstones excluded), by object and key."""
    rows = await conn.fetch(
        "SELECT id FROM events WHERE calendar_id = $1 AND NOT is_deleted"
        " ORDER BY provider_object_id, recurrence_key, id",
        calendar_id,
    )
    return [row["id"] for row in rows]


async def load_events(conn: Connection, event_ids: Sequence[str]) -> list[StoredEvent]:
    """The stored events with these ids, by object and key."""
    rows = await conn.fetch(
        "SELECT provider_object_id, recurrence_key, state::text AS state, version FROM events"
        " WHERE id = ANY($1::text[]) ORDER BY provider_object_id, recurrence_key, id",
        list(event_ids),
    )
    return [_stored(row) for row in rows]


async def upsert_events(
    conn: Connection,
    project_id: str,
    calendar_id: str,
    sync_id: str,
    writes: Sequence[EventWrite],
) -> None:
    """Insert or overwrite each written event's row with its state and version (and the
    object it now comes from)."""
    if not writes:
        return
    await conn.executemany(
        """
        INSERT INTO events (id, calendar_id, project_id, provider_object_id, recurrence_key,
            state, is_deleted, version, last_sync_id, end_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        ON CONFLICT (id) DO UPDATE SET provider_object_id = EXCLUDED.provider_object_id,
            recurrence_key = EXCLUDED.recurrence_key, state = EXCLUDED.state,
            is_deleted = EXCLUDED.is_deleted, version = EXCLUDED.version,
            last_sync_id = EXCLUDED.last_sync_id, end_at = EXCLUDED.end_at, updated_at = now()
        """,
        [
            (
                w.state.id,
                calendar_id,
                project_id,
                w.provider_object_id,
                w.recurrence_key,
                w.state.model_dump(mode="json"),
                w.state.is_deleted,
                w.version,
                sync_id,
                end_instant(w.state.end_time),
            )
            for w in writes
        ],
    )


async def mark_listed(
    conn: Connection, calendar_id: str, object_ids: Sequence[str], sync_id: str
) -> None:
    """Record that the sync `sync_id` listed these objects (changed or not)."""
    await conn.execute(
        "UPDATE events SET last_sync_id = $3 WHERE calendar_id = $1"
        " AND provider_object_id = ANY($2::text[]) AND last_sync_id IS DISTINCT FROM $3",
        calendar_id,
        list(object_ids),
        sync_id,
    )


async def delete_calendar_events(conn: Connection, calendar_id: str) -> None:
    """Forget every event (tombstones included) of a deleted calendar."""
    await conn.execute("DELETE FROM events WHERE calendar_id = $1", calendar_id)


@dataclass(frozen=True)
class PrunableCalendar:
    """A calendar the pruner holds (its row locked) and what it prunes: events that ended
    before `cutoff`, the retention's cutoff or the calendar's `window_start`, the earlier."""

    calendar_id: str
    cutoff: datetime


async def lock_prunable_calendar(
    conn: Connection, ended_before: datetime, after: str
) -> PrunableCalendar | None:
    """The first calendar after `after` (by id) with events to prune, its row locked until the
    transaction ends, as a page locks it (`lock_calendar`): pruning and page application of
    one calendar serialize, so a prune never lands between a page's read and its write. A
    calendar another transaction holds (a page in flight, another pruner) is skipped this
    round. Calendars without a `window_start` are never pruned."""
    row = await conn.fetchrow(
        """
        SELECT c.calendar_id, least($1, c.window_start) AS cutoff FROM calendars c
        WHERE c.window_start IS NOT NULL AND c.calendar_id > $2
          AND EXISTS (
            SELECT 1 FROM events e
            WHERE e.calendar_id = c.calendar_id AND e.end_at < least($1, c.window_start)
          )
        ORDER BY c.calendar_id LIMIT 1
        FOR UPDATE OF c SKIP LOCKED
        """,
        ended_before,
        after,
    )
    return None if row is None else PrunableCalendar(row["calendar_id"], row["cutoff"])


async def prune_calendar_events(
    conn: Connection, calendar_id: str, cutoff: datetime, limit: int
) -> int:
    """Delete up to `limit` of the calendar's events (tombstones included) that ended before
    `cutoff`; returns how many. The caller holds the calendar's row (`lock_prunable_calendar`)."""
    status: str = await conn.execute(
        """
        DELETE FROM events WHERE id IN (
            SELECT id FROM events WHERE calendar_id = $1 AND end_at < $2 LIMIT $3
        )
        """,
        calendar_id,
        cutoff,
        limit,
    )
    return int(status.split()[-1])


async def pruning_cutoff(
    conn: Connection, calendar_id: str, ended_before: datetime
) -> datetime | None:
    """What the pruner removes of the calendar: events that ended before this instant (the
    earlier of `ended_before` and its `window_start`); None while it has no window (never
    pruned)."""
    value: datetime | None = await conn.fetchval(
        "SELECT least($2, window_start) FROM calendars WHERE calendar_id = $1"
        " AND window_start IS NOT NULL",
        calendar_id,
        ended_before,
    )
    return value


async def record_sync_issues(
    conn: Connection, calendar_id: str, sync_id: str, issues: Sequence[SyncIssue]
) -> None:
    """Record the objects that failed to map or whose series was refused, as listed by
    `sync_id`; `at` is when an object started failing this way (kept while it fails alike)."""
    if not issues:
        return
    await conn.executemany(
        "INSERT INTO sync_issues (calendar_id, provider_object_id, reason, error, listed_sync_id)"
        " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (calendar_id, provider_object_id)"
        " DO UPDATE SET reason = EXCLUDED.reason, error = EXCLUDED.error,"
        " listed_sync_id = EXCLUDED.listed_sync_id,"
        " at = CASE WHEN (sync_issues.reason, sync_issues.error)"
        " IS NOT DISTINCT FROM (EXCLUDED.reason, EXCLUDED.error) THEN sync_issues.at"
        " ELSE now() END",
        [(calendar_id, i.provider_object_id, i.reason, i.error, sync_id) for i in issues],
    )


async def clear_sync_issues(conn: Connection, calendar_id: str, object_ids: Sequence[str]) -> None:
    """Forget the issues of objects that mapped fine or were removed."""
    await conn.execute(
        "DELETE FROM sync_issues WHERE calendar_id = $1 AND provider_object_id = ANY($2::text[])",
        calendar_id,
        list(object_ids),
    )


async def delete_calendar_issues(conn: Connection, calendar_id: str) -> None:
    """Forget every sync issue of a deleted calendar."""
    await conn.execute("DELETE FROM sync_issues WHERE calendar_id = $1", calendar_id)


async def list_sync_issues(conn: Connection, calendar_id: str) -> list[SyncIssue]:
    """The calendar's objects that currently fail to map or are refused."""
    rows = await conn.fetch(
        "SELECT provider_object_id, error, reason FROM sync_issues WHERE calendar_id = $1"
        " ORDER BY provider_object_id",
        calendar_id,
    )
    return [SyncIssue(row["provider_object_id"], row["error"], row["reason"]) for row in rows]


def _stored(row: asyncpg.Record) -> StoredEvent:
    return StoredEvent(
        provider_object_id=row["provider_object_id"],
        recurrence_key=row["recurrence_key"],
        # Validated from JSON text: from a decoded dict, pydantic would read dates as datetimes.
        state=EventState.model_validate_json(row["state"]),
        version=row["version"],
    )


async def record_full_page(
    conn: Connection, calendar_id: str, sync_id: str, page: int, final: bool
) -> bool:
    """Note a full-listing page as applied; True once every page of the listing has been."""
    await conn.execute(
        "INSERT INTO full_sync_pages (calendar_id, sync_id, page, final) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT DO NOTHING",
        calendar_id,
        sync_id,
        page,
        final,
    )
    complete = await conn.fetchval(
        "SELECT count(*) = max(page) FILTER (WHERE final) + 1 FROM full_sync_pages"
        " WHERE calendar_id = $1 AND sync_id = $2",
        calendar_id,
        sync_id,
    )
    return bool(complete)


async def forget_full_pages(conn: Connection, calendar_id: str, sync_id: str) -> None:
    """Drop a reconciled listing's pages, and those of listings a day old (never completed)."""
    await conn.execute(
        "DELETE FROM full_sync_pages WHERE (calendar_id = $1 AND sync_id = $2)"
        " OR at < now() - interval '1 day'",
        calendar_id,
        sync_id,
    )
