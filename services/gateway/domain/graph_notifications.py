"""Reading a Microsoft Graph notification batch (providers.md §2.5): which notifications carry a
valid `clientState`, and what each verified one asks of the calendar it names.

A batch is `{"value": [...]}` and may mix subscriptions and calendars. `clientState` is
`<channel_id>.<token>` (`shared/push_tokens.py`): the channel id names the calendar and the
token must be its HMAC under the push secret (compared in constant time). A change
notification, and the `missed` lifecycle event, ask for a sync; `reauthorizationRequired` and
`subscriptionRemoved` ask for a channel action (renew, recreate) and a sync.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from shared.contracts.hints import ChannelAction
from shared.push_tokens import calendar_of_channel, parse_client_state, token_matches

LIFECYCLE_ACTIONS: dict[str, ChannelAction] = {
    "reauthorizationRequired": "reauthorize",
    "subscriptionRemoved": "recreate",
}


class MalformedBatch(ValueError):
    """Raised when a body is not a Graph notification batch (not JSON, or no `value` list)."""


@dataclass(frozen=True)
class ChannelRequest:
    """A verified lifecycle notification asking for an action on the calendar's channel."""

    calendar_id: str
    channel_id: str
    action: ChannelAction


@dataclass
class GraphBatch:
    """A batch read: verified change notifications per calendar (in order of arrival), the
    channel actions asked for (each once; `repeated` counts the repeats), and how many
    notifications were rejected."""

    changed: dict[str, int] = field(default_factory=dict)
    channel_requests: list[ChannelRequest] = field(default_factory=list)
    repeated: int = 0
    rejected: int = 0

    @property
    def verified(self) -> int:
        return sum(self.changed.values()) + len(self.channel_requests) + self.repeated


def read_batch(body: bytes, secret: str) -> GraphBatch:
    """Every notification of `body` verified and sorted; raises `MalformedBatch`."""
    try:
        decoded = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedBatch("not JSON") from None
    items = decoded.get("value") if isinstance(decoded, dict) else None
    if not isinstance(items, list):
        raise MalformedBatch("no value list")
    batch = GraphBatch()
    for item in items:
        _sort(item, secret, batch)
    return batch


def _sort(item: Any, secret: str, batch: GraphBatch) -> None:
    verified = _verified_channel(item, secret)
    if verified is None:
        batch.rejected += 1
        return
    calendar_id, channel_id = verified
    event = item.get("lifecycleEvent")
    action = LIFECYCLE_ACTIONS.get(event) if isinstance(event, str) else None
    if action is None:  # a change, `missed`, or a lifecycle event Graph may add: a sync
        batch.changed[calendar_id] = batch.changed.get(calendar_id, 0) + 1
        return
    request = ChannelRequest(calendar_id, channel_id, action)
    if request in batch.channel_requests:
        batch.repeated += 1
    else:
        batch.channel_requests.append(request)


def _verified_channel(item: Any, secret: str) -> tuple[str, str] | None:
    """The calendar and channel of a notification whose `clientState` verifies, else None."""
    state = item.get("clientState") if isinstance(item, dict) else None
    parsed = parse_client_state(state) if isinstance(state, str) else None
    if parsed is None:
        return None
    channel_id, token = parsed
    calendar_id = calendar_of_channel(channel_id)
    if calendar_id is None or not token_matches(secret, channel_id, token):
        return None
    return calendar_id, channel_id
