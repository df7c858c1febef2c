"""Broker factory with safe producer defaults, and the publisher port the relay uses."""

from __future__ import annotations

from typing import Protocol

from faststream.kafka import KafkaBroker

from shared.settings import CommonSettings


class Publisher(Protocol):
    async def publish(self, topic: str, key: str, value: bytes, headers: dict[str, str]) -> None:
        """Publish one record and return once the broker acknowledged it (acks=all)."""


def create_broker(settings: CommonSettings, client_id: str) -> KafkaBroker:
    """A FastStream Kafka broker that waits for all in-sync replicas on every publish.

    Idempotence is on for Apache Kafka; the embedded Tansu build's memory storage rejects
    InitProducerId, so it is a setting, and correctness rests on the inbox instead.
    """
    return KafkaBroker(
        settings.kafka_bootstrap_servers,
        client_id=client_id,
        acks="all",
        enable_idempotence=settings.kafka_idempotent_producer,
        request_timeout_ms=15_000,
        linger_ms=0,
        max_request_size=1024 * 1024,
        logger=None,
    )


class BrokerPublisher:
    """`Publisher` over a started FastStream broker."""

    def __init__(self, broker: KafkaBroker) -> None:
        self._broker = broker

    async def publish(self, topic: str, key: str, value: bytes, headers: dict[str, str]) -> None:
        await self._broker.publish(value, topic=topic, key=key.encode(), headers=headers)
