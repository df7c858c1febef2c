"""A page of provider changes against the stored events → the rows to write, versions assigned.

Pairs each mapped event with its stored row by event id, whichever object the row was stored
under (a Google instance retimed comes back as another object, with the same id); stored
events missing from a listed object (a removed override, an instance no longer in the
series), of a removed object, or (full sync) not listed at all become deletions, except those
that only slid out of the window's past edge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from services.syncer.domain import diff
from services.syncer.domain.ical_times import recurrence_key
from shared.contracts.events import EventState


@dataclass(frozen=True)
class StoredEvent:
    provider_object_id: str
    recurrence_key: str
    state: EventState
    version: int


@dataclass(frozen=True)
class Transition:
    """One event's stored row (if any) and its new state (None: gone from the provider)."""

    provider_object_id: str
    recurrence_key: str
    old: StoredEvent | None
    new: EventState | None


@dataclass(frozen=True)
class EventWrite:
    """A row to store at `version`, with the change to announce (None: only `raw` moved)."""

    provider_object_id: str
    recurrence_key: str
    state: EventState
    version: int
    change: diff.Change | None


def page_transitions(
    stored: Sequence[StoredEvent],
    mapped: Mapping[str, Sequence[EventState]],
    removed: Iterable[str],
    window_start: datetime | None = None,
) -> list[Transition]:
    """Transitions of the listed objects (`mapped`, by object id) and the removed ones.
    `stored` holds the rows of those objects and the rows of the mapped events' ids; an id
    two objects of the page claim goes to the first. A listed object's stored event that it
    no longer yields is gone unless it slid out of the window (`window_start`)."""
    rows = {row.state.id: row for row in stored}
    by_object: dict[str, list[StoredEvent]] = defaultdict(list)
    for row in stored:
        by_object[row.provider_object_id].append(row)
    owners = _owners(mapped)
    yielded = set(owners)
    transitions: list[Transition] = []
    for object_id, events in mapped.items():
        for event in events:
            if owners.pop(event.id, None) == object_id:
                key = recurrence_key(event.original_start_time)
                transitions.append(Transition(object_id, key, rows.get(event.id), event))
        missing = [r for r in by_object[object_id] if r.state.id not in yielded]
        transitions += unlisted_gone(missing, window_start)
    for object_id in dict.fromkeys(removed):  # a repeated id must not delete twice
        transitions += gone(r for r in by_object.pop(object_id, []) if r.state.id not in yielded)
    return transitions


def without_pruned(transitions: Iterable[Transition], cutoff: datetime | None) -> list[Transition]:
    """The transitions but those that would create an event retention prunes: no live stored
    row (none, or a tombstone) and an end before `cutoff` (the pruner's, None: nothing is
    pruned). The connector passes changes to past events through; once retention pruned its
    row, such an event would be announced `created` again, re-inserted by the gateway and
    pruned by both an hour later."""
    if cutoff is None:
        return list(transitions)
    return [t for t in transitions if not _pruned(t, cutoff)]


def _pruned(t: Transition, cutoff: datetime) -> bool:
    stored_live = t.old is not None and not t.old.state.is_deleted
    return t.new is not None and not stored_live and end_instant(t.new.end_time) < cutoff


def _owners(mapped: Mapping[str, Sequence[EventState]]) -> dict[str, str]:
    """Each mapped event id with the first object of the page that yields it."""
    owners: dict[str, str] = {}
    for object_id, events in mapped.items():
        for event in events:
            owners.setdefault(event.id, object_id)
    return owners


def gone(rows: Iterable[StoredEvent]) -> list[Transition]:
    """Transitions for stored events no longer at the provider."""
    return [Transition(r.provider_object_id, r.recurrence_key, r, None) for r in rows]


def unlisted_gone(rows: Iterable[StoredEvent], window_start: datetime | None) -> list[Transition]:
    """Events no longer listed (by a full listing, or by their own object) are gone, except one
    that carries its own time (a one-off event, an instance or an override: not a series
    master) and ended at or before the window's start. That one merely slid out of the window
    (a listing holds only objects with an event in it, an expansion only the window's
    instances; Google's never returns instances before `timeMin`) and is kept, pruned later
    by retention. Objects the connector saw before the window are
    marked listed (`before_window`), so their masters are kept too."""
    return gone(r for r in rows if not _slid_out(r.state, window_start))


def _slid_out(event: EventState, window_start: datetime | None) -> bool:
    if window_start is None or is_series_master(event):
        return False  # a master's stored times are its first occurrence, not its last
    return end_instant(event.end_time) <= window_start


def is_series_master(event: EventState) -> bool:
    """A recurring event standing for its whole series (its times are the first occurrence's):
    how CalDAV series were stored before they were expanded; such rows remain until listed."""
    return event.is_recurring and event.original_start_time is None and not event.is_exception


def end_instant(value: datetime | date) -> datetime:
    """An event's end as an instant: timed ends are UTC instants; an all-day end date counts
    from midnight UTC (how windows and retention compare it)."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time.min, UTC)


def plan_writes(transitions: Iterable[Transition], version: int) -> tuple[list[EventWrite], int]:
    """Rows to write, each change numbered with the next calendar version; the last version."""
    writes: list[EventWrite] = []
    for t in transitions:
        object_id, key = t.provider_object_id, t.recurrence_key
        change = diff.diff_event(t.old.state if t.old else None, t.new)
        if change is not None:
            version += 1
            writes.append(EventWrite(object_id, key, change.event, version, change))
        elif t.old is not None and t.new is not None and diff.raw_differs(t.old.state, t.new):
            writes.append(EventWrite(object_id, key, t.new, t.old.version, None))
    return writes, version
