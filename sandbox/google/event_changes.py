"""Use cases on single events: get, insert, patch, update, delete, including instances of
recurring series (a write to an instance id stores an exception; deleting one cancels it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import secrets
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.google import (
    attendee_responses,
    editing,
    errors,
    invitations,
    recurrence,
    resources,
    series,
)
from sandbox.google.backend import GoogleBackend
from sandbox.google.store import Calendar, StoredEvent
from sandbox.google.times import EventTime
from sandbox.world import Account

_BASE32HEX = "0123456789abcdefghijklmnopqrstuv"


def new_event_id() -> str:
    return "".join(_BASE32HEX[b % 32] for b in secrets.token_bytes(26))


def get_event(
    backend: GoogleBackend,
    account: Account,
    calendar_id: str,
    event_id: str,
    display_zone: ZoneInfo | None,
) -> dict[str, Any]:
    with backend.lock:
        calendar = backend.calendar_for(account, calendar_id)
        found = _find(calendar, event_id, backend.now())
        if isinstance(found, StoredEvent):
            return resources.event_resource(found, calendar, display_zone)
        master, original = found
        return resources.occurrence_resource(master, original, event_id, calendar, display_zone)


def insert_event(
    backend: GoogleBackend, account: Account, calendar_id: str, body: Any, conference_version: int
) -> dict[str, Any]:
    with backend.lock:
        calendar = backend.calendar_for(account, calendar_id)
        ctx = _context(backend, account, calendar, conference_version)
        given = body.get("id") if isinstance(body, dict) else None
        event_id = editing.check_client_id(given) if given else new_event_id()
        if event_id in calendar.events:
            raise errors.duplicate()
        event = editing.new_event(ctx, body, event_id)
        changed = invitations.write(backend.store, calendar, event, ctx.now)
        result = resources.event_resource(event, calendar)
    _notify(backend, changed)
    return result


def modify_event(
    backend: GoogleBackend,
    account: Account,
    calendar_id: str,
    event_id: str,
    body: Any,
    *,
    replace: bool,
    conference_version: int,
) -> dict[str, Any]:
    """Patch (`replace=False`) or update an event; on an instance id, store an exception.

    On an invited copy, only the attendee's own response may change (see `_respond`)."""
    with backend.lock:
        calendar = backend.calendar_for(account, calendar_id)
        ctx = _context(backend, account, calendar, conference_version)
        current = _current(calendar, event_id, ctx.now)
        if not invitations.is_organizers(current, calendar):
            return _respond(backend, calendar, current, body)
        changed = editing.changed_event(ctx, current, body, replace=replace)
        if current.recurring_event_id is not None:
            changed.recurrence = None  # an exception cannot recur itself
        elif current.recurrence is not None or changed.recurrence is not None:
            changed.dropped = series.dropped_instances(current, changed, calendar, ctx.now)
        affected = invitations.write(backend.store, calendar, changed, ctx.now)
        if current.recurrence is not None and current.recurring_event_id is None:
            affected += _cancel_orphaned_exceptions(backend, calendar, changed, ctx.now)
        result = resources.event_resource(changed, calendar)
    _notify(backend, affected)
    return result


def _respond(
    backend: GoogleBackend, calendar: Calendar, copy: StoredEvent, body: Any
) -> dict[str, Any]:
    """An attendee answers on their copy: the organizer's event records it, and every copy
    follows; without a sandbox organizer holding the event, only this copy changes."""
    response = attendee_responses.requested_response(copy, calendar, body)
    if response is None:
        return resources.event_resource(copy, calendar)
    now = backend.now()
    target_calendar, target = _organizers_event(backend, calendar, copy, now)
    answered = attendee_responses.with_response(target, calendar.id, response)
    affected = invitations.write(backend.store, target_calendar, answered, now)
    result = resources.event_resource(calendar.events[copy.id], calendar)
    _notify(backend, affected)
    return result


