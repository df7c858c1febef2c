"""One sync of one claimed connection: provider I/O with no transaction open, then one
transaction that publishes the fetched pages and the new state together.

The loop is the same for every provider: open the grant, discover if needed, fetch since the
cursor (falling back to a full listing when the cursor is no longer valid), store the result.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from services.connector import store
from services.connector.credentials import Keyring, SealError, associated_data
from services.connector.domain import backoff, failures, paging, window
from services.connector.domain.connections import (
    CalendarFound,
    Connection,
    account_email,
    needs_discovery,
    state_changed,
)
from services.connector.domain.failures import FailureKind
from services.connector.providers.base import (
    CalendarProvider,
    FetchedChanges,
    GrantRef,
    InvalidCredentialsShape,
    InvalidSyncCursor,
    ProviderError,
    ProviderThrottled,
    Window,
)
from shared.ids import new_id
from shared.messaging import outbox

log = logging.getLogger(__name__)


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SyncContext:
    """What a sync needs; time, sleeping and jitter are injected so tests never wait."""

    pool: asyncpg.Pool[Any]
    keyring: Keyring
    providers: Mapping[str, CalendarProvider[Any]]
    poll_interval_seconds: float
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], datetime] = _utc_now
    jitter: Callable[[], float] = random.random  # spreads retries; not security-relevant
    page_bytes: int = paging.PAGE_BYTES


@dataclass(frozen=True)
class _Fetched:
    found: CalendarFound
    changes: FetchedChanges  # `full`: to be published as a full listing (reconciled)
    username: str | None
    listing: bool  # the objects are a listing (windowed), not only the changed ones


class _CredentialsUnavailable(Exception):
    """The grant cannot be opened or no longer parses: only new credentials help."""


async def sync_next(ctx: SyncContext) -> bool:
    """Claim one due sync and run it; False when none is due."""
    async with ctx.pool.acquire() as conn:
        claimed = await store.claim_next_sync(conn)
    if claimed is None:
        return False
    try:
        await sync_claimed(ctx, claimed)
    except Exception:
        # A bug or a database failure: keep the worker alive and retry this calendar later.
        log.error(
            "sync crashed", extra={"calendar_id": claimed.connection.calendar_id}, exc_info=True
        )
        await _abandon(ctx, claimed)
    return True


async def sync_claimed(ctx: SyncContext, claimed: store.ClaimedSync) -> None:
    """Fetch from the provider, then record success or failure (and release the claim)."""
    try:
        fetched = await _fetch_with_retries(ctx, claimed)
    except ProviderError as exc:
        await _record_failure(ctx, claimed, exc.kind, _retry_after(exc))
    except _CredentialsUnavailable:
        await _record_failure(ctx, claimed, FailureKind.CREDENTIALS_UNAVAILABLE)
    else:
        await _record_success(ctx, claimed, fetched)


async def _fetch_with_retries(ctx: SyncContext, claimed: store.ClaimedSync) -> _Fetched:
    """While connecting, a few quick retries of transient failures; once connected, one try."""
    attempts = 1 if claimed.connection.state == "connected" else failures.CONNECT_ATTEMPTS
    provider, credentials = _open_grant(ctx, claimed)
    today = ctx.clock().date()
    bounds = window.day_bounds(claimed.connection.sync_window, today)
    for attempt in range(1, attempts + 1):
        try:
            return await _fetch(provider, credentials, claimed, today, bounds)
        except ProviderError as exc:
            if exc.kind not in failures.RETRYABLE or attempt == attempts:
                raise
            await ctx.sleep(backoff.connect_delay(attempt, ctx.jitter()))
    raise AssertionError("unreachable")  # pragma: no cover


def _open_grant(ctx: SyncContext, claimed: store.ClaimedSync) -> tuple[CalendarProvider[Any], Any]:
    connection = claimed.connection
    provider = ctx.providers.get(connection.provider)
    if provider is None:
        raise _CredentialsUnavailable(connection.provider)
    aad = associated_data(connection.project_id, connection.grant_id, connection.provider)
    grant = GrantRef(connection.project_id, connection.grant_id, connection.provider)
    try:
        raw = json.loads(ctx.keyring.open(claimed.sealed, aad))
        return provider, provider.parse_credentials(raw, grant)
    except (SealError, InvalidCredentialsShape, ValueError):
        raise _CredentialsUnavailable(connection.calendar_id) from None


async def _fetch(
    provider: CalendarProvider[Any],
    credentials: Any,
    claimed: store.ClaimedSync,
    today: date,
    bounds: Window,
) -> _Fetched:
    connection = claimed.connection
    username = provider.username(credentials)
    if needs_discovery(connection):
        found = await provider.discover(credentials, connection.requested_platform_uuid)
        changes = await provider.fetch_changes(credentials, found.url, None, bounds)
        return _Fetched(found, changes, username, listing=True)
    found = _known_calendar(connection)
    cursor = None if claimed.full_requested else connection.sync_cursor
    try:
        changes = await provider.fetch_changes(credentials, found.url, cursor, bounds)
    except InvalidSyncCursor:
        log.info("sync cursor invalid, listing all", extra={"calendar_id": connection.calendar_id})
        changes = await provider.fetch_changes(credentials, found.url, None, bounds)
    if changes.full or connection.window_day == today:
        return _Fetched(found, changes, username, listing=changes.full)
    # A new day: the window moved. List again for the events that entered it, keeping the
    # incremental removals; published as changes (the syncer keeps what it has).
    listed = await provider.fetch_changes(credentials, found.url, None, bounds)
    moved = FetchedChanges(listed.objects, changes.removed, listed.cursor, full=False)
    return _Fetched(found, moved, username, listing=True)


def _known_calendar(connection: Connection) -> CalendarFound:
    assert connection.calendar_url is not None
    return CalendarFound(
        url=connection.calendar_url,
        name=connection.name,
        time_zone=connection.time_zone,
        account_addresses=connection.account_addresses,
    )


async def _record_success(ctx: SyncContext, claimed: store.ClaimedSync, fetched: _Fetched) -> None:
    connection, changes, found = claimed.connection, fetched.changes, fetched.found
    today = ctx.clock().date()
    bounds = window.day_bounds(connection.sync_window, today)
    kept = window.apply_window(changes.objects, changes.removed, bounds, listing=fetched.listing)
    split = paging.split_pages(kept.objects, kept.removed, page_bytes=ctx.page_bytes)
    if split.oversized:
        log.warning(
            "objects too large to publish were skipped",
            extra={"calendar_id": connection.calendar_id, "count": len(split.oversized)},
        )
    sync_id = new_id("syn")
    messages = paging.changes_messages(
        calendar_id=connection.calendar_id,
        provider=connection.provider,
        sync_id=sync_id,
        full=changes.full,
        account_addresses=found.account_addresses,
        pages=split.pages,
        window=bounds,
        time_zone=found.time_zone,
    )
    email = account_email(found.account_addresses, fetched.username)
    async with ctx.pool.acquire() as conn, conn.transaction():
        updated = await store.record_success(
            conn, connection, found, email, changes.cursor, ctx.poll_interval_seconds, today
        )
        if updated is None:
            await store.release_claim(conn, connection.calendar_id, None, False)
            return
        for message in messages:
            await outbox.enqueue(conn, message, updated.project_id)
        await outbox.enqueue(conn, state_changed(updated), updated.project_id)
    log.info(
        "calendar synced",
        extra={
            "calendar_id": connection.calendar_id,
            "sync_id": sync_id,
            "full": changes.full,
            "objects": len(kept.objects),
            "removed": len(kept.removed),
            "outside_window": len(changes.objects) - len(kept.objects),
            "pages": len(messages),
        },
    )


def _retry_after(exc: ProviderError) -> timedelta | None:
    if isinstance(exc, ProviderThrottled) and exc.retry_after is not None:
        return timedelta(seconds=exc.retry_after)
    return None


async def _record_failure(
    ctx: SyncContext,
    claimed: store.ClaimedSync,
    kind: FailureKind,
    retry_after: timedelta | None = None,
) -> None:
    connection = claimed.connection
    decision = failures.decide(
        kind,
        connected=connection.state == "connected",
        failures=connection.sync_failures,
        now=ctx.clock(),
        jitter=ctx.jitter(),
        poll_interval=timedelta(seconds=ctx.poll_interval_seconds),
        retry_after=retry_after,
    )
    async with ctx.pool.acquire() as conn, conn.transaction():
        if isinstance(decision, failures.Disconnect):
            updated = await store.record_disconnect(conn, connection, decision.failure)
        else:
            delay = decision.delay.total_seconds()
            updated = await store.record_retry(conn, connection, delay, claimed.full_requested)
        if updated is None:
            await store.release_claim(conn, connection.calendar_id, None, False)
            return
        await outbox.enqueue(conn, state_changed(updated), updated.project_id)
    log.warning(
        "sync failed",
        extra={
            "calendar_id": connection.calendar_id,
            "reason": kind.value,
            "state": updated.state,
        },
    )


async def _abandon(ctx: SyncContext, claimed: store.ClaimedSync) -> None:
    """Release a crashed sync's claim with a backoff; if even that fails, the claim lapses."""
    connection = claimed.connection
    delay = backoff.resync_delay(connection.sync_failures + 1, ctx.jitter()).total_seconds()
    try:
        async with ctx.pool.acquire() as conn:
            await store.release_claim(conn, connection.calendar_id, delay, claimed.full_requested)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        log.warning(
            "could not release sync claim",
            extra={"calendar_id": connection.calendar_id, "error": type(exc).__name__},
        )
