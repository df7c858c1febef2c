"""Coalescing push notifications per calendar, without losing the last one.

A flood of notifications for one calendar (a provider may send one per changed event) becomes
at most one hint now and one trailing hint at the end of the window: the first notification
after a quiet window is published at once; the next ones within the window are covered by a
single hint at the window's end, so the change behind the last notification is still synced.
`now` is passed in (monotonic seconds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Decision = Literal["publish", "schedule", "covered"]


@dataclass
class _Calendar:
    published_at: float
    trailing: bool = False


@dataclass
class HintCoalescer:
    window: float
    max_keys: int = 100_000
    _calendars: dict[str, _Calendar] = field(default_factory=dict)

    def offer(self, key: str, now: float) -> Decision:
        """`publish` now; `schedule` one hint at `due(key)`; or `covered` by the one scheduled."""
        seen = self._calendars.get(key)
        if seen is None or (now - seen.published_at >= self.window and not seen.trailing):
            if seen is None and len(self._calendars) >= self.max_keys:
                self._forget_quiet(now)
            self._calendars[key] = _Calendar(now)
            return "publish"
        if seen.trailing:
            return "covered"
        seen.trailing = True
        return "schedule"

    def due(self, key: str) -> float:
        """When the scheduled trailing hint of `key` is to be published."""
        return self._calendars[key].published_at + self.window

    def published_trailing(self, key: str, now: float) -> None:
        """The trailing hint went out: a new window starts."""
        self._calendars[key] = _Calendar(now)

    def _forget_quiet(self, now: float) -> None:
        quiet = [
            k
            for k, c in self._calendars.items()
            if not c.trailing and now - c.published_at >= self.window
        ]
        for key in quiet:
            del self._calendars[key]
