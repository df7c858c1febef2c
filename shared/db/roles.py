"""Provision one login role and one schema per service, each role granted only its own schema."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def role_name(service: str) -> str:
    return f"rollcall_{service}"


def service_dsn(admin_dsn: str, service: str, password: str) -> str:
    """The admin DSN with the service's role and password in place of the admin's credentials."""
    parts = urlsplit(admin_dsn)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{role_name(service)}:{quote(password, safe='')}@{host}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


async def provision_service(admin: asyncpg.Connection[Any], service: str, password: str) -> None:
    """Create or update the service's role and schema (idempotent); revoke everything else.

    The role owns its schema and has no rights on `public` or on other services' schemas, so
    a query that strays across a service boundary fails instead of silently coupling services.
    """
    if not _IDENT.match(service):
        raise ValueError(f"bad service name {service!r}")
    role = role_name(service)
    async with admin.transaction():
        # One provisioning at a time, so concurrent starters cannot race on CREATE ROLE.
        await admin.execute("SELECT pg_advisory_xact_lock(hashtext('rollcall.provision'))")
        exists = await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role)
        verb = "ALTER" if exists else "CREATE"
        # Identifiers are validated above; the password goes through quote_literal in SQL.
        literal = await admin.fetchval("SELECT quote_literal($1)", password)
        await admin.execute(f"{verb} ROLE {role} LOGIN PASSWORD {literal}")
        await admin.execute(f"CREATE SCHEMA IF NOT EXISTS {service} AUTHORIZATION {role}")
        await admin.execute(f"ALTER SCHEMA {service} OWNER TO {role}")
        await admin.execute(f"ALTER ROLE {role} SET search_path = {service}")
        await admin.execute(f"REVOKE ALL ON SCHEMA public FROM {role}")
        database = await admin.fetchval("SELECT current_database()")
        await admin.execute(f'REVOKE CREATE, TEMPORARY ON DATABASE "{database}" FROM PUBLIC')
        await admin.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {role}')
