"""Registering a calendar's credentials: validate, guard the URL, seal, store in one transaction."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.connector import store
from services.connector.credentials import Keyring, associated_data
from services.connector.domain.connections import state_changed
from services.connector.providers.base import CalendarProvider
from services.connector.ssrf import UrlGuard
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


@dataclass(frozen=True)
class Registrar:
    """Everything registering credentials needs; the pool is looked up per call."""

    pool: Callable[[], asyncpg.Pool[Any]]
    keyring: Keyring
    guard: UrlGuard
    providers: Mapping[str, CalendarProvider[Any]]

    async def register(self, submission: Submission) -> None:
        """Store a new grant and point the connection at it (state `connecting`).

        Raises `UnsupportedProvider`, `InvalidCredentialsShape`, `UnsafeUrl` or
        `CalendarOfAnotherProject`; nothing is stored then.
        """
        provider = self.providers.get(submission.provider)
        if provider is None:
            raise UnsupportedProvider(f"provider {submission.provider} is not supported yet")
        credentials = provider.parse_credentials(submission.credentials)
        for url in provider.server_urls(credentials):
            await self.guard.check(url)
        await self._store(submission)
        log.info("credentials registered", extra={"calendar_id": submission.calendar_id})

    async def _store(self, submission: Submission) -> None:
        grant_id = new_id("grt")
        aad = associated_data(submission.project_id, grant_id, submission.provider)
        sealed = self.keyring.seal(json.dumps(dict(submission.credentials)).encode(), aad)
        async with self.pool().acquire() as conn, conn.transaction():
            previous = await store.lock_connection(conn, submission.calendar_id)
            await store.insert_grant(
                conn, grant_id, submission.project_id, submission.provider, sealed
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
            if previous is not None:
                await store.delete_grant_if_unused(conn, previous.grant_id)
                await outbox.enqueue(conn, state_changed(connection), connection.project_id)
