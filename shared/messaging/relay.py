"""Outbox relay: publish every unpublished outbox row, woken by NOTIFY, with a slow poll behind it.

Rows are claimed with a short lease (`claimed_until`) in their own transaction, published with
no transaction open, then marked published. "Unpublished" is `published_at IS NULL`, never "id
greater than the last one sent": ids from concurrent transactions commit out of order.
"""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import suppress
from typing import Any

import asyncpg

from shared.messaging.broker import Publisher

log = logging.getLogger(__name__)

_CLAIM = """
UPDATE outbox SET claimed_until = now() + make_interval(secs => $2)
WHERE id IN (
    SELECT id FROM outbox
    WHERE published_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
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
        try:
            for row in sorted(rows, key=lambda r: r["id"]):
                envelope = row["envelope"]
                headers = {
                    "message_id": str(row["message_id"]),
                    "type": str(envelope["type"]),
                    "content-type": "application/json",
                }
                value = json.dumps(envelope, separators=(",", ":")).encode()
                await self._publisher.publish(row["topic"], row["key"], value, headers)
                done.append(row["id"])
        finally:
            if done:
                async with self._pool.acquire() as conn:
                    await conn.execute(
                        "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", done
                    )
            if len(done) < len(rows):
                # Release the unpublished rest at once instead of waiting for the lease to lapse.
                async with self._pool.acquire() as conn:
                    rest = [r["id"] for r in rows if r["id"] not in set(done)]
                    await conn.execute(
                        "UPDATE outbox SET claimed_until = NULL WHERE id = ANY($1::bigint[])", rest
                    )
        return len(done)

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
        listener = await self._pool.acquire()
        schema = await listener.fetchval("SELECT current_schema()")
        await listener.add_listener(f"outbox_{schema}", self._on_notify)
        self.running = True
        backoff = 0.1
        rounds = 0
        try:
            while True:
                self._wake.clear()
                try:
                    published = await self.publish_pending()
                    backoff = 0.1
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    log.warning(
                        "outbox relay failed, retrying", extra={"error": type(exc).__name__}
                    )
                    published = 0
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
                except Exception as exc:  # broker errors: keep the rows, retry later
                    log.warning("outbox publish failed, retrying", extra={"error": repr(exc)})
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
                if published >= self._batch_size:
                    continue
                rounds += 1
                if rounds % 3600 == 0:
                    await self.purge_published()
                with suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._idle_poll)
        finally:
            self.running = False
            with suppress(Exception):
                await listener.remove_listener(f"outbox_{schema}", self._on_notify)
            await self._pool.release(listener)
