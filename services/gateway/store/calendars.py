"""The calendar read model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

from shared.contracts.calendars import CalendarStateChanged
from shared.contracts.sync_issues import CalendarSyncIssues
from shared.db.types import Connection, Executor

_COLUMNS = """
    c.id, c.project_id, c.provider, c.state, c.platform_uuid, c.name, c.account_email,
    c.metadata, c.deduplication_key, c.connection_failure_data, c.sync_window, c.created_at,
    c.updated_at, c.last_attempted_sync_at, c.last_successful_sync_at, c.push,
    c.sync_issues, c.sync_issue_count,
    (SELECT count(*) FROM events e WHERE e.calendar_id = c.id AND NOT e.is_deleted) AS event_count
"""


@dataclass(frozen=True)
class CalendarRow:
    id: str
    project_id: str
    provider: str
    state: str
    platform_uuid: str | None
    name: str | None
    account_email: str | None
    metadata: dict[str, str]
    deduplication_key: str | None
    connection_failure_data: dict[str, Any] | None
    sync_window: dict[str, int]
    created_at: datetime
    updated_at: datetime
    last_attempted_sync_at: datetime | None
    last_successful_sync_at: datetime | None
    push: dict[str, Any] | None
    sync_issues: list[dict[str, Any]]
    sync_issue_count: int
    event_count: int


def _row(record: asyncpg.Record) -> CalendarRow:
    return CalendarRow(**dict(record))


class DuplicateDeduplicationKey(Exception):
    """Raised when another live calendar of the project already has the deduplication key."""


async def insert_calendar(
    conn: Connection,
    *,
    calendar_id: str,
    project_id: str,
    provider: str,
    platform_uuid: str | None,
    metadata: dict[str, str],
    deduplication_key: str | None,
    sync_window: dict[str, int],
) -> None:
    """Insert a new calendar in state `connecting`."""
    try:
        await conn.execute(
            """
            INSERT INTO calendars (id, project_id, provider, state, platform_uuid, metadata,
                deduplication_key, sync_window)
            VALUES ($1, $2, $3, 'connecting', $4, $5, $6, $7)
            """,
            calendar_id,
            project_id,
            provider,
            platform_uuid,
            metadata,
            deduplication_key,
            sync_window,
        )
    except asyncpg.UniqueViolationError as exc:
        raise DuplicateDeduplicationKey(deduplication_key) from exc


async def get_calendar(conn: Executor, project_id: str, calendar_id: str) -> CalendarRow | None:
    """One live calendar of the project (another project's id reads as absent)."""
    record = await conn.fetchrow(
        f"SELECT {_COLUMNS} FROM calendars c"  # noqa: S608 - constant column list
        " WHERE c.id = $1 AND c.project_id = $2 AND c.deleted_at IS NULL",
        calendar_id,
        project_id,
    )
    return _row(record) if record else None


async def find_by_deduplication_key(conn: Connection, project_id: str, key: str) -> str | None:
    value = await conn.fetchval(
        "SELECT id FROM calendars WHERE project_id = $1 AND deduplication_key = $2"
        " AND deleted_at IS NULL",
        project_id,
        key,
    )
    return str(value) if value is not None else None


async def list_calendars(
    conn: Executor,
    project_id: str,
    *,
    filters: dict[str, str],
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[CalendarRow]:
    """Newest first, keyset-paginated on (created_at, id); `filters` are equality filters."""
    clauses = ["c.project_id = $1", "c.deleted_at IS NULL"]
    params: list[Any] = [project_id]
    for column in ("deduplication_key", "state", "provider"):
        if column in filters:
            params.append(filters[column])
            clauses.append(f"c.{column} = ${len(params)}")
    if after is not None:
        params += [after[0], after[1]]
        clauses.append(f"(c.created_at, c.id) < (${len(params) - 1}, ${len(params)})")
    params.append(limit)
    records = await conn.fetch(
        # Fragments are constants of this module; every value is a $n parameter.
        f"SELECT {_COLUMNS} FROM calendars c WHERE {' AND '.join(clauses)}"  # noqa: S608
        f" ORDER BY c.created_at DESC, c.id DESC LIMIT ${len(params)}",
        *params,
    )
    return [_row(r) for r in records]


async def live_calendar_ids(conn: Connection, project_id: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT id FROM calendars WHERE project_id = $1 AND deleted_at IS NULL ORDER BY id",
        project_id,
    )
    return [str(r["id"]) for r in rows]


async def update_metadata(
    conn: Connection, project_id: str, calendar_id: str, metadata: dict[str, str]
) -> None:
    await conn.execute(
        "UPDATE calendars SET metadata = $3, updated_at = now()"
        " WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL",
        calendar_id,
        project_id,
        metadata,
    )


async def update_sync_window(
    conn: Connection, project_id: str, calendar_id: str, sync_window: dict[str, int]
) -> None:
    """Store the requested window (the connector applies it with the next full sync)."""
    await conn.execute(
        "UPDATE calendars SET sync_window = $3, updated_at = now()"
        " WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL",
        calendar_id,
        project_id,
        sync_window,
    )


async def mark_deleted(conn: Connection, project_id: str, calendar_id: str) -> bool:
    """Hide the calendar from the API at once; True if it was live."""
    status = await conn.execute(
        "UPDATE calendars SET deleted_at = now(), updated_at = now()"
        " WHERE id = $1 AND project_id = $2 AND deleted_at IS NULL",
        calendar_id,
        project_id,
    )
    return bool(status.endswith(" 1"))


async def apply_state(conn: Connection, state: CalendarStateChanged) -> None:
    """Apply the connector's view if it is newer than what the read model holds."""
    failure = state.connection_failure_data
    await conn.execute(
        """
        UPDATE calendars SET state = $2, platform_uuid = coalesce($3, platform_uuid),
            name = $4, account_email = $5, connection_failure_data = $6,
            last_attempted_sync_at = $7, last_successful_sync_at = $8, state_version = $9,
            push = $10, updated_at = now()
        WHERE id = $1 AND state_version < $9
        """,
        state.calendar_id,
        state.state,
        state.platform_uuid,
        state.name,
        state.account_email,
        failure.model_dump(mode="json") if failure else None,
        state.last_attempted_sync_at,
        state.last_successful_sync_at,
        state.version,
        state.push.model_dump(mode="json") if state.push else None,
    )


async def apply_sync_issues(conn: Connection, issues: CalendarSyncIssues) -> None:
    """Apply the syncer's view of the calendar's sync issues if it is newer."""
    await conn.execute(
        "UPDATE calendars SET sync_issues = $2, sync_issue_count = $3, sync_issues_version = $4"
        " WHERE id = $1 AND sync_issues_version < $4",
        issues.calendar_id,
        [issue.model_dump(mode="json") for issue in issues.issues],
        issues.total,
        issues.version,
    )


async def calendar_is_live(conn: Connection, calendar_id: str) -> bool:
    value = await conn.fetchval(
        "SELECT true FROM calendars WHERE id = $1 AND deleted_at IS NULL", calendar_id
    )
    return bool(value)


async def live_calendar_project(conn: Connection, calendar_id: str, provider: str) -> str | None:
    """The project of a live calendar of `provider`, None if there is none."""
    value = await conn.fetchval(
        "SELECT project_id FROM calendars WHERE id = $1 AND provider = $2 AND deleted_at IS NULL",
        calendar_id,
        provider,
    )
    return str(value) if value is not None else None
