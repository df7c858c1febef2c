"""`make run`: embedded servers when none are configured, bootstrap, the four services, dev key."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from rollcall.bootstrap import SERVICES, create_topics, provision_database, replay_outboxes
from rollcall.dev.config import DevSettings
from rollcall.dev.ports import free_port, port_is_free
from rollcall.dev.postgres import EmbeddedPostgres
from rollcall.dev.sandbox_apps import register_zoom_webhook, use_sandbox_apps
from rollcall.dev.secrets_file import DevSecrets, load_or_create
from rollcall.dev.supervisor import ServiceSpec, Supervisor
from rollcall.dev.tansu import EmbeddedTansu
from services.gateway.projects import ensure_dev_project
from shared.provider_endpoints import sandbox_endpoints


def say(message: str) -> None:
    sys.stdout.write(f"rollcall  | {message}\n")
    sys.stdout.flush()


class PortTaken(Exception):
    """A port the run needs is in use."""

    def __init__(self, name: str, port: int) -> None:
        super().__init__(f"{name} {port}")
        self.name = name
        self.port = port


class DevRun:
    def __init__(self, settings: DevSettings) -> None:
        self.settings = settings
        self.state_dir = settings.state_dir.resolve()
        self.postgres: EmbeddedPostgres | None = None
        self.tansu: EmbeddedTansu | None = None
        self.supervisor: Supervisor | None = None
        self.sandbox_port: int | None = None

    def start_servers(self) -> tuple[str, str]:
        """Admin DSN and Kafka bootstrap: the configured servers, or embedded ones."""
        s = self.settings
        dsn = s.database_url
        if dsn is None:
            durable = s.data_dir is not None
            data = (s.data_dir.resolve() / "postgres") if s.data_dir else self.state_dir / "pg"
            if not durable and data.exists():
                EmbeddedPostgres(data, 0, durable=False).destroy()  # left by a killed run
            self.postgres = EmbeddedPostgres(data, s.postgres_port or free_port(), durable=durable)
            dsn = self.postgres.start()
            say(f"embedded Postgres on 127.0.0.1:{self.postgres.port} ({data})")
        bootstrap = s.kafka_bootstrap_servers
        if bootstrap is None:
            self.tansu = EmbeddedTansu(s.kafka_port or free_port())
            bootstrap = self.tansu.start()
            say(f"embedded Tansu broker on {bootstrap} (memory storage)")
        return dsn, bootstrap

    def secrets_path(self) -> Path | None:
        s = self.settings
        if s.data_dir is not None:
            return s.data_dir.resolve() / "secrets.json"
        if s.database_url is not None:
            return self.state_dir / "secrets.json"
        return None

    def service_specs(
        self, dsns: dict[str, str], bootstrap: str, secrets: DevSecrets
    ) -> list[ServiceSpec]:
        ports = {"gateway": self.settings.gateway_port}
        ports.update({s: free_port() for s in SERVICES if s != "gateway"})
        gateway_url = f"http://127.0.0.1:{ports['gateway']}"
        common = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "ROLLCALL_KAFKA_IDEMPOTENCE": "false" if self.tansu else "true",
            "ROLLCALL_KAFKA_SESSION_TIMEOUT_MS": "6000" if self.tansu else "10000",
            "ROLLCALL_KAFKA_FETCH_WAIT_MS": "20" if self.tansu else "500",
            "ROLLCALL_INTERNAL_TOKEN": secrets.internal_token,
            # A fixed secret from the environment wins (tests forge channels with it).
            "ROLLCALL_PUSH_SECRET": os.environ.get("ROLLCALL_PUSH_SECRET") or secrets.push_secret,
            "ROLLCALL_DEV_MODE": "true",
            "PUBLIC_BASE_URL": self.settings.public_base_url or gateway_url,
            "CONNECTOR_ALLOW_LOOPBACK_URLS": "true",
            "CONNECTOR_ENCRYPTION_KEYS": f"{secrets.encryption_key_id}:{secrets.encryption_key}",
            "CONNECTOR_ACTIVE_KEY_ID": secrets.encryption_key_id,
            "PYTHONUNBUFFERED": "1",
        }
        common.pop("DATABASE_URL", None)  # services get their own role's DSN, never the admin's
        for service in SERVICES:
            common[f"{service.upper()}_PORT"] = str(ports[service])
            common[f"{service.upper()}_DATABASE_URL"] = dsns[service]
            if service != "gateway":
                common[f"GATEWAY_{service.upper()}_URL"] = f"http://127.0.0.1:{ports[service]}"
        if (sandbox_url := self.sandbox_url) is not None:
            # Provider base URLs (read by the connector's OAuth providers) point at the sandbox,
            # each standing for the real host the provider's paths hang off.
            common.update(sandbox_endpoints(sandbox_url))
        specs = [
            ServiceSpec(name, [sys.executable, "-m", f"services.{name}"], dict(common))
            for name in SERVICES
        ]
        if self.sandbox_port is not None:
            argv = [sys.executable, "-m", "sandbox", "--port", str(self.sandbox_port)]
            specs.append(ServiceSpec("sandbox", argv, dict(common)))
        return specs

    def choose_sandbox_port(self) -> int | None:
        """SANDBOX_PORT if set (it must be free), else 8090 when free, else any free port."""
        if not self.settings.sandbox:
            return None
        wanted = self.settings.sandbox_port
        if wanted is not None:
            if not port_is_free(wanted):
                raise PortTaken("SANDBOX_PORT", wanted)
            return wanted
        return 8090 if port_is_free(8090) else free_port()

    async def run(self) -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, stop.set)
        try:
            return await self._run(stop)
        finally:
            await self.shutdown()

    async def _run(self, stop: asyncio.Event) -> int:
        began = time.monotonic()
        try:
            if not port_is_free(self.settings.gateway_port):
                raise PortTaken("GATEWAY_PORT", self.settings.gateway_port)
            self.sandbox_port = self.choose_sandbox_port()
        except PortTaken as taken:
            say(
                f"{taken.name} {taken.port} is already in use (another `make run`?)."
                f" Stop that process or set {taken.name} to a free port."
            )
            return 1
        admin_dsn, bootstrap = await asyncio.to_thread(self.start_servers)
        secrets = load_or_create(self.secrets_path())
        await create_topics(bootstrap, self.settings.kafka_partitions)
        layout = await provision_database(admin_dsn, secrets.passwords)
        if self.tansu and self.secrets_path() is not None:
            replayed = await replay_outboxes(admin_dsn)
            say(f"kept database, fresh broker: replaying {replayed} retained outbox messages")
        _, api_key = await _dev_project(layout.dsns["gateway"], self.settings.dev_api_key)
        self._write_state(admin_dsn, bootstrap)
        specs = self.service_specs(layout.dsns, bootstrap, secrets)
        self.supervisor = Supervisor(specs)
        await self.supervisor.start()
        gateway_url = f"http://127.0.0.1:{self.settings.gateway_port}"
        if not await _wait_ready(gateway_url, stop, within_seconds=120):
            if stop.is_set():
                return 0
            say("the services did not become ready within 120 s; see the logs above")
            return 1
        sandbox_url = self.sandbox_url
        if sandbox_url and not await _wait_healthy(sandbox_url, stop, within_seconds=60):
            say("the provider sandbox did not start within 60 s; see the logs above")
            return 0 if stop.is_set() else 1
        if sandbox_url:
            public_url = self.settings.public_base_url or gateway_url
            await _use_sandbox(
                gateway_url, public_url, sandbox_url, api_key, secrets.zoom_webhook_secret
            )
        say(f"ready in {time.monotonic() - began:.1f}s")
        print(f"ROLLCALL_GATEWAY_URL={gateway_url}", flush=True)
        print(f"ROLLCALL_API_KEY={api_key}", flush=True)
        print(f"ROLLCALL_KAFKA_BOOTSTRAP={bootstrap}", flush=True)
        if sandbox_url:
            print(f"ROLLCALL_SANDBOX_URL={sandbox_url}", flush=True)
        await stop.wait()
        say("stopping")
        return 0

    @property
    def sandbox_url(self) -> str | None:
        return None if self.sandbox_port is None else f"http://127.0.0.1:{self.sandbox_port}"

    def _write_state(self, admin_dsn: str, bootstrap: str) -> None:
        """Where the running servers are, for `rollcall projects create` and `rollcall doctor`."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        path = self.state_dir / "state.json"
        path.touch(mode=0o600)
        state = {
            "database_url": admin_dsn,
            "kafka_bootstrap": bootstrap,
            "sandbox_url": self.sandbox_url,
        }
        path.write_text(json.dumps(state))

    async def shutdown(self) -> None:
        if self.supervisor:
            await self.supervisor.stop()
        if self.tansu:
            self.tansu.stop()
        if self.postgres:
            await asyncio.to_thread(self.postgres.stop)
            if not self.postgres.durable:
                self.postgres.destroy()
        with contextlib.suppress(FileNotFoundError):
            (self.state_dir / "state.json").unlink()
        say("stopped")


