"""Imminent meetings make their calendars sync faster: once a minute, a `sync.hint` for each
calendar with a meeting starting in the next 30 minutes, so a meeting moved or cancelled at the
last moment is seen within a minute instead of a poll interval. One replica sends each tick."""

from __future__ import annotations

import logging
from typing import Any

import asyncpg

from services.scheduler import store
from shared.contracts.hints import SyncHint
from shared.db.types import Connection
from shared.messaging import outbox
from shared.periodic import run_every

log = logging.getLogger(__name__)

TICK = "imminent_meetings"
REASON = "meeting_soon"


async def hint_imminent(conn: Connection, every_seconds: float, within_seconds: float) -> int:
    """In the caller's transaction: claim this tick and hint every calendar with a meeting soon;
    returns how many were hinted (0 when another replica has the tick)."""
    if not await store.claim_tick(conn, TICK, every_seconds):
        return 0
    calendars = await store.calendars_with_meetings_soon(conn, within_seconds)
    for project_id, calendar_id in calendars:
        await outbox.enqueue(conn, SyncHint(calendar_id=calendar_id, reason=REASON), project_id)
    return len(calendars)


async def run(pool: asyncpg.Pool[Any], every_seconds: float, within_seconds: float) -> None:
    """Forever: one attempt per `every_seconds`; database outages are waited out."""

    async def one_pass() -> int:
        async with pool.acquire() as conn, conn.transaction():
            return await hint_imminent(conn, every_seconds, within_seconds)

    await run_every(
        every_seconds,
        one_pass,
        log=log,
        name="imminent meetings",
        done="calendars hinted",
        counted="calendars",
    )
