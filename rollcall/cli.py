"""The `rollcall` operator console script: dev run, migrations, projects, doctor."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

import asyncpg
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from rollcall.bootstrap import SERVICES, create_topics, provision_database
from services.gateway.projects import create_project


class CliSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")
    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"))
    kafka_bootstrap_servers: str | None = Field(
        default=None, validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS")
    )
    kafka_partitions: int = Field(
        default=12, ge=1, validation_alias=AliasChoices("ROLLCALL_KAFKA_PARTITIONS")
    )
    kafka_replication: int = Field(
        default=1, ge=1, validation_alias=AliasChoices("ROLLCALL_KAFKA_REPLICATION")
    )
    state_dir: Path = Field(
        default=Path(".rollcall/dev"), validation_alias=AliasChoices("ROLLCALL_STATE_DIR")
    )


def _admin_dsn(settings: CliSettings) -> str:
    """DATABASE_URL, or in dev mode the running embedded Postgres (from `make run`'s state)."""
    if settings.database_url:
        return settings.database_url
    state = settings.state_dir / "state.json"
    if state.exists():
        return str(json.loads(state.read_text())["database_url"])
    raise SystemExit("Set DATABASE_URL, or start the system with `make run` first.")


async def _create_project(name: str) -> None:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(
        _admin_dsn(CliSettings()), server_settings={"search_path": "gateway"}
    )
    try:
        project_id, key = await create_project(conn, name)
    finally:
        await conn.close()
    print(f"ROLLCALL_PROJECT_ID={project_id}")
    print(f"ROLLCALL_API_KEY={key}")


async def _rotate_keys() -> int:
    """Re-seal every connector grant and project OAuth app under `CONNECTOR_ACTIVE_KEY_ID` (see
    services/connector/rotation.py for the procedure)."""
    from services.connector.app import keyring_of
    from services.connector.rotation import rotate_keys
    from services.connector.settings import ConnectorSettings
    from shared.db.pool import create_pool

    settings = ConnectorSettings()
    dsn = settings.dsn() if settings.service_database_url else _admin_dsn(CliSettings())
    pool = await create_pool(dsn, "connector", max_size=2)
    try:
        report = await rotate_keys(pool, keyring_of(settings))
    finally:
        await pool.close()
    print(f"grants re-sealed: {report.resealed}")
    print(f"oauth apps re-sealed: {report.apps_resealed}")
    for grant_id in report.unreadable:
        print(f"no configured key opens grant {grant_id}", file=sys.stderr)
    for app in report.unreadable_apps:
        print(f"no configured key opens oauth app {app}", file=sys.stderr)
    return 1 if report.unreadable or report.unreadable_apps else 0


async def _migrate() -> None:
    """Production bootstrap: roles (passwords from `<SERVICE>_DATABASE_PASSWORD`), migrations,
    topics. Idempotent; run it before (re)starting the services."""
    settings = CliSettings()
    if not settings.database_url or not settings.kafka_bootstrap_servers:
        raise SystemExit("rollcall migrate needs DATABASE_URL and KAFKA_BOOTSTRAP_SERVERS")
    passwords = {}
    for service in SERVICES:
        password = os.environ.get(f"{service.upper()}_DATABASE_PASSWORD", "")
        if len(password) < 12:
            raise SystemExit(f"set {service.upper()}_DATABASE_PASSWORD (12+ characters)")
        passwords[service] = password
    await provision_database(settings.database_url, passwords)
    created = await create_topics(
        settings.kafka_bootstrap_servers, settings.kafka_partitions, settings.kafka_replication
    )
    print(f"database provisioned; topics created: {', '.join(created) or 'none (all existed)'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="rollcall", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dev", help="run the whole system locally (what `make run` does)")
    commands.add_parser("asyncapi", help="regenerate docs/asyncapi.json from the contracts")
    commands.add_parser("migrate", help="provision roles and schemas, migrate, create topics")
    doctor = commands.add_parser(
        "doctor", help="check Postgres, Kafka and the provider endpoints; exit 1 if one is down"
    )
    doctor.add_argument("--json", action="store_true", help="machine-readable output")
    projects = commands.add_parser("projects", help="manage tenants")
    project_commands = projects.add_subparsers(dest="action", required=True)
    create = project_commands.add_parser("create", help="create a project and print its API key")
    create.add_argument("name")
    commands.add_parser(
        "rotate-keys",
        help="re-seal every stored credential under CONNECTOR_ACTIVE_KEY_ID",
    )
    args = parser.parse_args(argv)
    if args.command == "dev":
        from rollcall.dev.run import main as dev_main

        return dev_main()
    if args.command == "asyncapi":
        from rollcall.asyncapi import write

        print(write())
    if args.command == "migrate":
        asyncio.run(_migrate())
    if args.command == "doctor":
        from rollcall.doctor import main as doctor_main

        return doctor_main(CliSettings().state_dir, as_json=args.json)
    if args.command == "rotate-keys":
        return asyncio.run(_rotate_keys())
    if args.command == "projects" and args.action == "create":
        asyncio.run(_create_project(args.name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