async def _dev_project(gateway_dsn: str, fixed_key: str | None) -> tuple[str, str]:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(gateway_dsn)
    try:
        return await ensure_dev_project(conn, fixed_key)
    finally:
        await conn.close()


async def _use_sandbox(
    gateway_url: str, public_url: str, sandbox_url: str, api_key: str, secret: str
) -> None:
    """The dev project uses the sandbox's default apps, and the default Zoom app's webhooks
    go to the gateway's receiver at `PUBLIC_BASE_URL` (Zoom push)."""
    if not await use_sandbox_apps(gateway_url, api_key, secret):
        say("could not set the dev project's OAuth apps; hosted OAuth needs PATCH /v1/project")
        return
    receiver = f"{public_url.rstrip('/')}/v1/push/zoom"
    if not await register_zoom_webhook(sandbox_url, receiver, secret):
        say("could not register the gateway's Zoom receiver with the sandbox; Zoom is polled")


async def _wait_ready(gateway_url: str, stop: asyncio.Event, within_seconds: float) -> bool:
    return await _wait_for_200(f"{gateway_url}/readyz", stop, within_seconds)


async def _wait_healthy(sandbox_url: str, stop: asyncio.Event, within_seconds: float) -> bool:
    return await _wait_for_200(f"{sandbox_url}/healthz", stop, within_seconds)


async def _wait_for_200(url: str, stop: asyncio.Event, within_seconds: float) -> bool:
    deadline = time.monotonic() + within_seconds
    async with httpx.AsyncClient(timeout=2.0) as client:
        while time.monotonic() < deadline and not stop.is_set():
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get(url)).status_code == 200:
                    return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.2)
    return False


def main() -> int:
    return asyncio.run(DevRun(DevSettings()).run())
