"""Connection commands and the sync queue: delete, unknown calendars, one sync in flight per
calendar, polling, and credentials replaced while connected.
"""

from __future__ import annotations

from services.connector import claims, store, syncing
from shared.contracts.calendars import CalendarDeleted, CalendarStateChanged
from shared.contracts.connections import DeleteCalendar, ResyncCalendar
from shared.contracts.hints import SyncHint
from tests.integration.connector.conftest import Connector, RadicaleCalendar, credentials
from tests.servers import Radicale


async def _connected(
    connector: Connector, radicale: Radicale, calendar_id: str
) -> RadicaleCalendar:
    calendar = await RadicaleCalendar(radicale, "alice", "Cmd").create(1)
    await connector.register(calendar_id, credentials(radicale), calendar.url)
    await connector.connect(calendar_id)
    await connector.run_syncs()
    return calendar


async def test_delete_forgets_the_connection_and_grant_and_announces_it(
    connector: Connector, radicale: Radicale
) -> None:
    await _connected(connector, radicale, "cal_gone")

    await connector.deliver(DeleteCalendar(calendar_id="cal_gone"))

    assert await connector.pool.fetchval("SELECT count(*) FROM connections") == 0
    assert await connector.pool.fetchval("SELECT count(*) FROM grants") == 0
    [envelope] = await connector.messages(CalendarDeleted.TYPE)
    assert envelope.payload == {"calendar_id": "cal_gone", "version": 2}
    assert envelope.key == "cal_gone"


async def test_commands_for_unknown_calendars_are_ignored(connector: Connector) -> None:
    await connector.connect("cal_unknown")
    await connector.deliver(ResyncCalendar(calendar_id="cal_unknown"))
    await connector.deliver(DeleteCalendar(calendar_id="cal_unknown"))

    assert await connector.pool.fetchval("SELECT count(*) FROM outbox") == 0


async def test_one_sync_in_flight_per_calendar_and_at_most_one_queued(
    connector: Connector, radicale: Radicale
) -> None:
    await _connected(connector, radicale, "cal_busy")
    await connector.deliver(ResyncCalendar(calendar_id="cal_busy"))
    async with connector.pool.acquire() as conn:
        claimed = await claims.claim_next_sync(conn)
        assert claimed is not None
        await connector.deliver(ResyncCalendar(calendar_id="cal_busy"))
        await connector.deliver(ResyncCalendar(calendar_id="cal_busy", full=True))
        assert await claims.claim_next_sync(conn) is None  # in flight: the request waits

    await connector.pool.execute("TRUNCATE outbox")
    await syncing.sync_claimed(connector.sync, claimed)
    assert await connector.run_syncs() == 1  # the queued request, once

    pages = await connector.messages("provider.changes_fetched")
    assert [e.payload["full"] for e in pages] == [False, True]


async def test_due_polls_queue_a_sync(connector: Connector, radicale: Radicale) -> None:
    await _connected(connector, radicale, "cal_poll")
    async with connector.pool.acquire() as conn:
        assert await store.request_due_polls(conn) == 0
        await conn.execute("UPDATE connections SET next_poll_at = now() - interval '1 second'")
        assert await store.request_due_polls(conn) == 1
    assert await connector.run_syncs() == 1


async def test_a_lapsed_claim_is_queued_again(connector: Connector, radicale: Radicale) -> None:
    await _connected(connector, radicale, "cal_lapsed")
    await connector.deliver(ResyncCalendar(calendar_id="cal_lapsed"))
    async with connector.pool.acquire() as conn:
        assert await claims.claim_next_sync(conn) is not None
        await conn.execute("UPDATE connections SET sync_claimed_until = now() - interval '1 s'")
        assert await store.request_due_polls(conn) == 1
    assert await connector.run_syncs() == 1


