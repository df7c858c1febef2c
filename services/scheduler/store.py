"""Scheduler SQL (schema `scheduler`), one statement per function."""

from __future__ import annotations

from services.scheduler.domain.meetings import MeetingSlot
from shared.db.types import Connection


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
