"""Run services as child processes: prefixed logs, restart with backoff, clean stop on demand."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
from dataclasses import dataclass, field

from rollcall.dev.lifeline import die_with_parent


@dataclass
class ServiceSpec:
    name: str
    argv: list[str]
    env: dict[str, str]


@dataclass
class _Child:
    spec: ServiceSpec
    process: asyncio.subprocess.Process | None = None
    restarts: int = 0
    started_at: float = 0.0
    pump: asyncio.Task[None] | None = field(default=None)


class Supervisor:
    """Keeps every service running, as an orchestrator would, until `stop()`."""

    def __init__(self, specs: list[ServiceSpec], *, max_backoff: float = 30.0) -> None:
        self._children = [_Child(spec) for spec in specs]
        self._max_backoff = max_backoff
        self._stopping = asyncio.Event()
        self._watchers: list[asyncio.Task[None]] = []
        width = max(len(s.name) for s in specs)
        self._width = width

    async def start(self) -> None:
        for child in self._children:
            await self._spawn(child)
            self._watchers.append(asyncio.create_task(self._watch(child)))

    async def _spawn(self, child: _Child) -> None:
        # Own session: a terminal Ctrl-C reaches only us, and we stop children in order.
        child.process = await asyncio.create_subprocess_exec(
            *child.spec.argv,
            env=child.spec.env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=die_with_parent,
        )
        child.started_at = time.monotonic()
        child.pump = asyncio.create_task(self._pump(child.spec.name, child.process))

    async def _pump(self, name: str, process: asyncio.subprocess.Process) -> None:
        assert process.stdout is not None
        prefix = f"{name:<{self._width}} | "
        while line := await process.stdout.readline():
            sys.stdout.write(prefix + line.decode(errors="replace"))
            sys.stdout.flush()

    async def _watch(self, child: _Child) -> None:
        while not self._stopping.is_set():
            assert child.process is not None
            code = await child.process.wait()
            if child.pump:
                await child.pump
            if self._stopping.is_set():
                return
            if time.monotonic() - child.started_at > 60:
                child.restarts = 0  # it ran a good while: start the backoff over
            delay = min(self._max_backoff, 0.5 * 2**child.restarts)
            child.restarts += 1
            _announce(f"{child.spec.name} exited with {code}; restarting in {delay:.1f}s")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)
            if not self._stopping.is_set():
                await self._spawn(child)

    async def stop(self, grace_seconds: float = 15.0) -> None:
        """SIGTERM every child, wait, then SIGKILL what is left; no orphans."""
        self._stopping.set()
        for child in self._children:
            _signal(child.process, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        for child in self._children:
            if child.process is None:
                continue
            try:
                await asyncio.wait_for(child.process.wait(), max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                _signal(child.process, signal.SIGKILL)
                await child.process.wait()
        for task in self._watchers:
            task.cancel()
        for child in self._children:
            if child.pump:
                with contextlib.suppress(asyncio.CancelledError):
                    await child.pump


def _signal(process: asyncio.subprocess.Process | None, sig: int) -> None:
    if process is not None and process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)


def _announce(message: str) -> None:
    sys.stdout.write(f"rollcall  | {message}\n")
    sys.stdout.flush()
