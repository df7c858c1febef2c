"""`rollcall doctor`: can the running configuration reach what it needs?

Checks Postgres (reachable, every service schema provisioned), Kafka (reachable, every topic
created) and the provider endpoints. It reads the same settings as the services (the admin
`DATABASE_URL`, else each `<SERVICE>_DATABASE_URL`); when none names a database it finds the
servers of a running `make run` (its state file), whose sandbox then stands in for every
provider. Exit status 1 only when something required is unreachable:
Postgres, Kafka, and every provider endpoint that is configured (set in the environment, or the
dev sandbox). Production defaults that are not configured (Google's real hosts, say) are checked
and reported, but only warn: a deployment may not use that provider.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from rollcall.bootstrap import SERVICES
from shared.contracts import topics
from shared.provider_endpoints import DEFAULTS, ProviderEndpoints, sandbox_endpoints

TIMEOUT_SECONDS = 5.0
# What the clients raise when a server is down, refuses us, or the address is malformed.
UNREACHABLE = (
    OSError,
    TimeoutError,
    ValueError,
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    httpx.HTTPError,
    httpx.InvalidURL,
    KafkaError,
)


@dataclass(frozen=True)
class Target:
    """What to check: `kind` is postgres, kafka or endpoint; `address` a DSN, servers or URL."""

    name: str
    kind: str
    address: str
    required: bool
    why: str  # where the address comes from: environment, dev state, dev sandbox, default


@dataclass(frozen=True)
class Finding:
    name: str
    address: str  # never with a password
    ok: bool
    required: bool
    detail: str

    @property
    def verdict(self) -> str:
        if self.ok:
            return "ok"
        return "FAIL" if self.required else "warn"


class DoctorSettings(BaseSettings):
    """The servers' settings, by the names the services read."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    kafka_bootstrap_servers: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS")
    )
    gateway_database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("GATEWAY_DATABASE_URL")
    )
    connector_database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("CONNECTOR_DATABASE_URL")
    )
    syncer_database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("SYNCER_DATABASE_URL")
    )
    scheduler_database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("SCHEDULER_DATABASE_URL")
    )

    def service_dsns(self) -> dict[str, str]:
        """Each service's own DSN, where one is set (deployments without an admin DSN)."""
        dsns = {s: getattr(self, f"{s}_database_url") for s in SERVICES}
        return {service: dsn for service, dsn in dsns.items() if dsn}

    def uses_dev_state(self) -> bool:
        """True when nothing names a database: then `make run`'s state file is read."""
        return not self.database_url and not self.service_dsns()


def plan(
    settings: DoctorSettings, endpoints: ProviderEndpoints, state: Mapping[str, Any] | None
) -> list[Target]:
    """The targets for these settings and, when no database is named, `make run`'s state."""
    state = state or {}
    targets = _database_targets(settings, state)
    servers = settings.kafka_bootstrap_servers or state.get("kafka_bootstrap")
    why = "environment" if settings.kafka_bootstrap_servers else "dev state"
    targets.append(Target("kafka", "kafka", str(servers or ""), required=True, why=why))
    configured = endpoints.by_env_name()
    sandbox = state.get("sandbox_url")
    from_sandbox = sandbox_endpoints(str(sandbox)) if sandbox else {}
    for name in DEFAULTS:
        if name.lower() in endpoints.model_fields_set:
            targets.append(Target(name, "endpoint", configured[name], True, "environment"))
        elif name in from_sandbox:
            targets.append(Target(name, "endpoint", from_sandbox[name], True, "dev sandbox"))
        else:
            targets.append(Target(name, "endpoint", configured[name], False, "default"))
    return targets


def _database_targets(settings: DoctorSettings, state: Mapping[str, Any]) -> list[Target]:
    """The admin DSN, else every service's own DSN (each sees the catalog of all schemas)."""
    if settings.database_url:
        return [Target("postgres", "postgres", settings.database_url, True, "environment")]
    services = settings.service_dsns()
    if services:
        return [
            Target(f"postgres ({service})", "postgres", dsn, True, "environment")
            for service, dsn in services.items()
        ]
    dsn = str(state.get("database_url") or "")
    return [Target("postgres", "postgres", dsn, True, "dev state")]


