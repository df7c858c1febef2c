"""`calendar.sync_issues` (on `events.changed`, keyed by calendar id): the provider objects of a
calendar the syncer could not turn into events, announced whenever that set changes."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from shared.contracts import topics
from shared.contracts.envelope import Payload, register

# At most this many issues travel in one message (`total` counts them all).
MAX_LISTED = 100


class SyncIssue(BaseModel):
    """One provider object skipped: `reason` is a code (`unmappable`, `too_many_instances`,
    `unsupported_frequency`, `invalid_interval`, `too_costly`), `message` says what is wrong
    (it may quote the offending value of the tenant's own data, never a credential), `since`
    since when it has failed this way."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    provider_object_id: str
    reason: str
    message: str
    since: datetime


@register
class CalendarSyncIssues(Payload):
    """The calendar's current sync issues (the first `MAX_LISTED` by object id; `total` of
    them all); `version` grows with every change of the set, so consumers keep the newest."""

    TYPE: ClassVar[str] = "calendar.sync_issues"
    TOPIC: ClassVar[str] = topics.EVENTS_CHANGED
    calendar_id: str
    version: int
    issues: tuple[SyncIssue, ...]
    total: int

    def key(self) -> str:
        return self.calendar_id
