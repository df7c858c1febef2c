"""The sync loop against a real Radicale: first full sync, incremental changes, invalid cursor,
and discovery choosing the calendar.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from shared.contracts.calendars import CalendarStateChanged
from shared.contracts.connections import ResyncCalendar
from shared.contracts.provider import ProviderChangesFetched
from tests.integration.connector.conftest import (
    Connector,
    RadicaleCalendar,
    credentials,
)
from tests.servers import Radicale, running_radicale

CHANGES = ProviderChangesFetched.TYPE
STATE = CalendarStateChanged.TYPE


async def _states(connector: Connector) -> list[CalendarStateChanged]:
    return [CalendarStateChanged.model_validate(e.payload) for e in await connector.messages(STATE)]


async def _connected(connector: Connector, radicale: Radicale, events: int) -> RadicaleCalendar:
    calendar = await RadicaleCalendar(radicale, "alice", "Work").create(events)
    await connector.register("cal_work", credentials(radicale), platform_uuid=calendar.url)
    await connector.connect("cal_work")
    assert await connector.run_syncs() == 1
    return calendar


async def test_first_connect_publishes_a_full_sync_and_the_connected_state(
    connector: Connector, radicale: Radicale
) -> None:
    calendar = await _connected(connector, radicale, events=3)

    pages = await connector.pages()
    assert pages[-1].final and all(p.full for p in pages)
    assert [p.page for p in pages] == list(range(len(pages)))
    assert len({p.sync_id for p in pages}) == 1
    objects = [o for p in pages for o in p.objects]
    assert len(objects) == 3
    assert all(o.data.startswith("BEGIN:VCALENDAR") and o.format == "ical" for o in objects)
    assert all(o.provider_object_id.startswith(calendar.url) for o in objects)
    [state] = await _states(connector)
    assert state.state == "connected"
    assert state.platform_uuid == calendar.url
    assert state.name == "Work"
    assert state.version == 1
    assert state.connection_failure_data is None
    assert state.last_successful_sync_at is not None
    row = await connector.row("cal_work")
    assert row["sync_cursor"] and row["sync_claimed_until"] is None
    assert row["next_poll_at"] > row["last_successful_sync_at"]
    assert row["sync_window"] == {"past_days": 7, "future_days": 30}


async def test_resync_after_an_edit_and_a_delete_publishes_only_the_changes(
    connector: Connector, radicale: Radicale
) -> None:
    calendar = await _connected(connector, radicale, events=3)
    first = {o.provider_object_id: o for p in await connector.pages() for o in p.objects}
    await calendar.edit(0, "Renamed")
    await calendar.delete(1)
    await connector.pool.execute("TRUNCATE outbox")

    await connector.deliver(ResyncCalendar(calendar_id="cal_work"))
    assert await connector.run_syncs() == 1

    [page] = await connector.pages()
    assert not page.full and page.final
    [changed] = page.objects
    assert "SUMMARY:Renamed" in changed.data
    assert changed.etag != first[changed.provider_object_id].etag
    [removed] = page.removed
    assert removed in first and removed != changed.provider_object_id
    [state] = await _states(connector)
    assert state.state == "connected" and state.version == 2


async def test_an_invalid_cursor_falls_back_to_a_full_listing(
    connector: Connector, radicale: Radicale
) -> None:
    await _connected(connector, radicale, events=2)
    await connector.pool.execute(
        "UPDATE connections SET sync_cursor = 'http://radicale.org/ns/sync/deadbeef'"
    )
    await connector.pool.execute("TRUNCATE outbox")

    await connector.deliver(ResyncCalendar(calendar_id="cal_work"))
    await connector.run_syncs()

    [page] = await connector.pages()
    assert page.full and page.final
    assert len(page.objects) == 2
    row = await connector.row("cal_work")
    assert row["sync_cursor"] != "http://radicale.org/ns/sync/deadbeef"


async def test_a_full_resync_request_lists_everything(
    connector: Connector, radicale: Radicale
) -> None:
    await _connected(connector, radicale, events=2)
    await connector.pool.execute("TRUNCATE outbox")

    await connector.deliver(ResyncCalendar(calendar_id="cal_work", full=True))
    await connector.run_syncs()

    [page] = await connector.pages()
    assert page.full and len(page.objects) == 2


async def test_an_empty_incremental_sync_still_sends_a_final_page(
    connector: Connector, radicale: Radicale
) -> None:
    await _connected(connector, radicale, events=1)
    await connector.pool.execute("TRUNCATE outbox")

    await connector.deliver(ResyncCalendar(calendar_id="cal_work"))
    await connector.run_syncs()

    [page] = await connector.pages()
    assert page.final and not page.full and page.objects == () and page.removed == ()


async def test_discovery_without_a_platform_uuid_picks_the_first_event_calendar(
    connector: Connector, radicale: Radicale
) -> None:
    # A Radicale of its own: other modules (the e2e ones) add calendars to the shared one's
    # users, which would change which calendar comes first. (`radicale` makes sure the
    # Radicale launcher knows which Python to run.)
    with running_radicale({"dana": "dana-secret"}) as server:
        calendar = await RadicaleCalendar(server, "dana", "Home").create(1)
        await connector.register("cal_home", credentials(server, "dana"))
        await connector.connect("cal_home")
        await connector.run_syncs()

    [state] = await _states(connector)
    assert state.state == "connected"
    assert state.platform_uuid == calendar.url
    [page] = await connector.pages()
    assert page.account_addresses == ()  # Radicale has no mailto: calendar-user addresses


async def test_a_platform_uuid_may_be_the_calendar_path(
    connector: Connector, radicale: Radicale
) -> None:
    calendar = await RadicaleCalendar(radicale, "alice", "Path").create(1)
    await connector.register(
        "cal_path", credentials(radicale), platform_uuid=f"/alice/{calendar.cal_id}/"
    )
    await connector.connect("cal_path")
    await connector.run_syncs()

    [state] = await _states(connector)
    assert state.platform_uuid == calendar.url


async def test_only_objects_in_the_window_are_published_and_the_window_moves_daily(
    connector: Connector, radicale: Radicale
) -> None:
    calendar = await _connected(connector, radicale, events=1)  # window: 7 days back, 30 ahead
    await calendar.save(7, "Far ahead", days_ahead=40)
    await calendar.save(8, "Long ago", days_ahead=-20)
    await connector.pool.execute("TRUNCATE outbox")
    await connector.deliver(ResyncCalendar(calendar_id="cal_work", full=True))
    await connector.run_syncs()

    [page] = await connector.pages()
    assert [o.data.count("Event 0") for o in page.objects] == [1]  # neither far nor old
    assert [url.endswith("-8.ics") for url in page.before_window] == [True]  # old, not gone
    assert page.window_start is not None and page.window_end is not None
    assert page.window_end - page.window_start == timedelta(days=38)

    await connector.pool.execute("TRUNCATE outbox")
    await calendar.save(7, "Far ahead edited", days_ahead=41)
    await connector.deliver(ResyncCalendar(calendar_id="cal_work"))
    await connector.run_syncs()
    [page] = await connector.pages()
    assert page.objects == () and len(page.removed) == 1  # beyond the window: gone if known

    later = datetime.now(UTC) + timedelta(days=15)
    connector.sync = replace(connector.sync, clock=lambda: later)
    await connector.pool.execute("TRUNCATE outbox")
    await connector.deliver(ResyncCalendar(calendar_id="cal_work"))
    await connector.run_syncs()

    [page] = await connector.pages()
    assert not page.full  # what the syncer has stays; what entered the window arrives
    assert ["Far ahead edited" in o.data for o in page.objects] == [True]
    assert (await connector.row("cal_work"))["window_day"] == later.date()


async def test_a_new_days_sync_publishes_changes_that_left_the_window(
    connector: Connector, radicale: Radicale
) -> None:
    """Just before midnight UTC a meeting moves four months out, another into the past: the
    next day's sync lists the moved window again, yet still reports both changes."""
    calendar = await _connected(connector, radicale, events=2)  # 7 days back, 30 ahead
    [first] = await connector.pages()
    moved_out = next(o.provider_object_id for o in first.objects if "Event 0" in o.data)
    await calendar.save(0, "Moved far out", days_ahead=120)
    await calendar.save(1, "Moved into the past", days_ahead=-20)

    tomorrow = datetime.now(UTC) + timedelta(days=1)
    connector.sync = replace(connector.sync, clock=lambda: tomorrow)
    await connector.pool.execute("TRUNCATE outbox")
    await connector.deliver(ResyncCalendar(calendar_id="cal_work"))
    await connector.run_syncs()

    [page] = await connector.pages()
    assert not page.full
    assert page.removed == (moved_out,)  # the API must not keep its old time
    assert ["Moved into the past" in o.data for o in page.objects] == [True]
    assert (await connector.row("cal_work"))["window_day"] == tomorrow.date()
