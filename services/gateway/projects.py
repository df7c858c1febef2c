"""Project and API key provisioning, used by the `rollcall` operator CLI and dev mode."""

from __future__ import annotations

from services.gateway.domain.api_keys import generate_key, hash_key, is_acceptable
from services.gateway.store import projects as project_store
from shared.db.types import Connection
from shared.ids import new_id


class UnacceptableKey(ValueError):
    """Raised when a fixed API key is shorter than 16 printable characters or has spaces."""


async def create_project(
    conn: Connection, name: str, api_key: str | None = None
) -> tuple[str, str]:
    """Create a project with one API key (generated unless given); returns (project id, key)."""
    key = api_key or generate_key()
    if not is_acceptable(key):
        raise UnacceptableKey("API keys need at least 16 printable characters and no spaces")
    project_id = new_id("prj")
    async with conn.transaction():
        await project_store.insert_project(conn, project_id, name)
        await project_store.insert_api_key(conn, new_id("key"), project_id, hash_key(key))
    return project_id, key


async def ensure_dev_project(conn: Connection, api_key: str | None) -> tuple[str, str]:
    """The dev project, created on first use; a fixed key (ROLLCALL_DEV_API_KEY) is attached."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext('rollcall.dev_project'))")
        existing = await project_store.project_with_name(conn, "dev")
        if existing is None:
            return await create_project(conn, "dev", api_key)
        if api_key is None:
            # A new key each run: the one printed last time stops working, none pile up.
            await project_store.revoke_project_keys(conn, existing)
        key = api_key or generate_key()
        if not is_acceptable(key):
            raise UnacceptableKey("API keys need at least 16 printable characters and no spaces")
        owner = await project_store.project_of_key(conn, hash_key(key))
        if owner not in (None, existing):
            raise UnacceptableKey("that API key already belongs to another project")
        await project_store.insert_api_key(conn, new_id("key"), existing, hash_key(key))
        return existing, key
