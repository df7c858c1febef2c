"""Syncer SQL for announcing sync issues: the current issues with when they were last seen,
and the digest and version of what was last announced (one statement per function)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.db.types import Connection


@dataclass(frozen=True)
class CurrentIssue:
    provider_object_id: str
    reason: str
    error: str
    at: datetime


async def current_issues(conn: Connection, calendar_id: str) -> list[CurrentIssue]:
    """The calendar's sync issues, by object id."""
    rows = await conn.fetch(
        "SELECT provider_object_id, reason, error, at FROM sync_issues WHERE calendar_id = $1"
        " ORDER BY provider_object_id",
        calendar_id,
    )
    return [
        CurrentIssue(row["provider_object_id"], row["reason"], row["error"], row["at"])
        for row in rows
    ]


async def forget_unlisted_issues(conn: Connection, calendar_id: str, sync_id: str) -> None:
    """At a full listing's reconciliation: the issues of objects it did not list are gone
    with their objects."""
    await conn.execute(
        "DELETE FROM sync_issues WHERE calendar_id = $1 AND listed_sync_id IS DISTINCT FROM $2",
        calendar_id,
        sync_id,
    )


async def next_issues_version(conn: Connection, calendar_id: str, digest: str) -> int | None:
    """Record `digest` as announced; the announcement's version, or None when it is what was
    announced last (nothing to say)."""
    version: int | None = await conn.fetchval(
        "UPDATE calendars SET issues_digest = $2, issues_version = issues_version + 1"
        " WHERE calendar_id = $1 AND issues_digest IS DISTINCT FROM $2 RETURNING issues_version",
        calendar_id,
        digest,
    )
    return version
