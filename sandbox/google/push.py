"""Push channels (events.watch / channels.stop) and notification delivery, providers.md §1.9.

A channel gets a `sync` message at once and an `exists` message after every change of its
calendar: an empty POST with the `X-Goog-*` headers, sent in order by one task per channel so
the API call that caused it never waits. Delivery failures are logged and forgotten (push is
lossy in real life too), and a configured fault drops a message while still using its number.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import ipaddress
import logging
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import quote, urlsplit

import httpx

from sandbox.google import errors
from sandbox.world import FaultInjector

logger = logging.getLogger(__name__)

# A slow receiver must not pile up work: each POST gives up after this long.
DELIVERY_TIMEOUT_SECONDS = 2.0
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
    queue: asyncio.Queue[dict[str, str]] = field(default_factory=asyncio.Queue)
    worker: asyncio.Task[None] | None = None


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
        self._loop: asyncio.AbstractEventLoop | None = None
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
        self._check_address(address)
        loop = asyncio.get_running_loop()
        with self._lock:
            if channel_id in self._channels:
                raise errors.bad_request(
                    f"Channel id {channel_id} not unique", reason="channelIdNotUnique"
                )
            if self._loop is not loop:
                self._loop, self._client = loop, None
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
            self._channels[channel_id] = channel
        self._emit(channel, "sync")
        return channel

    def stop(self, channel_id: str, resource_id: str, account_id: str) -> bool:
        with self._lock:
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
        now_ms = self._clock().timestamp() * 1000
        with self._lock:
            watching = [c for c in self._channels.values() if c.calendar_id == calendar_id]
            for channel in watching:
                if channel.expiration_ms <= now_ms:
                    self._close(channel)
                else:
                    self._emit(channel, "exists")

    def channel(self, channel_id: str) -> Channel | None:
        return self._channels.get(channel_id)

    def channel_count(self) -> int:
        return len(self._channels)

    def reset(self) -> None:
        with self._lock:
            for channel in list(self._channels.values()):
                self._close(channel)

    async def aclose(self) -> None:
        """Stop every delivery task and the HTTP client (the serving loop is ending)."""
        with self._lock:
            channels = list(self._channels.values())
            self._channels.clear()
        workers = [c.worker for c in channels if c.worker is not None]
        for worker in workers:
            worker.cancel()
        for worker in workers:
            with contextlib.suppress(asyncio.CancelledError, RuntimeError):
                await worker
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
            "X-Goog-Resource-State": state,
            "User-Agent": "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)",
        }
        if channel.token is not None:
            headers["X-Goog-Channel-Token"] = channel.token
        self._call_in_loop(channel.queue.put_nowait, headers)

    def _close(self, channel: Channel) -> None:
        self._channels.pop(channel.id, None)
        if channel.worker is not None:
            self._call_in_loop(channel.worker.cancel)

    def _call_in_loop(self, function: Callable[..., object], *args: object) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            function(*args)
        else:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(function, *args)

    async def _deliver(self, channel: Channel) -> None:
        while True:
            headers = await channel.queue.get()
            if self._client is None:
                self._client = httpx.AsyncClient(timeout=DELIVERY_TIMEOUT_SECONDS)
            try:
                await self._client.post(channel.address, headers=headers, content=b"")
            except httpx.HTTPError as error:
                logger.info(
                    "push delivery failed",
                    extra={"channel_id": channel.id, "error": type(error).__name__},
                )

    def _check_address(self, address: str) -> None:
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise errors.bad_request(
                f"Invalid push address: {address}", reason="push.webhookUrlInvalid"
            )
        if not self._allow_private and _is_private(parts.hostname):
            raise errors.GoogleApiError(
                401,
                "push.webhookUrlUnauthorized",
                f"Unauthorized WebHook callback channel: {address}",
            )


def _is_private(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved


def _human_time(milliseconds: int) -> str:
    """`Tue, 19 Nov 2013 01:13:52 GMT`, as X-Goog-Channel-Expiration is written."""
    return format_datetime(datetime.fromtimestamp(milliseconds / 1000, UTC), usegmt=True)
