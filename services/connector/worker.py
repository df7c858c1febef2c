"""The sync worker: N loops claiming due syncs (and, between them, queued push channel stops),
woken by NOTIFY with a 1 s poll as backstop, and a poller that queues a sync for calendars due
a poll (or whose sync claim lapsed).
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import suppress
from typing import Any

import asyncpg

from services.connector import accounts, channels, store, syncing

log = logging.getLogger(__name__)

_DB_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)
SWEEP_EVERY_SECONDS = 600.0


class SyncWorker:
    """Runs until cancelled; several workers (processes) may share one database."""

    def __init__(
        self,
        ctx: syncing.SyncContext,
        *,
        concurrency: int,
        idle_poll_seconds: float = 1.0,
        poll_check_seconds: float = 10.0,
    ) -> None:
        self._ctx = ctx
        self._concurrency = concurrency
        self._idle_poll = idle_poll_seconds
        self._poll_check = poll_check_seconds
        self._wake = asyncio.Event()
        self._last_sweep: float | None = None
        self._running: asyncio.Task[Any] | None = None

    async def run(self) -> None:
        self._running = asyncio.current_task()
        listener = await self._ctx.pool.acquire()
        await listener.add_listener(store.SYNC_CHANNEL, self._on_notify)
        try:
            async with asyncio.TaskGroup() as group:
                for number in range(self._concurrency):
                    group.create_task(self._sync_loop(), name=f"sync-{number}")
                group.create_task(self._poll_loop(), name="sync-poller")
        finally:
            with suppress(*_DB_ERRORS):
                await listener.remove_listener(store.SYNC_CHANNEL, self._on_notify)
            await self._ctx.pool.release(listener)

    async def stop(self) -> None:
        """Cancel the loops (a sync in flight is cut off, its claim lapses) and wait for them."""
        running = self._running
        if running is None or running.done():
            return
        running.cancel()
        await asyncio.wait({running})

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def _sync_loop(self) -> None:
        while True:
            self._wake.clear()
            if await self.sync_once() or await self.stop_once():
                continue
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._idle_poll)

    async def sync_once(self) -> bool:
        """Run one due sync, if any; database outages are waited out, never fatal."""
        try:
            return await syncing.sync_next(self._ctx)
        except _DB_ERRORS as exc:
            log.warning("sync worker database error", extra={"error": type(exc).__name__})
            await asyncio.sleep(self._idle_poll)
            return False

    async def stop_once(self) -> bool:
        """Stop one queued push channel, if any is due."""
        try:
            return await channels.stop_next(
                self._ctx.pool, self._ctx.keyring, dict(self._ctx.providers)
            )
        except _DB_ERRORS as exc:
            log.warning("channel stop database error", extra={"error": type(exc).__name__})
            return False

    async def _poll_loop(self) -> None:
        while True:
            if await self.request_due_polls():
                self._wake.set()
            await asyncio.sleep(self._poll_check)

    async def request_due_polls(self) -> int:
        """Queue the syncs that polling makes due (and drop abandoned credentials and unclaimed
        grants); returns how many syncs were queued."""
        try:
            async with self._ctx.pool.acquire() as conn:
                if self._sweep_due():
                    await store.forget_abandoned_registrations(conn)
                    await accounts.forget_unclaimed_grants(conn)
                return await store.request_due_polls(conn)
        except _DB_ERRORS as exc:
            log.warning("sync poller database error", extra={"error": type(exc).__name__})
            return 0

    def _sweep_due(self) -> bool:
        """Abandoned registrations and unclaimed grants live a day: look every 10 minutes."""
        now = time.monotonic()
        if self._last_sweep is not None and now - self._last_sweep < SWEEP_EVERY_SECONDS:
            return False
        self._last_sweep = now
        return True


def poll_check_seconds(poll_interval_seconds: float) -> float:
    """How often to look for due polls: often enough for the interval, at most every 10 s."""
    return min(10.0, max(0.5, poll_interval_seconds / 2))
