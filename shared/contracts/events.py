"""`events.changed`: the canonical event state after each change, versioned per calendar."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from shared.contracts import topics
from shared.contracts.envelope import Payload, register

EventStatus = Literal["confirmed", "tentative", "cancelled"]
ResponseStatus = Literal["accepted", "declined", "tentative", "needs_action"]
ChangeType = Literal["created", "updated", "cancelled", "deleted"]


class Person(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    email: str | None
    name: str | None
    is_self: bool


class Attendee(Person):
    response_status: ResponseStatus
    is_organizer: bool


class Meeting(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    url: str
    platform: str
    meeting_id: str | None
    passcode: str | None
    key: str


class EventState(BaseModel):
    """The canonical event (`api.md` → Calendar events), minus what the gateway adds itself."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    id: str
    calendar_id: str
    provider_event_id: str
    ical_uid: str | None
    series_id: str | None
    is_recurring: bool
    is_exception: bool
    original_start_time: datetime | date | None
    title: str | None
    description: str | None
    description_truncated: bool = False
    location: str | None
    start_time: datetime | date
    end_time: datetime | date
    is_all_day: bool
    time_zone: str | None
    status: EventStatus
    is_deleted: bool
    organizer: Person | None
    attendees: tuple[Attendee, ...]
    meeting: Meeting | None
    raw: dict[str, Any] | None
    raw_truncated: bool = False


@register
class CalendarEventChanged(Payload):
    """One event changed; `version` is the calendar's monotonic version after this change."""

    TYPE: ClassVar[str] = "calendar_event.changed"
    TOPIC: ClassVar[str] = topics.EVENTS_CHANGED
    calendar_id: str
    version: int
    change: ChangeType
    event: EventState
    changed_fields: tuple[str, ...]
    previous: dict[str, Any]

    def key(self) -> str:
        return self.calendar_id
