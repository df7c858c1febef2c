"""Outbox, relay, inbox and dead-letter behaviour against real Postgres and the real broker."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.kafka import KafkaBroker

from rollcall.bootstrap import DatabaseLayout
from shared.contracts import topics
from shared.contracts.connections import ResyncCalendar
from shared.contracts.envelope import Envelope, wrap
from shared.db.pool import create_pool
from shared.messaging import outbox
from shared.messaging.broker import BrokerPublisher, create_broker
from shared.messaging.consumer import InboxConsumer
from shared.messaging.relay import OutboxRelay
from shared.messaging.subscription import subscribe
from shared.settings import CommonSettings


class Record:
    """A consumed record as the consumer sees it; counts acks (offset commits)."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.acks = 0

    async def ack(self) -> None:
        self.acks += 1


@pytest.fixture
async def pool(database: DatabaseLayout) -> AsyncIterator[asyncpg.Pool[Any]]:
    # The syncer schema is as good as any: the plumbing tables are the same in every schema.
    pool = await create_pool(database.dsns["scheduler"], "scheduler")
    yield pool
    await pool.close()


def _envelope(calendar_id: str) -> Envelope:
    return wrap(ResyncCalendar(calendar_id=calendar_id), "prj_test")


async def _outbox_rows(pool: asyncpg.Pool[Any], topic: str, key: str) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT envelope, published_at FROM outbox WHERE topic = $1 AND key = $2 ORDER BY id",
        topic,
        key,
    )
    return [dict(r) for r in rows]


async def test_many_messages_are_enqueued_at_once_in_their_order(pool: asyncpg.Pool[Any]) -> None:
    commands = [ResyncCalendar(calendar_id="cal_many") for _ in range(3)]
    async with pool.acquire() as conn, conn.transaction():
        envelopes = await outbox.enqueue_all(conn, commands, "prj_test")
        assert await outbox.enqueue_all(conn, [], "prj_test") == []
    rows = await _outbox_rows(pool, topics.CONNECTIONS_COMMANDS, "cal_many")
    assert [r["envelope"]["message_id"] for r in rows] == [str(e.message_id) for e in envelopes]
    assert len({e.message_id for e in envelopes}) == 3


async def test_a_redelivered_message_is_applied_once(pool: asyncpg.Pool[Any]) -> None:
    calls: list[str] = []

    async def handler(conn: Any, envelope: Envelope, payload: Any) -> None:
        calls.append(payload.calendar_id)

    consumer = InboxConsumer(pool, {ResyncCalendar.TYPE: handler})
    body = _envelope("cal_redelivered").model_dump_json().encode()
    first, second = Record(body), Record(body)
    await consumer.consume(topics.CONNECTIONS_COMMANDS, first)
    await consumer.consume(topics.CONNECTIONS_COMMANDS, second)
    assert calls == ["cal_redelivered"]
    assert (first.acks, second.acks) == (1, 1)


async def test_a_failed_handler_rolls_back_its_writes_and_retries(pool: asyncpg.Pool[Any]) -> None:
    attempts = 0

    async def flaky(conn: Any, envelope: Envelope, payload: Any) -> None:
        nonlocal attempts
        attempts += 1
        await outbox.enqueue(conn, ResyncCalendar(calendar_id="cal_flaky"), "prj_test")
        if attempts < 3:
            raise RuntimeError("transient bug")

    consumer = InboxConsumer(pool, {ResyncCalendar.TYPE: flaky}, base_delay=0.01)
    await consumer.consume(
        topics.CONNECTIONS_COMMANDS, Record(_envelope("x").model_dump_json().encode())
    )
    assert attempts == 3
    rows = await _outbox_rows(pool, topics.CONNECTIONS_COMMANDS, "cal_flaky")
    assert len(rows) == 1  # the two failed attempts left nothing behind


