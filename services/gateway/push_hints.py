"""Publishing push hints: a verified notification becomes a `sync.hint`, coalesced per calendar
(`domain/hint_coalescing.py`): one at once, and one trailing hint at the end of the window for
everything that came meanwhile. A trailing hint waits in this process; lost with it (a
restart), the connector's reconcile timer still syncs the calendar (push is lossy anyway).
A hint carrying a channel action (Graph lifecycle notifications) is published at once, never
coalesced: the connector must see every one, and they are rare.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import asyncpg

from services.gateway import usecases
from services.gateway.domain.hint_coalescing import HintCoalescer
from shared.contracts.hints import ChannelAction

log = logging.getLogger(__name__)

WINDOW_SECONDS = 5.0


class PushHints:
    def __init__(self, pool: asyncpg.Pool[Any], window: float = WINDOW_SECONDS) -> None:
        self._pool = pool
        self._coalescer = HintCoalescer(window)
        self._trailing: set[asyncio.Task[None]] = set()

    async def notified(self, calendar_id: str, provider: str) -> str:
        """Handle one verified notification; returns what became of it (for the metric)."""
        decision = self._coalescer.offer(calendar_id, time.monotonic())
        if decision == "publish":
            published = await usecases.push_hint(self._pool, calendar_id, provider)
            return "hinted" if published else "unknown_calendar"
        if decision == "schedule":
            delay = max(0.0, self._coalescer.due(calendar_id) - time.monotonic())
            task = asyncio.create_task(self._publish_later(calendar_id, provider, delay))
            self._trailing.add(task)
            task.add_done_callback(self._trailing.discard)
        return "coalesced"

    async def channel_action(
        self, calendar_id: str, provider: str, action: ChannelAction, channel_id: str
    ) -> str:
        """Publish a hint with a channel action now, uncoalesced; returns the outcome."""
        published = await usecases.push_hint(
            self._pool, calendar_id, provider, (action, channel_id)
        )
        return action if published else "unknown_calendar"

    async def close(self) -> None:
        for task in list(self._trailing):
            task.cancel()
        await asyncio.gather(*self._trailing, return_exceptions=True)

    async def _publish_later(self, calendar_id: str, provider: str, delay: float) -> None:
        await asyncio.sleep(delay)
        self._coalescer.published_trailing(calendar_id, time.monotonic())
        try:
            await usecases.push_hint(self._pool, calendar_id, provider)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            log.warning(
                "trailing push hint not published",
                extra={"calendar_id": calendar_id, "error": type(exc).__name__},
            )
