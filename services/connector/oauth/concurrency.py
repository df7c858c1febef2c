"""Requests in flight per account, bounded in this process: one semaphore per key (a grant),
shared by every operation of that account while any of them runs, forgotten once none does
(Graph allows 4 concurrent requests per app and mailbox, providers.md §2.6)."""

from __future__ import annotations

import asyncio
import weakref


class AccountConcurrency:
    """At most `limit` requests in flight per key."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._semaphores: weakref.WeakValueDictionary[str, asyncio.Semaphore] = (
            weakref.WeakValueDictionary()
        )

    def semaphore(self, key: str) -> asyncio.Semaphore:
        """The key's semaphore; the caller keeps a reference for as long as it uses it."""
        found = self._semaphores.get(key)
        if found is None:
            found = asyncio.Semaphore(self._limit)
            self._semaphores[key] = found
        return found
