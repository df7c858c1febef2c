"""One sync of one claimed connection: provider I/O with no transaction open, then one
transaction that publishes the fetched pages and the new state together.

The loop is the same for every provider: open the grant, discover if needed, fetch since the
cursor (falling back to a full listing when the cursor is no longer valid), store the result.
A sync ends within `SYNC_BUDGET_SECONDS`, well inside its claim; should it still outlive the
claim, its writes need the claim's token and so change nothing.
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

from services.connector import accounts, channel_stops, channels, claims, grant_store
from services.connector.credentials import Keyring, SealError, associated_data
from services.connector.domain import backoff, failures, paging, push, window
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
from shared.db import types as db
from shared.ids import new_id
from shared.messaging import outbox

log = logging.getLogger(__name__)

# A sync's fetching (discovery, listings, retries and placement) must end by then; the minute
# left of its claim is for recording the result.
SYNC_BUDGET_SECONDS = claims.CLAIM_SECONDS - 60


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
    budget_seconds: float = SYNC_BUDGET_SECONDS
    push: channels.PushConfig | None = None  # None: no push channels, calendars are polled
    # How often a calendar with a live push channel is synced anyway (push is lossy).
    reconcile_interval_seconds: float = 6 * 3600.0


@dataclass(frozen=True)
class _Fetched:
    found: CalendarFound
    kept: window.Windowed  # what to publish, the sync window applied
    cursor: str | None
    full: bool  # to be published as a full listing (reconciled)
    fetched: int  # objects fetched, before the window was applied
    username: str | None


class _CredentialsUnavailable(Exception):
    """The grant cannot be opened or no longer parses: only new credentials help."""


async def sync_next(ctx: SyncContext) -> bool:
    """Claim one due sync and run it; False when none is due."""
    async with ctx.pool.acquire() as conn:
        claimed = await claims.claim_next_sync(conn)
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


async def sync_claimed(ctx: SyncContext, claimed: claims.ClaimedSync) -> None:
    """Fetch from the provider, then record success or failure (and release the claim)."""
    try:
        async with asyncio.timeout(ctx.budget_seconds):
            fetched = await _fetch_with_retries(ctx, claimed)
    except TimeoutError:
        log.warning("sync ran out of time", extra=_fields(claimed))
        await _record_failure(ctx, claimed, FailureKind.UNREACHABLE)
    except ProviderError as exc:
        await _record_failure(ctx, claimed, exc.kind, _retry_after(exc))
    except _CredentialsUnavailable:
        await _record_failure(ctx, claimed, FailureKind.CREDENTIALS_UNAVAILABLE)
    else:
        renewal = await _ensure_channel(ctx, claimed, fetched.found.url)
        await _record_success(ctx, claimed, fetched, renewal)


async def _ensure_channel(
    ctx: SyncContext, claimed: claims.ClaimedSync, calendar_url: str
) -> channels.Renewal | None:
    """Open or renew the calendar's push channel, inside the claim; never fails the sync."""
    if ctx.push is None:
        return None
    provider, credentials = _open_grant(ctx, claimed)
    return await channels.ensure_channel(
        ctx.push, provider, credentials, claimed.connection, calendar_url, ctx.clock()
    )


async def _fetch_with_retries(ctx: SyncContext, claimed: claims.ClaimedSync) -> _Fetched:
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


def _open_grant(ctx: SyncContext, claimed: claims.ClaimedSync) -> tuple[CalendarProvider[Any], Any]:
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
    claimed: claims.ClaimedSync,
    today: date,
    bounds: Window,
) -> _Fetched:
    connection = claimed.connection
    username = provider.username(credentials)
    if needs_discovery(connection):
        found = await provider.discover(credentials, connection.requested_platform_uuid)
        changes = await provider.fetch_changes(credentials, found.url, None, bounds)
        return await _windowed(found, changes, username, bounds)
    found = _known_calendar(connection)
    cursor = None if claimed.full_requested else connection.sync_cursor
    try:
        changes = await provider.fetch_changes(credentials, found.url, cursor, bounds)
    except InvalidSyncCursor:
        log.info("sync cursor invalid, listing all", extra={"calendar_id": connection.calendar_id})
        changes = await provider.fetch_changes(credentials, found.url, None, bounds)
    if changes.full or connection.window_day == today:
        return await _windowed(found, changes, username, bounds)
    # A new day: the window moved. List again for the events that entered it, and keep the
    # incremental changes (one moved past the window's end is removed); published as changes
    # (the syncer keeps what it has). The incremental cursor is kept: it is the older one, so
    # nothing changed while listing can be missed; unless it only follows its own window
    # (Graph), where the new listing's round is the one that covers the moved window.
    listed = await provider.fetch_changes(credentials, found.url, None, bounds)
    kept = await asyncio.to_thread(
        window.roll_over, changes.objects, changes.removed, listed.objects, bounds
    )
    fetched = len(changes.objects) + len(listed.objects)
    cursor = listed.cursor if listed.cursor_bound_to_window else changes.cursor
    return _Fetched(found, kept, cursor, False, fetched, username)


