"""Scheduler SQL (schema `scheduler`), one statement per function."""

from __future__ import annotations

from services.scheduler.domain.meetings import MeetingSlot
from shared.db.types import Connection

Calendar = tuple[str, str]  # (project id, calendar id)


async def upsert_meeting(
    conn: Connection,
    project_id: str,
    calendar_id: str,
    version: int,
    slot: MeetingSlot,
) -> None:
    """Store the slot unless a newer version is stored or the calendar was deleted."""
    await conn.execute(
        """
        INSERT INTO meeting_events (event_id, project_id, calendar_id, version, start_time,
            end_time, status, is_deleted, meeting_url, meeting_key)
        SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
        WHERE NOT EXISTS (SELECT 1 FROM deleted_calendars WHERE calendar_id = $3)
        ON CONFLICT (event_id) DO UPDATE SET version = EXCLUDED.version,
            start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time,
            status = EXCLUDED.status, is_deleted = EXCLUDED.is_deleted,
            meeting_url = EXCLUDED.meeting_url, meeting_key = EXCLUDED.meeting_key,
            updated_at = now()
        WHERE meeting_events.version < EXCLUDED.version
        """,
        slot.event_id,
        project_id,
        calendar_id,
        version,
        slot.start_time,
        slot.end_time,
        slot.status,
        slot.is_deleted,
        slot.meeting_url,
        slot.meeting_key,
    )


async def delete_calendar_meetings(conn: Connection, calendar_id: str) -> None:
    """Forget every event of a deleted calendar."""
    await conn.execute("DELETE FROM meeting_events WHERE calendar_id = $1", calendar_id)


async def mark_calendar_deleted(conn: Connection, calendar_id: str) -> None:
    """Remember the deletion, so late changes of the calendar are dropped."""
    await conn.execute(
        "INSERT INTO deleted_calendars (calendar_id) VALUES ($1) ON CONFLICT DO NOTHING",
        calendar_id,
    )


async def claim_tick(conn: Connection, name: str, every_seconds: float) -> bool:
    """True for exactly one caller per `every_seconds` (a little less, so a replica's clock
    jitter never skips a tick): the caller runs the job in the same transaction."""
    status: str = await conn.execute(
        "UPDATE ticks SET last_at = now() WHERE name = $1"
        " AND last_at <= now() - make_interval(secs => $2 * 0.9)",
        name,
        every_seconds,
    )
    return status == "UPDATE 1"


async def calendars_with_meetings_soon(conn: Connection, within_seconds: float) -> list[Calendar]:
    """(project id, calendar id) of calendars with a live meeting starting in the next
    `within_seconds` (by the database clock)."""
    rows = await conn.fetch(
        """
        SELECT DISTINCT project_id, calendar_id FROM meeting_events
        WHERE NOT is_deleted AND status <> 'cancelled' AND meeting_url IS NOT NULL
          AND start_time > now() AND start_time <= now() + make_interval(secs => $1)
        ORDER BY calendar_id
        """,
        within_seconds,
    )
    return [(row["project_id"], row["calendar_id"]) for row in rows]
