"""Use cases of `/me/events…` and `/me/calendars/{id}/events…`: create, get, patch, delete and
cancel events, list a calendar's events and a series' instances.

An id names a stored event (single instance, series master, exception) or a generated occurrence
(`identifiers.occurrence_id`). Patching an occurrence turns it into an exception; deleting one
cancels it on its master. Changing a master's times or recurrence drops its exceptions and
cancellations, as Outlook does. Each change notifies the subscriptions covering it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sandbox.microsoft import editing, errors, identifiers, instances, paging, resources
from sandbox.microsoft.instances import Window
from sandbox.microsoft.prefer import Preferences
from sandbox.microsoft.store import Calendar, StoredEvent
from sandbox.world import Account

if TYPE_CHECKING:
    from sandbox.microsoft.backend import MicrosoftBackend


@dataclass(frozen=True)
class Located:
    """What an event id names: a stored event, or the occurrence of `master` at `original`."""

    calendar: Calendar
    event: StoredEvent | None
    master: StoredEvent | None = None
    original: datetime | None = None


def locate(backend: MicrosoftBackend, account: Account, event_id: str) -> Located:
    """Call holding the lock; 404 for an id that names nothing of this account."""
    store = backend.store
    calendar_id = store.event_calendar.get(event_id)
    if calendar_id is not None:
        calendar = store.calendars[calendar_id]
        if calendar.account_id == account.id:
            return Located(calendar, calendar.events[event_id])
    split = identifiers.split_occurrence_id(event_id)
    if split is not None:
        master_id, original = split
        owner_id = store.event_calendar.get(master_id)
        owner = store.calendars[owner_id] if owner_id else None
        master = owner.events[master_id] if owner else None
        if (
            owner is not None
            and master is not None
            and owner.account_id == account.id
            and instances.is_instance(master, owner, original)
        ):
            return Located(owner, None, master, original)
    raise errors.item_not_found()


def render(located: Located, zone_name: str) -> dict[str, Any]:
    if located.event is not None:
        return resources.event_json(located.event, zone_name)
    assert located.master is not None and located.original is not None
    return resources.occurrence_json(located.master, located.original, zone_name)


def create_event(
    backend: MicrosoftBackend,
    account: Account,
    calendar_id: str | None,
    body: Any,
    prefs: Preferences,
) -> dict[str, Any]:
    with backend.lock:
        calendar = backend.calendar_for(account, calendar_id)
        mailbox = editing.Mailbox(account.email, backend.now())
        event = editing.new_event(mailbox, calendar.id, body)
        backend.store.save(calendar, event)
        created = resources.event_json(event, prefs.time_zone or event.start_zone)
    backend.changed(account, calendar.id, event.id, "created")
    return created


def get_event(
    backend: MicrosoftBackend, account: Account, event_id: str, prefs: Preferences
) -> dict[str, Any]:
    with backend.lock:
        return render(locate(backend, account, event_id), prefs.zone_name)


def patch_event(
    backend: MicrosoftBackend, account: Account, event_id: str, body: Any, prefs: Preferences
) -> dict[str, Any]:
    with backend.lock:
        located = locate(backend, account, event_id)
        mailbox = editing.Mailbox(account.email, backend.now())
        event = located.event
        if event is None:
            assert located.master is not None and located.original is not None
            event = editing.occurrence_exception(located.master, located.original, mailbox)
        before = event.shape()
        editing.apply(event, mailbox, body)
        if event.kind == "seriesMaster" and _series_moved(before, event):
            _drop_exceptions(backend, located.calendar, event)
        backend.store.save(located.calendar, event)
        patched = resources.event_json(event, prefs.time_zone or event.start_zone)
    backend.changed(account, located.calendar.id, event.id, "updated")
    return patched


def delete_event(
    backend: MicrosoftBackend, account: Account, event_id: str, *, cancelling: bool = False
) -> None:
    with backend.lock:
        located = locate(backend, account, event_id)
        event = located.event or located.master
        assert event is not None
        if cancelling and not event.is_organizer:
            raise errors.bad_request(
                "Your request can't be completed. You need to be an organizer to cancel a meeting."
            )
        _remove(backend, located)
    backend.changed(account, located.calendar.id, event_id, "deleted")


def _remove(backend: MicrosoftBackend, located: Located) -> None:
    store, calendar = backend.store, located.calendar
    event = located.event
    if event is not None and event.kind == "seriesMaster":
        _drop_exceptions(backend, calendar, event)
        store.remove(calendar, event.id)
        return
    if event is not None and event.kind == "singleInstance":
        store.remove(calendar, event.id)
        return
    master: StoredEvent | None = located.master
    original = located.original
    if event is not None:  # an exception: its occurrence is cancelled on the master
        master = calendar.events[event.series_master_id or ""]
        original = event.original_start
    assert master is not None and original is not None
    store.remove(calendar, identifiers.occurrence_id(master.id, original))
    master.cancelled.add(original)
    master.change_key = identifiers.new_change_key()
    store.save(calendar, master)


def _series_moved(before: Any, master: StoredEvent) -> bool:
    return (before.start, before.end, before.recurrence) != (
        master.start,
        master.end,
        master.recurrence,
    )


def _drop_exceptions(backend: MicrosoftBackend, calendar: Calendar, master: StoredEvent) -> None:
    for exception_id in list(calendar.exceptions.get(master.id, {})):
        backend.store.remove(calendar, exception_id)
    master.cancelled.clear()


def list_events(
    backend: MicrosoftBackend,
    account: Account,
    calendar_id: str | None,
    page: paging.PageRequest,
    prefs: Preferences,
) -> dict[str, Any]:
    """Single instances and series masters, oldest first (Graph's `/events` collection)."""
    with backend.lock:
        calendar = backend.calendar_for(account, calendar_id)
        stored = [e for _, i in calendar.created if (e := calendar.events.get(i)) is not None]
        rows = [resources.event_json(e, prefs.zone_name) for e in stored if e.kind != "exception"]
    return paging.page_of(rows, page, "$metadata#users('me')/events")


def list_instances(
    backend: MicrosoftBackend,
    account: Account,
    event_id: str,
    window: Window,
    page: paging.PageRequest,
    prefs: Preferences,
) -> dict[str, Any]:
    """`/events/{masterId}/instances`: the series' occurrences and exceptions in the window."""
    with backend.lock:
        located = locate(backend, account, event_id)
        series = located.event
        if series is None or series.kind != "seriesMaster":
            raise errors.bad_request("The event is not a series master.")
        rows = series_rows(series, located.calendar, window, prefs.zone_name)
    return paging.page_of(rows, page, "$metadata#Collection(event)")


def series_rows(
    master: StoredEvent, calendar: Calendar, window: Window, zone_name: str
) -> list[dict[str, Any]]:
    """Full rows of a series' instances in the window (occurrences and exceptions), by start."""
    found: list[tuple[datetime, str, dict[str, Any]]] = []
    for original in instances.occurrences_now(master, calendar, window):
        row = resources.occurrence_json(master, original, zone_name)
        found.append((original, row["id"], row))
    for exception in calendar.exceptions.get(master.id, {}).values():
        if window.holds(exception.start, exception.end):
            found.append(
                (exception.start, exception.id, resources.event_json(exception, zone_name))
            )
    return [row for _, _, row in sorted(found, key=lambda item: (item[0], item[1]))]
