"""The supervisor restarts a service that dies, with growing delays, and stops every child."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from rollcall.dev.supervisor import ServiceSpec, Supervisor


async def test_a_dying_service_is_restarted_with_backoff_and_stopped_on_demand(
    tmp_path: Path,
) -> None:
    starts = tmp_path / "starts"
    crasher = f"open({str(starts)!r}, 'a').write('x'); raise SystemExit(3)"
    sleeper = "import time; time.sleep(60)"
    supervisor = Supervisor(
        [
            ServiceSpec("crasher", [sys.executable, "-c", crasher], dict(os.environ)),
            ServiceSpec("sleeper", [sys.executable, "-c", sleeper], dict(os.environ)),
        ],
        max_backoff=0.4,
    )
    await supervisor.start()
    async with asyncio.timeout(20):
        while not starts.exists() or len(starts.read_text()) < 4:
            await asyncio.sleep(0.05)
    await supervisor.stop(grace_seconds=5)
    restarts = len(starts.read_text())
    await asyncio.sleep(1)
    assert len(starts.read_text()) == restarts  # nothing restarts after stop
