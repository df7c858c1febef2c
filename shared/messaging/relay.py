"""Outbox relay: publish every unpublished outbox row, woken by NOTIFY, with a slow poll behind it.

Rows are claimed with a short lease (`claimed_until`) in their own transaction, published with
no transaction open, then marked published. "Unpublished" is `published_at IS NULL`, never "id
greater than the last one sent": ids from concurrent transactions commit out of order.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import suppress
from typing import Any

import asyncpg
from aiokafka.errors import MessageSizeTooLargeError

from shared.contracts.wire import encode
from shared.messaging.broker import Publisher

log = logging.getLogger(__name__)

_CLAIM = """
UPDATE outbox SET claimed_until = now() + make_interval(secs => $2)
WHERE id IN (
    SELECT id FROM outbox
    WHERE published_at IS NULL AND failed_at IS NULL
      AND (claimed_until IS NULL OR claimed_until < now())
    ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
RETURNING id, message_id, topic, key, envelope
"""


class OutboxRelay:
    """Publishes the outbox of one service schema; several relays may run side by side."""

    def __init__(
        self,
        pool: asyncpg.Pool[Any],
        publisher: Publisher,
        *,
        batch_size: int = 200,
        lease_seconds: float = 30.0,
        idle_poll_seconds: float = 1.0,
    ) -> None:
        self._pool = pool
        self._publisher = publisher
        self._batch_size = batch_size
        self._lease = lease_seconds
        self._idle_poll = idle_poll_seconds
        self._wake = asyncio.Event()
        self.running = False

    async def publish_pending(self) -> int:
        """Claim, publish and mark one batch; returns how many rows were published."""
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(_CLAIM, self._batch_size, self._lease)
        if not rows:
            return 0
        done: list[int] = []
        refused: list[int] = []
        try:
            for row in sorted(rows, key=lambda r: r["id"]):
                envelope = row["envelope"]
                headers = {
                    "message_id": str(row["message_id"]),
                    "type": str(envelope["type"]),
                    "content-type": "application/json",
                }
                try:
                    await self._publisher.publish(
                        row["topic"], row["key"], encode(envelope), headers
                    )
                except MessageSizeTooLargeError:
                    # Retrying cannot help, and the row must not hold up the ones behind it.
                    log.error("outbox row too large for the broker", extra={"outbox_id": row["id"]})
                    refused.append(row["id"])
                    continue
                done.append(row["id"])
        finally:
            await self._settle(rows, done, refused)
        return len(done)

    async def _settle(self, rows: list[Any], done: list[int], refused: list[int]) -> None:
        """Mark published and refused rows; release the rest at once (no waiting for the lease)."""
        rest = [r["id"] for r in rows if r["id"] not in {*done, *refused}]
        async with self._pool.acquire() as conn:
            if done:
                await conn.execute(
                    "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", done
                )
            if refused:
                await conn.execute(
                    "UPDATE outbox SET failed_at = now(), failure = 'message too large'"
                    " WHERE id = ANY($1::bigint[])",
                    refused,
                )
            if rest:
                await conn.execute(
                    "UPDATE outbox SET claimed_until = NULL WHERE id = ANY($1::bigint[])", rest
                )

    async def purge_published(self, older_than_hours: int = 24) -> None:
        """Forget published rows and old inbox ids (redeliveries older than this cannot occur)."""
        async with self._pool.acquire() as conn:
            await conn.execute(
                "DELETE FROM outbox WHERE published_at < now() - make_interval(hours => $1)",
                older_than_hours,
            )
            await conn.execute(
                "DELETE FROM inbox WHERE received_at < now() - make_interval(hours => $1)",
                older_than_hours * 7,
            )

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Relay until cancelled; publish failures back off and retry, nothing is dropped."""
        listener = None
        channel = ""
        backoff = 0.1
        purged_at = time.monotonic()
        try:
            listener = await self._pool.acquire()
            channel = f"outbox_{await listener.fetchval('SELECT current_schema()')}"
            await listener.add_listener(channel, self._on_notify)
            self.running = True
            while True:
                self._wake.clear()
                try:
                    published = await self.publish_pending()
                    if time.monotonic() - purged_at > 3600:
                        purged_at = time.monotonic()
                        await self.purge_published()
                    backoff = 0.1
                except Exception as exc:  # database or broker down: the rows stay, retry later
                    log.warning(
                        "outbox relay failed, retrying", extra={"error": type(exc).__name__}
                    )
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
                if published >= self._batch_size:
                    continue
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._idle_poll)
        finally:
            self.running = False
            if listener is not None:
                with suppress(Exception):
                    await listener.remove_listener(channel, self._on_notify)
                await self._pool.release(listener)
