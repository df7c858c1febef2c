"""What the scheduler keeps of an event: its time span and meeting identity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from shared.contracts.events import EventState


@dataclass(frozen=True)
class MeetingSlot:
    event_id: str
    start_time: datetime
    end_time: datetime
    status: str
    is_deleted: bool
    meeting_url: str | None
    meeting_key: str | None


def _instant(value: datetime | date) -> datetime:
    # All-day events have dates; as instants they start at midnight UTC (bots never join them:
    # they carry no meeting time), which keeps the index ordered without a calendar zone.
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.combine(value, time.min, UTC)


def slot_of(event: EventState) -> MeetingSlot:
    return MeetingSlot(
        event_id=event.id,
        start_time=_instant(event.start_time),
        end_time=_instant(event.end_time),
        status=event.status,
        is_deleted=event.is_deleted,
        meeting_url=event.meeting.url if event.meeting else None,
        meeting_key=event.meeting.key if event.meeting else None,
    )
