"""Which grant an account's calendars use. New credentials move only the calendar they were
given for and the account's disconnected calendars at once; the account's working calendars
follow once the new grant has synced, so a mistyped password never disconnects them.

OAuth accounts are filed under the client and the refresh token as submitted (knowing the
mailbox needs I/O), so two grants of one mailbox start as two accounts. Once a grant's calendar
has been discovered, the mailbox's id *as the provider vouches for it* is recorded (Graph's user
object id, Zoom's user id, the Google account's address: never a display address a tenant
admin can set to anything), and the mailbox's calendars on older grants of the same OAuth
client move to it like the account's own: one grant per mailbox and client (one token cache,
one request budget), and a new grant for the mailbox reconnects its disconnected calendars,
however they were first connected. Grants of other clients (other scopes) are left alone.

Callers hold the account lock (`grant_store.lock_account`), taken first in their transaction.
"""

from __future__ import annotations

from datetime import timedelta

from services.connector import grant_store, store
from services.connector.domain.connections import Connection, state_changed
from shared.db import types as db
from shared.messaging import outbox


async def adopt_disconnected(
    conn: db.Connection, old_grants: list[str], grant_id: str, calendar_id: str
) -> list[Connection]:
    """At registration: the account's disconnected calendars on `old_grants` reconnect with
    `grant_id` (full resync queued); returns them, to announce."""
    if not old_grants:
        return []
    return await grant_store.reconnect_account(conn, old_grants, grant_id, calendar_id)


# Providers whose accounts are filed by refresh token rather than by the mailbox itself.
KNOWN_BY_MAILBOX = frozenset({"google", "microsoft", "zoom"})


async def adopt_verified(
    conn: db.Connection, connection: Connection, mailbox: str | None = None
) -> None:
    """After a successful sync with the connection's grant: the account's (and, for OAuth, the
    mailbox's) calendars still on older grants move to it (the disconnected ones reconnect,
    announced here), and the older grants are deleted once unused."""
    older = await grant_store.older_account_grants(conn, connection.grant_id)
    older += await _older_mailbox_grants(conn, connection, mailbox)
    if not older:
        return
    grant_id, calendar_id = connection.grant_id, connection.calendar_id
    reconnected = await grant_store.reconnect_account(conn, older, grant_id, calendar_id)
    moved = await grant_store.repoint_account(conn, older, grant_id, calendar_id)
    await drop_unused(conn, older)
    for changed in reconnected:
        await outbox.enqueue(conn, state_changed(changed), changed.project_id)
    if reconnected or moved:
        await store.notify_sync_requested(conn)


async def _older_mailbox_grants(
    conn: db.Connection, connection: Connection, mailbox: str | None
) -> list[str]:
    """The mailbox's older grants of the same OAuth client filed under other accounts, whose
    account lock is free now (one held elsewhere is left for this grant's next sync: waiting
    could deadlock). `mailbox` (the provider's id of the account, learned by discovery) is
    recorded on the grant first."""
    if connection.provider not in KNOWN_BY_MAILBOX:
        return []
    if mailbox:
        await grant_store.set_mailbox(conn, connection.grant_id, mailbox)
    siblings = await grant_store.older_mailbox_grants(conn, connection.grant_id)
    return [
        grant.id
        for grant in siblings
        if await grant_store.try_lock_account(conn, grant.project_id, grant.provider, grant.account)
    ]


async def drop_unused(conn: db.Connection, grant_ids: list[str]) -> None:
    """Delete the grants no calendar uses any more."""
    for grant_id in dict.fromkeys(grant_ids):
        await grant_store.delete_grant_if_unused(conn, grant_id)


# A grant held for a listing (`Registrar.hold_grant`) waits this long for its registration,
# like a registration waits for its connect command (`store.forget_abandoned_registrations`).
UNCLAIMED_GRANT_TTL = timedelta(hours=24)


async def forget_unclaimed_grants(conn: db.Connection, ttl: timedelta = UNCLAIMED_GRANT_TTL) -> int:
    """Delete grants no calendar claimed within `ttl`, each under its account lock (so a
    registration choosing it meanwhile wins); returns how many went."""
    forgotten = 0
    for grant in await grant_store.unclaimed_grants(conn, ttl.total_seconds()):
        async with conn.transaction():
            await grant_store.lock_account(conn, grant.project_id, grant.provider, grant.account)
            forgotten += await grant_store.delete_grant_if_unused(conn, grant.id)
    return forgotten
