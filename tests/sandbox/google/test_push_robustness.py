"""Push channels under stress: expired channels end (on a timer or on any use of the hub), a
channel's waiting messages stay bounded (later `exists` messages merge), and a receiver that
hangs delays nobody else's notifications."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.sandbox.google.conftest import (
    API,
    PushReceiver,
    Sandbox,
    events_url,
    insert,
    poll_until,
    timed,
)

EVENT = timed("2030-01-08T10:00:00Z", "2030-01-08T11:00:00Z")


@dataclass
class HangingReceiver:
    """Accepts connections and reads requests, but never answers."""

    url: str = ""
    connections: list[asyncio.StreamWriter] = field(default_factory=list)

    async def hang(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections.append(writer)
        with contextlib.suppress(ConnectionError):
            await reader.read()  # until the sandbox gives up on us


@pytest.fixture
async def hanging() -> AsyncIterator[HangingReceiver]:
    found = HangingReceiver()
    server = await asyncio.start_server(found.hang, "127.0.0.1", 0)
    found.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/hang"
    yield found
    for writer in found.connections:
        writer.close()
    server.close()
    await server.wait_closed()


async def watch(
    sandbox: Sandbox, headers: dict[str, str], address: str, channel_id: str, **extra: Any
) -> dict[str, Any]:
    body = {"id": channel_id, "type": "web_hook", "address": address, **extra}
    response = await sandbox.client.post(f"{events_url()}/watch", json=body, headers=headers)
    assert response.status_code == 200, response.text
    channel: dict[str, Any] = response.json()
    return channel


async def test_stopping_an_expired_channel_is_404(sandbox: Sandbox, receiver: PushReceiver) -> None:
    _, headers = sandbox.account("ada@example.com")
    now_ms = int(sandbox.clock().timestamp() * 1000)
    channel = await watch(sandbox, headers, receiver.url, "c", expiration=now_ms + 60_000)
    sandbox.clock.advance(61)
    stop = {"id": channel["id"], "resourceId": channel["resourceId"]}
    response = await sandbox.client.post(f"{API}/channels/stop", json=stop, headers=headers)
    assert response.status_code == 404
    assert response.json()["error"]["errors"][0]["reason"] == "notFound"


async def test_expired_channels_end_on_any_use_of_the_hub(
    sandbox: Sandbox, receiver: PushReceiver
) -> None:
    _, ada = sandbox.account("ada@example.com")
    now_ms = int(sandbox.clock().timestamp() * 1000)
    await watch(sandbox, ada, receiver.url, "old", expiration=now_ms + 60_000)
    channel = sandbox.backend.push.channel("old")
    assert channel is not None and channel.worker is not None
    sandbox.clock.advance(61)
    assert sandbox.backend.push.channel_count() == 0  # its calendar never changed
    await poll_until(channel.worker.done)


async def test_expired_channels_end_on_a_timer(sandbox: Sandbox, receiver: PushReceiver) -> None:
    _, headers = sandbox.account("ada@example.com")
    now_ms = int(sandbox.clock().timestamp() * 1000)
    await watch(sandbox, headers, receiver.url, "brief", expiration=now_ms + 200)
    channel = sandbox.backend.push.channel("brief")
    assert channel is not None and channel.worker is not None
    sandbox.clock.advance(1)
    await poll_until(channel.worker.done, within=3.0)  # nothing touched the hub meanwhile


async def test_messages_waiting_for_a_slow_receiver_merge(
    sandbox: Sandbox, hanging: HangingReceiver
) -> None:
    _, headers = sandbox.account("ada@example.com")
    await watch(sandbox, headers, hanging.url, "slow")
    await poll_until(lambda: len(hanging.connections) == 1)  # the sync message is in flight
    channel = sandbox.backend.push.channel("slow")
    assert channel is not None
    numbers = []
    for _ in range(30):
        await insert(sandbox, headers, EVENT)
        await poll_until(lambda: bool(channel.pending))
        assert len(channel.pending) == 1
        waiting = channel.pending[0]
        assert waiting["X-Goog-Resource-State"] == "exists"
        numbers.append(int(waiting["X-Goog-Message-Number"]))
    assert numbers == sorted(set(numbers)) and numbers[-1] == channel.number


async def test_a_hanging_receiver_does_not_delay_other_channels(
    sandbox: Sandbox, hanging: HangingReceiver, receiver: PushReceiver
) -> None:
    """Even a hundred of them (as many as an HTTP client pool commonly allows)."""
    _, headers = sandbox.account("ada@example.com")
    for number in range(100):
        await watch(sandbox, headers, hanging.url, f"hang-{number}")
    await poll_until(lambda: len(hanging.connections) == 100)
    loop = asyncio.get_running_loop()
    began = loop.time()
    await watch(sandbox, headers, receiver.url, "healthy")
    # The bug made healthy channels wait out the hanging ones' 2 s timeout; well under that
    # means not queued behind them (this is no speed target: that is for benchmarks).
    await receiver.wait_for(1, within=2.0)
    assert loop.time() - began < 1.0
    began = loop.time()
    await insert(sandbox, headers, EVENT)
    await receiver.wait_for(2, within=2.0)
    assert loop.time() - began < 1.0
