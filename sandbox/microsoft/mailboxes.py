"""Outlook's concurrency limit per mailbox (providers.md §2.6: 4 requests in flight per app and
mailbox; beyond it 429 `ApplicationThrottled`), and stalls: an admin can hold a mailbox's requests
in flight (as a slow mailbox would) to test client timeouts and the limit itself.

Requests are counted per mailbox, not per app and mailbox: the shared identity tells which
account a token belongs to, not which app holds it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sandbox.microsoft import errors

# Graph's Retry-After for a concurrency refusal is small: the next slot frees within a request.
RETRY_AFTER_SECONDS = 1


class MailboxGate:
    """Slots per mailbox and the stalls that hold admitted requests; safe from any thread."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._in_flight: dict[str, int] = {}
        self._stalls: dict[str, asyncio.Event] = {}
        self._lock = threading.Lock()

    @asynccontextmanager
    async def slot(self, account_id: str) -> AsyncIterator[None]:
        """Hold one of the mailbox's slots while the request runs; 429 when none is free."""
        with self._lock:
            taken = self._in_flight.get(account_id, 0)
            if taken >= self.limit:
                raise errors.mailbox_concurrency(RETRY_AFTER_SECONDS)
            self._in_flight[account_id] = taken + 1
            stall = self._stalls.get(account_id)
        try:
            if stall is not None:
                await stall.wait()
            yield
        finally:
            with self._lock:
                left = self._in_flight[account_id] - 1
                if left:
                    self._in_flight[account_id] = left
                else:
                    del self._in_flight[account_id]

    def in_flight(self, account_id: str) -> int:
        with self._lock:
            return self._in_flight.get(account_id, 0)

    def stall(self, account_id: str) -> None:
        """From now on the mailbox's requests wait, holding their slots, until `release`."""
        with self._lock:
            self._stalls.setdefault(account_id, asyncio.Event())

    def release(self, account_id: str) -> bool:
        """Let the stalled requests go on; False when the mailbox was not stalled."""
        with self._lock:
            stall = self._stalls.pop(account_id, None)
        if stall is not None:
            stall.set()
        return stall is not None

    def reset(self) -> None:
        with self._lock:
            stalls = list(self._stalls.values())
            self._stalls.clear()
        for stall in stalls:
            stall.set()
