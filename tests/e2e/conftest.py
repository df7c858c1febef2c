"""The whole system as `make run` starts it: a `python -m rollcall.dev` process on free ports."""

from __future__ import annotations

import os
import re
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

import httpx
import pytest

from rollcall.dev.ports import free_port
from tests.servers import Radicale, running_xandikos

REPO = Path(__file__).resolve().parents[2]
# Fixed so the push tests can derive channel tokens (a flood needs valid ones).
E2E_PUSH_SECRET = "e2e-push-secret-0123456789abcdef"


@dataclass
class RunningSystem:
    process: subprocess.Popen[str]
    gateway_url: str
    api_key: str
    kafka_bootstrap: str
    state_dir: Path
    lines: list[str] = field(default_factory=list)
    sandbox_url: str = ""
    # Secrets handed to the system by the scenarios (refresh tokens, client secrets) that the
    # run's database dump and logs must never show (`test_no_secret_in_…`, which runs last).
    secrets: list[str] = field(default_factory=list)

    def cli(self, *args: str) -> str:
        env = {**os.environ, "ROLLCALL_STATE_DIR": str(self.state_dir)}
        env.pop("DATABASE_URL", None)
        result = subprocess.run(
            [sys.executable, "-m", "rollcall.cli", *args],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return result.stdout


def _read_lines(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))


def wait_for_line(lines: list[str], pattern: str, timeout: float) -> str:
    regex = re.compile(pattern)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in list(lines):
            if match := regex.match(line):
                return match.group(1)
        time.sleep(0.1)
    raise AssertionError(
        f"no line {pattern!r} within {timeout}s; last lines:\n" + "\n".join(lines[-40:])
    )


@contextmanager
def launched(
    state_dir: Path, port: int, **extra_env: str
) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """`python -m rollcall.dev` with no server configured; stopped (SIGINT) on exit."""
    env = {**os.environ, "GATEWAY_PORT": str(port), "ROLLCALL_STATE_DIR": str(state_dir)}
    for name in (
        "DATABASE_URL",
        "KAFKA_BOOTSTRAP_SERVERS",
        "ROLLCALL_DATA_DIR",
        "ROLLCALL_DEV_API_KEY",
    ):
        env.pop(name, None)
    env.update(extra_env)
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
        yield process, lines
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_ready(lines: list[str]) -> tuple[str, str, str]:
    """The contract lines (gateway URL, API key, broker address, sandbox URL) once printed."""
    url = wait_for_line(lines, r"^ROLLCALL_GATEWAY_URL=(\S+)$", 180)
    key = wait_for_line(lines, r"^ROLLCALL_API_KEY=(\S+)$", 5)
    bootstrap = wait_for_line(lines, r"^ROLLCALL_KAFKA_BOOTSTRAP=(\S+)$", 5)
    wait_for_line(lines, r"^ROLLCALL_SANDBOX_URL=(\S+)$", 5)
    return url, key, bootstrap


STOPS_SYSTEM = "stops_system"
AUDITS_RUN = "audits_run"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{STOPS_SYSTEM}: stops the shared system; runs last")
    config.addinivalue_line("markers", f"{AUDITS_RUN}: inspects the whole run; runs late")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Audits of the run come after every scenario, and the test that stops the shared system
    after everything else using it."""
    items.sort(
        key=lambda item: (
            item.get_closest_marker(STOPS_SYSTEM) is not None,
            item.get_closest_marker(AUDITS_RUN) is not None,
        )
    )


@pytest.fixture(scope="session")
def xandikos() -> Iterator[str]:
    """The e2e tests' own Xandikos: they add calendars, which would change which calendar is
    the default on the server the integration tests expect untouched."""
    with running_xandikos() as url:
        yield url


@pytest.fixture(scope="session")
def system(radicale: Radicale) -> Iterator[RunningSystem]:
    """Started with no server configured, exactly like a newcomer's `make run`, except for a
    short poll interval (so tests see polling work) and iCloud's entry point pointed at the
    test Radicale (dev mode allows loopback)."""
    state_dir = Path(tempfile.mkdtemp(prefix="rollcall-e2e-"))
    fixed = {
        "ROLLCALL_DEV_API_KEY": "rk_e2e_fixed_key_0123456789",
        "CONNECTOR_POLL_INTERVAL_SECONDS": "2",
        "ROLLCALL_PUSH_SECRET": E2E_PUSH_SECRET,
        "APPLE_CALDAV_URL": radicale.url,
    }
    with launched(state_dir, free_port(), **fixed) as (process, lines):
        url, key, bootstrap = wait_ready(lines)
        sandbox = wait_for_line(lines, r"^ROLLCALL_SANDBOX_URL=(\S+)$", 5)
        yield RunningSystem(process, url, key, bootstrap, state_dir, lines, sandbox)


@pytest.fixture
def api(system: RunningSystem) -> Iterator[httpx.Client]:
    """The public API as the dev project's client."""
    headers = {"Authorization": f"Bearer {system.api_key}"}
    with httpx.Client(base_url=system.gateway_url, timeout=20, headers=headers) as client:
        yield client