def redact(dsn: str) -> str:
    """The DSN without its password."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return dsn
    host = parts.hostname or ""
    netloc = f"{parts.username}@{host}" if parts.username else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


async def check(target: Target) -> Finding:
    address = redact(target.address) if target.kind == "postgres" else target.address
    if not target.address:
        variable = "DATABASE_URL" if target.kind == "postgres" else "KAFKA_BOOTSTRAP_SERVERS"
        detail = f"not configured: set {variable} or start `make run`"
        return Finding(target.name, address, False, target.required, detail)
    probe = {"postgres": _postgres, "kafka": _kafka, "endpoint": _endpoint}[target.kind]
    try:
        ok, detail = await asyncio.wait_for(probe(target.address), TIMEOUT_SECONDS * 2)
    except UNREACHABLE as error:  # only the class: a client's message may quote a secret
        ok, detail = False, f"unreachable ({type(error).__name__})"
    if not ok and not target.required:
        detail += f"; not required ({target.why})"
    return Finding(target.name, address, ok, target.required, detail)


async def _postgres(dsn: str) -> tuple[bool, str]:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn, timeout=TIMEOUT_SECONDS)
    try:
        version = await conn.fetchval("SELECT current_setting('server_version')")
        present = {
            row["nspname"]
            for row in await conn.fetch(
                "SELECT nspname FROM pg_namespace WHERE nspname = ANY($1::text[])", list(SERVICES)
            )
        }
    finally:
        await conn.close()
    missing = [s for s in SERVICES if s not in present]
    if missing:
        schemas = ", ".join(missing)
        return False, f"PostgreSQL {version}; schemas missing: {schemas} (run `rollcall migrate`)"
    return True, f"PostgreSQL {version}; schemas {', '.join(SERVICES)}"


async def _kafka(servers: str) -> tuple[bool, str]:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=servers, request_timeout_ms=int(TIMEOUT_SECONDS * 1000)
    )
    await admin.start()
    try:
        existing = set(await admin.list_topics())
    finally:
        await admin.close()
    wanted = topics.all_with_dead_letters()
    missing = [t for t in wanted if t not in existing]
    if missing:
        return False, f"topics missing: {', '.join(missing)} (run `rollcall migrate`)"
    return True, f"{len(wanted)} topics present"


async def _endpoint(url: str) -> tuple[bool, str]:
    """Reachable means any HTTP answer: the base URL itself is rarely a resource."""
    began = time.monotonic()
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
        response = await client.get(url)
    return True, f"HTTP {response.status_code} in {(time.monotonic() - began) * 1000:.0f} ms"


def read_state(state_dir: Path) -> dict[str, Any] | None:
    path = state_dir / "state.json"
    if not path.exists():
        return None
    loaded: dict[str, Any] = json.loads(path.read_text())
    return loaded


async def diagnose(
    settings: DoctorSettings, endpoints: ProviderEndpoints, state: Mapping[str, Any] | None
) -> list[Finding]:
    return list(await asyncio.gather(*(check(t) for t in plan(settings, endpoints, state))))


def report(findings: list[Finding], *, as_json: bool) -> tuple[str, int]:
    """The text to print and the exit status."""
    failed = [f for f in findings if f.verdict == "FAIL"]
    status = 1 if failed else 0
    if as_json:
        body = {"ok": not failed, "checks": [asdict(f) | {"verdict": f.verdict} for f in findings]}
        return json.dumps(body, indent=2), status
    width = max(len(f.name) for f in findings)
    lines = [f"{f.verdict:<4}  {f.name:<{width}}  {f.address}  {f.detail}" for f in findings]
    summary = f"{len(failed)} required check(s) failed" if failed else "all required checks passed"
    return "\n".join([*lines, summary]), status


def main(state_dir: Path, *, as_json: bool = False) -> int:
    settings = DoctorSettings()
    state = read_state(state_dir) if settings.uses_dev_state() else None
    findings = asyncio.run(diagnose(settings, ProviderEndpoints(), state))
    text, status = report(findings, as_json=as_json)
    print(text)
    return status
