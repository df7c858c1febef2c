"""Retention pruning of the syncer's store: what ended before the cutoff and before the
calendar's sync window goes, in batches, silently; a later listing does not bring it back.

Each test lives in its own year of the last century, so its cutoff never reaches the rows
of tests in other files; one that counts what a pass pruned first prunes what earlier tests
of this file left before that cutoff.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from services.syncer import retention, store
from shared.contracts.provider import ProviderObject
from shared.ids import new_id
from tests.integration.syncer.pages import (
    announced,
    apply,
    event_rows,
    ics,
    obj,
    page,
    timed,
)


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def _daily(year: int) -> ProviderObject:
    """A daily 09:00 to 10:00 series starting on 1 January."""
    return obj("d.ics", ics(timed("d", f"{year}0101T090000Z", "Daily", "RRULE:FREQ=DAILY")))


async def _live_days(pool: asyncpg.Pool[Any], calendar_id: str) -> list[int]:
    """Days of January of the calendar's stored events (tombstones included)."""
    rows = await pool.fetch(
        "SELECT end_at FROM events WHERE calendar_id = $1 ORDER BY end_at", calendar_id
    )
    return [row["end_at"].day for row in rows]


async def test_instances_are_pruned_one_by_one_by_their_own_end(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (_daily(1990),), window=(_at(1990, 1, 1), _at(1990, 1, 8))))
    # The window moved on: 1 to 4 January slid out of it and are kept.
    await apply(syncer_pool, page(cal, (_daily(1990),), window=(_at(1990, 1, 5), _at(1990, 1, 8))))
    assert await _live_days(syncer_pool, cal) == [1, 2, 3, 4, 5, 6, 7]
    before = len(await announced(syncer_pool, cal))

    await retention.prune(syncer_pool, _at(1990, 1, 3))
    assert await _live_days(syncer_pool, cal) == [3, 4, 5, 6, 7]  # ended 1 and 2 January
    assert len(await announced(syncer_pool, cal)) == before  # pruning announces nothing


async def test_pruning_never_reaches_into_the_calendars_window(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    """Events still in the window would be listed again (and created again) if pruned."""
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (_daily(1991),), window=(_at(1991, 1, 1), _at(1991, 1, 8))))
    await apply(syncer_pool, page(cal, (_daily(1991),), window=(_at(1991, 1, 5), _at(1991, 1, 8))))

    await retention.prune(syncer_pool, _at(1991, 12, 31))
    assert await _live_days(syncer_pool, cal) == [5, 6, 7]


async def test_a_relisting_after_pruning_creates_nothing_again(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (_daily(1992),), window=(_at(1992, 1, 1), _at(1992, 1, 8))))
    moved = (_at(1992, 1, 5), _at(1992, 1, 12))
    await apply(syncer_pool, page(cal, (_daily(1992),), window=moved))
    await retention.prune(syncer_pool, _at(1992, 12, 31))
    before = await announced(syncer_pool, cal)

    await apply(syncer_pool, page(cal, (_daily(1992),), window=moved, full=True, number=0))

    assert await announced(syncer_pool, cal) == before
    assert await _live_days(syncer_pool, cal) == list(range(5, 12))


async def test_pruning_goes_in_batches(syncer_pool: asyncpg.Pool[Any]) -> None:
    cal = new_id("cal")
    ended_before = _at(1993, 1, 31)
    await retention.prune(syncer_pool, ended_before)
    await apply(syncer_pool, page(cal, (_daily(1993),), window=(_at(1993, 1, 1), _at(1993, 1, 8))))
    await apply(syncer_pool, page(cal, window=(_at(1993, 2, 1), _at(1993, 2, 8))))

    async with syncer_pool.acquire() as conn, conn.transaction():
        held = await store.lock_prunable_calendar(conn, ended_before, "")
        assert held is not None and held.calendar_id == cal
        assert await store.prune_calendar_events(conn, cal, held.cutoff, 3) == 3
    assert len(await _live_days(syncer_pool, cal)) == 4

    assert await retention.prune(syncer_pool, ended_before, batch=2) == 4
    assert await _live_days(syncer_pool, cal) == []


async def test_tombstones_are_pruned_too(syncer_pool: asyncpg.Pool[Any]) -> None:
    cal = new_id("cal")
    single = obj("a.ics", ics(timed("a", "19940102T090000Z", "Alpha")))
    window = (_at(1994, 1, 1), _at(1994, 1, 8))
    await apply(syncer_pool, page(cal, (single,), window=window))
    await apply(
        syncer_pool, page(cal, removed=("a.ics",), window=(_at(1994, 2, 1), _at(1994, 2, 8)))
    )
    assert [r.is_deleted for r in await event_rows(syncer_pool, cal)] == [True]

    await retention.prune(syncer_pool, _at(1994, 1, 31))
    assert await event_rows(syncer_pool, cal) == []


