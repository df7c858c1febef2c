"""Syncer use cases: apply a page of provider changes, delete a calendar's events.

Both run inside the consumer's inbox transaction, so the stored events, the calendar version
and the outbox messages announcing the changes commit together, or not at all.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from services.syncer import issue_feed, issue_store, retention, store
from services.syncer.domain import reconcile
from services.syncer.domain.diff import Change
from services.syncer.domain.errors import MappingError
from services.syncer.domain.mapping import map_object
from services.syncer.domain.mapping_context import MappingContext
from services.syncer.domain.meeting_links.platforms.other import HostAllowList
from services.syncer.domain.series_guards import ExpansionLimits
from services.syncer.domain.window import Window
from shared.contracts.calendars import CalendarDeleted
from shared.contracts.envelope import Envelope
from shared.contracts.events import CalendarEventChanged, EventState
from shared.contracts.provider import ProviderChangesFetched
from shared.db.types import Connection
from shared.messaging import outbox

log = logging.getLogger(__name__)

# Events of a deleted calendar loaded (and announced) at once: bounds memory whatever the
# calendar's size, since each state carries its raw payload (up to 256 KB).
DELETION_BATCH = 200
# Errors of the process or host, not of the object being mapped: they fail the page (retried).
_INFRASTRUCTURE = (MemoryError, OSError)


async def apply_provider_changes(
    conn: Connection,
    envelope: Envelope,
    page: ProviderChangesFetched,
    *,
    meeting_hosts: HostAllowList,
    limits: ExpansionLimits,
    retention_days: int = retention.DEFAULT_DAYS,
) -> None:
    """Map, diff and store one page; announce each change with the next calendar version.
    Links on `meeting_hosts` count as meeting links of platform `other`; recurring series
    expand in the page's window within `limits`; events retention would prune (by
    `retention_days`) are not created. Mapping runs in a worker thread, so a costly page does
    not stall the event loop (other calendars, health checks)."""
    context = MappingContext.of(
        page.calendar_id,
        page.calendar_time_zone,
        page.account_addresses,
        meeting_hosts,
        Window.of(page.window_start, page.window_end),
        limits,
    )
    mapped, issues = await asyncio.to_thread(_map_page, page, context)
    await store.ensure_calendar(conn, page.calendar_id, envelope.project_id)
    calendar = await store.lock_calendar(conn, page.calendar_id)
    if calendar.deleted:
        log.info("page for a deleted calendar ignored", extra={"calendar_id": page.calendar_id})
        return
    if page.window_start is not None:
        await store.record_window_start(conn, page.calendar_id, page.window_start)
    await _track_issues(conn, page, mapped, issues)
    version = await _apply_page(conn, envelope, page, mapped, calendar.version, retention_days)
    if page.full and await store.record_full_page(
        conn, page.calendar_id, page.sync_id, page.page, page.final
    ):
        version = await _delete_unlisted(conn, envelope, page, version)
        await store.forget_full_pages(conn, page.calendar_id, page.sync_id)
        await issue_store.forget_unlisted_issues(conn, page.calendar_id, page.sync_id)
    await issue_feed.announce_if_changed(conn, envelope.project_id, page.calendar_id)
    if version != calendar.version:
        await store.set_calendar_version(conn, page.calendar_id, version)


async def delete_calendar(conn: Connection, envelope: Envelope, deleted: CalendarDeleted) -> None:
    """Announce each live event of the calendar as `deleted` (next versions), drop its events
    and issues, and tombstone it so later pages are ignored. A calendar already tombstoned
    announces nothing, so a repeated deletion is a no-op."""
    await store.ensure_calendar(conn, deleted.calendar_id, envelope.project_id)
    calendar = await store.lock_calendar(conn, deleted.calendar_id)
    if calendar.deleted:
        return
    version = await _announce_deletions(conn, envelope, calendar)
    await store.delete_calendar_events(conn, deleted.calendar_id)
    await store.delete_calendar_issues(conn, deleted.calendar_id)
    await store.mark_calendar_deleted(conn, deleted.calendar_id, version)
    log.info(
        "calendar deleted",
        extra={"calendar_id": deleted.calendar_id, "events": version - calendar.version},
    )


async def _announce_deletions(
    conn: Connection, envelope: Envelope, calendar: store.CalendarRow
) -> int:
    """Enqueue a `deleted` change for every live event, `DELETION_BATCH` at a time; returns
    the calendar's new version."""
    event_ids = await store.live_event_ids(conn, calendar.calendar_id)
    version = calendar.version
    for start in range(0, len(event_ids), DELETION_BATCH):
        rows = await store.load_events(conn, event_ids[start : start + DELETION_BATCH])
        writes, version = reconcile.plan_writes(reconcile.gone(rows), version)
        messages = [
            _announcement(calendar.calendar_id, w.version, w.change)
            for w in writes
            if w.change is not None
        ]
        await outbox.enqueue_all(conn, messages, envelope.project_id)
    return version


