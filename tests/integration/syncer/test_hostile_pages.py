"""Hostile objects on a page: each becomes its own sync issue, the rest of the page applies,
and mapping neither fails the page nor blocks the event loop."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import asyncpg

from services.syncer import store
from services.syncer.domain.series_guards import ExpansionLimits
from shared.contracts.provider import ProviderObject
from shared.ids import new_id
from tests.integration.syncer.pages import announced, apply, event_rows, ics, obj, page, timed

A = obj("a.ics", ics(timed("a", "20240701T090000Z", "Alpha")))
B = obj("b.ics", ics(timed("b", "20240702T090000Z", "Beta")))
C = obj("c.ics", ics(timed("c", "20240703T090000Z", "Gamma")))
# JSON nested deeper than the parser recurses: a `RecursionError`, no `MappingError`.
DEEP = ProviderObject(
    provider_object_id="deep", etag=None, format="google", data="[" * 100_000 + "]" * 100_000
)
# Marked sections the standard HTML parser asserts on (`AssertionError`) before the fix.
MARKED = obj(
    "marked.ics",
    ics(timed("m", "20240703T090000Z", "Marked", "DESCRIPTION:<p>Hi</p><![ CDATA[x]]><![]>")),
)


async def _issues(pool: asyncpg.Pool[Any], calendar_id: str) -> list[store.SyncIssue]:
    async with pool.acquire() as conn:
        return await store.list_sync_issues(conn, calendar_id)


async def test_a_poisoned_object_is_its_own_issue_and_the_rest_of_the_page_applies(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, DEEP, MARKED, B)))

    titles = {r.provider_object_id: r.title for r in await event_rows(syncer_pool, cal)}
    assert titles == {"a.ics": "Alpha", "b.ics": "Beta", "marked.ics": "Marked"}
    [issue] = await _issues(syncer_pool, cal)
    assert (issue.provider_object_id, issue.reason) == ("deep", "unmappable")
    assert issue.error == "mapping failed: RecursionError"  # the type only, no data quoted
    [marked] = [m.event for m in await announced(syncer_pool, cal) if m.event.title == "Marked"]
    assert marked.description == "Hi"


async def test_objects_past_the_page_cpu_budget_are_refused_and_keep_their_events(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, (A, B, C)))
    edited = [
        obj(o.provider_object_id, o.data.replace("SUMMARY:", "SUMMARY:New ")) for o in (A, B, C)
    ]

    # A clock a second on per read: the page's start, then A (1 s), B (2 s), C (3 s > 2.5 s).
    ticks = itertools.count()
    limits = ExpansionLimits(page_cpu_seconds=2.5, clock=lambda: float(next(ticks)))
    relisting = page(cal, tuple(edited), full=True, final=True)
    await apply(syncer_pool, relisting, limits)

    rows = await event_rows(syncer_pool, cal)
    assert [(r.provider_object_id, r.title, r.is_deleted) for r in rows] == [
        ("a.ics", "New Alpha", False),
        ("b.ics", "New Beta", False),
        ("c.ics", "Gamma", False),  # refused, yet listed: not deleted by the full listing
    ]
    [issue] = await _issues(syncer_pool, cal)
    assert (issue.provider_object_id, issue.reason) == ("c.ics", "too_costly")
    assert "2.5 s" in issue.error

    await apply(syncer_pool, page(cal, (edited[2],)))  # a later page with budget to spare
    assert await _issues(syncer_pool, cal) == []
    assert [r.title for r in await event_rows(syncer_pool, cal)][2] == "New Gamma"


async def test_mapping_a_costly_page_does_not_block_the_event_loop(
    syncer_pool: asyncpg.Pool[Any],
) -> None:
    """Series that never match spend their whole expansion budget (0.1 s CPU each): mapped on
    the loop, the page would stall every other task for its whole mapping time."""
    never = "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"
    costly = tuple(
        obj(f"n{i}.ics", ics(timed(f"n{i}", "16000101T090000Z", "Never", never))) for i in range(8)
    )
    gaps: list[float] = []
    done = asyncio.Event()

    async def heartbeat() -> None:
        last = time.monotonic()
        while not done.is_set():
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    beating = asyncio.create_task(heartbeat())
    started = time.monotonic()
    cal = new_id("cal")
    await apply(syncer_pool, page(cal, costly))
    elapsed = time.monotonic() - started
    done.set()
    await beating

    assert elapsed > 0.6  # the mapping did take its time
    assert max(gaps) < 0.3
    issues = await _issues(syncer_pool, cal)
    assert [i.reason for i in issues] == ["too_costly"] * 8
