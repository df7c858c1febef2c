"""The whole system for the end-to-end benchmarks: `python -m rollcall.dev` on free ports, with
its embedded Postgres and Tansu and the provider sandbox, as `make run` starts it (and as the
e2e tests do), with a fixed push secret so the benchmarks can sign push notifications."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rollcall.dev.ports import free_port

REPO = Path(__file__).resolve().parents[1]
_READY_SECONDS = 180


@dataclass
class RunningSystem:
    process: subprocess.Popen[str]
    gateway_url: str
    api_key: str
    sandbox_url: str
    push_secret: str
    started_in_s: float
    state_dir: Path
    lines: list[str] = field(default_factory=list)

    def service_rss_mb(self) -> dict[str, float]:
        """Resident memory of each service process, the sandbox and the broker (`/proc`)."""
        found = {name: _rss_mb(pids[0]) for name, pids in self._processes().items()}
        found.pop("postgres", None)  # its processes share buffers: a sum would mislead
        return {name: mb for name, mb in sorted(found.items()) if mb is not None}

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) used so far by each service, the sandbox, the broker and
        Postgres (the postmaster, its backends, and the backends that exited)."""
        found = {name: sum(_cpu_s(pid) for pid in pids) for name, pids in self._processes().items()}
        return {name: round(seconds, 2) for name, seconds in sorted(found.items())}

    def _processes(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for pid in _children(self.process.pid):
            name = _process_name(pid)
            if name is not None:
                found[name] = [pid]
        postmaster = _postmaster(self.state_dir / "pg")
        if postmaster is not None:
            found["postgres"] = [postmaster, *_children(postmaster)]
        return found


@contextmanager
def running_system(**extra_env: str) -> Iterator[RunningSystem]:
    """Started on embedded servers whatever the environment names (the benchmarks compare runs
    on the same footing), stopped with SIGINT (the runner stops its children in order)."""
    state_dir = Path(tempfile.mkdtemp(prefix="rollcall-bench-system-"))
    push_secret = secrets.token_urlsafe(24)
    env = {**os.environ, "ROLLCALL_STATE_DIR": str(state_dir)}
    for name in ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "ROLLCALL_DATA_DIR"):
        env.pop(name, None)
    # Free ports of our own: never 8080/8090, which a colleague's `make run` may want.
    env.update({"GATEWAY_PORT": str(free_port()), "SANDBOX_PORT": str(free_port())})
    env.update({"ROLLCALL_PUSH_SECRET": push_secret, "PYTHONPATH": str(REPO), **extra_env})
    began = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "rollcall.dev"],
        cwd=REPO,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    lines: list[str] = []
    threading.Thread(target=_read_lines, args=(process, lines), daemon=True).start()
    try:
        url = _wait_for_line(lines, r"^ROLLCALL_GATEWAY_URL=(\S+)$", _READY_SECONDS)
        key = _wait_for_line(lines, r"^ROLLCALL_API_KEY=(\S+)$", 5)
        sandbox = _wait_for_line(lines, r"^ROLLCALL_SANDBOX_URL=(\S+)$", 5)
        started = round(time.perf_counter() - began, 1)
        yield RunningSystem(process, url, key, sandbox, push_secret, started, state_dir, lines)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        shutil.rmtree(state_dir, ignore_errors=True)


def _read_lines(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))


def _wait_for_line(lines: list[str], pattern: str, timeout: float) -> str:
    regex = re.compile(pattern)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in list(lines):
            if match := regex.match(line):
                return match.group(1)
        time.sleep(0.1)
    tail = "\n".join(lines[-30:])
    raise RuntimeError(f"the system printed no {pattern!r} within {timeout} s:\n{tail}")


def _children(pid: int) -> list[int]:
    """Direct children of `pid` (every thread's `children` list)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def _process_name(pid: int) -> str | None:
    """`gateway` for `python -m services.gateway`, `sandbox` for `python -m sandbox`, `tansu`
    for the embedded broker."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return None
    if b"-m" in argv:
        return argv[argv.index(b"-m") + 1].decode().removeprefix("services.")
    return "tansu" if argv[1:2] == [b"broker"] else None


def _postmaster(data_dir: Path) -> int | None:
    """The embedded Postgres' postmaster (it runs in a session of its own, not as our child)."""
    try:
        return int((data_dir / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _cpu_s(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rpartition(")")[2].split()  # after the command name, which may hold spaces
    # utime, stime, and the same of the children it waited for (proc(5))
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return round(int(match.group(1)) / 1024, 1) if match else None