async def _windowed(
    found: CalendarFound, changes: FetchedChanges, username: str | None, bounds: Window
) -> _Fetched:
    """The changes with the window applied: a listing keeps what lies in it. Placing parses
    every object (about 0.6 ms each), so it runs in a thread, never on the event loop."""
    kept = await asyncio.to_thread(
        window.apply_window, changes.objects, changes.removed, bounds, listing=changes.full
    )
    fetched = len(changes.objects)
    return _Fetched(found, kept, changes.cursor, changes.full, fetched, username)


def _known_calendar(connection: Connection) -> CalendarFound:
    assert connection.calendar_url is not None
    return CalendarFound(
        url=connection.calendar_url,
        name=connection.name,
        time_zone=connection.time_zone,
        account_addresses=connection.account_addresses,
    )


async def _record_success(
    ctx: SyncContext,
    claimed: claims.ClaimedSync,
    fetched: _Fetched,
    renewal: channels.Renewal | None = None,
) -> None:
    connection, kept, found = claimed.connection, fetched.kept, fetched.found
    now = ctx.clock()
    today = now.date()
    channel = renewal.opened if renewal else connection.channel
    next_poll = push.poll_delay(
        connection.provider,
        channel,
        now,
        timedelta(seconds=ctx.poll_interval_seconds),
        timedelta(seconds=ctx.reconcile_interval_seconds),
    )
    bounds = window.day_bounds(connection.sync_window, today)
    before = kept.before if fetched.full else ()
    split = paging.split_pages(kept.objects, kept.removed, before, page_bytes=ctx.page_bytes)
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
        full=fetched.full,
        account_addresses=found.account_addresses,
        pages=split.pages,
        window=bounds,
        time_zone=found.time_zone,
    )
    email = account_email(found.account_addresses, fetched.username)
    async with ctx.pool.acquire() as conn, conn.transaction():
        # The account lock before any row: this sync may move the account's other calendars.
        await grant_store.lock_account(
            conn, connection.project_id, connection.provider, claimed.account
        )
        if renewal is not None:
            await claims.set_channel(conn, claimed, renewal.opened)
        updated = await claims.record_success(
            conn, claimed, found, email, fetched.cursor, next_poll.total_seconds(), today
        )
        if updated is None:
            if renewal is not None and not renewal.extended:  # nobody will know of it: stop it
                await channel_stops.queue_channel_stop(conn, connection, renewal.opened)
            await _drop_result(conn, claimed)
            return
        if renewal is not None and renewal.replaced is not None:
            await channel_stops.queue_channel_stop(conn, connection, renewal.replaced)
        for message in messages:
            await outbox.enqueue(conn, message, updated.project_id)
        await outbox.enqueue(conn, state_changed(updated), updated.project_id)
        await accounts.adopt_verified(conn, updated, found.mailbox)
    log.info(
        "calendar synced",
        extra={
            "calendar_id": connection.calendar_id,
            "sync_id": sync_id,
            "full": fetched.full,
            "objects": len(kept.objects),
            "removed": len(kept.removed),
            "outside_window": fetched.fetched - len(kept.objects),
            "pages": len(messages),
        },
    )


async def _drop_result(conn: db.Connection, claimed: claims.ClaimedSync) -> None:
    """The sync's result no longer applies: new credentials or a deletion came meanwhile (its
    claim is released), or its claim lapsed and another sync took over (nothing to release)."""
    if not await claims.release_claim(conn, claimed):
        log.warning("sync outlived its claim; its result is dropped", extra=_fields(claimed))


def _fields(claimed: claims.ClaimedSync) -> dict[str, str]:
    return {"calendar_id": claimed.connection.calendar_id}


def _retry_after(exc: ProviderError) -> timedelta | None:
    if isinstance(exc, ProviderThrottled) and exc.retry_after is not None:
        return timedelta(seconds=exc.retry_after)
    return None


async def _record_failure(
    ctx: SyncContext,
    claimed: claims.ClaimedSync,
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
            updated = await claims.record_disconnect(conn, claimed, decision.failure)
        else:
            delay = decision.delay.total_seconds()
            updated = await claims.record_retry(conn, claimed, delay)
        if updated is None:
            await _drop_result(conn, claimed)
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


async def _abandon(ctx: SyncContext, claimed: claims.ClaimedSync) -> None:
    """Release a crashed sync's claim with a backoff; if even that fails, the claim lapses."""
    connection = claimed.connection
    delay = backoff.resync_delay(connection.sync_failures + 1, ctx.jitter()).total_seconds()
    try:
        async with ctx.pool.acquire() as conn:
            await claims.release_claim(conn, claimed, delay)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        log.warning(
            "could not release sync claim",
            extra={"calendar_id": connection.calendar_id, "error": type(exc).__name__},
        )
