"""Key rotation: re-seal every grant and every project OAuth app sealed with another key than
the active one.

Operators add the new key to `CONNECTOR_ENCRYPTION_KEYS`, make it `CONNECTOR_ACTIVE_KEY_ID`,
restart the connectors (new grants and apps use it), run `rollcall rotate-keys`, and drop the
old key once it reports nothing left. Rows are re-sealed in small locked batches, each in its
own transaction, so syncs and registrations carry on meanwhile. Hosted OAuth authorizations in
flight (10 minutes at most) are not re-sealed: keep the old key configured for that long after
the restart.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.connector import grant_store
from services.connector.credentials import Keyring, SealError, associated_data
from services.connector.oauth import app_store
from services.connector.oauth.apps import app_aad

log = logging.getLogger(__name__)

BATCH = 100


@dataclass(frozen=True)
class RotationReport:
    resealed: int
    unreadable: tuple[str, ...]  # grant ids no configured key opens
    apps_resealed: int = 0
    unreadable_apps: tuple[str, ...] = ()  # `<project_id>/<provider>` of apps no key opens


async def rotate_keys(
    pool: asyncpg.Pool[Any], keyring: Keyring, *, batch: int = BATCH
) -> RotationReport:
    """Re-seal every grant and OAuth app under the active key; rows no key opens are left and
    reported."""
    resealed, unreadable = await _reseal_grants(pool, keyring, batch)
    apps_resealed, unreadable_apps = await _reseal_apps(pool, keyring, batch)
    log.info(
        "grants and oauth apps re-sealed",
        extra={
            "count": resealed,
            "unreadable": len(unreadable),
            "apps": apps_resealed,
            "unreadable_apps": len(unreadable_apps),
        },
    )
    return RotationReport(resealed, unreadable, apps_resealed, unreadable_apps)


async def _reseal_grants(
    pool: asyncpg.Pool[Any], keyring: Keyring, batch: int
) -> tuple[int, tuple[str, ...]]:
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
            return resealed, tuple(unreadable)
        after = grants[-1].id


async def _reseal_apps(
    pool: asyncpg.Pool[Any], keyring: Keyring, batch: int
) -> tuple[int, tuple[str, ...]]:
    resealed, unreadable, after = 0, [], ("", "")
    while True:
        async with pool.acquire() as conn, conn.transaction():
            apps = await app_store.lock_apps_to_reseal(conn, keyring.active_key_id, after, batch)
            for app in apps:
                aad = app_aad(app.project_id, app.provider)
                try:
                    plaintext = keyring.open(app.sealed, aad)
                except SealError:
                    unreadable.append(f"{app.project_id}/{app.provider}")
                    continue
                sealed = keyring.seal(plaintext, aad)
                await app_store.reseal_app(conn, app.project_id, app.provider, sealed)
                resealed += 1
        if len(apps) < batch:
            return resealed, tuple(unreadable)
        after = (apps[-1].project_id, apps[-1].provider)
