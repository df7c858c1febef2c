"""`calendars.state`: the connector's view of a calendar connection, versioned per calendar."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict

from shared.contracts import topics
from shared.contracts.connections import Provider, SyncWindow
from shared.contracts.envelope import Payload, register

ConnectionState = Literal["connecting", "connected", "disconnected"]


class ConnectionFailure(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    reason: str
    message: str
    at: datetime


PushKind = Literal["google_watch"]


class PushChannel(BaseModel):
    """The provider push channel the connector keeps open for the calendar."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    kind: str  # `google_watch`; unknown kinds are shown as they come
    expires_at: datetime


@register
class CalendarStateChanged(Payload):
    """Full current state of one connection; consumers apply it only if `version` is newer."""

    TYPE: ClassVar[str] = "calendar.state_changed"
    TOPIC: ClassVar[str] = topics.CALENDARS_STATE
    calendar_id: str
    version: int
    provider: Provider
    state: ConnectionState
    platform_uuid: str | None
    name: str | None
    account_email: str | None
    time_zone: str | None
    connection_failure_data: ConnectionFailure | None
    last_attempted_sync_at: datetime | None
    last_successful_sync_at: datetime | None
    # The window the connector syncs (null from producers older than this field).
    sync_window: SyncWindow | None = None
    # The open push channel, if any (absent from producers older than this field: no channel).
    push: PushChannel | None = None

    def key(self) -> str:
        return self.calendar_id


@register
class CalendarDeleted(Payload):
    """The connection is gone: its events are to be removed everywhere."""

    TYPE: ClassVar[str] = "calendar.deleted"
    TOPIC: ClassVar[str] = topics.CALENDARS_STATE
    calendar_id: str
    version: int

    def key(self) -> str:
        return self.calendar_id
