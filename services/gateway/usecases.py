"""Gateway use cases: calendar commands from the API, and projections from the change feeds."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any

import asyncpg

from services.gateway.connector_client import ConnectorClient
from services.gateway.schemas import (
    CreateCalendar,
    NewCalendarFields,
    UpdateCalendar,
    check_credentials,
)
from services.gateway.store import calendars as calendar_store
from services.gateway.store import events as event_store
from shared.contracts.calendars import CalendarDeleted, CalendarStateChanged
from shared.contracts.connections import (
    ConnectCalendar,
    DeleteCalendar,
    ResyncCalendar,
    SyncWindow,
)
from shared.contracts.envelope import Envelope
from shared.contracts.events import CalendarEventChanged
from shared.contracts.hints import ChannelAction, SyncHint
from shared.contracts.sync_issues import CalendarSyncIssues
from shared.db.types import Connection
from shared.http.problems import Problem
from shared.ids import new_id
from shared.messaging import outbox


class DuplicateCalendar(Exception):
    """Raised when the project already has a live calendar with the deduplication key."""

    def __init__(self, calendar_id: str) -> None:
        super().__init__(calendar_id)
        self.calendar_id = calendar_id


async def create_calendar(
    pool: asyncpg.Pool[Any],
    project_id: str,
    provider: str,
    fields: NewCalendarFields,
    hand_over: Callable[[str], Awaitable[None]],
) -> str:
    """Create a calendar, however its credentials come (direct or hosted OAuth): a free
    deduplication key, then `hand_over(calendar_id)` (the connector stores the credentials),
    then our row and the connect command atomically. Raises `DuplicateCalendar`."""
    if fields.deduplication_key:
        await _check_unique(pool, project_id, fields.deduplication_key)
    calendar_id = new_id("cal")
    await hand_over(calendar_id)
    async with pool.acquire() as conn, conn.transaction():
        try:
            await calendar_store.insert_calendar(
                conn,
                calendar_id=calendar_id,
                project_id=project_id,
                provider=provider,
                platform_uuid=fields.platform_uuid,
                metadata=fields.metadata,
                deduplication_key=fields.deduplication_key,
                sync_window=fields.sync_window.model_dump(),
            )
        except calendar_store.DuplicateDeduplicationKey:
            existing = await calendar_store.find_by_deduplication_key(
                conn, project_id, fields.deduplication_key or ""
            )
            raise DuplicateCalendar(existing or "") from None
        command = ConnectCalendar(
            calendar_id=calendar_id,
            provider=provider,
            platform_uuid=fields.platform_uuid,
            sync_window=fields.sync_window,
        )
        await outbox.enqueue(conn, command, project_id)
    return calendar_id


async def _check_unique(pool: asyncpg.Pool[Any], project_id: str, deduplication_key: str) -> None:
    async with pool.acquire() as conn:
        existing = await calendar_store.find_by_deduplication_key(
            conn, project_id, deduplication_key
        )
    if existing:
        raise DuplicateCalendar(existing)


async def check_deduplication_key(
    pool: asyncpg.Pool[Any], project_id: str, deduplication_key: str | None
) -> None:
    """409 when the project already has a live calendar with the key."""
    if deduplication_key:
        try:
            await _check_unique(pool, project_id, deduplication_key)
        except DuplicateCalendar as duplicate:
            raise _duplicate(duplicate.calendar_id) from None


async def connect_calendar(
    pool: asyncpg.Pool[Any], connector: ConnectorClient, project_id: str, request: CreateCalendar
) -> str:
    """Store credentials with the connector, then our row and the connect command atomically."""

    async def store_credentials(calendar_id: str) -> None:
        await connector.store_credentials(
            project_id=project_id,
            calendar_id=calendar_id,
            provider=request.provider,
            credentials=request.credentials,
            platform_uuid=request.platform_uuid,
        )

    try:
        return await create_calendar(pool, project_id, request.provider, request, store_credentials)
    except DuplicateCalendar as duplicate:
        raise _duplicate(duplicate.calendar_id) from None


def _duplicate(existing_id: str) -> Problem:
    return Problem(
        409,
        "A calendar with this deduplication_key already exists in the project.",
        type_="/problems/duplicate-calendar",
        extra={"calendar_id": existing_id},
    )


async def update_calendar(
    pool: asyncpg.Pool[Any],
    connector: ConnectorClient,
    calendar: calendar_store.CalendarRow,
    request: UpdateCalendar,
) -> None:
    """Apply a PATCH. New credentials go to the connector first, which replaces the account's
    grant and queues a full resync itself (so a reconnect never depends on what follows);
    a new window, like new credentials, is then sent as a connect command with our row."""
    if request.credentials is not None:
        check_credentials(calendar.provider, request.credentials)
        await connector.store_credentials(
            project_id=calendar.project_id,
            calendar_id=calendar.id,
            provider=calendar.provider,
            credentials=request.credentials,
            platform_uuid=None,
        )
    async with pool.acquire() as conn, conn.transaction():
        if request.metadata is not None:
            await calendar_store.update_metadata(
                conn, calendar.project_id, calendar.id, request.metadata
            )
        if request.sync_window is not None:
            await calendar_store.update_sync_window(
                conn, calendar.project_id, calendar.id, request.sync_window.model_dump()
            )
        if request.credentials is not None or request.sync_window is not None:
            window = request.sync_window or SyncWindow.model_validate(calendar.sync_window)
            command = ConnectCalendar(
                calendar_id=calendar.id,
                provider=calendar.provider,
                platform_uuid=None,
                sync_window=window,
            )
            await outbox.enqueue(conn, command, calendar.project_id)


async def resync_calendar(pool: asyncpg.Pool[Any], project_id: str, calendar_id: str) -> bool:
    async with pool.acquire() as conn, conn.transaction():
        if await calendar_store.get_calendar(conn, project_id, calendar_id) is None:
            return False
        await outbox.enqueue(conn, ResyncCalendar(calendar_id=calendar_id), project_id)
    return True


async def resync_all(pool: asyncpg.Pool[Any], project_id: str) -> list[str]:
    async with pool.acquire() as conn, conn.transaction():
        ids = await calendar_store.live_calendar_ids(conn, project_id)
        for calendar_id in ids:
            await outbox.enqueue(conn, ResyncCalendar(calendar_id=calendar_id), project_id)
    return ids


async def delete_calendar(pool: asyncpg.Pool[Any], project_id: str, calendar_id: str) -> bool:
    """Hide the calendar and its events now; the connector forgets credentials asynchronously."""
    async with pool.acquire() as conn, conn.transaction():
        if not await calendar_store.mark_deleted(conn, project_id, calendar_id):
            return False
        await event_store.delete_calendar_events(conn, calendar_id)
        await outbox.enqueue(conn, DeleteCalendar(calendar_id=calendar_id), project_id)
    return True


async def push_hint(
    pool: asyncpg.Pool[Any],
    calendar_id: str,
    provider: str,
    channel: tuple[ChannelAction, str] | None = None,
) -> bool:
    """A verified push notification: hint a sync of the calendar (and, with `channel`, an
    action on its push channel) if it is a live calendar of the provider; False (nothing
    published) otherwise."""
    action, channel_id = channel if channel else (None, None)
    hint = SyncHint(calendar_id=calendar_id, reason="push", channel=action, channel_id=channel_id)
    async with pool.acquire() as conn, conn.transaction():
        project_id = await calendar_store.live_calendar_project(conn, calendar_id, provider)
        if project_id is None:
            return False
        await outbox.enqueue(conn, hint, project_id)
    return True


# --- projections (Kafka handlers call these inside the inbox transaction) ---


async def project_calendar_state(
    conn: Connection, envelope: Envelope, state: CalendarStateChanged
) -> None:
    await calendar_store.apply_state(conn, state)


async def project_calendar_deleted(
    conn: Connection, envelope: Envelope, deleted: CalendarDeleted
) -> None:
    await event_store.delete_calendar_events(conn, deleted.calendar_id)


async def project_sync_issues(
    conn: Connection, envelope: Envelope, issues: CalendarSyncIssues
) -> None:
    await calendar_store.apply_sync_issues(conn, issues)


async def project_event_change(
    conn: Connection, envelope: Envelope, change: CalendarEventChanged
) -> None:
    """Apply the change to the read model if the calendar is live and the version is newer."""
    if not await calendar_store.calendar_is_live(conn, change.calendar_id):
        return
    event = change.event
    await event_store.upsert_event(
        conn,
        project_id=envelope.project_id,
        calendar_id=change.calendar_id,
        event_id=event.id,
        version=change.version,
        start_at=_instant(event.start_time),
        end_at=_instant(event.end_time),
        is_deleted=event.is_deleted,
        body=event.model_dump(mode="json"),
    )


def _instant(value: datetime | date) -> datetime:
    # All-day dates are indexed at midnight UTC; the API returns the dates themselves.
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.combine(value, time.min, UTC)
