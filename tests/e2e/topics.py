"""Reading a topic of the running system from the start, for scenarios that check what a
service published (the API does not show it)."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer


def payloads_until(
    bootstrap: str,
    topic: str,
    key: str,
    type_: str,
    done: Callable[[list[dict[str, Any]]], bool],
    timeout: float = 60,
) -> list[dict[str, Any]]:
    """The payloads of `topic`'s messages of type `type_` keyed `key`, in order, once `done`
    holds for them."""
    reading = _read(bootstrap, topic, key.encode(), type_, done)
    return asyncio.run(asyncio.wait_for(reading, timeout))


async def _read(
    bootstrap: str,
    topic: str,
    key: bytes,
    type_: str,
    done: Callable[[list[dict[str, Any]]], bool],
) -> list[dict[str, Any]]:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        group_id=f"e2e-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[dict[str, Any]] = []
    try:
        while not done(found):
            batch = await consumer.getmany(timeout_ms=500)
            records = sorted(
                (r for rs in batch.values() for r in rs if r.key == key), key=lambda r: r.offset
            )
            envelopes = [json.loads(r.value) for r in records if r.value]
            found += [e["payload"] for e in envelopes if e["type"] == type_]
    finally:
        await consumer.stop()
    return found
