"""The scheduler's meeting index follows the change feed: newest version wins, deletions stick."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from rollcall.bootstrap import DatabaseLayout
from services.scheduler import handlers
from shared.contracts.calendars import CalendarDeleted
from shared.contracts.envelope import Payload, wrap
from shared.contracts.events import CalendarEventChanged, Meeting
from shared.db.pool import create_pool
from shared.ids import new_id
from tests.factories import event_state


@pytest.fixture
async def pool(database: DatabaseLayout) -> AsyncIterator[asyncpg.Pool[Any]]:
    pool = await create_pool(database.dsns["scheduler"], "scheduler")
    yield pool
    await pool.close()


async def deliver(pool: asyncpg.Pool[Any], payload: Payload) -> None:
    envelope = wrap(payload, "prj_sched")
    async with pool.acquire() as conn, conn.transaction():
        await handlers.HANDLERS[envelope.type](conn, envelope, payload)


def change(calendar_id: str, event_id: str, version: int, hour: int) -> CalendarEventChanged:
    event = event_state(
        id=event_id,
        calendar_id=calendar_id,
        title="Sync",
        start_time=datetime(2030, 1, 1, hour, tzinfo=UTC),
        meeting=Meeting(
            url="https://meet.google.com/abc-defg-hij",
            platform="google_meet",
            meeting_id="abc-defg-hij",
            passcode=None,
            key="google_meet:abc-defg-hij",
        ),
    )
    return CalendarEventChanged(
        calendar_id=calendar_id,
        version=version,
        change="updated",
        event=event,
        changed_fields=(),
        previous={},
    )


async def test_the_newest_version_wins_whatever_the_arrival_order(
    pool: asyncpg.Pool[Any],
) -> None:
    cal, evt = new_id("cal"), new_id("evt")
    await deliver(pool, change(cal, evt, 3, hour=9))
    await deliver(pool, change(cal, evt, 2, hour=7))
    row = await pool.fetchrow("SELECT * FROM meeting_events WHERE event_id = $1", evt)
    assert row is not None and row["version"] == 3 and row["start_time"].hour == 9
    assert row["meeting_key"] == "google_meet:abc-defg-hij"


async def test_changes_arriving_after_a_calendar_deletion_are_dropped(
    pool: asyncpg.Pool[Any],
) -> None:
    cal, evt = new_id("cal"), new_id("evt")
    await deliver(pool, change(cal, evt, 1, hour=9))
    await deliver(pool, CalendarDeleted(calendar_id=cal, version=2))
    await deliver(pool, change(cal, new_id("evt"), 2, hour=10))
    count = await pool.fetchval("SELECT count(*) FROM meeting_events WHERE calendar_id = $1", cal)
    assert count == 0


async def test_deletions_announced_before_the_calendar_deletion_cancel_then_go(
    pool: asyncpg.Pool[Any],
) -> None:
    """The syncer's `deleted` changes (events.changed) may arrive before `calendar.deleted`
    (calendars.state): the slot stops counting as a meeting, then the calendar is forgotten."""
    cal, evt = new_id("cal"), new_id("evt")
    created = change(cal, evt, 1, hour=9)
    await deliver(pool, created)
    deleted = CalendarEventChanged(
        calendar_id=cal,
        version=2,
        change="deleted",
        event=created.event.model_copy(update={"is_deleted": True}),
        changed_fields=("is_deleted",),
        previous={"is_deleted": False},
    )
    await deliver(pool, deleted)
    assert await pool.fetchval("SELECT is_deleted FROM meeting_events WHERE event_id = $1", evt)
    await deliver(pool, CalendarDeleted(calendar_id=cal, version=2))
    count = await pool.fetchval("SELECT count(*) FROM meeting_events WHERE calendar_id = $1", cal)
    assert count == 0
