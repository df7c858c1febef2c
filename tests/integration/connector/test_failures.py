"""Sync failures against a real Radicale: refused credentials, an unreachable server, a missing
calendar, and a connected calendar whose server goes away.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rollcall.dev.ports import free_port
from shared.contracts.calendars import CalendarStateChanged
from shared.contracts.connections import ResyncCalendar
from shared.contracts.provider import ProviderChangesFetched
from tests.integration.connector.conftest import Connector, RadicaleCalendar, credentials
from tests.servers import Radicale, running_radicale

WRONG_PASSWORD = "wrong-Pa55word-zq9"


async def _state(connector: Connector) -> CalendarStateChanged:
    envelopes = await connector.messages(CalendarStateChanged.TYPE)
    return CalendarStateChanged.model_validate(envelopes[-1].payload)


async def test_a_wrong_password_disconnects_with_invalid_credentials(
    connector: Connector, radicale: Radicale
) -> None:
    calendar = await RadicaleCalendar(radicale, "alice", "Locked").create(1)
    await connector.register(
        "cal_locked", credentials(radicale, password=WRONG_PASSWORD), calendar.url
    )
    await connector.connect("cal_locked")
    await connector.run_syncs()

    state = await _state(connector)
    assert state.state == "disconnected"
    assert state.connection_failure_data is not None
    assert state.connection_failure_data.reason == "invalid_credentials"
    assert connector.sleeps == []  # refused credentials are not retried
    row = await connector.row("cal_locked")
    assert row["failure"]["reason"] == "invalid_credentials"
    assert row["sync_requested_at"] is None and row["next_poll_at"] is None
    dump = await connector.pool.fetchval("SELECT string_agg(envelope::text, '') FROM outbox") + str(
        dict(row)
    )
    assert WRONG_PASSWORD not in dump
    assert await connector.messages(ProviderChangesFetched.TYPE) == []


async def test_an_unreachable_server_disconnects_after_three_attempts(
    connector: Connector,
) -> None:
    dead = {"url": f"http://127.0.0.1:{free_port()}/", "username": "a", "password": "b"}
    await connector.register("cal_dead", dead)
    await connector.connect("cal_dead")
    await connector.run_syncs()

    state = await _state(connector)
    assert state.state == "disconnected"
    assert state.connection_failure_data is not None
    assert state.connection_failure_data.reason == "unreachable"
    assert len(connector.sleeps) == 2
    assert 0.4 <= connector.sleeps[0] <= 0.6 and 0.8 <= connector.sleeps[1] <= 1.2


async def test_a_missing_calendar_disconnects_with_calendar_not_found(
    connector: Connector, radicale: Radicale
) -> None:
    await connector.register("cal_missing", credentials(radicale), "/alice/no-such-calendar/")
    await connector.connect("cal_missing")
    await connector.run_syncs()

    state = await _state(connector)
    assert state.state == "disconnected"
    assert state.connection_failure_data is not None
    assert state.connection_failure_data.reason == "calendar_not_found"


async def test_a_resync_retries_discovery_of_a_disconnected_calendar(
    connector: Connector, radicale: Radicale
) -> None:
    calendar = RadicaleCalendar(radicale, "alice", "Later")
    await connector.register("cal_later", credentials(radicale), calendar.url)
    await connector.connect("cal_later")
    await connector.run_syncs()
    assert (await _state(connector)).state == "disconnected"

    await calendar.create(2)
    await connector.deliver(ResyncCalendar(calendar_id="cal_later"))
    await connector.run_syncs()

    state = await _state(connector)
    assert state.state == "connected" and state.connection_failure_data is None
    assert state.version == 2


async def test_a_connected_calendar_stays_connected_and_retries_when_its_server_is_down(
    connector: Connector, radicale: Radicale
) -> None:
    # (`radicale` makes sure the Radicale launcher knows which Python to run.)
    with running_radicale({"carol": "carol-secret"}) as server:
        calendar = await RadicaleCalendar(server, "carol", "Flaky").create(1)
        await connector.register("cal_flaky", credentials(server, "carol"), calendar.url)
        await connector.connect("cal_flaky")
        await connector.run_syncs()
        assert (await _state(connector)).state == "connected"

    await connector.deliver(ResyncCalendar(calendar_id="cal_flaky", full=True))
    assert await connector.run_syncs() == 1  # the retry is not due yet

    state = await _state(connector)
    assert state.state == "connected" and state.version == 2
    assert state.connection_failure_data is None
    assert state.last_attempted_sync_at is not None
    assert state.last_successful_sync_at is not None
    assert state.last_attempted_sync_at > state.last_successful_sync_at
    row = await connector.row("cal_flaky")
    assert row["sync_failures"] == 1
    assert row["sync_full"] is True  # the full resync asked for is kept for the retry
    assert row["sync_claimed_until"] is None
    now = datetime.now(UTC)
    assert now < row["sync_requested_at"] <= now + timedelta(seconds=6)
    assert connector.sleeps == []  # connected calendars retry later, not inline


class _Busy(BaseHTTPRequestHandler):
    """A CalDAV server asking every client to come back in two minutes."""

    def _too_many(self) -> None:
        self.send_response(429)
        self.send_header("Retry-After", "120")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PROPFIND = do_REPORT = do_OPTIONS = _too_many

    def log_message(self, *_: object) -> None:
        pass


@contextmanager
def _busy_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Busy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


async def test_a_throttling_caldav_server_is_retried_after_its_retry_after(
    connector: Connector,
) -> None:
    with _busy_server() as url:
        await connector.register("cal_busy", {"url": url, "username": "a", "password": "b"})
        await connector.connect("cal_busy")
        await connector.run_syncs()

    row = await connector.row("cal_busy")
    assert row["state"] == "connecting" and row["failure"] is None  # never disconnected
    assert connector.sleeps == []  # no quick connect retries against a throttling server
    now = datetime.now(UTC)
    assert now + timedelta(seconds=110) < row["sync_requested_at"] <= now + timedelta(seconds=121)
