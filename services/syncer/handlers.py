"""Syncer message handlers: message type → use case (`calendar.state_changed` is not needed)."""

from __future__ import annotations

from services.syncer import usecases
from shared.contracts import topics
from shared.contracts.calendars import CalendarDeleted
from shared.contracts.provider import ProviderChangesFetched
from shared.messaging.consumer import Handler

TOPICS = (topics.PROVIDER_CHANGES, topics.CALENDARS_STATE)

HANDLERS: dict[str, Handler] = {
    ProviderChangesFetched.TYPE: usecases.apply_provider_changes,
    CalendarDeleted.TYPE: usecases.delete_calendar,
}
