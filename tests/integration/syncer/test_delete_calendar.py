"""Deleting a calendar: events and issues dropped, later pages ignored, nothing announced."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.syncer import store
from shared.ids import new_id
from tests.integration.syncer.pages import (
    announced,
    apply,
    delete,
    event_rows,
    ics,
    obj,
    page,
    timed,
)

A = obj("a.ics", ics(timed("a", "20240701T090000Z", "Alpha")))
BROKEN = obj("broken.ics", "garbage")


async def test_deleted_calendar_loses_its_events_and_ignores_later_pages(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, BROKEN)))
    await delete(syncer_pool, cal)

    assert await event_rows(syncer_pool, cal) == []
    async with syncer_pool.acquire() as conn:
        assert await store.list_sync_issues(conn, cal) == []
    assert len(await announced(syncer_pool, cal)) == 1

    await apply(syncer_pool, page(cal, (A,)))
    assert await event_rows(syncer_pool, cal) == []
    assert len(await announced(syncer_pool, cal)) == 1


async def test_deleting_an_unknown_calendar_tombstones_it(syncer_pool: asyncpg.Pool[Any]) -> None:
    cal = new_id("cal")
    await delete(syncer_pool, cal)
    await apply(syncer_pool, page(cal, (A,)))
    assert await event_rows(syncer_pool, cal) == []
    assert await announced(syncer_pool, cal) == []
    deleted = await syncer_pool.fetchval(
        "SELECT deleted FROM calendars WHERE calendar_id = $1", cal
    )
    assert deleted is True
