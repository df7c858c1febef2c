"""`sync.hints`: reasons to sync a calendar soon, from anyone but the gateway's commands
(the scheduler's imminent meetings; provider push notifications)."""

from __future__ import annotations

from typing import ClassVar

from shared.contracts import topics
from shared.contracts.envelope import Payload, register


@register
class SyncHint(Payload):
    """Sync this calendar soon. The connector coalesces it with any queued sync, keeps a
    scheduled retry's backoff, and ignores it for a calendar that is not connected."""

    TOPIC: ClassVar[str] = topics.SYNC_HINTS
    TYPE: ClassVar[str] = "sync.hint"
    calendar_id: str
    reason: str  # `meeting_soon`, `push`; free text for logs and metrics, never a branch

    def key(self) -> str:
        return self.calendar_id