async def test_a_calendar_whose_window_is_unknown_is_not_pruned(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    """Pages from producers older than the window fields name none: nothing to protect by."""
    cal = new_id("cal")
    single = obj("a.ics", ics(timed("a", "19950102T090000Z", "Alpha")))
    no_window = page(cal, (single,)).model_copy(update={"window_start": None, "window_end": None})
    await apply(syncer_pool, no_window)

    await retention.prune(syncer_pool, _at(1995, 12, 31))
    assert len(await event_rows(syncer_pool, cal)) == 1


async def test_the_job_prunes_at_once_then_every_period(syncer_pool: asyncpg.Pool[Any]) -> None:
    cal = new_id("cal")
    single = obj("a.ics", ics(timed("a", "19960102T090000Z", "Alpha")))
    await apply(syncer_pool, page(cal, (single,), window=(_at(1996, 2, 1), _at(1996, 2, 8))))
    now = _at(1996, 2, 1) + timedelta(days=30)
    job = asyncio.create_task(retention.run(syncer_pool, 30, every_seconds=3600, clock=lambda: now))
    try:
        deadline = asyncio.get_running_loop().time() + 10
        while await event_rows(syncer_pool, cal):
            assert asyncio.get_running_loop().time() < deadline, "not pruned within 10 s"
            await asyncio.sleep(0.05)
    finally:
        job.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await job


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


async def test_a_change_to_an_event_retention_pruned_does_not_create_it_again(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    """The connector passes changes to past events through: one that ended more than the
    retention ago (and before the window) is neither stored nor announced, whether its row
    was pruned or never existed; a past event still inside the retention is created."""
    cal = new_id("cal")
    now = datetime.now(UTC)
    window = (now - timedelta(days=60), now + timedelta(days=30))
    old = obj("old.ics", ics(timed("old", _stamp(now - timedelta(days=40)), "Old")))
    await apply(syncer_pool, page(cal, (old,), window=window))  # in the window then
    window = (now - timedelta(days=7), now + timedelta(days=30))  # the window moved on
    await apply(syncer_pool, page(cal, window=window))
    async with syncer_pool.acquire() as conn, conn.transaction():
        held = await store.lock_prunable_calendar(conn, now - timedelta(days=30), cal[:-1])
        assert held is not None and held.calendar_id == cal
        assert await store.prune_calendar_events(conn, cal, held.cutoff, 10) == 1
    before = await announced(syncer_pool, cal)
    assert [m.change for m in before] == ["created"]

    edited = obj("old.ics", ics(timed("old", _stamp(now - timedelta(days=40)), "Old, edited")))
    never = obj("never.ics", ics(timed("never", _stamp(now - timedelta(days=45)), "Never")))
    recent = obj("recent.ics", ics(timed("recent", _stamp(now - timedelta(days=20)), "Recent")))
    await apply(syncer_pool, page(cal, (edited, never, recent), window=window))

    after = await announced(syncer_pool, cal)
    assert [(m.change, m.event.title) for m in after[len(before) :]] == [("created", "Recent")]
    assert [r.provider_object_id for r in await event_rows(syncer_pool, cal)] == ["recent.ics"]


async def test_the_pruner_skips_a_calendar_a_page_holds(syncer_pool: asyncpg.Pool[Any]) -> None:
    """A page holds its calendar's row from its read to its write: the pruner, which prunes a
    calendar under that same lock, leaves the calendar alone until its next pass (and does not
    wait for it), so it never deletes a row between a page's diff and its upsert."""
    ended_before = _at(1997, 1, 31)
    await retention.prune(syncer_pool, ended_before)
    held, free = new_id("cal"), new_id("cal")
    for cal in (held, free):
        await apply(
            syncer_pool, page(cal, (_daily(1997),), window=(_at(1997, 1, 1), _at(1997, 1, 8)))
        )
        await apply(syncer_pool, page(cal, window=(_at(1997, 2, 1), _at(1997, 2, 8))))

    async with syncer_pool.acquire() as conn, conn.transaction():
        await store.lock_calendar(conn, held)  # as a page in flight does
        pruned = await asyncio.wait_for(retention.prune(syncer_pool, ended_before), timeout=10)
        assert pruned == 7
        assert await _live_days(syncer_pool, held) == [1, 2, 3, 4, 5, 6, 7]
        assert await _live_days(syncer_pool, free) == []

    assert await retention.prune(syncer_pool, ended_before) == 7
    assert await _live_days(syncer_pool, held) == []


async def test_a_page_waits_for_a_prune_in_progress_then_sees_its_result(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    """The other order: a pruner holding the calendar makes the page wait; the page then
    reads the rows as pruned and announces nothing for them."""
    cal = new_id("cal")
    week = (_at(1998, 1, 1), _at(1998, 1, 8))
    await apply(syncer_pool, page(cal, (_daily(1998),), window=week))
    later = (_at(1998, 2, 1), _at(1998, 2, 8))
    await apply(syncer_pool, page(cal, window=later))
    before = await announced(syncer_pool, cal)

    async with syncer_pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        calendar = await store.lock_prunable_calendar(conn, _at(1998, 12, 31), cal[:-1])
        assert calendar is not None and calendar.calendar_id == cal
        # A page removing the series arrives while the prune is under way.
        removal = asyncio.create_task(
            apply(syncer_pool, page(cal, removed=("d.ics",), window=later))
        )
        await asyncio.sleep(0.2)
        assert not removal.done()  # waits on the calendar's row
        assert await store.prune_calendar_events(conn, cal, calendar.cutoff, 1000) == 7
        await transaction.commit()
    await asyncio.wait_for(removal, timeout=10)

    assert await announced(syncer_pool, cal) == before
    assert await event_rows(syncer_pool, cal) == []
