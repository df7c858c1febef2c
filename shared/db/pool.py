"""asyncpg pool factory: JSON codecs, statement timeout, and the service's own `search_path`."""

from __future__ import annotations

import json
from typing import Any

import asyncpg


async def _init_connection(conn: asyncpg.Connection[Any]) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(
    dsn: str, schema: str, *, min_size: int = 1, max_size: int = 10
) -> asyncpg.Pool[Any]:
    """A pool whose connections resolve unqualified names in `schema` only."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        server_settings={
            "search_path": schema,
            "statement_timeout": "30000",
            "idle_in_transaction_session_timeout": "60000",
            "application_name": f"rollcall-{schema}",
        },
    )
    assert pool is not None
    return pool
