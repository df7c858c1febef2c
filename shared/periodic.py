"""A service's periodic job: one pass every so many seconds, forever. A database outage fails
only that pass (logged, the next one tries again); anything else ends the job, and with it
the service (the runtime does not let a background task die quietly)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg

DB_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


async def run_every(
    seconds: float,
    one_pass: Callable[[], Awaitable[int]],
    *,
    log: logging.Logger,
    name: str,
    done: str,
    counted: str,
) -> None:
    """Run `one_pass` now and every `seconds`; a pass that did something (returned > 0) is
    logged as "`name`: `done`" with its count under `counted`."""
    done_message, failed_message = f"{name}: {done}", f"{name}: database error"
    while True:
        try:
            count = await one_pass()
            if count:
                log.info(done_message, extra={counted: count})
        except DB_ERRORS as exc:
            log.warning(failed_message, extra={"error": type(exc).__name__})
        await asyncio.sleep(seconds)
