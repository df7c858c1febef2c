"""Deleting a calendar: each live event announced as `deleted`, then events and issues dropped;
later pages and repeated deletions ignored."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg

from services.syncer import store, usecases
from shared.ids import new_id
from tests.integration.syncer.pages import (
    announced,
    apply,
    calendar_version,
    delete,
    event_rows,
    ics,
    obj,
    page,
    timed,
)

A = obj("a.ics", ics(timed("a", "20240701T090000Z", "Alpha")))
B = obj("b.ics", ics(timed("b", "20240702T090000Z", "Beta")))
SERIES = obj(
    "s.ics",
    ics(
        timed("s", "20240701T090000Z", "Series", "RRULE:FREQ=DAILY"),
        timed("s", "20240703T100000Z", "Moved", "RECURRENCE-ID:20240703T090000Z"),
    ),
)
BROKEN = obj("broken.ics", "garbage")


async def test_each_live_event_is_announced_deleted_with_its_last_state(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, B, SERIES, BROKEN)))
    await apply(syncer_pool, page(cal, removed=("b.ics",)))  # Beta: a tombstone at version 6
    live = {r.id: r.title for r in await event_rows(syncer_pool, cal) if not r.is_deleted}

    await delete(syncer_pool, cal)

    deletions = (await announced(syncer_pool, cal))[6:]
    assert [(m.version, m.change) for m in deletions] == [(v, "deleted") for v in range(7, 11)]
    assert {m.event.id: m.event.title for m in deletions} == live
    assert [m.event.title for m in deletions] == ["Alpha", "Series", "Series", "Moved"]
    for message in deletions:
        assert message.event.is_deleted and message.event.raw is not None
        assert (message.changed_fields, message.previous) == (
            ("is_deleted",),
            {"is_deleted": False},
        )
    assert await event_rows(syncer_pool, cal) == []  # tombstones too
    async with syncer_pool.acquire() as conn:
        assert await store.list_sync_issues(conn, cal) == []
    assert await calendar_version(syncer_pool, cal) == 10


async def test_a_repeated_deletion_announces_nothing(syncer_pool: asyncpg.Pool[Any]) -> None:
    """A second `calendar.deleted` (another message, so the inbox lets it through) finds the
    tombstone."""
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, B)))
    await delete(syncer_pool, cal)
    await delete(syncer_pool, cal)
    assert [m.change for m in await announced(syncer_pool, cal)] == [
        "created",
        "created",
        "deleted",
        "deleted",
    ]
    assert await calendar_version(syncer_pool, cal) == 4


async def test_a_deleted_calendar_ignores_later_pages(syncer_pool: asyncpg.Pool[Any]) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A,)))
    await delete(syncer_pool, cal)
    await apply(syncer_pool, page(cal, (A, B)))
    assert await event_rows(syncer_pool, cal) == []
    assert [m.change for m in await announced(syncer_pool, cal)] == ["created", "deleted"]


async def test_a_large_calendar_is_announced_in_batches_with_gapless_versions(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    """More events than one batch loads (a daily series over 2024: 366 instances): every one
    announced once, versions in order."""
    cal = new_id("cal")
    daily = obj("d.ics", ics(timed("d", "20240101T090000Z", "Daily", "RRULE:FREQ=DAILY")))
    window = (datetime(2024, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))
    await apply(syncer_pool, page(cal, (daily,), window=window))
    assert await calendar_version(syncer_pool, cal) == 366

    await delete(syncer_pool, cal)

    deletions = (await announced(syncer_pool, cal))[366:]
    assert len(deletions) == 366 > usecases.DELETION_BATCH
    assert [m.version for m in deletions] == list(range(367, 733))
    assert len({m.event.id for m in deletions}) == 366
    assert all(m.change == "deleted" for m in deletions)
    assert await event_rows(syncer_pool, cal) == []


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
