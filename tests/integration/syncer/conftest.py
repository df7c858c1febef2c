"""Syncer integration fixtures: a pool on the syncer's own schema of the session database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from rollcall.bootstrap import DatabaseLayout
from shared.db.pool import create_pool


@pytest.fixture(scope="session")
async def syncer_pool(database: DatabaseLayout) -> AsyncIterator[asyncpg.Pool[Any]]:
    pool = await create_pool(database.dsns["syncer"], "syncer", max_size=4)
    yield pool
    await pool.close()
