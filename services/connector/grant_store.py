"""Connector SQL for grants: sealed credentials per provider account, the account lock, moving an
account's calendars between grants, re-sealing (new key, or an OAuth client's new secret), and
deleting unused grants."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from services.connector import store
from services.connector.credentials import Sealed
from services.connector.domain.connections import Connection
from shared.db import types as db


@dataclass(frozen=True)
class StoredGrant:
    """A grant row: what its ciphertext is bound to, and the ciphertext."""

    id: str
    project_id: str
    provider: str
    sealed: Sealed


def _grant(row: asyncpg.Record) -> StoredGrant:
    sealed = Sealed(row["key_id"], bytes(row["ciphertext"]))
    return StoredGrant(row["id"], row["project_id"], row["provider"], sealed)


async def insert_grant(
    conn: db.Connection,
    grant_id: str,
    project_id: str,
    provider: str,
    account: str,
    sealed: Sealed,
) -> None:
    """Store a sealed grant for one provider account. `created_at` is the clock at insert (not
    the transaction's start), so the account lock orders its grants by creation."""
    await conn.execute(
        "INSERT INTO grants (id, project_id, provider, account, key_id, ciphertext, created_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp())",
        grant_id,
        project_id,
        provider,
        account,
        sealed.key_id,
        sealed.blob,
    )


async def lock_account(conn: db.Connection, project_id: str, provider: str, account: str) -> None:
    """Serialize, until the transaction ends, everything that chooses which grant an account's
    calendars use. Taken first, before any row lock, so two such transactions cannot deadlock
    (and a registration sees the grant a concurrent one just created)."""
    await conn.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(concat_ws(chr(31),"
        " 'connector.account', $1::text, $2::text, $3::text), 0))",
        project_id,
        provider,
        account,
    )


async def older_account_grants(conn: db.Connection, grant_id: str) -> list[str]:
    """The grants of the same account (and project) created before this one."""
    rows = await conn.fetch(
        "SELECT o.id FROM grants g JOIN grants o ON o.project_id = g.project_id"
        " AND o.provider = g.provider AND o.account = g.account AND o.created_at < g.created_at"
        " WHERE g.id = $1 ORDER BY o.created_at",
        grant_id,
    )
    return [row["id"] for row in rows]


async def try_lock_account(
    conn: db.Connection, project_id: str, provider: str, account: str
) -> bool:
    """`lock_account` without waiting: False when another transaction holds it. For taking a
    second account's lock while holding one (waiting could deadlock)."""
    locked: bool = await conn.fetchval(
        "SELECT pg_try_advisory_xact_lock(hashtextextended(concat_ws(chr(31),"
        " 'connector.account', $1::text, $2::text, $3::text), 0))",
        project_id,
        provider,
        account,
    )
    return locked


async def set_mailbox(conn: db.Connection, grant_id: str, mailbox: str) -> None:
    """Record the mailbox the grant was verified to open."""
    await conn.execute(
        "UPDATE grants SET mailbox = $2 WHERE id = $1 AND mailbox IS DISTINCT FROM $2",
        grant_id,
        mailbox,
    )


async def older_mailbox_grants(conn: db.Connection, grant_id: str) -> list[GrantAccount]:
    """The grants of other accounts (other refresh tokens) of the same OAuth client verified
    to open the same mailbox in the project, created before this one. (An OAuth account key
    is `client_id|digest`.)"""
    rows = await conn.fetch(
        "SELECT o.id, o.project_id, o.provider, o.account FROM grants g JOIN grants o"
        " ON o.project_id = g.project_id AND o.provider = g.provider AND o.mailbox = g.mailbox"
        " AND split_part(o.account, '|', 1) = split_part(g.account, '|', 1)"
        " AND o.account <> g.account AND o.created_at < g.created_at"
        " WHERE g.id = $1 ORDER BY o.created_at",
        grant_id,
    )
    return [_grant_account(row) for row in rows]


async def lock_account_grants(
    conn: db.Connection, project_id: str, provider: str, account: str
) -> list[StoredGrant]:
    """The grants of one provider account in the project, locked until the transaction ends."""
    rows = await conn.fetch(
        "SELECT * FROM grants WHERE project_id = $1 AND provider = $2 AND account = $3"
        " ORDER BY created_at FOR UPDATE",
        project_id,
        provider,
        account,
    )
    return [_grant(row) for row in rows]


async def client_accounts(
    conn: db.Connection, project_id: str, provider: str, client_id: str
) -> list[str]:
    """The accounts of the project's grants that may belong to one OAuth client (OAuth accounts
    are `<client_id>|<fingerprint>`: a prefix match, which the caller confirms on the opened
    credentials), sorted: the order their locks are taken in."""
    rows = await conn.fetch(
        "SELECT DISTINCT account FROM grants WHERE project_id = $1 AND provider = $2"
        " AND left(account, char_length($3) + 1) = $3 || '|' ORDER BY account",
        project_id,
        provider,
        client_id,
    )
    return [row["account"] for row in rows]


async def lock_grants_of_accounts(
    conn: db.Connection, project_id: str, provider: str, accounts: list[str]
) -> list[StoredGrant]:
    """The project's grants of these accounts, locked (by id) until the transaction ends."""
    rows = await conn.fetch(
        "SELECT * FROM grants WHERE project_id = $1 AND provider = $2"
        " AND account = ANY($3::text[]) ORDER BY id FOR UPDATE",
        project_id,
        provider,
        accounts,
    )
    return [_grant(row) for row in rows]


async def reconnect_account(
    conn: db.Connection, old_grant_ids: list[str], grant_id: str, except_calendar: str
) -> list[Connection]:
    """Move the account's disconnected calendars to its new grant: `connecting`, version+1,
    a full resync queued."""
    rows = await conn.fetch(
        """
        UPDATE connections SET grant_id = $2, state = 'connecting', failure = NULL,
            sync_failures = 0, sync_requested_at = now(), sync_full = true,
            state_version = state_version + 1, updated_at = now()
        WHERE grant_id = ANY($1::text[]) AND calendar_id <> $3 AND state = 'disconnected'
        RETURNING *
        """,
        old_grant_ids,
        grant_id,
        except_calendar,
    )
    return [store.connection_of(row) for row in rows]


async def repoint_account(
    conn: db.Connection, old_grant_ids: list[str], grant_id: str, except_calendar: str
) -> int:
    """Move the account's other calendars to its new grant and queue a sync unless one is
    queued (a sync in flight with the old grant will not be recorded)."""
    status: str = await conn.execute(
        """
        UPDATE connections SET grant_id = $2,
            sync_requested_at = COALESCE(sync_requested_at, now()), updated_at = now()
        WHERE grant_id = ANY($1::text[]) AND calendar_id <> $3
        """,
        old_grant_ids,
        grant_id,
        except_calendar,
    )
    return int(status.split()[-1])


async def lock_grants_to_reseal(
    conn: db.Connection, active_key_id: str, after_id: str, limit: int
) -> list[StoredGrant]:
    """The next grants (by id) sealed with another key than the active one, locked."""
    rows = await conn.fetch(
        "SELECT * FROM grants WHERE key_id <> $1 AND id > $2 ORDER BY id LIMIT $3 FOR UPDATE",
        active_key_id,
        after_id,
        limit,
    )
    return [_grant(row) for row in rows]


async def reseal_grant(conn: db.Connection, grant_id: str, sealed: Sealed) -> None:
    """Replace a grant's ciphertext (same plaintext, new key); its cached access token, sealed
    with the old key, is dropped (the next use refreshes it)."""
    await conn.execute(
        "UPDATE grants SET key_id = $2, ciphertext = $3, access_key_id = NULL,"
        " access_ciphertext = NULL, access_expires_at = NULL, updated_at = now() WHERE id = $1",
        grant_id,
        sealed.key_id,
        sealed.blob,
    )


async def replace_credentials(conn: db.Connection, grant_id: str, sealed: Sealed) -> None:
    """Replace a grant's sealed credentials with changed ones (its OAuth client's new secret);
    its cached access token stays: the provider issued it to the client, whatever its secret."""
    await conn.execute(
        "UPDATE grants SET key_id = $2, ciphertext = $3, updated_at = now() WHERE id = $1",
        grant_id,
        sealed.key_id,
        sealed.blob,
    )


async def delete_grant_if_unused(conn: db.Connection, grant_id: str) -> int:
    """Forget a grant no connection points at any more; 1 when it went, else 0."""
    status: str = await conn.execute(
        "DELETE FROM grants WHERE id = $1"
        " AND NOT EXISTS (SELECT 1 FROM connections WHERE grant_id = $1)",
        grant_id,
    )
    return int(status.split()[-1])


@dataclass(frozen=True)
class GrantAccount:
    """A grant and the account it is filed under (what its account lock is taken on)."""

    id: str
    project_id: str
    provider: str
    account: str


def _grant_account(row: asyncpg.Record) -> GrantAccount:
    return GrantAccount(row["id"], row["project_id"], row["provider"], row["account"])


async def unclaimed_grants(
    conn: db.Connection, older_than_seconds: float, limit: int = 100
) -> list[GrantAccount]:
    """Grants without a calendar, unused for `older_than_seconds` (a listing's grant no
    registration claimed)."""
    rows = await conn.fetch(
        "SELECT id, project_id, provider, account FROM grants g"
        " WHERE updated_at < now() - make_interval(secs => $1)"
        " AND NOT EXISTS (SELECT 1 FROM connections c WHERE c.grant_id = g.id)"
        " ORDER BY updated_at LIMIT $2",
        older_than_seconds,
        limit,
    )
    return [_grant_account(row) for row in rows]
