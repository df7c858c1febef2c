"""Scheduler use cases: keep the meeting index current from the event change feed."""

from __future__ import annotations

from services.scheduler import store
from services.scheduler.domain.meetings import slot_of
from shared.contracts.calendars import CalendarDeleted
from shared.contracts.envelope import Envelope
from shared.contracts.events import CalendarEventChanged
from shared.db.types import Connection


async def index_event_change(
    conn: Connection, envelope: Envelope, change: CalendarEventChanged
) -> None:
    slot = slot_of(change.event)
    await store.upsert_meeting(conn, envelope.project_id, change.calendar_id, change.version, slot)


async def forget_calendar(conn: Connection, envelope: Envelope, deleted: CalendarDeleted) -> None:
    await store.mark_calendar_deleted(conn, deleted.calendar_id)
    await store.delete_calendar_meetings(conn, deleted.calendar_id)