def delete_event(backend: GoogleBackend, account: Account, calendar_id: str, event_id: str) -> None:
    """The event (or instance) becomes `cancelled`; deleting it again answers 410 deleted."""
    with backend.lock:
        calendar = backend.calendar_for(account, calendar_id)
        now = backend.now()
        current = _current(calendar, event_id, now)
        if current.cancelled:
            raise errors.deleted()
        affected = invitations.write(backend.store, calendar, _cancelled(current), now)
        if current.recurrence is not None:
            for exception in list(calendar.exceptions.get(current.id, {}).values()):
                if not exception.cancelled:
                    store = backend.store
                    affected += invitations.write(store, calendar, _cancelled(exception), now)
    _notify(backend, affected)


def _organizers_event(
    backend: GoogleBackend, calendar: Calendar, copy: StoredEvent, now: datetime
) -> tuple[Calendar, StoredEvent]:
    """Where an attendee's answer is recorded: the organizer's own event if a sandbox calendar
    holds it, else the attendee's copy alone."""
    organizer = backend.store.calendars.get(str(copy.organizer.get("email", "")))
    if organizer is None:
        return calendar, copy
    with contextlib.suppress(errors.GoogleApiError):
        event = _current(organizer, copy.id, now)
        if invitations.is_organizers(event, organizer):
            return organizer, event
    return calendar, copy


def _current(calendar: Calendar, event_id: str, now: datetime) -> StoredEvent:
    """The stored event, or a not-yet-materialized instance as a would-be exception; else 404."""
    found = _find(calendar, event_id, now)
    return found if isinstance(found, StoredEvent) else _exception_of(*found, event_id, calendar)


def _notify(backend: GoogleBackend, calendars: list[Calendar]) -> None:
    for calendar in dict.fromkeys(calendars):
        backend.changed(calendar)


def _find(
    calendar: Calendar, event_id: str, now: datetime
) -> StoredEvent | tuple[StoredEvent, EventTime]:
    """A stored event, or (master, original start) of a not-yet-materialized instance; else 404."""
    stored = calendar.events.get(event_id)
    if stored is not None:
        return stored
    parts = recurrence.split_instance_id(event_id)
    if parts is None:
        raise errors.not_found()
    master = calendar.events.get(parts[0])
    if master is None or master.recurrence is None or master.cancelled:
        raise errors.not_found()
    original = recurrence.in_series_zone(parts[1], master.start, calendar.zone)
    if original.all_day != master.start.all_day or not series.is_instance_of(
        master, calendar, original, now
    ):
        raise errors.not_found()
    return master, original


def _exception_of(
    master: StoredEvent, original: EventTime, instance_id: str, calendar: Calendar
) -> StoredEvent:
    """A generated instance as a stored event, ready to be modified into an exception."""
    end = resources.occurrence_end(master, original)
    zone = calendar.zone
    return StoredEvent(
        id=instance_id,
        calendar_id=calendar.id,
        status=master.status,
        start=original,
        end=end,
        start_ts=original.instant(zone).timestamp(),
        end_ts=end.instant(zone).timestamp(),
        fields=dict(master.fields),
        organizer=master.organizer,
        creator=master.creator,
        ical_uid=master.ical_uid,
        created=master.created,
        updated=master.updated,
        sequence=master.sequence,
        recurring_event_id=master.id,
        original_start=original,
    )


def _cancel_orphaned_exceptions(
    backend: GoogleBackend, calendar: Calendar, master: StoredEvent, now: datetime
) -> list[Calendar]:
    """Exceptions of instances a series change removed (or all, if it stopped recurring) go."""
    affected: list[Calendar] = []
    for exception in list(calendar.exceptions.get(master.id, {}).values()):
        original = exception.original_start
        if exception.cancelled or original is None:
            continue
        if master.recurrence is None or not series.is_instance_of(master, calendar, original, now):
            affected += invitations.write(backend.store, calendar, _cancelled(exception), now)
    return affected


def _cancelled(event: StoredEvent) -> StoredEvent:
    return dataclasses.replace(event, status="cancelled", rendered=None, search_text=None)


def _context(
    backend: GoogleBackend, account: Account, calendar: Calendar, conference_version: int
) -> editing.WriteContext:
    return editing.WriteContext(
        calendar=calendar,
        account_email=account.email,
        now=backend.now(),
        conference_version=conference_version,
        meet_on_insert=backend.settings.google_meet_on_insert,
    )