def _map_page(
    page: ProviderChangesFetched, context: MappingContext
) -> tuple[dict[str, list[EventState]], list[store.SyncIssue]]:
    """Mapped events by object id, and the failed (or refused) objects; objects also removed
    are skipped. One object never fails the page: any error mapping it but an infrastructure
    one is its `unmappable` issue, and once the page's CPU budget (`page_cpu_seconds` of
    this thread's CPU time) is spent, the objects left are refused as `too_costly`; their
    stored events stay (the page still lists them)."""
    removed = set(page.removed)
    limits = context.limits
    deadline = limits.clock() + limits.page_cpu_seconds
    over_budget = f"not mapped: its page used its CPU budget of {limits.page_cpu_seconds:g} s"
    refused = 0
    mapped: dict[str, list[EventState]] = {}
    issues: list[store.SyncIssue] = []
    for obj in page.objects:
        object_id = obj.provider_object_id
        if object_id in removed:
            continue
        if limits.clock() > deadline:
            refused += 1
            mapped.pop(object_id, None)
            issues.append(store.SyncIssue(object_id, over_budget, "too_costly"))
            continue
        fields = {"calendar_id": page.calendar_id, "provider_object_id": object_id}
        try:
            mapped[object_id] = map_object(obj, context)
        except MappingError as exc:
            log.warning("provider object skipped", extra={**fields, "reason": exc.reason})
            mapped.pop(object_id, None)
            issues.append(store.SyncIssue(object_id, str(exc), exc.reason))
        except _INFRASTRUCTURE:
            raise
        except Exception as exc:  # a mapping bug hostile data met: this object's issue only
            error = type(exc).__name__  # the type only: a message may quote the object's data
            log.warning("provider object unmappable", extra={**fields, "error": error})
            mapped.pop(object_id, None)
            issues.append(store.SyncIssue(object_id, f"mapping failed: {error}", "unmappable"))
    if refused:
        log.warning(
            "provider objects refused: page over its CPU budget",
            extra={"calendar_id": page.calendar_id, "objects": refused},
        )
    return mapped, issues


async def _track_issues(
    conn: Connection,
    page: ProviderChangesFetched,
    mapped: dict[str, list[EventState]],
    issues: list[store.SyncIssue],
) -> None:
    """Record the page's issues (as listed by this sync) and forget those of objects that now
    map, were removed, or lie wholly before the window."""
    await store.record_sync_issues(conn, page.calendar_id, page.sync_id, issues)
    fine = [*mapped, *page.removed, *page.before_window]
    await store.clear_sync_issues(conn, page.calendar_id, fine)


async def _apply_page(
    conn: Connection,
    envelope: Envelope,
    page: ProviderChangesFetched,
    mapped: dict[str, list[EventState]],
    version: int,
    retention_days: int,
) -> int:
    """Diff the page's objects against their stored events; mark every listed object seen.
    An event retention would prune at once (by the pruner's cutoff) is not created: a change
    to a past event whose row was pruned must not announce it again."""
    event_ids = [event.id for events in mapped.values() for event in events]
    objects = [*mapped, *page.removed]
    stored = await store.load_page_events(conn, page.calendar_id, objects, event_ids)
    transitions = reconcile.page_transitions(stored, mapped, page.removed, page.window_start)
    ended_before = datetime.now(UTC) - timedelta(days=retention_days)
    cutoff = await store.pruning_cutoff(conn, page.calendar_id, ended_before)
    transitions = reconcile.without_pruned(transitions, cutoff)
    version = await _write(conn, envelope, page, transitions, version)
    await store.mark_listed(conn, page.calendar_id, _listed(page), page.sync_id)
    return version


async def _delete_unlisted(
    conn: Connection, envelope: Envelope, page: ProviderChangesFetched, version: int
) -> int:
    """Full-listing reconciliation: live events no page of this sync listed (nor named as
    seen before the window) are gone, unless they only slid out of the window's past edge."""
    unlisted = await store.load_unlisted_events(conn, page.calendar_id, page.sync_id)
    transitions = reconcile.unlisted_gone(unlisted, page.window_start)
    return await _write(conn, envelope, page, transitions, version)


def _listed(page: ProviderChangesFetched) -> list[str]:
    """Objects the page lists as present (mapped or not, or seen before the window): full
    reconciliation keeps their events."""
    removed = set(page.removed)
    present = [o.provider_object_id for o in page.objects] + list(page.before_window)
    return [object_id for object_id in present if object_id not in removed]


async def _write(
    conn: Connection,
    envelope: Envelope,
    page: ProviderChangesFetched,
    transitions: list[reconcile.Transition],
    version: int,
) -> int:
    """Store the transitions' rows and enqueue their changes; returns the calendar's new version."""
    writes, version = reconcile.plan_writes(transitions, version)
    await store.upsert_events(conn, envelope.project_id, page.calendar_id, page.sync_id, writes)
    for write in writes:
        if write.change is not None:
            message = _announcement(page.calendar_id, write.version, write.change)
            await outbox.enqueue(conn, message, envelope.project_id)
    return version


def _announcement(calendar_id: str, version: int, change: Change) -> CalendarEventChanged:
    return CalendarEventChanged(
        calendar_id=calendar_id,
        version=version,
        change=change.change_type,
        event=change.event,
        changed_fields=change.changed_fields,
        previous=change.previous,
    )
