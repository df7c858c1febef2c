"""Retention: the event read model drops events that ended more than the retention ago (and
before their calendar's sync window), in batches, by the syncer's rule, since the syncer
prunes its store without announcing it. Every replica prunes once an hour; rows another
pruner holds are skipped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg

from services.gateway.store import events as event_store
from shared.periodic import run_every

log = logging.getLogger(__name__)

EVERY_SECONDS = 3600.0
BATCH = 1000


async def prune(
    pool: asyncpg.Pool[Any], now: datetime, retention_days: int, batch: int = BATCH
) -> int:
    """Delete what ended before the cutoff, one short transaction per batch, until a batch
    comes back short; returns how many were deleted."""
    pruned = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            deleted = await event_store.prune_ended_events(conn, now, retention_days, batch)
        pruned += deleted
        if deleted < batch:
            return pruned


async def run(
    pool: asyncpg.Pool[Any],
    retention_days: int,
    every_seconds: float = EVERY_SECONDS,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> None:
    """Forever: prune once per `every_seconds`; database outages are waited out."""

    async def one_pass() -> int:
        return await prune(pool, clock(), retention_days)

    await run_every(
        every_seconds, one_pass, log=log, name="retention", done="events pruned", counted="events"
    )
