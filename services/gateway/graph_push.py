"""Publishing a verified Graph notification batch: channel actions at once (uncoalesced), then
one coalesced hint per calendar with changes, however many notifications name it."""

from __future__ import annotations

from collections import Counter

from services.gateway.domain.graph_notifications import GraphBatch
from services.gateway.push_hints import PushHints

PROVIDER = "microsoft"


async def publish(hints: PushHints, batch: GraphBatch) -> Counter[str]:
    """Hint every calendar the batch names; returns what became of each verified notification
    (for the metric): an action, `hinted`, `coalesced` or `unknown_calendar`."""
    outcomes: Counter[str] = Counter()
    for request in batch.channel_requests:
        action, channel_id = request.action, request.channel_id
        outcomes[await hints.channel_action(request.calendar_id, PROVIDER, action, channel_id)] += 1
    outcomes["coalesced"] += batch.repeated
    for calendar_id, count in batch.changed.items():
        outcome = await hints.notified(calendar_id, PROVIDER)
        outcomes[outcome] += 1
        if count > 1:  # the rest ride on this one's hint
            outcomes["unknown_calendar" if outcome == "unknown_calendar" else "coalesced"] += (
                count - 1
            )
    return +outcomes  # without zero counts
