"""Concurrent registrations for one account run one after the other under the account lock:
no deadlock between two PATCHes of sibling calendars, no second grant for the same credentials.

Each test makes both registrations wait on a lock the test holds, so they reach the database
together whatever the scheduling; then it lets them go.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from tests.integration.connector.conftest import Connector, RadicaleCalendar, credentials
from tests.servers import Radicale


@asynccontextmanager
async def _holding(pool: asyncpg.Pool[Any], statement: str) -> AsyncIterator[None]:
    """Run `statement` in a transaction kept open (its locks held) until the block ends."""
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await conn.execute(statement)
            yield
        finally:
            await transaction.rollback()


async def _until_waiting(pool: asyncpg.Pool[Any], backends: int) -> None:
    """Poll until `backends` sessions of this database wait for a lock (10 s at most)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        waiting = await pool.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        if waiting >= backends:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{backends} registrations never waited together")


async def test_two_patches_of_sibling_calendars_do_not_deadlock(
    connector: Connector, radicale: Radicale
) -> None:
    work = await RadicaleCalendar(radicale, "alice", "Left").create(0)
    home = await RadicaleCalendar(radicale, "alice", "Right").create(0)
    await connector.register("cal_left", credentials(radicale), work.url)
    await connector.register("cal_right", credentials(radicale), home.url)
    spellings = [radicale.url.rstrip("/"), radicale.url + "/"]  # two new grants, same account

    async with _holding(connector.pool, "SELECT * FROM grants FOR UPDATE"):
        patches = [
            asyncio.create_task(
                connector.register(calendar_id, {**credentials(radicale), "url": url}, target)
            )
            for calendar_id, url, target in zip(
                ("cal_left", "cal_right"), spellings, (work.url, home.url), strict=True
            )
        ]
        await _until_waiting(connector.pool, 2)
    outcomes = await asyncio.gather(*patches, return_exceptions=True)

    assert outcomes == [None, None]
    grants = await connector.pool.fetch("SELECT id FROM grants")
    used = await connector.pool.fetch("SELECT DISTINCT grant_id FROM connections")
    assert {r["id"] for r in grants} == {r["grant_id"] for r in used}  # the old one is gone


async def test_two_first_registrations_of_one_account_share_one_grant(
    connector: Connector, radicale: Radicale
) -> None:
    work = await RadicaleCalendar(radicale, "alice", "First").create(0)
    home = await RadicaleCalendar(radicale, "alice", "Second").create(0)

    async with _holding(connector.pool, "LOCK TABLE grants IN SHARE MODE"):
        registrations = [
            asyncio.create_task(connector.register(calendar_id, credentials(radicale), url))
            for calendar_id, url in (("cal_first", work.url), ("cal_second", home.url))
        ]
        await _until_waiting(connector.pool, 2)
    await asyncio.gather(*registrations)

    assert await connector.pool.fetchval("SELECT count(*) FROM grants") == 1
    grant_ids = await connector.pool.fetch("SELECT DISTINCT grant_id FROM connections")
    assert len(grant_ids) == 1
