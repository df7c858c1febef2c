"""The dev runner's own promises: a busy port is refused, a killed runner leaves nothing
running, and ROLLCALL_DATA_DIR keeps the database across runs."""

from __future__ import annotations

import signal
import socket
import tempfile
from pathlib import Path

import httpx
import psutil
import pytest

from rollcall.dev.ports import free_port
from tests.e2e.conftest import launched, wait_for_line, wait_ready

pytestmark = pytest.mark.e2e


def test_a_busy_gateway_port_is_refused_before_anything_starts() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        with launched(Path(tempfile.mkdtemp()), busy) as (process, lines):
            assert process.wait(60) == 1
    assert any(f"GATEWAY_PORT {busy} is already in use" in line for line in lines)
    assert not any(line.startswith("ROLLCALL_API_KEY=") for line in lines)


def test_a_killed_runner_takes_its_services_along_and_the_next_run_cleans_up() -> None:
    state_dir = Path(tempfile.mkdtemp(prefix="rollcall-kill-"))
    with launched(state_dir, free_port()) as (process, lines):
        wait_ready(lines)
        children = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        _, alive = psutil.wait_procs(children, timeout=15)
        assert alive == []
    # The postmaster (daemonized by pg_ctl) outlived it; the next run stops it and starts clean.
    with launched(state_dir, free_port()) as (process, lines):
        url, key, _ = wait_ready(lines)
        assert httpx.get(
            f"{url}/v1/calendars", headers={"Authorization": f"Bearer {key}"}, timeout=10
        ).json() == {"results": [], "next": None}
    assert process.returncode == 0


def test_the_data_dir_keeps_the_database_between_runs() -> None:
    state_dir = Path(tempfile.mkdtemp(prefix="rollcall-keep-"))
    data_dir = Path(tempfile.mkdtemp(prefix="rollcall-data-"))
    key = "rk_kept_key_for_data_dir_test"
    body = {
        "provider": "caldav",
        "metadata": {"user": "42"},
        "credentials": {
            "url": f"http://127.0.0.1:{free_port()}/",
            "username": "u",
            "password": "p",
        },
    }
    env = {"ROLLCALL_DATA_DIR": str(data_dir), "ROLLCALL_DEV_API_KEY": key}
    headers = {"Authorization": f"Bearer {key}"}
    with launched(state_dir, free_port(), **env) as (process, lines):
        url, _, _ = wait_ready(lines)
        created = httpx.post(f"{url}/v1/calendars", json=body, headers=headers, timeout=10)
        assert created.status_code == 201
        children = psutil.Process(process.pid).children(recursive=True)
        process.send_signal(signal.SIGTERM)  # as an orchestrator stops it: same clean stop
        assert process.wait(60) == 0
        _, alive = psutil.wait_procs(children, timeout=10)
        assert alive == []
    with launched(state_dir, free_port(), **env) as (_, lines):
        url, _, _ = wait_ready(lines)
        wait_for_line(lines, r"^rollcall +\| kept database, fresh broker: replaying (\d+)", 5)
        found = httpx.get(f"{url}/v1/calendars/{created.json()['id']}", headers=headers, timeout=10)
        assert found.status_code == 200 and found.json()["metadata"] == {"user": "42"}
    assert (data_dir / "postgres" / "PG_VERSION").exists()