async def test_infrastructure_errors_retry_without_dead_lettering(pool: asyncpg.Pool[Any]) -> None:
    attempts = 0

    async def unlucky(conn: Any, envelope: Envelope, payload: Any) -> None:
        nonlocal attempts
        attempts += 1
        if attempts < 8:
            raise ConnectionResetError("database went away")

    consumer = InboxConsumer(pool, {ResyncCalendar.TYPE: unlucky}, base_delay=0.001, max_delay=0.01)
    await consumer.consume(
        topics.CONNECTIONS_COMMANDS, Record(_envelope("y").model_dump_json().encode())
    )
    assert attempts == 8 and consumer.dead_lettered == 0


async def test_a_poison_message_goes_to_the_dead_letter_topic(pool: asyncpg.Pool[Any]) -> None:
    async def broken(conn: Any, envelope: Envelope, payload: Any) -> None:
        raise ValueError("cannot handle this")

    consumer = InboxConsumer(pool, {ResyncCalendar.TYPE: broken}, max_attempts=3, base_delay=0.01)
    envelope = _envelope("cal_poison")
    record = Record(envelope.model_dump_json().encode())
    await consumer.consume(topics.CONNECTIONS_COMMANDS, record)
    assert record.acks == 1 and consumer.dead_lettered == 1
    dead = await _outbox_rows(pool, topics.dead_letter(topics.CONNECTIONS_COMMANDS), "cal_poison")
    assert len(dead) == 1
    assert dead[0]["envelope"]["payload"]["error"] == "ValueError"
    assert dead[0]["envelope"]["payload"]["original"]["message_id"] == str(envelope.message_id)
    # Redelivery after the dead-lettering is recognised by the inbox: no second dead letter.
    await consumer.consume(topics.CONNECTIONS_COMMANDS, Record(record.body))
    assert consumer.dead_lettered == 1


async def test_an_undecodable_message_is_dead_lettered_not_retried(pool: asyncpg.Pool[Any]) -> None:
    consumer = InboxConsumer(pool, {})
    record = Record(b"{not json")
    await consumer.consume(topics.SYNC_HINTS, record)
    assert record.acks == 1 and consumer.dead_lettered == 1


async def _create_topic(bootstrap: str) -> str:
    name = f"test.{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=2, replication_factor=1)])
    finally:
        await admin.close()
    return name


async def test_relay_publishes_rows_committed_out_of_id_order(
    pool: asyncpg.Pool[Any], kafka: str
) -> None:
    topic = await _create_topic(kafka)
    first = await pool.acquire()
    second = await pool.acquire()
    try:
        slow = first.transaction()
        await slow.start()
        await outbox.enqueue_envelope(first, topic, _envelope("cal_a"))  # lower id, commits last
        async with second.transaction():
            await outbox.enqueue_envelope(second, topic, _envelope("cal_b"))
        broker = KafkaBroker(kafka)
        await broker.start()
        relay = OutboxRelay(pool, BrokerPublisher(broker))
        assert await relay.publish_pending() >= 1
        await slow.commit()
        assert await relay.publish_pending() >= 1
        await broker.stop()
    finally:
        await pool.release(first)
        await pool.release(second)
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka,
        auto_offset_reset="earliest",
        group_id=f"g-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        keys: set[bytes] = set()
        async with asyncio.timeout(30):
            while len(keys) < 2:
                batch = await consumer.getmany(timeout_ms=500)
                keys |= {r.key for records in batch.values() for r in records}
    finally:
        await consumer.stop()
    assert keys == {b"cal_a", b"cal_b"}


