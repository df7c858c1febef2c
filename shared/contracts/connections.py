"""`connections.commands`: what the gateway asks the connector to do with a calendar connection."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts import topics
from shared.contracts.envelope import Payload, register

Provider = Literal["google", "microsoft", "apple", "caldav", "zoom"]


class SyncWindow(BaseModel):
    """How far back and ahead of today a calendar's events are synced."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    past_days: int = Field(default=1, ge=0, le=3650)
    future_days: int = Field(default=90, ge=1, le=3650)


class _CalendarCommand(Payload):
    TOPIC: ClassVar[str] = topics.CONNECTIONS_COMMANDS
    calendar_id: str

    def key(self) -> str:
        return self.calendar_id


@register
class ConnectCalendar(_CalendarCommand):
    """Check the stored grant, discover the calendar and run its first (full) sync."""

    TYPE: ClassVar[str] = "calendar.connect"
    provider: Provider
    platform_uuid: str | None = None
    sync_window: SyncWindow


@register
class ResyncCalendar(_CalendarCommand):
    """Run an incremental sync now (`full` drops the cursor and reconciles a full listing)."""

    TYPE: ClassVar[str] = "calendar.resync"
    full: bool = False


@register
class DeleteCalendar(_CalendarCommand):
    """Stop syncing, forget the connection and its credentials, and announce the deletion."""

    TYPE: ClassVar[str] = "calendar.delete"
