"""Each service's role and schema: migrations apply cleanly, and roles stay in their own schema."""

from __future__ import annotations

import secrets
from typing import Any

import asyncpg
import pytest

from rollcall.bootstrap import SERVICES, DatabaseLayout, provision_database
from tests.conftest import with_database
from tests.servers import Servers


async def test_migrations_produce_every_table_and_rerun_as_a_no_op(
    servers: Servers, role_passwords: dict[str, str]
) -> None:
    name = f"rollcall_layout_{secrets.token_hex(4)}"
    admin: asyncpg.Connection[Any] = await asyncpg.connect(servers.admin_dsn)
    await admin.execute(f"CREATE DATABASE {name}")
    await admin.close()
    dsn = with_database(servers.admin_dsn, name)
    layout = await provision_database(dsn, role_passwords)
    again = await provision_database(dsn, role_passwords)
    assert again.dsns == layout.dsns
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema = ANY($1::text[])",
            list(SERVICES),
        )
        tables = {(r["table_schema"], r["table_name"]) for r in rows}
        for service in SERVICES:
            assert {
                (service, "outbox"),
                (service, "inbox"),
                (service, "schema_migrations"),
            } <= tables
        assert ("gateway", "calendars") in tables and ("scheduler", "meeting_events") in tables
        owners = await conn.fetch(
            "SELECT nspname, pg_get_userbyid(nspowner) AS owner FROM pg_namespace"
            " WHERE nspname = ANY($1::text[])",
            list(SERVICES),
        )
        assert {r["nspname"]: r["owner"] for r in owners} == {s: f"rollcall_{s}" for s in SERVICES}
    finally:
        await conn.close()


async def test_a_service_role_cannot_read_another_schema(database: DatabaseLayout) -> None:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(database.dsns["gateway"])
    try:
        assert await conn.fetchval("SELECT current_schema()") == "gateway"
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.fetch("SELECT * FROM scheduler.meeting_events")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await conn.execute("CREATE TABLE public.sneaky (id int)")
    finally:
        await conn.close()
