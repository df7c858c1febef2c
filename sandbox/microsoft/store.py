"""In-memory Outlook state: calendars, their stored events (single instances, series masters and
exceptions) and the change history delta tokens point into.

Every change gets a number from one counter. Each calendar keeps a log of (number, key) pairs, a
key being a stored event's id or the id of a removed event or occurrence, and `latest[key]`, the
number of the key's last change, so "what changed since token T" is a bisect away. A series
master also keeps the recent shapes of its series (times, recurrence, cancelled occurrences), so
a delta round can tell which occurrences left the window since T. History is bounded: what is
forgotten raises the calendar's `floor`, and delta tokens older than the floor must resync, as
Outlook's cache-size-bound tokens do (providers.md §2.3).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.microsoft.recurrence import Recurrence

# Kept per calendar / per master before the oldest is forgotten (raising the floor).
MAX_TOMBSTONES = 50_000
MAX_SHAPES = 16
_COMPACT_MIN = 1024


@dataclass(frozen=True)
class Shape:
    """What decides a series' occurrences: times, recurrence and cancelled original starts."""

    start: datetime
    end: datetime
    recurrence: Recurrence | None
    cancelled: frozenset[datetime]


@dataclass(eq=False)
class StoredEvent:
    """A single instance, a series master, or an exception (a changed occurrence)."""

    id: str
    key_hex: str
    calendar_id: str
    kind: str  # singleInstance | seriesMaster | exception
    start: datetime  # aware, in `start_zone`
    end: datetime
    start_zone: str  # as written by the client (Windows or IANA)
    end_zone: str
    all_day: bool
    fields: dict[str, Any]
    organizer: dict[str, Any]
    is_organizer: bool
    ical_uid: str
    created: datetime
    modified: datetime
    change_key: str
    response: str = "organizer"
    is_cancelled: bool = False
    online_meeting: dict[str, Any] | None = None
    recurrence: Recurrence | None = None
    series_master_id: str | None = None
    original_start: datetime | None = None  # exceptions: the occurrence they replace
    cancelled: set[datetime] = field(default_factory=set)  # masters: deleted occurrences
    shapes: list[tuple[int, Shape]] = field(default_factory=list)  # masters: (since, shape)
    seq: int = 0
    created_seq: int = 0

    def shape(self) -> Shape:
        return Shape(self.start, self.end, self.recurrence, frozenset(self.cancelled))


@dataclass(eq=False)
class Calendar:
    id: str
    account_id: str
    name: str
    owner: dict[str, str]
    is_default: bool
    color: str = "auto"
    hex_color: str = ""
    change_key: str = ""
    events: dict[str, StoredEvent] = field(default_factory=dict)
    exceptions: dict[str, dict[str, StoredEvent]] = field(default_factory=dict)  # by master id
    seqs: list[int] = field(default_factory=list)  # the change log, ascending
    keys: list[str] = field(default_factory=list)
    latest: dict[str, int] = field(default_factory=dict)
    created: list[tuple[int, str]] = field(default_factory=list)  # (seq, id) of stored events
    tombstones: dict[str, int] = field(default_factory=dict)  # removed key -> seq
    removed_masters: dict[str, StoredEvent] = field(default_factory=dict)  # for their occurrences
    floor: int = 0
    epoch: int = 0

    def since(self, after: int, upto: int) -> Iterator[tuple[int, str]]:
        """Log entries with `after < seq <= upto`, oldest first."""
        end = bisect_right(self.seqs, upto)
        for index in range(bisect_right(self.seqs, after), end):
            yield self.seqs[index], self.keys[index]


@dataclass
class Store:
    seq: int = 0
    calendars: dict[str, Calendar] = field(default_factory=dict)
    by_account: dict[str, list[str]] = field(default_factory=dict)
    event_calendar: dict[str, str] = field(default_factory=dict)  # stored event id -> calendar

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def add_calendar(self, calendar: Calendar) -> None:
        self.calendars[calendar.id] = calendar
        self.by_account.setdefault(calendar.account_id, []).append(calendar.id)

    def account_calendars(self, account_id: str) -> list[Calendar]:
        return [self.calendars[i] for i in self.by_account.get(account_id, [])]

    def default_calendar(self, account_id: str) -> Calendar | None:
        return next((c for c in self.account_calendars(account_id) if c.is_default), None)

    def save(self, calendar: Calendar, event: StoredEvent) -> None:
        """Record a new or changed stored event."""
        seq = self.next_seq()
        event.seq = seq
        if event.id not in calendar.events:
            event.created_seq = seq
            calendar.created.append((seq, event.id))
            self.event_calendar[event.id] = calendar.id
        calendar.events[event.id] = event
        calendar.tombstones.pop(event.id, None)
        if event.series_master_id is not None:
            calendar.exceptions.setdefault(event.series_master_id, {})[event.id] = event
        if event.kind == "seriesMaster":
            _keep_shape(calendar, event, seq)
        self._log(calendar, seq, event.id)

    def remove(self, calendar: Calendar, key: str) -> None:
        """Record that a stored event or an occurrence (`key`) is gone."""
        seq = self.next_seq()
        event = calendar.events.pop(key, None)
        if event is not None:
            self.event_calendar.pop(key, None)
            if event.series_master_id is not None:
                calendar.exceptions.get(event.series_master_id, {}).pop(key, None)
            if event.kind == "seriesMaster":
                calendar.removed_masters[key] = event
        calendar.tombstones.pop(key, None)  # re-inserted last: the dict stays in removal order
        calendar.tombstones[key] = seq
        if len(calendar.tombstones) > MAX_TOMBSTONES:
            oldest = next(iter(calendar.tombstones))  # insertion order is removal order
            calendar.floor = max(calendar.floor, calendar.tombstones.pop(oldest))
            calendar.removed_masters.pop(oldest, None)
        self._log(calendar, seq, key)

    def _log(self, calendar: Calendar, seq: int, key: str) -> None:
        calendar.seqs.append(seq)
        calendar.keys.append(key)
        calendar.latest[key] = seq
        live = len(calendar.events) + len(calendar.tombstones)
        if len(calendar.seqs) >= max(_COMPACT_MIN, 2 * live):
            kept = [
                (s, k)
                for s, k in zip(calendar.seqs, calendar.keys, strict=True)
                if calendar.latest.get(k) == s
            ]
            calendar.seqs = [s for s, _ in kept]
            calendar.keys = [k for _, k in kept]
            calendar.latest = {k: s for s, k in kept}

    def clear(self) -> None:
        self.calendars.clear()
        self.by_account.clear()
        self.event_calendar.clear()


def _keep_shape(calendar: Calendar, master: StoredEvent, seq: int) -> None:
    shape = master.shape()
    if master.shapes and master.shapes[-1][1] == shape:
        return
    master.shapes.append((seq, shape))
    if len(master.shapes) > MAX_SHAPES:
        master.shapes.pop(0)
        calendar.floor = max(calendar.floor, master.shapes[0][0])


def shape_at(master: StoredEvent, seq: int) -> Shape | None:
    """The master's shape as of change `seq` (None: it did not exist yet)."""
    if master.created_seq > seq:
        return None
    found = None
    for since, shape in master.shapes:
        if since > seq:
            break
        found = shape
    return found
