"""Webhook delivery for change and lifecycle notifications (providers.md §2.5): one queue and one
task per destination, so the API call that caused a notification never waits and a slow receiver
delays only its own queue. Waiting items are sent together (Graph batches `value` arrays).

Bounded: a queue holds at most MAX_PENDING items (the oldest are dropped beyond it), a POST gives
up after Graph's 3 s, and a failed POST is retried RETRIES times with a short backoff, then
dropped (Graph retries for up to 4 hours; a sandbox keeps nothing that long).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import httpx

from sandbox import delivery_tasks
from sandbox.loop_handoff import LoopHandoff

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0
RETRIES = 2
BACKOFF_SECONDS = 0.5
MAX_PENDING = 1000
MAX_BATCH = 100


@dataclass(eq=False)
class Queue:
    url: str
    items: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=MAX_PENDING))
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    sending: bool = False
    worker: asyncio.Task[None] | None = None

    @property
    def idle(self) -> bool:
        return not self.items and not self.sending


class Delivery:
    """Every destination's queue; `send` may be called from any thread."""

    def __init__(self) -> None:
        self._queues: dict[str, Queue] = {}
        self._handoff = LoopHandoff()
        self._client: httpx.AsyncClient | None = None
        self._lock = threading.Lock()

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The serving loop (delivery tasks run there); called when a subscription is created."""
        with self._lock:
            if self._handoff.bind(loop):
                self._client, self._queues = None, {}

    def send(self, name: str, url: str, item: dict[str, Any]) -> None:
        """Queue `item` for the destination `name` (a subscription's notification or lifecycle
        URL)."""
        self._handoff.call(self._enqueue, name, url, item)

    def close(self, name: str) -> None:
        """Stop a destination (its subscription is gone); waiting items are dropped."""
        self._handoff.call(self._close, name)

    def idle(self) -> bool:
        """Every notification sent so far has been delivered or given up on: none on its way to
        a queue, none waiting, none in flight (retries included). Call from the serving loop."""
        return self._handoff.settled and all(q.idle for q in self._queues.values())

    async def aclose(self) -> None:
        with self._lock:
            queues = list(self._queues.values())
            self._queues = {}
        workers = [q.worker for q in queues if q.worker is not None]
        await delivery_tasks.stop(workers)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def reset(self) -> None:
        for name in list(self._queues):
            self.close(name)

    def _enqueue(self, name: str, url: str, item: dict[str, Any]) -> None:
        queue = self._queues.get(name)
        if queue is None or queue.url != url:
            if queue is not None:
                self._close(name)
            queue = self._queues[name] = Queue(url)
            queue.worker = asyncio.get_running_loop().create_task(self._deliver(queue))
        if len(queue.items) == MAX_PENDING:
            logger.info("notification dropped: queue full", extra={"destination": name})
        queue.items.append(item)
        queue.wake.set()

    def _close(self, name: str) -> None:
        queue = self._queues.pop(name, None)
        if queue is not None and queue.worker is not None:
            queue.worker.cancel()

    async def _deliver(self, queue: Queue) -> None:
        while True:
            while not queue.items:
                queue.wake.clear()
                await queue.wake.wait()
            batch = [queue.items.popleft() for _ in range(min(MAX_BATCH, len(queue.items)))]
            queue.sending = True
            try:
                await self._post(queue.url, {"value": batch})
            finally:
                queue.sending = False

    async def _post(self, url: str, payload: dict[str, Any]) -> None:
        if self._client is None:
            limits = httpx.Limits(max_connections=None, max_keepalive_connections=32)
            self._client = httpx.AsyncClient(timeout=TIMEOUT_SECONDS, limits=limits)
        for attempt in range(RETRIES + 1):
            try:
                response = await self._client.post(url, json=payload)
                if response.is_success:
                    return
                failure = f"status {response.status_code}"
            except httpx.HTTPError as error:
                failure = type(error).__name__
            logger.info("notification delivery failed", extra={"url": url, "error": failure})
            if attempt < RETRIES:
                await asyncio.sleep(BACKOFF_SECONDS * 2**attempt)
