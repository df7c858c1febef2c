"""Gateway message handlers: message type → projection use case."""

from __future__ import annotations

from services.gateway import usecases
from shared.contracts import topics
from shared.contracts.calendars import CalendarDeleted, CalendarStateChanged
from shared.contracts.events import CalendarEventChanged
from shared.contracts.sync_issues import CalendarSyncIssues
from shared.messaging.consumer import Handler

TOPICS = (topics.CALENDARS_STATE, topics.EVENTS_CHANGED)

HANDLERS: dict[str, Handler] = {
    CalendarStateChanged.TYPE: usecases.project_calendar_state,
    CalendarDeleted.TYPE: usecases.project_calendar_deleted,
    CalendarEventChanged.TYPE: usecases.project_event_change,
    CalendarSyncIssues.TYPE: usecases.project_sync_issues,
}
