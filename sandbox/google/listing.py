"""Which events a listing shows, in which order, and where a page ends (providers.md §1.3-1.7).

A listing walks a calendar's log between a cursor and the snapshot taken on its first page; each
page examines a bounded number of entries, so a page costs O(page) and may come back short or
empty while a `nextPageToken` is still present, as Google's may. Full listings walk the creation
log (every event that existed at the snapshot, once, as it is now); incremental listings walk the
change log (what changed after the sync token, up to the snapshot).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sandbox.google import series
from sandbox.google.store import Calendar, StoredEvent
from sandbox.google.times import EventTime

Position = tuple[int, float | None]
# A position inside an entry, before any of its instances.
_BEFORE_ALL = float("-inf")


@dataclass(frozen=True)
class ScanLimits:
    """How many log entries or instances one page may examine: max(factor * page, minimum)."""

    factor: int = 10
    minimum: int = 5000

    def budget(self, page_size: int) -> int:
        return max(self.factor * page_size, self.minimum)


@dataclass(frozen=True)
class EventFilter:
    """The listing's parameters, parsed. `since` is the sync token's sequence (incremental)."""

    single_events: bool = False
    show_deleted: bool = False
    time_min: float | None = None
    time_max: float | None = None
    updated_min: float | None = None
    terms: tuple[str, ...] = ()
    ical_uid: str | None = None
    since: int | None = None
    # privateExtendedProperty / sharedExtendedProperty constraints: (name, value), all must hold.
    private_properties: tuple[tuple[str, str], ...] = ()
    shared_properties: tuple[tuple[str, str], ...] = ()

    @property
    def incremental(self) -> bool:
        """syncToken and updatedMin both return every deletion, whatever showDeleted says."""
        return self.since is not None or self.updated_min is not None


@dataclass(slots=True)
class Item:
    """One result: a stored event, or a generated instance of `event` (a master)."""

    event: StoredEvent
    minimal: bool = False
    original: EventTime | None = None
    instance_id: str | None = None
    start_ts: float = 0.0


@dataclass
class Page:
    items: list[Item]
    resume_at: Position | None  # where the next page starts in the log (None: no log position)
    sort_key: tuple[float, str] | None = None  # sorted listings: the last key shown


def take_page(
    walk: Iterator[tuple[int, float | None, Item | None]], size: int, budget: int
) -> Page:
    """Up to `size` items; stops early (with a resume position) once `budget` entries are seen."""
    items: list[Item] = []
    position: Position | None = None
    for examined, (seq, sub, item) in enumerate(walk, 1):
        if item is not None:
            if len(items) == size:
                return Page(items, position)
            items.append(item)
        position = (seq, sub)
        if examined >= budget:
            return Page(items, position)
    return Page(items, None)


def walk(
    calendar: Calendar, flt: EventFilter, start: Position, upto: int, now: datetime
) -> Iterator[tuple[int, float | None, Item | None]]:
    """(sequence, instance original, item or None) for every examined log entry or instance.

    A full listing walks the creation log, so an event that existed at the snapshot is shown even
    when it changed while the client was paging (its current state; the change also comes with
    the next sync token). An incremental listing walks the change log, where an entry superseded
    by a later change is skipped: the event comes with that later change.
    """
    after_seq, after_sub = start
    events = calendar.events
    first = after_seq - 1 if after_sub is not None else after_seq
    full = flt.since is None
    log = calendar.created if full else calendar.log
    for seq, key in log.since(first, upto):
        event = events.get(key)
        if event is None or (not full and event.seq != seq):
            yield seq, None, None
        elif not flt.single_events:
            yield seq, None, stored_item(event, calendar, flt, now)
        elif event.recurrence is not None:
            sub = after_sub if seq == after_seq else None
            for instance in _master_instances(event, calendar, flt, sub, now):
                yield seq, instance.orig_ts, instance_item(event, instance, calendar, flt)
            yield seq, None, None
        elif event.recurring_event_id is not None:
            yield seq, None, _exception_entry(event, calendar, flt, now)
        elif flt.incremental and event.dropped:
            yield from _with_dropped(
                event, seq, calendar, flt, after_sub if seq == after_seq else None, now
            )
        else:
            yield seq, None, stored_item(event, calendar, flt, now)


def _with_dropped(
    event: StoredEvent,
    seq: int,
    calendar: Calendar,
    flt: EventFilter,
    after: float | None,
    now: datetime,
) -> Iterator[tuple[int, float | None, Item | None]]:
    """A series that stopped recurring: the event, then its former instances as cancelled."""
    if after is None:
        yield seq, _BEFORE_ALL, stored_item(event, calendar, flt, now)
    zone = calendar.zone
    dropped = sorted((o.instant(zone).timestamp(), i, o) for i, o in event.dropped.items())
    for orig_ts, instance_id, original in dropped:
        if after is None or orig_ts > after:
            yield seq, orig_ts, Item(event, True, original, instance_id, orig_ts)
    yield seq, None, None


def stored_item(
    event: StoredEvent, calendar: Calendar, flt: EventFilter, now: datetime
) -> Item | None:
    """A stored event (one-off, master or exception) as a listing without expansion shows it."""
    if flt.updated_min is not None and event.updated.timestamp() < flt.updated_min:
        return None
    if event.cancelled:
        if flt.incremental:
            return Item(event, minimal=not flt.show_deleted, start_ts=event.start_ts)
        if event.recurring_event_id is not None and not flt.single_events:
            master = calendar.events.get(event.recurring_event_id)
            if (master is None or master.cancelled) and not flt.show_deleted:
                return None
            return _filtered(event, calendar, flt, now, minimal=not flt.show_deleted)
        if not flt.show_deleted or (event.recurrence is not None and flt.single_events):
            return None
    return _filtered(event, calendar, flt, now, minimal=False)


def instance_item(
    master: StoredEvent, instance: series.Instance, calendar: Calendar, flt: EventFilter
) -> Item | None:
    """An expanded instance (the window was applied by `series.instances`)."""
    if instance.dropped or master.cancelled:
        return Item(master, True, instance.original, instance.instance_id, instance.orig_ts)
    exception = instance.exception
    if exception is not None:
        if exception.cancelled:
            if flt.incremental:
                return Item(exception, minimal=not flt.show_deleted, start_ts=exception.start_ts)
            if not flt.show_deleted:
                return None
        if not _matches(exception, flt):
            return None
        return Item(exception, start_ts=exception.start_ts)
    if not flt.incremental and not _matches(master, flt):
        return None
    return Item(master, False, instance.original, instance.instance_id, instance.orig_ts)


def _master_instances(
    master: StoredEvent, calendar: Calendar, flt: EventFilter, after: float | None, now: datetime
) -> list[series.Instance]:
    if master.cancelled and not flt.incremental:
        return []
    if flt.ical_uid is not None and master.ical_uid != flt.ical_uid:
        return []
    if flt.updated_min is not None and master.updated.timestamp() < flt.updated_min:
        return []
    return series.instances(
        master,
        calendar,
        now,
        time_min=flt.time_min,
        time_max=flt.time_max,
        after=after,
        with_dropped=flt.incremental,
    )


def _exception_entry(
    event: StoredEvent, calendar: Calendar, flt: EventFilter, now: datetime
) -> Item | None:
    """With singleEvents an exception is listed through its master, except in incremental
    listings where the master itself did not change."""
    if not flt.incremental:
        return None
    master = calendar.events.get(event.recurring_event_id or "")
    if master is not None and flt.since is not None and master.seq > flt.since:
        return None
    return stored_item(event, calendar, flt, now)


def _filtered(
    event: StoredEvent, calendar: Calendar, flt: EventFilter, now: datetime, *, minimal: bool
) -> Item | None:
    if flt.ical_uid is not None and event.ical_uid != flt.ical_uid:
        return None
    if not _in_window(event, calendar, flt, now) or not _matches(event, flt):
        return None
    return Item(event, minimal=minimal, start_ts=event.start_ts)


def _in_window(event: StoredEvent, calendar: Calendar, flt: EventFilter, now: datetime) -> bool:
    if flt.time_max is not None and event.start_ts >= flt.time_max:
        return False
    if flt.time_min is None:
        return True
    if event.recurrence is None or event.cancelled:
        return event.end_ts > flt.time_min
    expansion = series.expansion_of(event, calendar, now)
    if not expansion.complete:
        return True
    last = expansion.start_ts[-1] if expansion.start_ts else event.start_ts
    return last + series.duration(event) > flt.time_min


def _matches(event: StoredEvent, flt: EventFilter) -> bool:
    """The `q` terms and the extended-property constraints all hold."""
    if flt.private_properties or flt.shared_properties:
        properties = event.fields.get("extendedProperties")
        found = properties if isinstance(properties, dict) else {}
        if not _has_properties(found.get("private"), flt.private_properties):
            return False
        if not _has_properties(found.get("shared"), flt.shared_properties):
            return False
    return _text_matches(event, flt)


def _has_properties(stored: object, wanted: tuple[tuple[str, str], ...]) -> bool:
    if not wanted:
        return True
    if not isinstance(stored, dict):
        return False
    return all(stored.get(name) == value for name, value in wanted)


def _text_matches(event: StoredEvent, flt: EventFilter) -> bool:
    if not flt.terms:
        return True
    if event.search_text is None:
        event.search_text = _search_text(event)
    return all(term in event.search_text for term in flt.terms)


def _search_text(event: StoredEvent) -> str:
    """summary, description, location, attendees' and organizer's names and emails (lowercase)."""
    fields = event.fields
    parts = [str(fields.get(k, "")) for k in ("summary", "description", "location")]
    for person in [event.organizer, *fields.get("attendees", [])]:
        parts.append(str(person.get("email", "")))
        parts.append(str(person.get("displayName", "")))
    return "\n".join(parts).lower()
