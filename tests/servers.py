"""Real servers for tests: env-given, testcontainers (if asked and Docker runs), or embedded."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rollcall.dev.ports import free_port, wait_for_listener
from rollcall.dev.postgres import EmbeddedPostgres
from rollcall.dev.tansu import EmbeddedTansu


@dataclass(frozen=True)
class Servers:
    admin_dsn: str
    kafka_bootstrap: str
    kafka_is_tansu: bool


def _docker_available() -> bool:
    if not shutil.which("docker"):
        return False
    return subprocess.run(["docker", "info"], capture_output=True, check=False).returncode == 0


@contextmanager
def running_servers() -> Iterator[Servers]:
    env_db = os.environ.get("DATABASE_URL")
    env_kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if env_db and env_kafka:
        yield Servers(env_db, env_kafka, kafka_is_tansu=False)
        return
    if os.environ.get("ROLLCALL_TEST_CONTAINERS") == "1" and _docker_available():
        with _containers() as servers:
            yield servers
        return
    with _embedded() as servers:
        yield servers


@contextmanager
def _embedded() -> Iterator[Servers]:
    root = Path(tempfile.mkdtemp(prefix="rollcall-test-"))
    postgres = EmbeddedPostgres(root / "pg", free_port(), durable=False)
    tansu = EmbeddedTansu(free_port())
    try:
        dsn = postgres.start()
        bootstrap = tansu.start()
        yield Servers(dsn, bootstrap, kafka_is_tansu=True)
    finally:
        tansu.stop()
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _containers() -> Iterator[Servers]:
    from testcontainers.kafka import KafkaContainer
    from testcontainers.postgres import PostgresContainer

    with (
        PostgresContainer("postgres:17", driver=None) as pg,
        KafkaContainer().with_kraft() as kafka,
    ):
        yield Servers(pg.get_connection_url(), kafka.get_bootstrap_server(), kafka_is_tansu=False)


@dataclass(frozen=True)
class Radicale:
    url: str
    users: dict[str, str]


@contextmanager
def running_radicale(users: dict[str, str]) -> Iterator[Radicale]:
    """A Radicale CalDAV server on a free loopback port with htpasswd users (plain passwords)."""
    root = Path(tempfile.mkdtemp(prefix="radicale-"))
    port = free_port()
    (root / "users").write_text("".join(f"{u}:{p}\n" for u, p in users.items()))
    (root / "config").write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n"
        f"[auth]\ntype = htpasswd\nhtpasswd_filename = {root / 'users'}\n"
        "htpasswd_encryption = plain\ndelay = 0\n"
        f"[storage]\nfilesystem_folder = {root / 'collections'}\n"
        "[rights]\ntype = owner_only\n"
        "[logging]\nlevel = warning\n"
    )
    process = subprocess.Popen(
        [os.environ.get("PYTHON", "python"), "-m", "radicale", "--config", str(root / "config")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_listener("127.0.0.1", port, timeout=30)
        yield Radicale(f"http://127.0.0.1:{port}/", users)
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def running_xandikos() -> Iterator[str]:
    """A Xandikos CalDAV server (no auth, `--defaults`: /user/calendars/calendar/); its URL."""
    root = Path(tempfile.mkdtemp(prefix="xandikos-"))
    port = free_port()
    executable = Path(os.environ.get("PYTHON", sys.executable)).parent / "xandikos"
    process = subprocess.Popen(
        [
            str(executable),
            "serve",
            "-d",
            str(root),
            "--defaults",
            "-l",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_listener("127.0.0.1", port, timeout=30)
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(root, ignore_errors=True)
