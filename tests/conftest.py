"""Session fixtures: real Postgres and Kafka, a fresh provisioned database, a Radicale server."""

from __future__ import annotations

import secrets
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from rollcall.bootstrap import SERVICES, DatabaseLayout, create_topics, provision_database
from tests.servers import Radicale, Servers, running_radicale, running_servers, running_xandikos


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    with running_servers() as found:
        yield found


def with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


@pytest.fixture(scope="session")
def role_passwords() -> dict[str, str]:
    """Roles are cluster-wide in Postgres: every database a session provisions shares them."""
    return {s: secrets.token_urlsafe(16) for s in SERVICES}


@pytest.fixture(scope="session")
async def database(
    servers: Servers, role_passwords: dict[str, str]
) -> AsyncIterator[DatabaseLayout]:
    """A fresh database for this test session, provisioned like production (roles, migrations)."""
    name = f"rollcall_test_{secrets.token_hex(4)}"
    admin: asyncpg.Connection[Any] = await asyncpg.connect(servers.admin_dsn)
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    layout = await provision_database(with_database(servers.admin_dsn, name), role_passwords)
    yield layout


@pytest.fixture(scope="session")
async def kafka(servers: Servers) -> str:
    await create_topics(servers.kafka_bootstrap, partitions=3)
    return servers.kafka_bootstrap


@pytest.fixture(scope="session")
def broker_settings(servers: Servers, kafka: str) -> dict[str, Any]:
    """Broker settings as the dev runner sets them for this kind of broker."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": kafka,
        "ROLLCALL_KAFKA_IDEMPOTENCE": not servers.kafka_is_tansu,
        "ROLLCALL_KAFKA_SESSION_TIMEOUT_MS": 6000,
        "ROLLCALL_KAFKA_FETCH_WAIT_MS": 20 if servers.kafka_is_tansu else 500,
    }


@pytest.fixture(scope="session")
def radicale() -> Iterator[Radicale]:
    import os

    os.environ.setdefault("PYTHON", sys.executable)
    with running_radicale({"alice": "alice-secret", "bob": "bob-secret"}) as server:
        yield server


@pytest.fixture(scope="session")
def xandikos() -> Iterator[str]:
    with running_xandikos() as url:
        yield url
