"""Delivering meeting events to apps' webhook endpoints (providers.md §4).

An event goes to the endpoint of every app the host has a live grant to. Each app has its own
bounded queue and one task that POSTs its messages in order, so the API call that caused an event
never waits and a slow endpoint delays only its own app. A full queue drops its oldest message;
failures are logged and not retried (Zoom retries later, the sandbox does not); a `drop_push`
fault drops a message before it is queued. Safe to call from any thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from sandbox import delivery_tasks
from sandbox.loop_handoff import LoopHandoff
from sandbox.oauth.records import App
from sandbox.world import FaultInjector
from sandbox.zoom import signing
from sandbox.zoom.endpoints import Endpoint

logger = logging.getLogger(__name__)

DELIVERY_TIMEOUT_SECONDS = 3.0  # Zoom gives an endpoint 3 s to answer
QUEUE_LIMIT = 1000  # messages waiting per app; the oldest goes first when more arrive


@dataclass(frozen=True)
class Message:
    url: str
    secret_token: str
    body: bytes


@dataclass(eq=False)
class Outbox:
    """One app's waiting messages and its delivery task (touched in the serving loop only)."""

    pending: deque[Message] = field(default_factory=lambda: deque(maxlen=QUEUE_LIMIT))
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    sending: bool = False
    worker: asyncio.Task[None] | None = None


class WebhookHub:
    """Apps' endpoints and the tasks that deliver events to them."""

    def __init__(
        self,
        faults: FaultInjector,
        clock: Callable[[], datetime],
        granted_apps: Callable[[str], list[App]],
        timeout: float = DELIVERY_TIMEOUT_SECONDS,
    ) -> None:
        self._faults = faults
        self._clock = clock
        self._granted_apps = granted_apps
        self._timeout = timeout
        self._endpoints: dict[str, Endpoint] = {}
        self._outboxes: dict[str, Outbox] = {}
        self._handoff = LoopHandoff()
        self._client: httpx.AsyncClient | None = None
        self._lock = threading.Lock()

    # --- endpoints ------------------------------------------------------------------------

    def configure(self, endpoint: Endpoint) -> None:
        """Save (or replace) an app's validated endpoint; call from the serving loop."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._handoff.bind(loop):
                self._client, self._outboxes = None, {}
            self._endpoints[endpoint.client_id] = endpoint

    def endpoint(self, client_id: str) -> Endpoint | None:
        with self._lock:
            return self._endpoints.get(client_id)

    def remove(self, client_id: str) -> bool:
        with self._lock:
            return self._endpoints.pop(client_id, None) is not None

    def reset(self) -> None:
        """Forget every endpoint and every waiting message."""
        with self._lock:
            self._endpoints.clear()
            for outbox in self._outboxes.values():
                self._handoff.call(outbox.pending.clear)

    def idle(self) -> bool:
        """Every event published so far has been delivered or given up on: none on its way to an
        outbox, none waiting, none in flight (for tests and benchmarks; call from the serving
        loop)."""
        with self._lock:
            outboxes = list(self._outboxes.values())
        return self._handoff.settled and all(not o.pending and not o.sending for o in outboxes)

    # --- events ---------------------------------------------------------------------------

    def publish(self, account_id: str, event: str, payload: dict[str, Any]) -> int:
        """Queue `event` for every app `account_id` has a live grant to and that has a validated
        endpoint; returns how many messages were queued."""
        event_ts = int(self._clock().timestamp() * 1000)
        body = json.dumps({"event": event, "payload": payload, "event_ts": event_ts}).encode()
        queued = 0
        with self._lock:
            for app in self._granted_apps(account_id):
                endpoint = self._endpoints.get(app.client_id)
                if endpoint is None or not endpoint.validated:
                    continue
                if self._faults.take_push_drop("zoom"):
                    logger.info("webhook dropped by fault", extra={"client_id": app.client_id})
                    continue
                message = Message(endpoint.url, endpoint.secret_token, body)
                self._handoff.call(self._enqueue, app.client_id, message)
                queued += 1
        return queued

    async def aclose(self) -> None:
        """Stop every delivery task and the HTTP client (the serving loop is ending)."""
        with self._lock:
            workers = [o.worker for o in self._outboxes.values() if o.worker is not None]
            self._outboxes = {}
        await delivery_tasks.stop(workers)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # --- in the serving loop --------------------------------------------------------------

    def _enqueue(self, client_id: str, message: Message) -> None:
        outbox = self._outboxes.get(client_id)
        if outbox is None:
            outbox = self._outboxes[client_id] = Outbox()
        if len(outbox.pending) == outbox.pending.maxlen:
            logger.warning("webhook queue full, oldest dropped", extra={"client_id": client_id})
        outbox.pending.append(message)
        if outbox.worker is None or outbox.worker.done():
            outbox.worker = asyncio.get_running_loop().create_task(self._deliver(outbox))
        outbox.wake.set()

    async def _deliver(self, outbox: Outbox) -> None:
        while True:
            while not outbox.pending:
                outbox.wake.clear()
                await outbox.wake.wait()
            message = outbox.pending.popleft()
            outbox.sending = True
            try:
                await self._post(message)
            finally:
                outbox.sending = False

    async def _post(self, message: Message) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self._timeout)
        timestamp = str(int(self._clock().timestamp()))
        headers = signing.signed_headers(message.secret_token, timestamp, message.body)
        try:
            response = await self._client.post(message.url, content=message.body, headers=headers)
        except httpx.HTTPError as error:
            logger.info("webhook delivery failed", extra={"error": type(error).__name__})
            return
        if response.status_code >= 300:
            logger.info("webhook refused", extra={"status": response.status_code})
