"""SQL for hosted OAuth authorizations in flight (`oauth_authorizations`, migration 0008), one
statement per function."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.connector.credentials import Sealed
from shared.db import types as db


@dataclass(frozen=True)
class StoredAuthorization:
    """The provider's redirect URI and the sealed PKCE verifier of one authorization."""

    redirect_uri: str
    sealed_verifier: Sealed


async def insert_authorization(
    conn: db.Executor,
    state_hash: bytes,
    project_id: str,
    provider: str,
    redirect_uri: str,
    sealed_verifier: Sealed,
    expires_at: datetime,
) -> None:
    await conn.execute(
        "INSERT INTO oauth_authorizations (state_hash, project_id, provider, redirect_uri,"
        " key_id, ciphertext, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        state_hash,
        project_id,
        provider,
        redirect_uri,
        sealed_verifier.key_id,
        sealed_verifier.blob,
        expires_at,
    )


async def take_authorization(
    conn: db.Executor, state_hash: bytes, project_id: str, provider: str, now: datetime
) -> StoredAuthorization | None:
    """Consume the project's live authorization for `provider` with this state hash: deleted
    as it is read, so it serves one exchange at most."""
    row = await conn.fetchrow(
        "DELETE FROM oauth_authorizations WHERE state_hash = $1 AND project_id = $2"
        " AND provider = $3 AND expires_at > $4 RETURNING redirect_uri, key_id, ciphertext",
        state_hash,
        project_id,
        provider,
        now,
    )
    if row is None:
        return None
    return StoredAuthorization(row["redirect_uri"], Sealed(row["key_id"], bytes(row["ciphertext"])))


async def delete_expired(conn: db.Executor, now: datetime) -> None:
    """Forget authorizations nobody completed in time."""
    await conn.execute("DELETE FROM oauth_authorizations WHERE expires_at <= $1", now)
