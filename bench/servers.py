"""Servers for a benchmark run: env-given ones, or the embedded Postgres and Tansu of dev mode."""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from rollcall.bootstrap import SERVICES, DatabaseLayout, create_topics, provision_database
from rollcall.dev.ports import free_port
from rollcall.dev.postgres import EmbeddedPostgres
from rollcall.dev.tansu import EmbeddedTansu


@dataclass(frozen=True)
class BenchServers:
    admin_dsn: str
    kafka: str
    layout: DatabaseLayout
    embedded: bool


@asynccontextmanager
async def bench_servers() -> AsyncIterator[BenchServers]:
    dsn, kafka = os.environ.get("DATABASE_URL"), os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    root = Path(tempfile.mkdtemp(prefix="rollcall-bench-"))
    postgres = None if dsn else EmbeddedPostgres(root / "pg", free_port(), durable=False)
    tansu = None if kafka else EmbeddedTansu(free_port())
    try:
        admin = dsn or postgres.start()  # type: ignore[union-attr]
        bootstrap = kafka or tansu.start()  # type: ignore[union-attr]
        await create_topics(bootstrap, partitions=3)
        layout = await provision_database(admin, {s: secrets.token_urlsafe(16) for s in SERVICES})
        yield BenchServers(admin, bootstrap, layout, embedded=tansu is not None)
    finally:
        if tansu:
            tansu.stop()
        if postgres:
            postgres.destroy()
        shutil.rmtree(root, ignore_errors=True)
