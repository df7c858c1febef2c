"""Push channels (events.watch / channels.stop) and notification delivery, providers.md §1.9.

A channel gets a `sync` message at once and an `exists` message after every change of its
calendar: an empty POST with the `X-Goog-*` headers, sent in order by one task per channel so
the API call that caused it never waits, and a slow receiver delays only its own channel. While
a message waits, later `exists` messages merge into it (the newest number stands for all), so a
channel holds at most two. Delivery failures are logged and forgotten (push is lossy in real life
too); a configured fault drops a message while still using its number. Expired channels end on a
timer, and on any use of the hub.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import heapq
import logging
import threading
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import quote

import httpx

from sandbox import delivery_tasks
from sandbox.google import errors, push_addresses
from sandbox.loop_handoff import LoopHandoff
from sandbox.world import FaultInjector

logger = logging.getLogger(__name__)

# A slow receiver must not pile up work: each POST gives up after this long.
DELIVERY_TIMEOUT_SECONDS = 2.0
STATE = "X-Goog-Resource-State"
RESOURCE_URI = "https://www.googleapis.com/calendar/v3/calendars/{}/events?alt=json"


@dataclass(eq=False)
class Channel:
    id: str
    resource_id: str
    resource_uri: str
    calendar_id: str
    account_id: str
    address: str
    token: str | None
    expiration_ms: int
    number: int = 0
    # Messages not yet sent (at most a `sync` and one merged `exists`); touched in the loop only.
    pending: deque[dict[str, str]] = field(default_factory=deque)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    sending: bool = False
    worker: asyncio.Task[None] | None = None
    timer: asyncio.TimerHandle | None = None

    @property
    def idle(self) -> bool:
        """Nothing waiting and nothing in flight."""
        return not self.pending and not self.sending


def resource_id_for(calendar_id: str) -> str:
    """Opaque and stable per watched collection, like Google's."""
    digest = hashlib.sha256(f"events:{calendar_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:27]


class PushHub:
    """Every open channel, and the tasks that deliver its notifications."""

    def __init__(
        self, faults: FaultInjector, clock: Callable[[], datetime], allow_private_addresses: bool
    ) -> None:
        self._faults = faults
        self._clock = clock
        self._allow_private = allow_private_addresses
        self._channels: dict[str, Channel] = {}
        self._expiries: list[tuple[int, int, Channel]] = []  # heap: (expiration, serial, channel)
        self._serial = 0
        self._handoff = LoopHandoff()
        self._client: httpx.AsyncClient | None = None
        self._lock = threading.Lock()

    def open(
        self,
        *,
        channel_id: str,
        calendar_id: str,
        account_id: str,
        address: str,
        token: str | None,
        expiration_ms: int,
    ) -> Channel:
        """Register a channel and send its `sync` message; call from the serving event loop."""
        push_addresses.check(address, allow_private=self._allow_private)
        loop = asyncio.get_running_loop()
        with self._lock:
            now_ms = self._sweep()
            if channel_id in self._channels:
                raise errors.bad_request(
                    f"Channel id {channel_id} not unique", reason="channelIdNotUnique"
                )
            if self._handoff.bind(loop):
                self._client = None
            channel = Channel(
                channel_id,
                resource_id_for(calendar_id),
                RESOURCE_URI.format(quote(calendar_id, safe="@")),
                calendar_id,
                account_id,
                address,
                token,
                expiration_ms,
            )
            channel.worker = loop.create_task(self._deliver(channel))
            channel.timer = loop.call_later(
                max(0.0, (expiration_ms - now_ms) / 1000), self._expire_in_loop
            )
            self._channels[channel_id] = channel
            self._serial += 1
            heapq.heappush(self._expiries, (expiration_ms, self._serial, channel))
        self._emit(channel, "sync")
        return channel

    def stop(self, channel_id: str, resource_id: str, account_id: str) -> bool:
        """End a live channel; False when there is none (unknown, expired or someone else's)."""
        with self._lock:
            self._sweep()
            channel = self._channels.get(channel_id)
            if (
                channel is None
                or channel.resource_id != resource_id
                or channel.account_id != account_id
            ):
                return False
            self._close(channel)
            return True

    def notify(self, calendar_id: str) -> None:
        """Something in `calendar_id` changed: an `exists` message on each of its live channels."""
        with self._lock:
            self._sweep()
            for channel in [c for c in self._channels.values() if c.calendar_id == calendar_id]:
                self._emit(channel, "exists")

    def channel(self, channel_id: str) -> Channel | None:
        with self._lock:
            self._sweep()
            return self._channels.get(channel_id)

    def channel_count(self) -> int:
        with self._lock:
            self._sweep()
            return len(self._channels)

    def idle(self) -> bool:
        """Every message emitted so far has been delivered or given up on: none on its way to a
        channel, none waiting, none in flight (for tests; call from the serving loop)."""
        with self._lock:
            channels = list(self._channels.values())
        return self._handoff.settled and all(c.idle for c in channels)

    def reset(self) -> None:
        with self._lock:
            for channel in list(self._channels.values()):
                self._close(channel)
            self._expiries.clear()

    async def aclose(self) -> None:
        """Stop every delivery task and the HTTP client (the serving loop is ending)."""
        with self._lock:
            channels = list(self._channels.values())
            self._channels.clear()
            self._expiries.clear()
        for channel in channels:
            if channel.timer is not None:
                channel.timer.cancel()
        workers = [c.worker for c in channels if c.worker is not None]
        await delivery_tasks.stop(workers)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _emit(self, channel: Channel, state: str) -> None:
        # Message numbers increase but are not sequential (§1.9); a dropped message uses one too.
        step = 1 + zlib.crc32(f"{channel.id}:{channel.number}".encode()) % 3
        channel.number = 1 if state == "sync" else channel.number + step
        if self._faults.take_push_drop("google"):
            logger.info("push message dropped by fault", extra={"channel_id": channel.id})
            return
        headers = {
            "X-Goog-Channel-ID": channel.id,
            "X-Goog-Channel-Expiration": _human_time(channel.expiration_ms),
            "X-Goog-Message-Number": str(channel.number),
            "X-Goog-Resource-ID": channel.resource_id,
            "X-Goog-Resource-URI": channel.resource_uri,
            STATE: state,
            "User-Agent": "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)",
        }
        if channel.token is not None:
            headers["X-Goog-Channel-Token"] = channel.token
        self._handoff.call(_enqueue, channel, headers)

    def _sweep(self) -> float:
        """Close every expired channel (call holding the lock); returns now in milliseconds."""
        now_ms = self._clock().timestamp() * 1000
        while self._expiries and self._expiries[0][0] <= now_ms:
            _, _, channel = heapq.heappop(self._expiries)
            if self._channels.get(channel.id) is channel:
                logger.info("push channel expired", extra={"channel_id": channel.id})
                self._close(channel)
        if len(self._expiries) > 2 * len(self._channels) + 64:  # drop stopped channels' entries
            self._expiries = [e for e in self._expiries if self._channels.get(e[2].id) is e[2]]
            heapq.heapify(self._expiries)
        return now_ms

    def _expire_in_loop(self) -> None:
        with self._lock:
            self._sweep()

    def _close(self, channel: Channel) -> None:
        if self._channels.get(channel.id) is channel:
            del self._channels[channel.id]
        if channel.timer is not None:
            self._handoff.call(channel.timer.cancel)
        if channel.worker is not None:
            self._handoff.call(channel.worker.cancel)

    async def _deliver(self, channel: Channel) -> None:
        while True:
            while not channel.pending:
                channel.wake.clear()
                await channel.wake.wait()
            headers = channel.pending.popleft()
            if self._client is None:
                # No pool limit: each channel sends one message at a time, so connections stay
                # at most one per channel, and receivers that hang cannot starve the others.
                limits = httpx.Limits(max_connections=None, max_keepalive_connections=32)
                self._client = httpx.AsyncClient(timeout=DELIVERY_TIMEOUT_SECONDS, limits=limits)
            channel.sending = True
            try:
                await self._client.post(channel.address, headers=headers, content=b"")
            except httpx.HTTPError as error:
                logger.info(
                    "push delivery failed",
                    extra={"channel_id": channel.id, "error": type(error).__name__},
                )
            finally:
                channel.sending = False


def _enqueue(channel: Channel, headers: dict[str, str]) -> None:
    """Queue a message (in the serving loop); an `exists` merges into a waiting `exists`."""
    states = {headers[STATE], channel.pending[-1][STATE] if channel.pending else None}
    if states == {"exists"}:
        channel.pending[-1] = headers
    else:
        channel.pending.append(headers)
    channel.wake.set()


def _human_time(milliseconds: int) -> str:
    """`Tue, 19 Nov 2013 01:13:52 GMT`, as X-Goog-Channel-Expiration is written."""
    return format_datetime(datetime.fromtimestamp(milliseconds / 1000, UTC), usegmt=True)
