"""Connection commands from `connections.commands` and `sync.hints`, run in the inbox transaction.

They only record intent (no provider I/O here): the sync worker does the talking.
"""

from __future__ import annotations

import logging

from services.connector import channel_stops, grant_store, store
from shared.contracts.calendars import CalendarDeleted
from shared.contracts.connections import ConnectCalendar, DeleteCalendar, ResyncCalendar
from shared.contracts.envelope import Envelope
from shared.contracts.hints import SyncHint
from shared.db import types as db
from shared.messaging import outbox

log = logging.getLogger(__name__)


async def connect_calendar(
    conn: db.Connection, envelope: Envelope, command: ConnectCalendar
) -> None:
    """Store the sync window and queue discovery plus a full first sync."""
    known = await store.request_connect(
        conn, command.calendar_id, command.sync_window, command.platform_uuid
    )
    await _wake_or_ignore(conn, known, command.calendar_id, envelope)


async def resync_calendar(conn: db.Connection, envelope: Envelope, command: ResyncCalendar) -> None:
    """Queue a sync (a disconnected calendar retries discovery: its server may be back)."""
    known = await store.request_sync(conn, command.calendar_id, command.full)
    await _wake_or_ignore(conn, known, command.calendar_id, envelope)


async def hinted_sync(conn: db.Connection, envelope: Envelope, hint: SyncHint) -> None:
    """A reason to sync soon (an imminent meeting, a push): coalesced with what is queued;
    a calendar that is not connected ignores it (a refused password must not be retried).
    A channel action goes first, for the calendar's current channel only (a repeated or late
    one finds another channel and changes nothing): `reauthorize` marks it for renewal by the
    sync, `recreate` forgets it so the sync opens a new one."""
    if hint.channel_id is not None:
        await _act_on_channel(conn, hint, hint.channel_id)
    if await store.request_hinted_sync(conn, hint.calendar_id):
        await store.notify_sync_requested(conn)


async def _act_on_channel(conn: db.Connection, hint: SyncHint, channel_id: str) -> None:
    if hint.channel == "reauthorize":
        acted = await store.request_channel_renewal(conn, hint.calendar_id, channel_id)
    else:
        acted = await store.forget_channel(conn, hint.calendar_id, channel_id)
    log.info(
        "push channel action" if acted else "push channel action ignored",
        extra={"calendar_id": hint.calendar_id, "action": hint.channel},
    )


async def delete_calendar(conn: db.Connection, envelope: Envelope, command: DeleteCalendar) -> None:
    """Forget the connection and its credentials (its push channel queued to be stopped at
    the provider), and announce the deletion."""
    gone = await store.delete_connection(conn, command.calendar_id)
    if gone is None:
        _log_unknown(command.calendar_id, envelope)
        return
    if gone.channel is not None:
        # Stopped by the sync workers, with a copy of the grant: it may be deleted next.
        await channel_stops.queue_channel_stop(conn, gone, gone.channel)
        await store.notify_sync_requested(conn)
    await grant_store.delete_grant_if_unused(conn, gone.grant_id)
    deleted = CalendarDeleted(calendar_id=gone.calendar_id, version=gone.state_version + 1)
    await outbox.enqueue(conn, deleted, gone.project_id)
    log.info("connection deleted", extra={"calendar_id": gone.calendar_id})


async def _wake_or_ignore(
    conn: db.Connection, known: bool, calendar_id: str, envelope: Envelope
) -> None:
    if known:
        await store.notify_sync_requested(conn)
    else:
        _log_unknown(calendar_id, envelope)


def _log_unknown(calendar_id: str, envelope: Envelope) -> None:
    log.warning(
        "command for unknown calendar ignored",
        extra={
            "calendar_id": calendar_id,
            "type": envelope.type,
            "message_id": str(envelope.message_id),
        },
    )
