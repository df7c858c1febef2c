"""The messaging runtime every service starts in its lifespan: pool, broker, consumer, relay."""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from faststream.kafka import KafkaBroker

from shared.db.pool import create_pool
from shared.http.health import ReadinessCheck
from shared.messaging.broker import BrokerPublisher, create_broker
from shared.messaging.consumer import Handler, InboxConsumer
from shared.messaging.relay import OutboxRelay
from shared.messaging.subscription import GroupMembership, subscribe
from shared.settings import CommonSettings

log = logging.getLogger(__name__)


@dataclass
class MessagingRuntime:
    """Owns the resources of one service process; `stop()` releases them in reverse order."""

    pool: asyncpg.Pool[Any]
    broker: KafkaBroker
    relay: OutboxRelay
    membership: GroupMembership | None
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    async def start(
        cls,
        *,
        service: str,
        settings: CommonSettings,
        dsn: str,
        handlers: dict[str, Handler],
        topic_names: tuple[str, ...],
        pool_size: int = 10,
    ) -> MessagingRuntime:
        pool = await create_pool(dsn, service, max_size=pool_size)
        broker = create_broker(settings, client_id=f"rollcall-{service}")
        membership = None
        if topic_names:
            consumer = InboxConsumer(pool, handlers)
            membership = subscribe(broker, consumer, topic_names, f"rollcall-{service}", settings)
        await broker.start()
        relay = OutboxRelay(pool, BrokerPublisher(broker))
        runtime = cls(pool=pool, broker=broker, relay=relay, membership=membership)
        runtime.spawn(relay.run(), "outbox-relay")
        return runtime

    def spawn(self, coro: Any, name: str) -> None:
        """Run a background loop for the life of the process; a crash is logged and fatal."""
        task: asyncio.Task[None] = asyncio.create_task(coro, name=name)
        task.add_done_callback(_crash_on_failure)
        self.tasks.append(task)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
        await self.broker.stop()
        try:
            await asyncio.wait_for(self.pool.close(), 10)
        except TimeoutError:
            log.warning("database pool did not close in 10 s; terminating its connections")
            self.pool.terminate()

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        async def database() -> bool:
            return bool(await self.pool.fetchval("SELECT true"))

        async def consumer() -> bool:
            return self.membership is None or self.membership.joined

        async def relay() -> bool:
            return self.relay.running

        return {"database": database, "consumer": consumer, "outbox_relay": relay}


def _crash_on_failure(task: asyncio.Task[None]) -> None:
    if task.cancelled() or task.exception() is None:
        return
    # A dead background loop must not leave a process that looks alive: exit, and let the
    # supervisor (or orchestrator) restart it.
    log.critical("background task died", extra={"task": task.get_name()}, exc_info=task.exception())
    import os

    os._exit(70)
