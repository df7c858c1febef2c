"""Stopping a hub's delivery tasks when the serving loop ends."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence


async def stop(tasks: Sequence[asyncio.Task[None]]) -> None:
    """Cancel the tasks and wait until each has stopped."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError, RuntimeError):
            await task
