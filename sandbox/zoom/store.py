"""What the Zoom backend keeps in memory: users (one per sandbox account) and their meetings.
Records only; the backend's lock guards every access."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sandbox.zoom import recurrence
from sandbox.zoom.recurrence import Recurrence

INSTANT, SCHEDULED, RECURRING_NO_TIME, RECURRING_FIXED = 1, 2, 3, 8
MEETING_TYPES = (INSTANT, SCHEDULED, RECURRING_NO_TIME, RECURRING_FIXED)


@dataclass(frozen=True)
class User:
    """A Zoom user: the sandbox account seen from Zoom (ids derive from the account id)."""

    account_id: str  # the sandbox account
    id: str
    zoom_account_id: str
    email: str
    pmi: int
    timezone: str
    created_at: datetime


@dataclass
class Meeting:
    id: int
    uuid: str
    host: User
    topic: str
    type: int
    start_time: datetime | None  # None for recurring meetings with no fixed time (type 3)
    duration: int
    timezone: str
    created_at: datetime
    password: str
    encrypted_password: str
    numeric_password: str
    agenda: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    recurrence: Recurrence | None = None
    deleted_occurrences: set[int] = field(default_factory=set)  # occurrence ids (epoch ms)

    def occurrence_starts(self) -> list[datetime]:
        """Start instants of a type 8 meeting's live occurrences (empty for other types)."""
        if self.type != RECURRING_FIXED or self.recurrence is None or self.start_time is None:
            return []
        starts = recurrence.occurrences(self.recurrence, self.start_time, self.timezone)
        return [s for s in starts if occurrence_id(s) not in self.deleted_occurrences]


def occurrence_id(start: datetime) -> int:
    """Zoom names an occurrence by its start in epoch milliseconds."""
    return int(start.timestamp() * 1000)


@dataclass
class Store:
    users: dict[str, User] = field(default_factory=dict)  # by sandbox account id
    meetings: dict[int, Meeting] = field(default_factory=dict)
    by_host: dict[str, dict[int, Meeting]] = field(default_factory=dict)  # account id → meetings

    def add(self, meeting: Meeting) -> None:
        self.meetings[meeting.id] = meeting
        self.by_host.setdefault(meeting.host.account_id, {})[meeting.id] = meeting

    def remove(self, meeting: Meeting) -> None:
        self.meetings.pop(meeting.id, None)
        self.by_host.get(meeting.host.account_id, {}).pop(meeting.id, None)

    def hosted_by(self, account_id: str) -> list[Meeting]:
        return list(self.by_host.get(account_id, {}).values())

    def clear(self) -> None:
        self.users.clear()
        self.meetings.clear()
        self.by_host.clear()
