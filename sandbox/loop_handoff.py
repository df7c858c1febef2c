"""Handing work from any thread to the serving event loop, where the push and webhook hubs keep
their queues, while counting the calls still on their way there: a hub is idle only when nothing
is in its queues *and* nothing is in transit to them (the API's sync routes run in worker threads).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable


class LoopHandoff:
    """The serving loop of one hub; `call` may be used from any thread."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_transit = 0
        self._generation = 0  # calls scheduled on an earlier loop no longer count
        self._lock = threading.Lock()

    def bind(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Run later calls in `loop`; True when it replaces another loop (or none)."""
        with self._lock:
            if self._loop is loop:
                return False
            self._loop, self._in_transit = loop, 0
            self._generation += 1
            return True

    def call(self, function: Callable[..., object], *args: object) -> None:
        """Run `function(*args)` in the serving loop: at once from inside it, soon from elsewhere;
        dropped when no loop is bound or it has closed."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            function(*args)
            return
        with self._lock:
            self._in_transit += 1
            generation = self._generation
        try:
            loop.call_soon_threadsafe(self._arrive, generation, function, args)
        except RuntimeError:  # the loop closed meanwhile
            self._landed(generation)

    @property
    def settled(self) -> bool:
        """No call is on its way to the loop."""
        with self._lock:
            return self._in_transit == 0

    def _arrive(
        self, generation: int, function: Callable[..., object], args: tuple[object, ...]
    ) -> None:
        try:
            function(*args)
        finally:
            self._landed(generation)

    def _landed(self, generation: int) -> None:
        with self._lock:
            if generation == self._generation:
                self._in_transit -= 1
