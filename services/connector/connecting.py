"""Registering a calendar's credentials: validate, guard the URL, seal, store in one transaction."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.connector import accounts, grant_store, store
from services.connector.credentials import Keyring, SealError, associated_data
from services.connector.domain.connections import state_changed
from services.connector.providers.base import CalendarProvider, GrantRef
from services.connector.ssrf import UrlGuard
from shared.db import types as db
from shared.ids import new_id
from shared.messaging import outbox

log = logging.getLogger(__name__)


class UnsupportedProvider(ValueError):
    """Raised when credentials are submitted for a provider the connector cannot sync yet."""


class CalendarOfAnotherProject(ValueError):
    """Raised when the calendar id is already registered under a different project."""


@dataclass(frozen=True)
class Submission:
    project_id: str
    calendar_id: str
    provider: str
    credentials: Mapping[str, Any]
    platform_uuid: str | None


async def checked_credentials(
    providers: Mapping[str, CalendarProvider[Any]],
    guard: UrlGuard,
    provider_name: str,
    raw: Mapping[str, Any],
) -> tuple[CalendarProvider[Any], Any]:
    """The provider and parsed credentials, once their shape and server URLs passed.

    Raises `UnsupportedProvider`, `InvalidCredentialsShape` or `UnsafeUrl`.
    """
    provider = providers.get(provider_name)
    if provider is None:
        raise UnsupportedProvider(f"provider {provider_name} is not supported yet")
    credentials = provider.parse_credentials(raw)
    for url in provider.server_urls(credentials):
        await guard.check(url)
    return provider, credentials


@dataclass(frozen=True)
class HeldGrant:
    """Credentials opened from a grant held for a listing, and whether holding created it."""

    provider: CalendarProvider[Any]
    credentials: Any
    grant: GrantRef
    account: str
    created: bool


@dataclass(frozen=True)
class Registrar:
    """Everything registering credentials needs; the pool is looked up per call."""

    pool: Callable[[], asyncpg.Pool[Any]]
    keyring: Keyring
    guard: UrlGuard
    providers: Mapping[str, CalendarProvider[Any]]

    async def register(self, submission: Submission) -> None:
        """Point the connection at its account's grant (state `connecting`): the existing
        grant when the credentials are the same, else a new one. The account's disconnected
        calendars move to it at once (reconnecting); its other calendars keep their grant
        until the new one has synced (`accounts.adopt_verified`), so unverified credentials
        never take working calendars down.

        Raises `UnsupportedProvider`, `InvalidCredentialsShape`, `UnsafeUrl` or
        `CalendarOfAnotherProject`; nothing is stored then.
        """
        provider, credentials = await checked_credentials(
            self.providers, self.guard, submission.provider, submission.credentials
        )
        account = provider.account_key(credentials)
        async with self.pool().acquire() as conn, conn.transaction():
            await self._store(conn, submission, account)
        log.info("credentials registered", extra={"calendar_id": submission.calendar_id})

    async def hold_grant(
        self, project_id: str, provider_name: str, raw: Mapping[str, Any]
    ) -> HeldGrant:
        """The account's grant for these credentials (inserted when the account has none
        holding them) without a calendar: for listing with credentials whose refresh token
        rotates on use, so what it rotates to is kept. A following registration of the same
        credentials uses that grant; unclaimed, it goes a day after its last use
        (`accounts.forget_unclaimed_grants`).

        Raises `UnsupportedProvider`, `InvalidCredentialsShape` or `UnsafeUrl`.
        """
        provider, credentials = await checked_credentials(
            self.providers, self.guard, provider_name, raw
        )
        account = provider.account_key(credentials)
        async with self.pool().acquire() as conn, conn.transaction():
            await grant_store.lock_account(conn, project_id, provider_name, account)
            grant_id, grants = await self._account_grant(
                conn, project_id, provider_name, account, raw
            )
        grant = GrantRef(project_id, grant_id, provider_name)
        created = all(stored.id != grant_id for stored in grants)
        return HeldGrant(provider, provider.parse_credentials(raw, grant), grant, account, created)

    async def release_grant(self, held: HeldGrant) -> None:
        """Forget a grant `hold_grant` created when it turned out dead (nothing to keep), unless
        a registration chose it meanwhile."""
        if not held.created:
            return
        grant = held.grant
        async with self.pool().acquire() as conn, conn.transaction():
            await grant_store.lock_account(conn, grant.project_id, grant.provider, held.account)
            await grant_store.delete_grant_if_unused(conn, grant.grant_id)

    async def _store(self, conn: db.Connection, submission: Submission, account: str) -> None:
        # The account lock first, then rows: concurrent registrations for one account run one
        # after the other (no deadlock, no second grant for the same credentials).
        await grant_store.lock_account(conn, submission.project_id, submission.provider, account)
        previous = await store.lock_connection(conn, submission.calendar_id)
        grant_id, grants = await self._account_grant(
            conn, submission.project_id, submission.provider, account, submission.credentials
        )
        connection = await store.upsert_connection(
            conn,
            submission.calendar_id,
            submission.project_id,
            submission.provider,
            grant_id,
            submission.platform_uuid,
        )
        if connection is None:
            raise CalendarOfAnotherProject(submission.calendar_id)
        announce = [connection] if previous is not None else []
        old = [grant.id for grant in grants if grant.id != grant_id]
        announce += await accounts.adopt_disconnected(conn, old, grant_id, connection.calendar_id)
        replaced = [previous.grant_id] if previous and previous.grant_id != grant_id else []
        await accounts.drop_unused(conn, [*old, *replaced])
        for changed in announce:
            await outbox.enqueue(conn, state_changed(changed), changed.project_id)
        if announce:
            await store.notify_sync_requested(conn)

    async def _account_grant(
        self,
        conn: db.Connection,
        project_id: str,
        provider_name: str,
        account: str,
        credentials: Mapping[str, Any],
    ) -> tuple[str, list[grant_store.StoredGrant]]:
        """The account's grant holding `credentials` (a new one when none does), and all the
        account's grants, locked. The caller holds the account lock."""
        grants = await grant_store.lock_account_grants(conn, project_id, provider_name, account)
        grant_id = self._same_credentials(self.providers[provider_name], grants, credentials)
        if grant_id is None:
            grant_id = new_id("grt")
            aad = associated_data(project_id, grant_id, provider_name)
            sealed = self.keyring.seal(json.dumps(dict(credentials)).encode(), aad)
            await grant_store.insert_grant(
                conn, grant_id, project_id, provider_name, account, sealed
            )
        return grant_id, grants

    def _same_credentials(
        self,
        provider: CalendarProvider[Any],
        grants: list[grant_store.StoredGrant],
        credentials: Mapping[str, Any],
    ) -> str | None:
        """The account's grant these credentials open, if any: the one holding exactly them
        (or, where refresh tokens rotate, what they became)."""
        for grant in grants:
            aad = associated_data(grant.project_id, grant.id, grant.provider)
            try:
                stored = json.loads(self.keyring.open(grant.sealed, aad))
            except (SealError, ValueError):
                continue  # unreadable: replaced by a new grant below
            if provider.same_grant(stored, credentials):
                return grant.id
        return None
