"""`Connection`: what store functions take, a plain connection or one borrowed from a pool."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

import asyncpg

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

    Connection: TypeAlias = asyncpg.Connection[Any] | PoolConnectionProxy[Any]
    Executor: TypeAlias = Connection | asyncpg.Pool[Any]
else:  # annotations are strings at run time; these names only need to exist
    Connection = asyncpg.Connection
    Executor = asyncpg.Connection
