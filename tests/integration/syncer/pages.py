"""Builders and probes for syncer integration tests: pages in, rows and outbox messages out."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg

from services.syncer import usecases
from services.syncer.domain.meeting_links.platforms.other import NO_HOSTS
from services.syncer.domain.series_guards import DEFAULT_LIMITS, ExpansionLimits
from shared.contracts import topics
from shared.contracts.calendars import CalendarDeleted
from shared.contracts.envelope import wrap
from shared.contracts.events import CalendarEventChanged
from shared.contracts.provider import ProviderChangesFetched, ProviderObject
from shared.contracts.sync_issues import CalendarSyncIssues

PROJECT_ID = "prj_syncer_tests"
# The sync window pages carry unless a test names its own: 1 to 4 July 2024.
WINDOW = (datetime(2024, 7, 1, tzinfo=UTC), datetime(2024, 7, 4, tzinfo=UTC))


def ics(*vevents: str) -> str:
    """A VCALENDAR around VEVENT bodies given as property lines separated by `|`."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//rollcall//tests//EN"]
    for body in vevents:
        lines += ["BEGIN:VEVENT", *body.split("|"), "END:VEVENT"]
    return "\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n"


def timed(uid: str, start: str, summary: str, *extra: str) -> str:
    return "|".join(
        [f"UID:{uid}", f"DTSTART:{start}", "DURATION:PT1H", f"SUMMARY:{summary}", *extra]
    )


def obj(object_id: str, data: str) -> ProviderObject:
    return ProviderObject(provider_object_id=object_id, etag=None, format="ical", data=data)


def page(
    calendar_id: str,
    objects: tuple[ProviderObject, ...] = (),
    removed: tuple[str, ...] = (),
    *,
    sync_id: str | None = None,
    full: bool = False,
    final: bool = True,
    number: int = 1,
    window: tuple[datetime, datetime] = WINDOW,
    before_window: tuple[str, ...] = (),
) -> ProviderChangesFetched:
    return ProviderChangesFetched(
        calendar_id=calendar_id,
        provider="caldav",
        sync_id=sync_id or f"sync-{uuid.uuid4()}",
        page=number,
        full=full,
        final=final,
        calendar_time_zone="Europe/Berlin",
        account_addresses=("mailto:me@example.com",),
        objects=objects,
        removed=removed,
        window_start=window[0],
        window_end=window[1],
        before_window=before_window,
    )


def google_page(
    calendar_id: str, objects: tuple[ProviderObject, ...], *, full: bool = False
) -> ProviderChangesFetched:
    """A one-page Google sync (a full one is a listing, as after a 410)."""
    return page(calendar_id, objects, full=full, number=0).model_copy(
        update={"provider": "google", "calendar_time_zone": "UTC", "account_addresses": ()}
    )


async def apply(
    pool: asyncpg.Pool[Any],
    payload: ProviderChangesFetched,
    limits: ExpansionLimits = DEFAULT_LIMITS,
) -> None:
    """Run the use case as the consumer does: one transaction, a fresh envelope."""
    envelope = wrap(payload, PROJECT_ID)
    async with pool.acquire() as conn, conn.transaction():
        await usecases.apply_provider_changes(
            conn, envelope, payload, meeting_hosts=NO_HOSTS, limits=limits
        )


async def delete(pool: asyncpg.Pool[Any], calendar_id: str) -> None:
    payload = CalendarDeleted(calendar_id=calendar_id, version=9)
    async with pool.acquire() as conn, conn.transaction():
        await usecases.delete_calendar(conn, wrap(payload, PROJECT_ID), payload)


async def announced(pool: asyncpg.Pool[Any], calendar_id: str) -> list[CalendarEventChanged]:
    """The calendar's event-change messages in the outbox, in enqueue order."""
    rows = await _outbox(pool, calendar_id, CalendarEventChanged.TYPE)
    assert all(row["envelope"]["project_id"] == PROJECT_ID for row in rows)
    # Validated from JSON text, as a consumer of the topic would read it.
    payloads = [json.dumps(row["envelope"]["payload"]) for row in rows]
    return [CalendarEventChanged.model_validate_json(p) for p in payloads]


async def announced_issues(pool: asyncpg.Pool[Any], calendar_id: str) -> list[CalendarSyncIssues]:
    """The calendar's `calendar.sync_issues` messages in the outbox, in enqueue order."""
    rows = await _outbox(pool, calendar_id, CalendarSyncIssues.TYPE)
    payloads = [json.dumps(row["envelope"]["payload"]) for row in rows]
    return [CalendarSyncIssues.model_validate_json(p) for p in payloads]


async def _outbox(pool: asyncpg.Pool[Any], calendar_id: str, type_: str) -> list[asyncpg.Record]:
    rows = await pool.fetch(
        "SELECT topic, envelope FROM outbox WHERE key = $1 AND envelope->>'type' = $2 ORDER BY id",
        calendar_id,
        type_,
    )
    assert all(row["topic"] == topics.EVENTS_CHANGED for row in rows)
    assert all(row["envelope"]["project_id"] == PROJECT_ID for row in rows)
    return list(rows)


@dataclass(frozen=True)
class EventRow:
    id: str
    provider_object_id: str
    recurrence_key: str
    title: str | None
    is_deleted: bool
    version: int
    last_sync_id: str | None


async def event_rows(pool: asyncpg.Pool[Any], calendar_id: str) -> list[EventRow]:
    rows = await pool.fetch(
        "SELECT id, provider_object_id, recurrence_key, state->>'title' AS title, is_deleted,"
        " version, last_sync_id FROM events WHERE calendar_id = $1"
        " ORDER BY provider_object_id, recurrence_key",
        calendar_id,
    )
    return [EventRow(**dict(row)) for row in rows]


async def calendar_version(pool: asyncpg.Pool[Any], calendar_id: str) -> int | None:
    value = await pool.fetchval("SELECT version FROM calendars WHERE calendar_id = $1", calendar_id)
    return None if value is None else int(value)
