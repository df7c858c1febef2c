"""Calendars with a meeting starting in the next 30 minutes get a `sync.hint` once a tick."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from rollcall.bootstrap import DatabaseLayout
from services.scheduler import handlers, imminent
from shared.contracts.envelope import wrap
from shared.contracts.events import CalendarEventChanged, Meeting
from shared.db.pool import create_pool
from shared.ids import new_id
from tests.factories import event_state

MEET = Meeting(
    url="https://meet.google.com/abc-defg-hij",
    platform="google_meet",
    meeting_id="abc-defg-hij",
    passcode=None,
    key="google_meet:abc-defg-hij",
)


@pytest.fixture
async def pool(database: DatabaseLayout) -> AsyncIterator[asyncpg.Pool[Any]]:
    pool = await create_pool(database.dsns["scheduler"], "scheduler")
    await pool.execute("TRUNCATE meeting_events, outbox")
    await pool.execute("UPDATE ticks SET last_at = '-infinity'")
    yield pool
    await pool.close()


async def index(
    pool: asyncpg.Pool[Any], calendar_id: str, starts_in: timedelta, **fields: Any
) -> None:
    start = datetime.now(UTC) + starts_in
    event = event_state(
        id=new_id("evt"),
        calendar_id=calendar_id,
        title="Sync",
        start_time=start,
        end_time=start + timedelta(minutes=30),
        meeting=fields.pop("meeting", MEET),
        **fields,
    )
    change = CalendarEventChanged(
        calendar_id=calendar_id,
        version=1,
        change="created",
        event=event,
        changed_fields=(),
        previous={},
    )
    envelope = wrap(change, "prj_soon")
    async with pool.acquire() as conn, conn.transaction():
        await handlers.HANDLERS[envelope.type](conn, envelope, change)


async def tick(pool: asyncpg.Pool[Any]) -> int:
    async with pool.acquire() as conn, conn.transaction():
        return await imminent.hint_imminent(conn, every_seconds=60, within_seconds=1800)


async def hinted(pool: asyncpg.Pool[Any]) -> list[str]:
    rows = await pool.fetch(
        "SELECT envelope FROM outbox WHERE envelope->>'type' = 'sync.hint' ORDER BY id"
    )
    return [row["envelope"]["payload"]["calendar_id"] for row in rows]


async def test_only_calendars_with_a_live_meeting_soon_are_hinted(
    pool: asyncpg.Pool[Any],
) -> None:
    soon, later, past, cancelled, linkless = (new_id("cal") for _ in range(5))
    await index(pool, soon, timedelta(minutes=10))
    await index(pool, soon, timedelta(minutes=20))  # two meetings, one hint
    await index(pool, later, timedelta(minutes=45))
    await index(pool, past, timedelta(minutes=-5))  # started: the bot is already on its way
    await index(pool, cancelled, timedelta(minutes=10), status="cancelled")
    await index(pool, linkless, timedelta(minutes=10), meeting=None)

    assert await tick(pool) == 1
    assert await hinted(pool) == [soon]
    row = await pool.fetchrow("SELECT envelope FROM outbox")
    assert row is not None
    assert row["envelope"]["key"] == soon
    assert row["envelope"]["payload"]["reason"] == "meeting_soon"


async def test_one_tick_per_interval_whatever_the_number_of_replicas(
    pool: asyncpg.Pool[Any],
) -> None:
    await index(pool, new_id("cal"), timedelta(minutes=5))
    assert await tick(pool) == 1
    assert await tick(pool) == 0  # another replica, same minute
    await pool.execute("UPDATE ticks SET last_at = now() - interval '1 minute'")
    assert await tick(pool) == 1
