"""Bring Postgres and Kafka to the state the services expect: roles, schemas, migrations, topics."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

import services
from shared import messaging
from shared.contracts import topics
from shared.db.migrations import apply_migrations
from shared.db.roles import provision_service, service_dsn

log = logging.getLogger(__name__)

SERVICES = ("gateway", "connector", "syncer", "scheduler")


def migrations_of(service: str) -> Path:
    return Path(services.__file__).parent / service / "migrations"


@dataclass(frozen=True)
class DatabaseLayout:
    """Each service's own DSN (its role, its password) after provisioning."""

    dsns: dict[str, str]


async def provision_database(admin_dsn: str, passwords: dict[str, str]) -> DatabaseLayout:
    """Create each service's role and schema, then apply its migrations as that role."""
    admin: asyncpg.Connection[Any] = await asyncpg.connect(admin_dsn)
    try:
        for service in SERVICES:
            await provision_service(admin, service, passwords[service])
    finally:
        await admin.close()
    dsns = {s: service_dsn(admin_dsn, s, passwords[s]) for s in SERVICES}
    for service, dsn in dsns.items():
        conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
        try:
            folders = {"messaging": messaging.MIGRATIONS, service: migrations_of(service)}
            await apply_migrations(conn, service, folders)
        finally:
            await conn.close()
    return DatabaseLayout(dsns=dsns)


async def create_topics(bootstrap: str, partitions: int, replication: int = 1) -> list[str]:
    """Create every topic (and its dead-letter topic) that does not exist yet."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=15_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in topics.all_with_dead_letters() if t not in existing]
        if wanted:
            with contextlib.suppress(TopicAlreadyExistsError):  # a concurrent starter won
                await admin.create_topics(
                    [
                        NewTopic(t, num_partitions=partitions, replication_factor=replication)
                        for t in wanted
                    ]
                )
        return wanted
    finally:
        await admin.close()


async def replay_outboxes(admin_dsn: str) -> int:
    """Mark every retained outbox row unpublished, so a fresh broker receives them again.

    For a kept database beside a new, empty broker (dev runs with ROLLCALL_DATA_DIR): messages
    that were in flight when the old broker died are not lost, and the consumers' inbox tables
    drop the ones they had already applied. Returns how many rows will be re-sent.
    """
    admin: asyncpg.Connection[Any] = await asyncpg.connect(admin_dsn)
    try:
        total = 0
        for service in SERVICES:
            status = await admin.execute(
                f"UPDATE {service}.outbox SET published_at = NULL, claimed_until = NULL"  # noqa: S608
                " WHERE published_at IS NOT NULL"
            )
            total += int(status.split()[-1])
        return total
    finally:
        await admin.close()
