"""One messaging hop, committed outbox row → relay → broker → inbox-deduplicated handler, against
its physical references: a raw produce→consume round trip and raw single-row insert commits."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from bench.servers import BenchServers
from bench.stats import Summary, summarize
from shared.contracts.connections import ResyncCalendar
from shared.contracts.envelope import Envelope, wrap
from shared.db.pool import create_pool
from shared.messaging import outbox
from shared.messaging.broker import BrokerPublisher, create_broker
from shared.messaging.consumer import InboxConsumer
from shared.messaging.relay import OutboxRelay
from shared.messaging.subscription import subscribe
from shared.settings import CommonSettings


async def raw_round_trip(servers: BenchServers, count: int, fetch_wait_ms: int) -> Summary:
    """Produce one record and wait for a consumer to receive it, `count` times."""
    topic = "sync.hints"  # any existing topic; a fresh group reads only what we send
    producer = AIOKafkaProducer(bootstrap_servers=servers.kafka, acks="all")
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=servers.kafka,
        group_id=f"bench-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="latest",
        enable_auto_commit=False,
        fetch_max_wait_ms=fetch_wait_ms,
        session_timeout_ms=6000,
        heartbeat_interval_ms=2000,
    )
    await producer.start()
    await consumer.start()
    await _until(lambda: bool(consumer.assignment()))
    await consumer.seek_to_end()
    samples: list[float] = []
    try:
        for _ in range(count):
            marker = uuid.uuid4().bytes
            began = time.perf_counter()
            await producer.send_and_wait(topic, marker, key=b"bench")
            while True:
                record = await consumer.getone()
                if record.value == marker:
                    break
            samples.append(time.perf_counter() - began)
    finally:
        await consumer.stop()
        await producer.stop()
    return summarize(samples)


async def raw_insert_rate(servers: BenchServers, count: int) -> float:
    """Committed single-row inserts per second on one connection (the database's floor)."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(servers.layout.dsns["scheduler"])
    try:
        await conn.execute("CREATE TABLE bench_rows (id uuid primary key, body jsonb)")
        began = time.perf_counter()
        for _ in range(count):
            await conn.execute("INSERT INTO bench_rows VALUES ($1, '{}')", uuid.uuid4())
        return round(count / (time.perf_counter() - began), 1)
    finally:
        await conn.execute("DROP TABLE IF EXISTS bench_rows")
        await conn.close()


async def outbox_to_handler(
    servers: BenchServers, rate: float, seconds: float, fetch_wait_ms: int
) -> Summary:
    """Latency from an outbox row's commit to its handler running in another consumer group."""
    settings = CommonSettings(
        KAFKA_BOOTSTRAP_SERVERS=servers.kafka,
        ROLLCALL_KAFKA_IDEMPOTENCE=not servers.embedded,
        ROLLCALL_KAFKA_FETCH_WAIT_MS=fetch_wait_ms,
        ROLLCALL_KAFKA_SESSION_TIMEOUT_MS=6000,
    )
    pool = await create_pool(servers.layout.dsns["scheduler"], "scheduler")
    committed: dict[str, float] = {}
    samples: list[float] = []
    done = asyncio.Event()
    total = int(rate * seconds)

    async def handler(conn: Any, envelope: Envelope, payload: Any) -> None:
        began = committed.get(payload.calendar_id)
        if began is not None:
            samples.append(time.perf_counter() - began)
        if len(samples) >= total:
            done.set()

    broker = create_broker(settings, "rollcall-bench")
    membership = subscribe(
        broker,
        InboxConsumer(pool, {ResyncCalendar.TYPE: handler}),
        ("connections.commands",),
        f"bench-{uuid.uuid4().hex[:6]}",
        settings,
    )
    await broker.start()
    relay = OutboxRelay(pool, BrokerPublisher(broker))
    relay_task = asyncio.create_task(relay.run())
    try:
        await _until(lambda: membership.joined)
        for n in range(total):
            calendar_id = f"cal_bench_{n}"
            async with pool.acquire() as conn, conn.transaction():
                await outbox.enqueue_envelope(
                    conn,
                    "connections.commands",
                    wrap(ResyncCalendar(calendar_id=calendar_id), "prj"),
                )
            committed[calendar_id] = time.perf_counter()
            await asyncio.sleep(1 / rate)
        await asyncio.wait_for(done.wait(), 60)
    finally:
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)
        await broker.stop()
        await pool.close()
    return summarize(samples)


async def _until(condition: Callable[[], bool], within_seconds: float = 30) -> None:
    """Poll a client library's state that offers no event to await."""
    async with asyncio.timeout(within_seconds):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
