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
    """Store the slot unless a newer version of the event is already stored."""
    await conn.execute(
        """
        INSERT INTO meeting_events (event_id, project_id, calendar_id, version, start_time,
            end_time, status, is_deleted, meeting_url, meeting_key)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
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
