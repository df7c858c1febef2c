"""Graph subscriptions through the sync loop, against real Postgres, the in-process sandbox and a
real loopback receiver answering Graph's validation handshake: a synced calendar subscribes to
its events (clientState verifying under the push secret) and announces it; renewal before
expiry is a PATCH of the same subscription, and a new one when Graph no longer knows it; the
gateway's lifecycle hints renew (`reauthorize`) or replace (`recreate`) the calendar's current
subscription only, also while a sync is renewing it (a subscription removed meanwhile is never
written back); deleting the calendar deletes its subscription, through the grant while
other calendars use it (the rotated refresh token is kept), else through the retired copy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.connector import channels
from services.connector.domain.push import OpenChannel
from services.connector.oauth.grants import GrantTokenCache
from services.connector.providers.microsoft import MicrosoftAccount, MicrosoftProvider
from shared.contracts.connections import DeleteCalendar, ResyncCalendar
from shared.contracts.hints import ChannelAction, SyncHint
from shared.push_tokens import calendar_of_channel, parse_client_state, token_matches
from tests.integration.connector.conftest import Connector
from tests.integration.connector.sandbox_providers import (
    LIMITS,
    MICROSOFT,
    InProcessSandbox,
    SandboxAccount,
)
from tests.sandbox.http_endpoints import Answer, Request, poll_until, serving

SECRET = "push-secret"
CALENDAR = "cal_m"
RECONCILE = 6 * 3600.0


@dataclass
class GraphReceiver:
    """Stands in for the gateway: echoes validation tokens, records notifications."""

    base_url: str = ""
    notifications: list[dict[str, Any]] = field(default_factory=list)
    validations: int = 0

    async def handle(self, request: Request) -> Answer:
        if "validationToken" in request.query:
            self.validations += 1
            return Answer(200, request.query["validationToken"][0].encode(), "text/plain")
        self.notifications += request.json()["value"]
        return Answer(202)


@pytest.fixture
async def receiver() -> AsyncIterator[GraphReceiver]:
    found = GraphReceiver()
    async with serving(found.handle, "") as url:
        found.base_url = url
        yield found


@pytest.fixture
def sandbox(
    connector: Connector, receiver: GraphReceiver, sandbox: InProcessSandbox
) -> InProcessSandbox:
    """The shared sandbox, with push delivered to the receiver."""
    config = channels.push_config(receiver.base_url, SECRET)
    connector.sync = replace(connector.sync, push=config, reconcile_interval_seconds=RECONCILE)
    return sandbox


async def _connected(
    connector: Connector, sandbox: InProcessSandbox, calendar_id: str = CALENDAR
) -> SandboxAccount:
    ada = await sandbox.account("ada@example.com", provider="microsoft")
    await connector.register(calendar_id, ada.credentials, provider="microsoft")
    await connector.connect(calendar_id, provider="microsoft")
    assert await connector.run_syncs() == 1
    return ada


async def _subscriptions(sandbox: InProcessSandbox, account: SandboxAccount) -> list[Any]:
    found: list[Any] = (await sandbox.graph(account, "GET", "/subscriptions"))["value"]
    return found


async def _calls(sandbox: InProcessSandbox, method: str) -> list[dict[str, Any]]:
    return [r for r in await sandbox.requests("/v1.0/subscriptions") if r["method"] == method]


async def _resync(connector: Connector, calendar_id: str = CALENDAR) -> None:
    await connector.deliver(ResyncCalendar(calendar_id=calendar_id))
    assert await connector.run_syncs() == 1


async def _hint(connector: Connector, action: ChannelAction, channel_id: str) -> None:
    hint = SyncHint(calendar_id=CALENDAR, reason="push", channel=action, channel_id=channel_id)
    await connector.deliver(hint)


Meanwhile = Callable[[], Awaitable[None]]


class _WhileSyncing(MicrosoftProvider):
    """Graph's provider, after whose next renewal (or opening) of a subscription something
    happens before the sync commits: what Graph and the gateway do meanwhile."""

    after_renewal: Meanwhile | None = None
    after_opening: Meanwhile | None = None

    async def renew_channel(
        self, credentials: MicrosoftAccount, channel: OpenChannel
    ) -> OpenChannel:
        renewed = await super().renew_channel(credentials, channel)
        if self.after_renewal is not None:
            meanwhile, self.after_renewal = self.after_renewal, None
            await meanwhile()
        return renewed

    async def open_channel(
        self,
        credentials: MicrosoftAccount,
        calendar_url: str,
        channel_id: str,
        token: str,
        address: str,
    ) -> OpenChannel:
        opened = await super().open_channel(credentials, calendar_url, channel_id, token, address)
        if self.after_opening is not None:
            meanwhile, self.after_opening = self.after_opening, None
            await meanwhile()
        return opened


def _while_syncing(connector: Connector, sandbox: InProcessSandbox) -> _WhileSyncing:
    tokens = GrantTokenCache(lambda: connector.pool, connector.keyring, LIMITS)
    provider = _WhileSyncing(LIMITS, MICROSOFT, tokens, transport=sandbox.transport)
    connector.providers["microsoft"] = provider
    connector.sync = replace(connector.sync, providers=connector.providers)
    return provider


async def _stop_all(connector: Connector) -> int:
    stopped = 0
    while await channels.stop_next(connector.pool, connector.keyring, connector.providers):
        stopped += 1
    return stopped


async def test_a_synced_calendar_subscribes_to_its_events_and_announces_it(
    connector: Connector, sandbox: InProcessSandbox, receiver: GraphReceiver
) -> None:
    ada = await _connected(connector, sandbox)
    row = await connector.row(CALENDAR)
    [subscription] = await _subscriptions(sandbox, ada)
    assert row["push_resource_id"] == subscription["id"]
    assert subscription["resource"] == f"me/calendars/{row['calendar_url']}/events"
    assert subscription["changeType"] == "created,updated,deleted"
    address = f"{receiver.base_url}/v1/push/microsoft"
    assert subscription["notificationUrl"] == subscription["lifecycleNotificationUrl"] == address
    assert receiver.validations == 2  # Graph checked both URLs
    parsed = parse_client_state(subscription["clientState"])
    assert parsed is not None and parsed[0] == row["push_channel_id"]
    assert calendar_of_channel(parsed[0]) == CALENDAR
    assert token_matches(SECRET, *parsed)
    expires = row["push_expires_at"]
    assert timedelta(hours=69) < expires - datetime.now(UTC) <= timedelta(hours=70)
    state = await connector.last_state()
    assert state.push is not None and state.push.kind == "microsoft_subscription"
    assert state.push.expires_at == expires
    assert row["next_poll_at"] - datetime.now(UTC) > timedelta(hours=5)  # reconciled slowly

    await sandbox.graph(ada, "POST", "/me/events", _event("By push"))
    await poll_until(lambda: len(receiver.notifications) >= 1)
    assert receiver.notifications[0]["clientState"] == subscription["clientState"]

    await _resync(connector)
    assert (await connector.row(CALENDAR))["push_channel_id"] == row["push_channel_id"]
    assert len(await _calls(sandbox, "POST")) == 1 and await _calls(sandbox, "PATCH") == []


async def test_a_subscription_near_expiry_is_renewed_in_place_by_patch(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    ada = await _connected(connector, sandbox)
    before = await connector.row(CALENDAR)
    await connector.pool.execute("UPDATE connections SET push_expires_at = now() + interval '2h'")
    await _resync(connector)
    after = await connector.row(CALENDAR)
    assert (after["push_channel_id"], after["push_resource_id"]) == (
        before["push_channel_id"],
        before["push_resource_id"],
    )
    assert after["push_expires_at"] - datetime.now(UTC) > timedelta(hours=69)
    [patch] = await _calls(sandbox, "PATCH")
    assert patch["status"] == 200 and before["push_resource_id"] in patch["path"]
    assert len(await _calls(sandbox, "POST")) == 1
    [subscription] = await _subscriptions(sandbox, ada)
    assert datetime.fromisoformat(subscription["expirationDateTime"]) > datetime.now(UTC) + (
        timedelta(hours=69)
    )
    assert (await connector.last_state()).push.expires_at == after["push_expires_at"]  # type: ignore[union-attr]
    assert await _stop_all(connector) == 0  # nothing replaced, nothing to stop


async def test_a_subscription_graph_no_longer_knows_is_replaced_by_a_new_one(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    ada = await _connected(connector, sandbox)
    before = await connector.row(CALENDAR)
    await sandbox.graph(ada, "DELETE", f"/subscriptions/{before['push_resource_id']}")
    await connector.pool.execute("UPDATE connections SET push_expires_at = now() + interval '2h'")
    await _resync(connector)
    after = await connector.row(CALENDAR)
    assert after["push_channel_id"] != before["push_channel_id"]
    [subscription] = await _subscriptions(sandbox, ada)
    assert after["push_resource_id"] == subscription["id"] != before["push_resource_id"]
    assert [p["status"] for p in await _calls(sandbox, "PATCH")] == [404]
    assert await _stop_all(connector) == 0  # the old one is gone already


async def test_reauthorize_renews_the_current_subscription_now_and_syncs(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    await _connected(connector, sandbox)
    before = await connector.row(CALENDAR)
    await _hint(connector, "reauthorize", "cal_m.someoldchannel")  # not the calendar's any more
    assert not (await connector.row(CALENDAR))["push_renew_requested"]
    await _hint(connector, "reauthorize", before["push_channel_id"])
    await _hint(connector, "reauthorize", before["push_channel_id"])  # repeated: the same
    assert (await connector.row(CALENDAR))["push_renew_requested"]
    assert await connector.run_syncs() == 1
    after = await connector.row(CALENDAR)
    assert not after["push_renew_requested"]
    assert after["push_resource_id"] == before["push_resource_id"]
    assert [p["status"] for p in await _calls(sandbox, "PATCH")] == [200]
    await _resync(connector)
    assert len(await _calls(sandbox, "PATCH")) == 1  # done: the next sync renews nothing


async def test_recreate_forgets_the_removed_subscription_and_the_sync_opens_another(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    ada = await _connected(connector, sandbox)
    before = await connector.row(CALENDAR)
    await sandbox.graph(ada, "DELETE", f"/subscriptions/{before['push_resource_id']}")  # removed
    await _hint(connector, "recreate", before["push_channel_id"])
    assert (await connector.row(CALENDAR))["push_channel_id"] is None
    assert await connector.run_syncs() == 1
    after = await connector.row(CALENDAR)
    [subscription] = await _subscriptions(sandbox, ada)
    assert after["push_resource_id"] == subscription["id"] != before["push_resource_id"]
    await _hint(connector, "recreate", before["push_channel_id"])  # late repeat: ignored
    assert (await connector.row(CALENDAR))["push_channel_id"] == after["push_channel_id"]


async def test_a_subscription_removed_while_a_sync_renews_it_is_not_written_back(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    """The PATCH succeeds, then Graph removes the subscription and `recreate` forgets it
    before the sync commits: the sync must not record it again (push would be gone until its
    new expiry, ~46 h), the hinted sync subscribes anew, and the dead one is stopped."""
    ada = await _connected(connector, sandbox)
    before = await connector.row(CALENDAR)
    graph = _while_syncing(connector, sandbox)

    async def removed_by_graph() -> None:
        await sandbox.graph(ada, "DELETE", f"/subscriptions/{before['push_resource_id']}")
        await _hint(connector, "recreate", before["push_channel_id"])

    graph.after_renewal = removed_by_graph
    await connector.pool.execute("UPDATE connections SET push_expires_at = now() + interval '2h'")
    await connector.deliver(ResyncCalendar(calendar_id=CALENDAR))
    assert await connector.run_syncs() == 2  # the renewing sync, then the one the hint asked

    after = await connector.row(CALENDAR)
    [subscription] = await _subscriptions(sandbox, ada)
    assert after["push_channel_id"] not in (None, before["push_channel_id"])
    assert after["push_resource_id"] == subscription["id"] != before["push_resource_id"]
    assert [p["status"] for p in await _calls(sandbox, "PATCH")] == [200]
    assert len(await _calls(sandbox, "POST")) == 2  # the first subscription, then the new one
    state = await connector.last_state()
    assert state.push is not None and state.push.expires_at == after["push_expires_at"]
    assert await _stop_all(connector) == 1  # the renewed one nobody knows of any more
    # the removal (standing in for Graph's), then the stop, which finds it gone
    assert [d["status"] for d in await _calls(sandbox, "DELETE")] == [204, 404]
    assert await _subscriptions(sandbox, ada) == [subscription]


async def test_a_new_subscription_replacing_one_removed_meanwhile_is_kept(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    """Graph no longer knows the subscription (PATCH 404), the sync subscribes anew, and the
    removal's `recreate` forgets the old one meanwhile: the new one is what `recreate` asks
    for, so it is recorded and nothing is stopped or opened twice."""
    ada = await _connected(connector, sandbox)
    before = await connector.row(CALENDAR)
    graph = _while_syncing(connector, sandbox)

    async def removal_notified() -> None:
        await _hint(connector, "recreate", before["push_channel_id"])

    graph.after_opening = removal_notified
    await sandbox.graph(ada, "DELETE", f"/subscriptions/{before['push_resource_id']}")
    await connector.pool.execute("UPDATE connections SET push_expires_at = now() + interval '2h'")
    await connector.deliver(ResyncCalendar(calendar_id=CALENDAR))
    assert await connector.run_syncs() == 2

    after = await connector.row(CALENDAR)
    [subscription] = await _subscriptions(sandbox, ada)
    assert after["push_resource_id"] == subscription["id"] != before["push_resource_id"]
    assert [p["status"] for p in await _calls(sandbox, "PATCH")] == [404]
    assert len(await _calls(sandbox, "POST")) == 2
    assert await _stop_all(connector) == 0


async def test_channel_actions_for_unknown_or_disconnected_calendars_are_ignored(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    await _connected(connector, sandbox)
    channel_id = (await connector.row(CALENDAR))["push_channel_id"]
    hint = SyncHint(calendar_id="cal_gone", reason="push", channel="recreate", channel_id="x.y")
    await connector.deliver(hint)
    await connector.pool.execute("UPDATE connections SET state = 'disconnected'")
    await _hint(connector, "recreate", channel_id)
    await _hint(connector, "reauthorize", channel_id)
    row = await connector.row(CALENDAR)
    assert row["push_channel_id"] == channel_id and not row["push_renew_requested"]
    assert await connector.run_syncs() == 0


async def test_deleting_the_calendar_deletes_its_subscription_with_the_retired_grant_copy(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    ada = await _connected(connector, sandbox)
    resource_id = (await connector.row(CALENDAR))["push_resource_id"]
    await connector.deliver(DeleteCalendar(calendar_id=CALENDAR))
    assert await connector.pool.fetchval("SELECT count(*) FROM grants") == 0
    assert await _stop_all(connector) == 1
    [delete] = await _calls(sandbox, "DELETE")
    assert delete["status"] == 204 and resource_id in delete["path"]
    assert await _subscriptions(sandbox, ada) == []
    assert await connector.pool.fetchval("SELECT count(*) FROM push_channel_stops") == 0


async def test_a_stop_uses_the_grant_while_other_calendars_use_it_so_its_rotation_is_kept(
    connector: Connector, sandbox: InProcessSandbox
) -> None:
    ada = await _connected(connector, sandbox)
    await connector.register("cal_m2", ada.credentials, provider="microsoft")
    await connector.connect("cal_m2", provider="microsoft")
    assert await connector.run_syncs() == 1
    assert len(await _subscriptions(sandbox, ada)) == 2
    await connector.deliver(DeleteCalendar(calendar_id=CALENDAR))
    # The cached access token has expired: the stop must refresh, which rotates the token.
    await connector.pool.execute("UPDATE grants SET access_expires_at = now()")
    assert await _stop_all(connector) == 1
    assert [d["status"] for d in await _calls(sandbox, "DELETE")] == [204]
    await connector.pool.execute("UPDATE grants SET access_expires_at = now()")
    await _resync(connector, "cal_m2")
    assert (await connector.row("cal_m2"))["state"] == "connected"
    refreshes = await sandbox.requests("/oauth2/v2.0/token")
    assert [r["status"] for r in refreshes][-2:] == [200, 200]


def _event(subject: str) -> dict[str, Any]:
    start = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0, tzinfo=None)
    return {
        "subject": subject,
        "start": {"dateTime": start.isoformat(), "timeZone": "UTC"},
        "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "UTC"},
    }
