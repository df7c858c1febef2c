"""SQL for OAuth grants' access-token cache (columns of `grants`, migration 0003), one
statement per function."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import asyncpg

from services.connector.credentials import Sealed
from shared.db import types as db


@dataclass(frozen=True)
class GrantTokens:
    """A grant's sealed credentials and its sealed cached access token, if any."""

    credentials: Sealed
    access: Sealed | None
    access_expires_at: datetime | None


def _tokens(row: asyncpg.Record | None) -> GrantTokens | None:
    if row is None:
        return None
    access = row["access_ciphertext"]
    return GrantTokens(
        credentials=Sealed(row["key_id"], bytes(row["ciphertext"])),
        access=Sealed(row["access_key_id"], bytes(access)) if access is not None else None,
        access_expires_at=row["access_expires_at"],
    )


async def read_tokens(conn: db.Connection, grant_id: str) -> GrantTokens | None:
    """The grant's credentials and cached access token, unlocked (the fast path)."""
    row = await conn.fetchrow(
        "SELECT key_id, ciphertext, access_key_id, access_ciphertext, access_expires_at"
        " FROM grants WHERE id = $1",
        grant_id,
    )
    return _tokens(row)


async def lock_tokens(conn: db.Connection, grant_id: str) -> GrantTokens | None:
    """The same, locking the grant row until the transaction ends: one refresh at a time."""
    row = await conn.fetchrow(
        "SELECT key_id, ciphertext, access_key_id, access_ciphertext, access_expires_at"
        " FROM grants WHERE id = $1 FOR UPDATE",
        grant_id,
    )
    return _tokens(row)


async def store_access_token(
    conn: db.Connection, grant_id: str, access: Sealed, expires_at: datetime
) -> None:
    """Cache a new access token on its grant."""
    await conn.execute(
        "UPDATE grants SET access_key_id = $2, access_ciphertext = $3, access_expires_at = $4,"
        " updated_at = now() WHERE id = $1",
        grant_id,
        access.key_id,
        access.blob,
        expires_at,
    )


async def store_rotated_credentials(conn: db.Connection, grant_id: str, sealed: Sealed) -> None:
    """Replace the grant's credentials with the ones holding a rotated refresh token."""
    await conn.execute(
        "UPDATE grants SET key_id = $2, ciphertext = $3, updated_at = now() WHERE id = $1",
        grant_id,
        sealed.key_id,
        sealed.blob,
    )
