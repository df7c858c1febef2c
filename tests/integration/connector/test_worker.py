"""The sync worker loop: a connect command's NOTIFY wakes it, and it syncs without being driven."""

from __future__ import annotations

import asyncio
import time
from contextlib import suppress

from services.connector.worker import SyncWorker
from shared.contracts.calendars import CalendarStateChanged
from tests.integration.connector.conftest import Connector, RadicaleCalendar, credentials
from tests.servers import Radicale


async def _wait_for_state(connector: Connector, state: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        envelopes = await connector.messages(CalendarStateChanged.TYPE)
        if envelopes and envelopes[-1].payload["state"] == state:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"no {state} state before the deadline")


async def test_the_worker_syncs_a_connected_calendar_on_its_own(
    connector: Connector, radicale: Radicale
) -> None:
    calendar = await RadicaleCalendar(radicale, "alice", "Worker").create(1)
    await connector.register("cal_worker", credentials(radicale), calendar.url)
    worker = SyncWorker(connector.sync, concurrency=2, idle_poll_seconds=30)
    task = asyncio.create_task(worker.run())
    try:
        await asyncio.sleep(0.2)  # let it LISTEN and go idle: only the NOTIFY can wake it now
        await connector.connect("cal_worker")
        await _wait_for_state(connector, "connected", time.monotonic() + 20)
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
    row = await connector.row("cal_worker")
    assert row["sync_claimed_until"] is None and row["sync_requested_at"] is None
