"""A sync owns its calendar only while it holds its claim: one that outlived the claim (which
another worker took over) commits nothing, and every sync ends within its time budget, inside
the claim. Placement (parsing every object) runs off the event loop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from services.connector import claims, store, syncing
from services.connector.domain.connections import CalendarFound
from services.connector.domain.discovery import AccountCalendars
from services.connector.providers.base import (
    CalendarProvider,
    FetchedChanges,
    GrantRef,
    Window,
)
from shared.contracts.connections import ResyncCalendar
from shared.contracts.provider import ProviderChangesFetched, ProviderObject
from tests.integration.connector.conftest import Connector, RadicaleCalendar, credentials
from tests.servers import Radicale


async def _claim(connector: Connector) -> claims.ClaimedSync:
    async with connector.pool.acquire() as conn:
        claimed = await claims.claim_next_sync(conn)
    assert claimed is not None
    return claimed


async def _connected(connector: Connector, radicale: Radicale, name: str) -> RadicaleCalendar:
    calendar = await RadicaleCalendar(radicale, "alice", name).create(1)
    await connector.register("cal_claims", credentials(radicale), calendar.url)
    await connector.connect("cal_claims")
    assert await connector.run_syncs() == 1
    return calendar


async def test_a_sync_whose_claim_was_taken_over_commits_nothing(
    connector: Connector, radicale: Radicale
) -> None:
    calendar = await _connected(connector, radicale, "Overtaken")
    await connector.deliver(ResyncCalendar(calendar_id="cal_claims"))
    stale = await _claim(connector)
    # The sync runs past its claim: the poller queues the calendar again, another worker takes it.
    await connector.pool.execute(
        "UPDATE connections SET sync_claimed_until = now() - interval '1 second'"
    )
    async with connector.pool.acquire() as conn:
        assert await store.request_due_polls(conn) == 1
    fresh = await _claim(connector)
    await calendar.edit(0, "Edited meanwhile")
    await connector.pool.execute("TRUNCATE outbox")
    await syncing.sync_claimed(connector.sync, fresh)
    after_fresh = await connector.row("cal_claims")

    await syncing.sync_claimed(connector.sync, stale)  # the late one finishes last

    assert await connector.row("cal_claims") == after_fresh  # cursor, version, claim untouched
    pages = await connector.messages(ProviderChangesFetched.TYPE)
    assert len({page.payload["sync_id"] for page in pages}) == 1


class _Scripted:
    """A CalDAV provider whose `fetch_changes` answers what the test says (or never)."""

    def __init__(self, real: CalendarProvider[Any], objects: tuple[ProviderObject, ...] | None):
        self._real = real
        self._objects = objects  # None: never answers

    def parse_credentials(self, raw: Mapping[str, Any], grant: GrantRef | None = None) -> Any:
        return self._real.parse_credentials(raw, grant)

    def server_urls(self, credentials: Any) -> tuple[str, ...]:
        return self._real.server_urls(credentials)

    def username(self, credentials: Any) -> str | None:
        return self._real.username(credentials)

    def account_key(self, credentials: Any) -> str:
        return self._real.account_key(credentials)

    async def list_calendars(self, credentials: Any) -> AccountCalendars:
        return await self._real.list_calendars(credentials)

    async def discover(self, credentials: Any, platform_uuid: str | None) -> CalendarFound:
        return await self._real.discover(credentials, platform_uuid)

    async def fetch_changes(
        self, credentials: Any, calendar_url: str, cursor: str | None, window: Window | None = None
    ) -> FetchedChanges:
        if self._objects is None:
            await asyncio.Event().wait()
        return FetchedChanges(self._objects or (), (), "token-2", full=True)


async def test_a_sync_ends_within_its_time_budget_and_retries_later(
    connector: Connector, radicale: Radicale
) -> None:
    await _connected(connector, radicale, "Hanging")
    hanging = _Scripted(connector.providers["caldav"], None)
    ctx = replace(connector.sync, providers={"caldav": hanging}, budget_seconds=0.2)
    await connector.deliver(ResyncCalendar(calendar_id="cal_claims"))

    async with asyncio.timeout(5):  # without a budget the sync would wait forever
        assert await syncing.sync_next(ctx)

    row = await connector.row("cal_claims")
    assert row["state"] == "connected" and row["sync_failures"] == 1
    assert row["sync_claimed_until"] is None and row["sync_claim"] is None
    assert row["sync_requested_at"] > datetime.now(UTC) + timedelta(seconds=3)


def _event(number: int) -> ProviderObject:
    day = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y%m%d")
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//rollcall tests//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:busy-{number}\r\nDTSTAMP:20300101T000000Z\r\nDTSTART:{day}T100000Z\r\n"
        f"DTEND:{day}T110000Z\r\nRRULE:FREQ=WEEKLY;UNTIL=20990101T000000Z\r\n"
        f"SUMMARY:Busy {number}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    return ProviderObject(
        provider_object_id=f"busy-{number}.ics", etag=None, format="ical", data=text
    )


async def test_placing_a_large_listing_does_not_block_the_event_loop(
    connector: Connector, radicale: Radicale
) -> None:
    await _connected(connector, radicale, "Large")
    objects = tuple(_event(number) for number in range(6000))
    ctx = replace(
        connector.sync, providers={"caldav": _Scripted(connector.providers["caldav"], objects)}
    )
    await connector.deliver(ResyncCalendar(calendar_id="cal_claims", full=True))
    longest_stall = 0.0
    syncing_done = asyncio.Event()

    async def tick() -> None:
        nonlocal longest_stall
        while not syncing_done.is_set():
            before = time.monotonic()
            await asyncio.sleep(0.005)
            longest_stall = max(longest_stall, time.monotonic() - before)

    ticker = asyncio.create_task(tick())
    started = time.monotonic()
    await syncing.sync_next(ctx)
    took = time.monotonic() - started
    syncing_done.set()
    await ticker

    assert (await connector.row("cal_claims"))["sync_cursor"] == "token-2"
    assert took > 0.5, "too few objects to measure"
    print(f"sync {took:.2f} s, longest stall {longest_stall:.3f} s")
    assert longest_stall < took / 4
