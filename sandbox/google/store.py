"""In-memory Google state: calendars, their events and the change sequence sync tokens point into.

One counter numbers every change; each calendar keeps a change log of (sequence, event id) in
ascending order, so "what changed since token T" and "continue after cursor C" are a bisect away,
and a creation log (the sequence each event id first appeared at), which full listings walk.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sandbox.google.recurrence import Expansion
from sandbox.google.times import EventTime, zone

# A log is compacted (entries superseded by later changes dropped) once it is this much longer
# than the number of live keys, keeping state proportional to data.
_COMPACT_FACTOR = 2
_COMPACT_MIN = 1024


class ChangeLog:
    """(sequence, key) pairs in ascending sequence; a key's latest pair is the one that counts."""

    __slots__ = ("keys", "seqs")

    def __init__(self) -> None:
        self.seqs: list[int] = []
        self.keys: list[str] = []

    def record(self, seq: int, key: str) -> None:
        self.seqs.append(seq)
        self.keys.append(key)

    def since(self, after: int, upto: int) -> Iterator[tuple[int, str]]:
        """Pairs with `after < seq <= upto`, oldest first."""
        seqs, keys = self.seqs, self.keys
        end = bisect_right(seqs, upto)
        for index in range(bisect_right(seqs, after), end):
            yield seqs[index], keys[index]

    def needs_compaction(self, live_keys: int) -> bool:
        return len(self.seqs) >= max(_COMPACT_MIN, _COMPACT_FACTOR * live_keys)

    def compact(self, latest: dict[str, int]) -> None:
        """Drop superseded pairs (`latest` maps each key to its current sequence)."""
        kept = [(s, k) for s, k in zip(self.seqs, self.keys, strict=True) if latest.get(k) == s]
        self.seqs = [s for s, _ in kept]
        self.keys = [k for _, k in kept]


@dataclass(slots=True, eq=False)
class StoredEvent:
    """One event as stored: a one-off event, a recurring master, or an exception of a master."""

    id: str
    calendar_id: str
    status: str
    start: EventTime
    end: EventTime
    start_ts: float
    end_ts: float
    fields: dict[str, Any]
    organizer: dict[str, Any]
    creator: dict[str, Any]
    ical_uid: str
    created: datetime
    updated: datetime
    sequence: int = 0
    seq: int = 0
    recurrence: tuple[str, ...] | None = None
    recurring_event_id: str | None = None
    original_start: EventTime | None = None
    # Caches, dropped on every change (see `Store.touch`).
    rendered: str | None = None
    search_text: str | None = None
    expansion: Expansion | None = None
    # Instance ids a recurrence change removed: incremental singleEvents listings cancel them.
    dropped: dict[str, EventTime] = field(default_factory=dict)

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


@dataclass(eq=False)
class Calendar:
    """A calendar owned by one account; `primary` has the account's email as id."""

    id: str
    account_id: str
    summary: str
    time_zone: str
    primary: bool
    updated: datetime
    description: str | None = None
    color_id: str = "14"
    events: dict[str, StoredEvent] = field(default_factory=dict)
    exceptions: dict[str, dict[str, StoredEvent]] = field(default_factory=dict)
    log: ChangeLog = field(default_factory=ChangeLog)
    # (sequence of creation, event id): one pair per event id ever stored, never compacted.
    created: ChangeLog = field(default_factory=ChangeLog)
    seq: int = 0
    list_seq: int = 0
    token_epoch: int = 0

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.time_zone)


@dataclass
class Store:
    """Every account's calendars plus the account-level calendarList change logs."""

    seq: int = 0
    calendars: dict[str, Calendar] = field(default_factory=dict)
    by_account: dict[str, list[str]] = field(default_factory=dict)
    list_logs: dict[str, ChangeLog] = field(default_factory=dict)
    list_epochs: dict[str, int] = field(default_factory=dict)

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def add_calendar(self, calendar: Calendar) -> None:
        self.calendars[calendar.id] = calendar
        self.by_account.setdefault(calendar.account_id, []).append(calendar.id)
        calendar.list_seq = self.next_seq()
        self.list_logs.setdefault(calendar.account_id, ChangeLog()).record(
            calendar.list_seq, calendar.id
        )

    def account_calendars(self, account_id: str) -> list[Calendar]:
        return [self.calendars[i] for i in self.by_account.get(account_id, [])]

    def list_seq(self, account_id: str) -> int:
        log = self.list_logs.get(account_id)
        return log.seqs[-1] if log and log.seqs else 0

    def touch(self, calendar: Calendar, event: StoredEvent, now: datetime) -> None:
        """Record a change of `event` (new, edited or cancelled) in its calendar."""
        seq = self.next_seq()
        event.seq = seq
        event.updated = now
        event.rendered = None
        event.search_text = None
        if event.id not in calendar.events:
            calendar.created.record(seq, event.id)
        calendar.events[event.id] = event
        if event.recurring_event_id is not None:
            calendar.exceptions.setdefault(event.recurring_event_id, {})[event.id] = event
        calendar.log.record(seq, event.id)
        calendar.seq = seq
        calendar.updated = now
        if calendar.log.needs_compaction(len(calendar.events)):
            calendar.log.compact({k: e.seq for k, e in calendar.events.items()})

    def clear(self) -> None:
        self.calendars.clear()
        self.by_account.clear()
        self.list_logs.clear()
        self.list_epochs.clear()