async def test_new_credentials_reconnect_and_replace_the_grant(
    connector: Connector, radicale: Radicale
) -> None:
    calendar = await RadicaleCalendar(radicale, "alice", "Again").create(1)
    await connector.register("cal_again", credentials(radicale, password="nope"), calendar.url)
    await connector.connect("cal_again")
    await connector.run_syncs()
    old_grant = (await connector.row("cal_again"))["grant_id"]

    await connector.register("cal_again", credentials(radicale), calendar.url)
    await connector.deliver(ResyncCalendar(calendar_id="cal_again", full=True))
    await connector.run_syncs()

    states = [
        CalendarStateChanged.model_validate(e.payload)
        for e in await connector.messages(CalendarStateChanged.TYPE)
    ]
    assert [(s.state, s.version) for s in states] == [
        ("disconnected", 1),
        ("connecting", 2),
        ("connected", 3),
    ]
    assert await connector.pool.fetchval("SELECT count(*) FROM grants") == 1
    assert (await connector.row("cal_again"))["grant_id"] != old_grant


async def test_a_sync_finishing_after_the_grant_was_replaced_changes_nothing(
    connector: Connector, radicale: Radicale
) -> None:
    calendar = await _connected(connector, radicale, "cal_stale")
    await connector.deliver(ResyncCalendar(calendar_id="cal_stale"))
    async with connector.pool.acquire() as conn:
        claimed = await claims.claim_next_sync(conn)
    assert claimed is not None
    new_password = credentials(radicale, password="a-new-app-password")
    await connector.register("cal_stale", new_password, calendar.url)
    await connector.pool.execute("TRUNCATE outbox")

    await syncing.sync_claimed(connector.sync, claimed)

    assert await connector.pool.fetchval("SELECT count(*) FROM outbox") == 0
    row = await connector.row("cal_stale")
    assert row["state"] == "connecting" and row["sync_claimed_until"] is None


async def test_credentials_no_connect_command_followed_are_dropped_after_a_day(
    connector: Connector, radicale: Radicale
) -> None:
    await connector.register("cal_abandoned", credentials(radicale, "bob"), None)
    await _connected(connector, radicale, "cal_kept")
    async with connector.pool.acquire() as conn:
        assert await store.forget_abandoned_registrations(conn) == 0  # too recent
        await conn.execute("UPDATE connections SET created_at = now() - interval '25 hours'")
        assert await store.forget_abandoned_registrations(conn) == 1
    remaining = await connector.pool.fetch("SELECT calendar_id FROM connections")
    assert [r["calendar_id"] for r in remaining] == ["cal_kept"]
    assert await connector.pool.fetchval("SELECT count(*) FROM grants") == 1


async def test_a_sync_hint_queues_one_sync_of_a_connected_calendar(
    connector: Connector, radicale: Radicale
) -> None:
    await _connected(connector, radicale, "cal_hinted")
    for _ in range(5):  # a burst coalesces into one queued sync
        await connector.deliver(SyncHint(calendar_id="cal_hinted", reason="meeting_soon"))
    assert await connector.run_syncs() == 1
    assert await connector.run_syncs() == 0


async def test_a_sync_hint_keeps_a_retry_backoff_and_skips_disconnected_calendars(
    connector: Connector, radicale: Radicale
) -> None:
    await _connected(connector, radicale, "cal_backoff")
    await connector.pool.execute(
        "UPDATE connections SET sync_requested_at = now() + interval '1 hour'"
    )
    await connector.deliver(SyncHint(calendar_id="cal_backoff", reason="meeting_soon"))
    assert await connector.run_syncs() == 0  # the retry stays an hour away

    await connector.pool.execute(
        "UPDATE connections SET state = 'disconnected', sync_requested_at = NULL"
    )
    await connector.deliver(SyncHint(calendar_id="cal_backoff", reason="meeting_soon"))
    assert await connector.run_syncs() == 0
    queued = await connector.pool.fetchval("SELECT sync_requested_at FROM connections")
    assert queued is None