async def test_a_message_flows_from_outbox_through_kafka_to_a_handler(
    pool: asyncpg.Pool[Any], kafka: str, broker_settings: dict[str, Any]
) -> None:
    """The full path: outbox row → relay → broker → subscription (manual ack) → inbox handler."""
    topic = await _create_topic(kafka)
    received: asyncio.Queue[str] = asyncio.Queue()

    async def handler(conn: Any, envelope: Envelope, payload: Any) -> None:
        await received.put(payload.calendar_id)

    settings = CommonSettings(**broker_settings)
    broker = KafkaBroker(kafka)
    membership = subscribe(
        broker,
        InboxConsumer(pool, {ResyncCalendar.TYPE: handler}),
        (topic,),
        f"g-{uuid.uuid4().hex[:6]}",
        settings,
    )
    await broker.start()
    relay = OutboxRelay(pool, BrokerPublisher(broker), idle_poll_seconds=0.2)
    task = asyncio.create_task(relay.run())
    try:
        async with pool.acquire() as conn, conn.transaction():
            await outbox.enqueue_envelope(conn, topic, _envelope("cal_flow"))
        async with asyncio.timeout(30):
            assert await received.get() == "cal_flow"
        assert membership.joined
        rows = await pool.fetch("SELECT published_at FROM outbox WHERE topic = $1", topic)
        assert all(r["published_at"] is not None for r in rows)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await broker.stop()


async def test_a_row_too_large_for_the_broker_is_set_aside_and_the_rest_flows(
    pool: asyncpg.Pool[Any], kafka: str, broker_settings: dict[str, Any]
) -> None:
    topic = await _create_topic(kafka)
    huge = Envelope(
        type="calendar.resync",
        project_id="p",
        key="cal_huge",
        payload={"calendar_id": "x" * 1_200_000},
    )
    async with pool.acquire() as conn, conn.transaction():
        await outbox.enqueue_envelope(conn, topic, huge)
        await outbox.enqueue_envelope(conn, topic, _envelope("cal_after_huge"))
    broker = create_broker(CommonSettings(**broker_settings), "test")
    await broker.start()
    try:
        relay = OutboxRelay(pool, BrokerPublisher(broker))
        while await relay.publish_pending():
            pass
    finally:
        await broker.stop()
    rows = {
        r["key"]: r
        for r in await pool.fetch(
            "SELECT key, published_at, failed_at, failure FROM outbox WHERE topic = $1", topic
        )
    }
    assert rows["cal_huge"]["failed_at"] is not None and rows["cal_huge"]["published_at"] is None
    assert rows["cal_huge"]["failure"] == "message too large"
    assert rows["cal_after_huge"]["published_at"] is not None


def test_non_ascii_text_is_measured_and_sent_as_utf8() -> None:
    from shared.contracts.wire import encode

    assert len(encode({"t": "会議" * 1000})) < 6100  # escaped as \\uXXXX it would be 12 KB


async def test_dead_lettering_waits_out_a_database_outage(pool: asyncpg.Pool[Any]) -> None:
    """The offset must not move past a message whose dead letter could not be stored yet."""
    outages = 3

    class FlakyPool:
        def acquire(self) -> Any:
            nonlocal outages
            if outages:
                outages -= 1
                raise ConnectionRefusedError("database restarting")
            return pool.acquire()

    consumer = InboxConsumer(FlakyPool(), {}, base_delay=0.001, max_delay=0.01)  # type: ignore[arg-type]
    record = Record(b"not an envelope")
    await consumer.consume(topics.SYNC_HINTS, record)
    assert outages == 0 and consumer.dead_lettered == 1 and record.acks == 1


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (asyncpg.exceptions.ConnectionFailureError(), True),
        (asyncpg.exceptions.QueryCanceledError(), True),
        (asyncpg.exceptions.DiskFullError(), True),
        (asyncpg.exceptions.ReadOnlySQLTransactionError(), True),
        (asyncpg.exceptions.SerializationError(), True),
        (asyncpg.exceptions.UniqueViolationError(), False),
        (asyncpg.exceptions.UndefinedColumnError(), False),
        (ConnectionResetError(), True),
        (ValueError("bad payload"), False),
    ],
)
def test_infrastructure_errors_are_told_from_bad_messages(
    error: BaseException, transient: bool
) -> None:
    from shared.messaging.consumer import is_infrastructure_error

    assert is_infrastructure_error(error) is transient
