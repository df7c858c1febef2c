"""Key rotation: re-seal every grant sealed with another key than the active one.

Operators add the new key to `CONNECTOR_ENCRYPTION_KEYS`, make it `CONNECTOR_ACTIVE_KEY_ID`,
restart the connectors (new grants use it), run `rollcall rotate-keys`, and drop the old key
once it reports nothing left. Grants are re-sealed in small locked batches, each in its own
transaction, so syncs and registrations carry on meanwhile.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.connector import grant_store
from services.connector.credentials import Keyring, SealError, associated_data

log = logging.getLogger(__name__)

BATCH = 100


@dataclass(frozen=True)
class RotationReport:
    resealed: int
    unreadable: tuple[str, ...]  # grant ids no configured key opens


async def rotate_keys(
    pool: asyncpg.Pool[Any], keyring: Keyring, *, batch: int = BATCH
) -> RotationReport:
    """Re-seal every grant under the active key; grants no key opens are left and reported."""
    resealed, unreadable, after = 0, [], ""
    while True:
        async with pool.acquire() as conn, conn.transaction():
            grants = await grant_store.lock_grants_to_reseal(
                conn, keyring.active_key_id, after, batch
            )
            for grant in grants:
                aad = associated_data(grant.project_id, grant.id, grant.provider)
                try:
                    plaintext = keyring.open(grant.sealed, aad)
                except SealError:
                    unreadable.append(grant.id)
                    continue
                await grant_store.reseal_grant(conn, grant.id, keyring.seal(plaintext, aad))
                resealed += 1
        if len(grants) < batch:
            break
        after = grants[-1].id
    log.info("grants re-sealed", extra={"count": resealed, "unreadable": len(unreadable)})
    return RotationReport(resealed, tuple(unreadable))
