"""Retention: events that ended more than the retention ago, and before their calendar's sync
window, are deleted from the store in batches, with no change announced (housekeeping, not a
provider change; the gateway prunes its read model by the same rule). Every replica prunes
once an hour, calendar by calendar under the calendar's row lock (the lock a page of the
calendar takes), so a prune never lands between a page's diff and its write; a calendar a
page or another pruner holds is skipped until the next pass."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from services.syncer import store
from shared.periodic import run_every

log = logging.getLogger(__name__)

EVERY_SECONDS = 3600.0
DEFAULT_DAYS = 30
BATCH = 1000


async def prune(pool: asyncpg.Pool[Any], ended_before: datetime, batch: int = BATCH) -> int:
    """Delete what ended before `ended_before` (and before its calendar's window), calendar by
    calendar, one short transaction per batch of one calendar; returns how many were deleted."""
    pruned = 0
    after = ""
    while True:
        async with pool.acquire() as conn, conn.transaction():
            calendar = await store.lock_prunable_calendar(conn, ended_before, after)
            if calendar is None:
                return pruned
            deleted = await store.prune_calendar_events(
                conn, calendar.calendar_id, calendar.cutoff, batch
            )
        pruned += deleted
        if deleted < batch:  # the calendar is done; a full batch goes round it again
            after = calendar.calendar_id


async def run(
    pool: asyncpg.Pool[Any],
    retention_days: int,
    every_seconds: float = EVERY_SECONDS,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Forever: prune once per `every_seconds`; database outages are waited out."""

    async def one_pass() -> int:
        return await prune(pool, clock() - timedelta(days=retention_days))

    await run_every(
        every_seconds, one_pass, log=log, name="retention", done="events pruned", counted="events"
    )
