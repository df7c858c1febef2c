"""Inbox-deduplicated consumption: one DB transaction per message, offset committed after it.

Each message is decoded, its id inserted into the inbox and its handler run in one
transaction; the Kafka offset is committed (manual ack) only after that transaction commits.
Infrastructure failures (database or network down) retry without limit, since the message is
not at fault; any other failure retries a bounded number of times, then the message goes to the
topic's dead-letter topic (through the outbox, in the same transaction as its inbox row).
`consume` returns only once the message is applied or dead-lettered: an offset is never
committed past a record that was neither.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, Protocol

import asyncpg
from pydantic import ValidationError

from shared.contracts import topics
from shared.contracts.envelope import Envelope, Payload, UnknownMessageType, unwrap
from shared.db.types import Connection
from shared.logging import correlation_id
from shared.messaging.outbox import enqueue_envelope

log = logging.getLogger(__name__)

Handler = Callable[["Connection", Envelope, Any], Awaitable[None]]

# SQLSTATE classes that say "the database could not do it now", not "this message is bad":
# 08 connection, 40 transaction rollback (serialization, deadlock), 53 insufficient resources,
# 57 operator intervention (shutdown, statement timeout), 25006 read-only (failover).
_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57")


def is_infrastructure_error(exc: BaseException) -> bool:
    """True when retrying later can succeed without changing the message."""
    if isinstance(exc, OSError | asyncpg.InterfaceError | TimeoutError):
        return True
    if isinstance(exc, asyncpg.PostgresError):
        state = str(getattr(exc, "sqlstate", "") or "")
        return state[:2] in _TRANSIENT_SQLSTATE_CLASSES or state == "25006"
    return False


class Acknowledgeable(Protocol):
    """The slice of a consumed Kafka message the consumer needs."""

    @property
    def body(self) -> bytes: ...

    async def ack(self) -> None: ...


class InboxConsumer:
    """Routes envelopes by type to handlers that run inside the inbox transaction."""

    def __init__(
        self,
        pool: asyncpg.Pool[Any],
        handlers: dict[str, Handler],
        *,
        max_attempts: int = 5,
        base_delay: float = 0.2,
        max_delay: float = 10.0,
    ) -> None:
        self._pool = pool
        self._handlers = handlers
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self.dead_lettered = 0

    async def consume(self, topic: str, message: Acknowledgeable) -> None:
        """Process one record exactly once in effect, then commit its offset."""
        try:
            envelope = Envelope.model_validate_json(message.body)
            payload = unwrap(envelope)
        except (ValidationError, UnknownMessageType, ValueError) as exc:
            await self._until_stored(partial(self._dead_letter_raw, topic, message.body, exc))
            await message.ack()
            return
        handler = self._handlers.get(envelope.type)
        if handler is not None:
            token = correlation_id.set(envelope.correlation_id or str(envelope.message_id))
            try:
                await self._run_with_retries(topic, envelope, payload, handler)
            finally:
                correlation_id.reset(token)
        await message.ack()

    async def _run_with_retries(
        self, topic: str, envelope: Envelope, payload: Payload, handler: Handler
    ) -> None:
        attempt = 0
        while True:
            try:
                await self._apply(topic, envelope, payload, handler)
                return
            except Exception as exc:
                if is_infrastructure_error(exc):
                    log.warning(
                        "consumer infrastructure error, retrying", extra=_fields(envelope, exc)
                    )
                else:
                    attempt += 1
                    if attempt >= self._max_attempts:
                        log.error(
                            "message dead-lettered", extra=_fields(envelope, exc), exc_info=True
                        )
                        await self._until_stored(partial(self._dead_letter, topic, envelope, exc))
                        return
                    log.warning("handler failed, retrying", extra=_fields(envelope, exc))
            await asyncio.sleep(self._delay(attempt))

    async def _until_stored(self, write: Callable[[], Awaitable[None]]) -> None:
        """Retry a dead-letter write through database outages: the offset waits for it."""
        attempt = 0
        while True:
            try:
                await write()
                return
            except Exception as exc:
                if not is_infrastructure_error(exc):
                    raise
                attempt += 1
                log.warning(
                    "dead-letter write failed, retrying", extra={"error": type(exc).__name__}
                )
                await asyncio.sleep(self._delay(attempt))

    def _delay(self, attempt: int) -> float:
        ceiling = min(self._max_delay, self._base_delay * 2 ** max(attempt, 1))
        return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security

    async def _apply(
        self, topic: str, envelope: Envelope, payload: Payload, handler: Handler
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            fresh = await conn.fetchval(
                "INSERT INTO inbox (message_id, topic) VALUES ($1, $2)"
                " ON CONFLICT (message_id) DO NOTHING RETURNING true",
                envelope.message_id,
                topic,
            )
            if fresh:
                await handler(conn, envelope, payload)

    async def _dead_letter(self, topic: str, envelope: Envelope, exc: BaseException) -> None:
        dead = Envelope(
            type="dead_letter",
            project_id=envelope.project_id,
            key=envelope.key,
            correlation_id=envelope.correlation_id,
            payload={"error": type(exc).__name__, "original": envelope.model_dump(mode="json")},
        )
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "INSERT INTO inbox (message_id, topic) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                envelope.message_id,
                topic,
            )
            await enqueue_envelope(conn, topics.dead_letter(topic), dead)
        self.dead_lettered += 1

    async def _dead_letter_raw(self, topic: str, body: bytes, exc: BaseException) -> None:
        log.error(
            "undecodable message dead-lettered", extra={"topic": topic, "error": type(exc).__name__}
        )
        dead = Envelope(
            type="dead_letter",
            project_id="",
            key=str(uuid.uuid4()),
            payload={"error": type(exc).__name__, "body": body.decode("utf-8", "replace")},
        )
        async with self._pool.acquire() as conn, conn.transaction():
            await enqueue_envelope(conn, topics.dead_letter(topic), dead)
        self.dead_lettered += 1


def _fields(envelope: Envelope, exc: BaseException) -> dict[str, Any]:
    return {
        "message_id": str(envelope.message_id),
        "type": envelope.type,
        "key": envelope.key,
        "error": type(exc).__name__,
    }
