"""`sync.hints`: reasons to sync a calendar soon, from anyone but the gateway's commands
(the scheduler's imminent meetings; provider push notifications)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import model_validator

from shared.contracts import topics
from shared.contracts.envelope import Payload, register

# What a push channel needs before the sync (Graph lifecycle notifications, providers.md §2.5).
ChannelAction = Literal["reauthorize", "recreate"]


@register
class SyncHint(Payload):
    """Sync this calendar soon. The connector coalesces it with any queued sync, keeps a
    scheduled retry's backoff, and ignores it for a calendar that is not connected.

    With `channel`, the calendar's push channel `channel_id` needs an action first:
    `reauthorize` renews it now whatever its expiry (a Graph renewal re-authorizes it),
    `recreate` forgets it (the provider removed it) so the sync opens a new one. A channel that
    is no longer the calendar's is left alone. Such hints are never coalesced by the sender.
    """

    TOPIC: ClassVar[str] = topics.SYNC_HINTS
    TYPE: ClassVar[str] = "sync.hint"
    calendar_id: str
    reason: str  # `meeting_soon`, `push`; free text for logs and metrics, never a branch
    channel: ChannelAction | None = None
    channel_id: str | None = None  # the channel `channel` is about; set exactly with it

    @model_validator(mode="after")
    def _channel_named(self) -> SyncHint:
        if (self.channel is None) != (self.channel_id is None):
            raise ValueError("channel and channel_id come together")
        return self

    def key(self) -> str:
        return self.calendar_id
