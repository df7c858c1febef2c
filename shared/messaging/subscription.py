"""Wire an `InboxConsumer` to Kafka: one consumer group per service, manual ack, earliest reset."""

from __future__ import annotations

import logging
import os
from typing import Any

from aiokafka.abc import ConsumerRebalanceListener
from faststream.kafka import KafkaBroker, KafkaMessage
from faststream.middlewares import AckPolicy

from shared.messaging.consumer import InboxConsumer
from shared.settings import CommonSettings

log = logging.getLogger(__name__)


class GroupMembership(ConsumerRebalanceListener):  # type: ignore[misc]
    """Readiness signal: true once the group coordinator has assigned this member (any share)."""

    def __init__(self) -> None:
        self.joined = False

    async def on_partitions_revoked(self, revoked: Any) -> None:
        return None

    async def on_partitions_assigned(self, assigned: Any) -> None:
        self.joined = True


def subscribe(
    broker: KafkaBroker,
    consumer: InboxConsumer,
    topic_names: tuple[str, ...],
    group_id: str,
    settings: CommonSettings,
) -> GroupMembership:
    """One subscriber (so one idle fetch loop) serving all of the service's topics."""
    membership = GroupMembership()

    @broker.subscriber(
        *topic_names,
        group_id=group_id,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=settings.kafka_fetch_max_wait_ms,
        max_poll_interval_ms=10 * 60 * 1000,
        # Tansu completes a group join only after half the session timeout: keep it short.
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=settings.kafka_session_timeout_ms // 3,
        listener=membership,
    )
    async def on_record(message: KafkaMessage) -> None:
        record = message.raw_message
        topic = record[0].topic if isinstance(record, tuple) else record.topic
        try:
            await consumer.consume(topic, message)
        except Exception:
            # FastStream would swallow this and a later ack would commit past the record: exit
            # instead, so the restarted process reads it again from the last committed offset.
            log.critical("consumer failed; exiting to be restarted", exc_info=True)
            os._exit(70)

    return membership
