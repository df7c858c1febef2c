"""Retention: events that ended more than the retention ago, and before their calendar's sync
window, are deleted from the store in batches, with no change announced (housekeeping, not a
provider change; the gateway prunes its read model by the same rule). Every replica prunes
once an hour; rows another pruner holds are skipped."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from services.syncer import store

log = logging.getLogger(__name__)

EVERY_SECONDS = 3600.0
BATCH = 1000
_DB_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


async def prune(pool: asyncpg.Pool[Any], ended_before: datetime, batch: int = BATCH) -> int:
    """Delete what ended before `ended_before` (and before its calendar's window), one short
    transaction per batch, until a batch comes back short; returns how many were deleted."""
    pruned = 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            deleted = await store.prune_ended_events(conn, ended_before, batch)
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
    while True:
        try:
            pruned = await prune(pool, clock() - timedelta(days=retention_days))
            if pruned:
                log.info("retention: events pruned", extra={"events": pruned})
        except _DB_ERRORS as exc:
            log.warning("retention: database error", extra={"error": type(exc).__name__})
        await asyncio.sleep(every_seconds)
