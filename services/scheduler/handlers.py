"""Scheduler message handlers: message type → use case."""

from __future__ import annotations

from services.scheduler import usecases
from shared.contracts import topics
from shared.contracts.calendars import CalendarDeleted
from shared.contracts.events import CalendarEventChanged
from shared.messaging.consumer import Handler

TOPICS = (topics.EVENTS_CHANGED, topics.CALENDARS_STATE)

HANDLERS: dict[str, Handler] = {
    CalendarEventChanged.TYPE: usecases.index_event_change,
    CalendarDeleted.TYPE: usecases.forget_calendar,
}
