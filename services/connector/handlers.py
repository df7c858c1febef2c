"""Connector message handlers: message type → use case."""

from __future__ import annotations

from services.connector import usecases
from shared.contracts import topics
from shared.contracts.connections import ConnectCalendar, DeleteCalendar, ResyncCalendar
from shared.contracts.hints import SyncHint
from shared.messaging.consumer import Handler

TOPICS = (topics.CONNECTIONS_COMMANDS, topics.SYNC_HINTS)

HANDLERS: dict[str, Handler] = {
    ConnectCalendar.TYPE: usecases.connect_calendar,
    ResyncCalendar.TYPE: usecases.resync_calendar,
    DeleteCalendar.TYPE: usecases.delete_calendar,
    SyncHint.TYPE: usecases.hinted_sync,
}
