"""Push channels (providers.md §1.9): `sync` then `exists` notifications with the X-Goog-* headers,
channel expiry, `channels.stop`, and dropped notifications under a fault."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from sandbox.settings import SandboxSettings
from sandbox.world import Account
from tests.sandbox.google.conftest import (
    API,
    PushReceiver,
    Sandbox,
    events_url,
    insert,
    make_sandbox,
    poll_until,
    timed,
)

EVENT = timed("2030-01-08T10:00:00Z", "2030-01-08T11:00:00Z")


async def watch(
    sandbox: Sandbox, headers: dict[str, str], receiver: PushReceiver, **extra: Any
) -> dict[str, Any]:
    body = {"id": "channel-1", "type": "web_hook", "address": receiver.url, **extra}
    response = await sandbox.client.post(f"{events_url()}/watch", json=body, headers=headers)
    assert response.status_code == 200, response.text
    channel: dict[str, Any] = response.json()
    return channel


async def test_watch_sends_sync_then_exists_on_every_change(
    sandbox: Sandbox, receiver: PushReceiver
) -> None:
    _, headers = sandbox.account("ada@example.com")
    channel = await watch(sandbox, headers, receiver, token="secret-token")
    assert channel["kind"] == "api#channel"
    assert channel["id"] == "channel-1"
    assert channel["token"] == "secret-token"
    assert channel["resourceUri"].endswith("/calendars/ada@example.com/events?alt=json")
    expected_expiry = int(sandbox.clock().timestamp() * 1000) + 7 * 24 * 3600 * 1000
    assert channel["expiration"] == str(expected_expiry)
    sync = (await receiver.wait_for(1))[0]
    assert sync.body == b""
    assert sync.headers["x-goog-resource-state"] == "sync"
    assert sync.headers["x-goog-message-number"] == "1"
    assert sync.headers["x-goog-channel-id"] == "channel-1"
    assert sync.headers["x-goog-channel-token"] == "secret-token"
    assert sync.headers["x-goog-resource-id"] == channel["resourceId"]
    assert sync.headers["x-goog-resource-uri"] == channel["resourceUri"]
    assert sync.headers["x-goog-channel-expiration"] == "Mon, 14 Jan 2030 09:00:00 GMT"
    assert sync.headers["content-length"] == "0"
    assert sync.headers["user-agent"].startswith("APIs-Google")
    event = await insert(sandbox, headers, EVENT)
    await receiver.wait_for(2)  # (changes made while a message waits may share one: see below)
    await sandbox.client.patch(
        f"{events_url()}/{event['id']}", json={"summary": "x"}, headers=headers
    )
    await receiver.wait_for(3)
    await sandbox.client.delete(f"{events_url()}/{event['id']}", headers=headers)
    messages = await receiver.wait_for(4)
    assert [m.headers["x-goog-resource-state"] for m in messages] == [
        "sync",
        "exists",
        "exists",
        "exists",
    ]
    numbers = [int(m.headers["x-goog-message-number"]) for m in messages]
    assert numbers == sorted(set(numbers))


async def test_notifications_arrive_within_milliseconds(
    sandbox: Sandbox, receiver: PushReceiver
) -> None:
    _, headers = sandbox.account("ada@example.com")
    await watch(sandbox, headers, receiver)
    await receiver.wait_for(1)
    loop = asyncio.get_running_loop()
    began = loop.time()
    await insert(sandbox, headers, EVENT)
    await receiver.wait_for(2, within=1.0)
    assert loop.time() - began < 0.5


async def test_other_calendars_do_not_notify(sandbox: Sandbox, receiver: PushReceiver) -> None:
    _, headers = sandbox.account("ada@example.com")
    _, grace = sandbox.account("grace@example.com")
    await watch(sandbox, headers, receiver)
    await receiver.wait_for(1)
    await sandbox.client.post(events_url(), json=EVENT, headers=grace)
    await insert(sandbox, headers, EVENT)
    await receiver.wait_for(2)
    await poll_until(sandbox.backend.push.idle)  # every queued message finished
    assert len(receiver.messages) == 2


async def test_channels_stop_ends_notifications(sandbox: Sandbox, receiver: PushReceiver) -> None:
    _, headers = sandbox.account("ada@example.com")
    _, grace = sandbox.account("grace@example.com")
    channel = await watch(sandbox, headers, receiver)
    await receiver.wait_for(1)
    stop = {"id": channel["id"], "resourceId": channel["resourceId"]}
    other = await sandbox.client.post(f"{API}/channels/stop", json=stop, headers=grace)
    assert other.status_code == 404  # only the channel's own user may stop it
    wrong = await sandbox.client.post(
        f"{API}/channels/stop", json={**stop, "resourceId": "nope"}, headers=headers
    )
    assert wrong.status_code == 404
    stopped = await sandbox.client.post(f"{API}/channels/stop", json=stop, headers=headers)
    assert stopped.status_code == 204 and stopped.content == b""
    again = await sandbox.client.post(f"{API}/channels/stop", json=stop, headers=headers)
    assert again.status_code == 404
    assert again.json()["error"]["errors"][0]["reason"] == "notFound"
    await insert(sandbox, headers, EVENT)
    await poll_until(sandbox.backend.push.idle)  # every queued message finished
    assert len(receiver.messages) == 1


async def test_channels_expire(sandbox: Sandbox, receiver: PushReceiver) -> None:
    _, headers = sandbox.account("ada@example.com")
    now_ms = int(sandbox.clock().timestamp() * 1000)
    channel = await watch(sandbox, headers, receiver, expiration=now_ms + 60_000)
    assert channel["expiration"] == str(now_ms + 60_000)
    await receiver.wait_for(1)
    await insert(sandbox, headers, EVENT)
    await receiver.wait_for(2)
    sandbox.clock.advance(61)
    await insert(sandbox, headers, EVENT)
    await poll_until(sandbox.backend.push.idle)  # every queued message finished
    assert len(receiver.messages) == 2
    assert sandbox.backend.push.channel_count() == 0


async def test_requested_expiration_is_capped_by_the_server_limit(
    sandbox: Sandbox, receiver: PushReceiver
) -> None:
    _, headers = sandbox.account("ada@example.com")
    now_ms = int(sandbox.clock().timestamp() * 1000)
    channel = await watch(
        sandbox, headers, receiver, expiration=now_ms + 10**12, params={"ttl": "3600"}
    )
    assert channel["expiration"] == str(now_ms + 3600 * 1000)


async def test_a_drop_fault_loses_the_message_but_uses_its_number(
    sandbox: Sandbox, receiver: PushReceiver
) -> None:
    _, headers = sandbox.account("ada@example.com")
    await watch(sandbox, headers, receiver)
    await receiver.wait_for(1)
    sandbox.faults.drops = 1
    await insert(sandbox, headers, EVENT)
    await insert(sandbox, headers, EVENT)
    messages = await receiver.wait_for(2)
    await poll_until(sandbox.backend.push.idle)  # every queued message finished
    assert len(messages) == 2
    channel = sandbox.backend.push.channel("channel-1")
    assert channel is not None
    assert int(messages[1].headers["x-goog-message-number"]) == channel.number
    assert channel.number > 2  # the dropped message took a number too


async def test_watch_validation(sandbox: Sandbox, receiver: PushReceiver) -> None:
    _, headers = sandbox.account("ada@example.com")
    url = f"{events_url()}/watch"

    async def status(body: dict[str, Any]) -> int:
        return (await sandbox.client.post(url, json=body, headers=headers)).status_code

    assert await status({"id": "c", "type": "carrier_pigeon", "address": receiver.url}) == 400
    assert await status({"id": "c", "type": "web_hook", "address": "ftp://x"}) == 400
    assert await status({"type": "web_hook", "address": receiver.url}) == 400
    assert await status({"id": "c", "type": "webhook", "address": receiver.url}) == 200
    assert (
        await status({"id": "c", "type": "webhook", "address": receiver.url}) == 400
    )  # not unique
    other = await sandbox.client.post(
        f"{API}/calendars/grace@example.com/events/watch",
        json={"id": "d", "type": "web_hook", "address": receiver.url},
        headers=headers,
    )
    assert other.status_code == 404


async def test_an_expiration_in_the_past_is_400_and_opens_nothing(
    sandbox: Sandbox, receiver: PushReceiver
) -> None:
    _, headers = sandbox.account("ada@example.com")
    now_ms = int(sandbox.clock().timestamp() * 1000)
    for expiration in (now_ms - 1, now_ms, 0):
        body = {"id": "c", "type": "web_hook", "address": receiver.url, "expiration": expiration}
        response = await sandbox.client.post(f"{events_url()}/watch", json=body, headers=headers)
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["errors"][0]["reason"] == "invalid"
        assert error["errors"][0]["location"] == "expiration"
    await poll_until(sandbox.backend.push.idle)  # every queued message finished
    assert receiver.messages == []  # no sync message either
    assert sandbox.backend.push.channel_count() == 0


async def test_private_addresses_can_be_refused(receiver: PushReceiver) -> None:
    app, identity, _, clock, backend = make_sandbox(
        SandboxSettings(allow_private_push_addresses=False)
    )
    identity.tokens["t"] = Account("a", "google", "ada@example.com", clock())
    backend.on_account_created(identity.tokens["t"])
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://s"
    ) as client:
        response = await client.post(
            f"{API}/calendars/primary/events/watch",
            json={"id": "c", "type": "web_hook", "address": receiver.url},
            headers={"Authorization": "Bearer t"},
        )
    assert response.status_code == 401
    assert response.json()["error"]["errors"][0]["reason"] == "push.webhookUrlUnauthorized"
    await backend.aclose()


async def test_a_dead_receiver_does_not_break_the_api(sandbox: Sandbox) -> None:
    _, headers = sandbox.account("ada@example.com")
    body = {"id": "c", "type": "web_hook", "address": "http://127.0.0.1:9/nothing-listens"}
    response = await sandbox.client.post(f"{events_url()}/watch", json=body, headers=headers)
    assert response.status_code == 200
    await insert(sandbox, headers, EVENT)
    channel = sandbox.backend.push.channel("c")
    assert channel is not None
    await poll_until(lambda: channel.idle)
