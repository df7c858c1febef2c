"""The event read model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.gateway.domain.event_filters import EventFilter, Ordering, sort_column
from shared.db.types import Connection, Executor


@dataclass(frozen=True)
class EventRow:
    id: str
    body: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    start_at: datetime


async def upsert_event(
    conn: Connection,
    *,
    project_id: str,
    calendar_id: str,
    event_id: str,
    version: int,
    start_at: datetime,
    end_at: datetime,
    is_deleted: bool,
    body: dict[str, Any],
) -> None:
    """Store the event state unless a newer calendar version already touched the event."""
    await conn.execute(
        """
        INSERT INTO events (id, project_id, calendar_id, version, start_at, end_at, is_deleted,
            body)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version,
            start_at = EXCLUDED.start_at, end_at = EXCLUDED.end_at,
            is_deleted = EXCLUDED.is_deleted, body = EXCLUDED.body, updated_at = now()
        WHERE events.version < EXCLUDED.version
        """,
        event_id,
        project_id,
        calendar_id,
        version,
        start_at,
        end_at,
        is_deleted,
        body,
    )


async def delete_calendar_events(conn: Connection, calendar_id: str) -> None:
    await conn.execute("DELETE FROM events WHERE calendar_id = $1", calendar_id)


async def prune_ended_events(
    conn: Connection, now: datetime, retention_days: int, limit: int
) -> int:
    """Delete up to `limit` events (tombstones included) that ended more than `retention_days`
    ago, and more than `past_days` + 1 days ago (before the calendar's sync window, which
    starts at midnight UTC `past_days` before today); returns how many. Rows another
    transaction holds are skipped (left for the next batch)."""
    status: str = await conn.execute(
        """
        DELETE FROM events WHERE id IN (
            SELECT doomed.id FROM calendars c
            CROSS JOIN LATERAL (
                SELECT $1::timestamptz - make_interval(days => greatest(
                    $2::int, coalesce((c.sync_window->>'past_days')::int, 0) + 1)) AS at
            ) cutoff
            CROSS JOIN LATERAL (
                -- start_at first: events_calendar_start serves the scan.
                SELECT e.id FROM events e
                WHERE e.calendar_id = c.id AND e.start_at < cutoff.at AND e.end_at < cutoff.at
                LIMIT $3 FOR UPDATE SKIP LOCKED
            ) doomed
            LIMIT $3
        )
        """,
        now,
        retention_days,
        limit,
    )
    return int(status.split()[-1])


async def get_event(conn: Executor, project_id: str, event_id: str) -> EventRow | None:
    record = await conn.fetchrow(
        "SELECT e.id, e.body, e.created_at, e.updated_at, e.start_at FROM events e"
        " JOIN calendars c ON c.id = e.calendar_id AND c.deleted_at IS NULL"
        " WHERE e.id = $1 AND e.project_id = $2",
        event_id,
        project_id,
    )
    return EventRow(**dict(record)) if record else None


class _Where:
    """Accumulates SQL conditions with numbered parameters."""

    def __init__(self, project_id: str) -> None:
        self.params: list[Any] = [project_id]
        self.clauses = ["e.project_id = $1", "c.deleted_at IS NULL"]

    def add(self, template: str, value: Any) -> None:
        self.params.append(value)
        self.clauses.append(template.format(f"${len(self.params)}"))


_SIMPLE: tuple[tuple[str, str], ...] = (
    ("calendar_id", "e.calendar_id = {}"),
    ("calendar_deduplication_key", "c.deduplication_key = {}"),
    ("start_time_gte", "e.start_at >= {}"),
    ("start_time_lte", "e.start_at <= {}"),
    ("end_time_gte", "e.end_at >= {}"),
    ("end_time_lte", "e.end_at <= {}"),
    ("updated_at_gte", "e.updated_at >= {}"),
    ("end_after", "e.end_at > {}"),
    ("end_not_after", "e.end_at <= {}"),
    ("organizer_email", "lower(e.body->'organizer'->>'email') = lower({})"),
    ("status", "e.body->>'status' = {}"),
    ("platform", "e.body->'meeting'->>'platform' = {}"),
    ("series_id", "e.body->>'series_id' = {}"),
)


def _where(project_id: str, spec: EventFilter) -> _Where:
    where = _Where(project_id)
    for field, template in _SIMPLE:
        value = getattr(spec, field)
        if value is not None:
            where.add(template, value)
    if spec.attendee_email is not None:
        where.add(
            "EXISTS (SELECT 1 FROM jsonb_array_elements(e.body->'attendees') a"
            " WHERE lower(a->>'email') = lower({}))",
            spec.attendee_email,
        )
    if spec.has_meeting is not None:
        where.clauses.append(
            "jsonb_typeof(e.body->'meeting') = 'object'"
            if spec.has_meeting
            else "coalesce(jsonb_typeof(e.body->'meeting'), 'null') = 'null'"
        )
    if spec.q:
        pattern = "%" + spec.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.add("(e.body->>'title' ILIKE {0} OR e.body->>'description' ILIKE {0})", pattern)
    if not spec.include_deleted:
        where.clauses.append("NOT e.is_deleted")
    return where


async def list_events(
    conn: Executor,
    project_id: str,
    spec: EventFilter,
    *,
    ordering: Ordering,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[EventRow]:
    """Keyset-paginated on (sort column, id), so pages are stable under concurrent inserts."""
    column, descending = sort_column(ordering)
    where = _where(project_id, spec)
    if after is not None:
        op = "<" if descending else ">"
        where.params += [after[0], after[1]]
        n = len(where.params)
        where.clauses.append(f"(e.{column}, e.id) {op} (${n - 1}, ${n})")
    direction = "DESC" if descending else "ASC"
    where.params.append(limit)
    # Fragments are constants of this module; every value is a $n parameter.
    query = (
        "SELECT e.id, e.body, e.created_at, e.updated_at, e.start_at"  # noqa: S608
        " FROM events e JOIN calendars c ON c.id = e.calendar_id"
        f" WHERE {' AND '.join(where.clauses)}"
        f" ORDER BY e.{column} {direction}, e.id {direction} LIMIT ${len(where.params)}"
    )
    records = await conn.fetch(query, *where.params)
    return [EventRow(**dict(r)) for r in records]
