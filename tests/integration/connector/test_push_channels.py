"""Google watch channels through the sync loop, against real Postgres and the in-process
sandbox: opened after the first sync and announced, kept while live, renewed before expiry
(new channel, then the old stopped), stopped when the calendar is deleted, and a channel that
cannot be opened never failing the sync."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from services.connector import channels
from shared.contracts.connections import DeleteCalendar, ResyncCalendar
from shared.contracts.hints import SyncHint
from shared.push_tokens import calendar_of_channel
from tests.integration.connector.conftest import Connector
from tests.integration.connector.sandbox_providers import (
    InProcessSandbox,
)

RECEIVER = "http://127.0.0.1:9"  # nothing listens: deliveries fail fast, as push may
RECONCILE = 6 * 3600.0


def _with_push(connector: Connector, base_url: str = RECEIVER) -> None:
    config = channels.push_config(base_url, "push-secret")
    connector.sync = replace(connector.sync, push=config, reconcile_interval_seconds=RECONCILE)


async def _connected(connector: Connector, sandbox: InProcessSandbox) -> None:
    ada = await sandbox.account("ada@example.com")
    await connector.register("cal_g", ada.credentials, provider="google")
    await connector.connect("cal_g", provider="google")
    assert await connector.run_syncs() == 1


async def _resync(connector: Connector) -> None:
    await connector.deliver(ResyncCalendar(calendar_id="cal_g"))
    assert await connector.run_syncs() == 1


async def _stop_all(connector: Connector) -> int:
    stopped = 0
    while await channels.stop_next(connector.pool, connector.keyring, connector.providers):
        stopped += 1
    return stopped


async def test_a_synced_calendar_opens_one_channel_announces_it_and_is_reconciled_slowly(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    _with_push(connector)
    await _connected(connector, sandbox)
    row = await connector.row("cal_g")
    assert calendar_of_channel(row["push_channel_id"]) == "cal_g"
    expires = row["push_expires_at"]
    assert timedelta(days=6) < expires - datetime.now(UTC) <= timedelta(days=7)
    state = await connector.last_state()
    assert state.push is not None and state.push.kind == "google_watch"
    assert state.push.expires_at == expires
    # Polled at the reconcile interval, not the poll interval (300 s).
    assert row["next_poll_at"] - datetime.now(UTC) > timedelta(hours=5)
    assert len(await sandbox.requests("/events/watch")) == 1

    await _resync(connector)
    assert (await connector.row("cal_g"))["push_channel_id"] == row["push_channel_id"]
    assert len(await sandbox.requests("/events/watch")) == 1
    assert (await connector.last_state()).push == state.push


async def test_a_channel_near_expiry_is_replaced_then_the_old_one_stopped(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    _with_push(connector)
    await _connected(connector, sandbox)
    old = (await connector.row("cal_g"))["push_channel_id"]
    await connector.pool.execute(
        "UPDATE connections SET push_expires_at = now() + interval '2 hours'"
    )
    await _resync(connector)
    new = (await connector.row("cal_g"))["push_channel_id"]
    assert new != old and calendar_of_channel(new) == "cal_g"
    assert len(await sandbox.requests("/events/watch")) == 2
    assert await _stop_all(connector) == 1
    [stop] = await sandbox.requests("/channels/stop")
    assert stop["status"] == 204
    assert await connector.pool.fetchval("SELECT count(*) FROM push_channel_stops") == 0


async def test_a_renewal_asked_for_replaces_a_channel_that_cannot_be_extended(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    _with_push(connector)
    await _connected(connector, sandbox)
    old = (await connector.row("cal_g"))["push_channel_id"]
    hint = SyncHint(calendar_id="cal_g", reason="push", channel="reauthorize", channel_id=old)
    await connector.deliver(hint)
    assert await connector.run_syncs() == 1
    row = await connector.row("cal_g")
    assert row["push_channel_id"] != old and not row["push_renew_requested"]
    assert len(await sandbox.requests("/events/watch")) == 2
    assert await _stop_all(connector) == 1  # the old one


async def test_deleting_the_calendar_stops_its_channel_at_the_provider(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    _with_push(connector)
    await _connected(connector, sandbox)
    await connector.deliver(DeleteCalendar(calendar_id="cal_g"))
    assert await connector.pool.fetchval("SELECT count(*) FROM grants") == 0
    assert await _stop_all(connector) == 1
    [stop] = await sandbox.requests("/channels/stop")
    assert stop["status"] == 204
    assert await connector.pool.fetchval("SELECT count(*) FROM push_channel_stops") == 0


async def test_a_channel_that_cannot_be_opened_never_fails_the_sync(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    _with_push(connector, "not a url")
    await _connected(connector, sandbox)
    row = await connector.row("cal_g")
    assert row["state"] == "connected" and row["push_channel_id"] is None
    assert (await connector.last_state()).push is None
    assert row["next_poll_at"] - datetime.now(UTC) < timedelta(seconds=301)  # polled as usual
    _with_push(connector)
    await _resync(connector)  # retried by the next sync
    assert (await connector.row("cal_g"))["push_channel_id"] is not None


async def test_without_push_settings_no_channel_is_opened(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    await _connected(connector, sandbox)
    assert (await connector.row("cal_g"))["push_channel_id"] is None
    assert await sandbox.requests("/events/watch") == []
