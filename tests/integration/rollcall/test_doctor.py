"""`rollcall doctor` against the real test Postgres and broker and a live HTTP endpoint."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rollcall.bootstrap import DatabaseLayout
from rollcall.dev.ports import free_port
from rollcall.doctor import DoctorSettings, Finding, diagnose
from shared.provider_endpoints import DEFAULTS, ProviderEndpoints
from tests.servers import Servers

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def endpoint() -> Iterator[str]:
    """A live HTTP server: any answer means the endpoint is reachable."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not listening(port):
            assert process.poll() is None and time.monotonic() < deadline, "no HTTP server"
            time.sleep(0.025)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


async def doctor(env: dict[str, str]) -> list[Finding]:
    """What `rollcall doctor` finds with `env` as its environment."""
    settings = DoctorSettings.model_validate(env)
    return await diagnose(settings, ProviderEndpoints.model_validate(env), None)


def environment(database: DatabaseLayout, kafka: str, url: str) -> dict[str, str]:
    env = {name: url for name in DEFAULTS}
    env["DATABASE_URL"] = database.dsns["gateway"]
    env["KAFKA_BOOTSTRAP_SERVERS"] = kafka
    return env


async def test_everything_reachable(database: DatabaseLayout, kafka: str, endpoint: str) -> None:
    findings = await doctor(environment(database, kafka, endpoint))
    assert [f.name for f in findings if not f.ok] == []
    details = {f.name: f.detail for f in findings}
    assert details["postgres"].startswith("PostgreSQL ")
    assert details["kafka"].endswith("topics present")
    assert details["ZOOM_API_BASE_URL"].startswith("HTTP 200")
    password = database.dsns["gateway"].split(":")[2].split("@")[0]
    assert all(password not in f.address for f in findings)


async def test_a_configured_endpoint_that_is_down_fails(
    database: DatabaseLayout, kafka: str, endpoint: str
) -> None:
    env = environment(database, kafka, endpoint)
    env["MICROSOFT_GRAPH_BASE_URL"] = f"http://127.0.0.1:{free_port()}"
    findings = {f.name: f for f in await doctor(env)}
    graph = findings["MICROSOFT_GRAPH_BASE_URL"]
    assert (graph.ok, graph.required, graph.verdict) == (False, True, "FAIL")
    assert graph.detail == "unreachable (ConnectError)"


async def test_an_unprovisioned_database_and_a_dead_broker_fail(
    servers: Servers, endpoint: str
) -> None:
    env = {name: endpoint for name in DEFAULTS}
    env["DATABASE_URL"] = servers.admin_dsn  # the server's default database: no schemas
    env["KAFKA_BOOTSTRAP_SERVERS"] = f"127.0.0.1:{free_port()}"
    findings = {f.name: f for f in await doctor(env)}
    assert not findings["postgres"].ok
    assert "schemas missing: gateway, connector, syncer, scheduler" in findings["postgres"].detail
    assert (findings["kafka"].ok, findings["kafka"].verdict) == (False, "FAIL")


def test_the_command_exits_non_zero_and_prints_json(servers: Servers, endpoint: str) -> None:
    env = {name: endpoint for name in DEFAULTS}
    env |= {"DATABASE_URL": servers.admin_dsn, "KAFKA_BOOTSTRAP_SERVERS": servers.kafka_bootstrap}
    env["PATH"] = "/usr/bin:/bin"
    result = subprocess.run(
        [sys.executable, "-m", "rollcall.cli", "doctor", "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    body = json.loads(result.stdout)
    assert body["ok"] is False
    verdicts = {c["name"]: c["verdict"] for c in body["checks"]}
    assert verdicts["postgres"] == "FAIL" and verdicts["GOOGLE_API_BASE_URL"] == "ok"
