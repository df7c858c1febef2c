"""Project settings (`PATCH /v1/project`): OAuth app changes go to the connector first (it alone
keeps the secrets, sealed, and answers their public facts), then our own row, in one
transaction."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.gateway.connector_client import ConnectorClient
from services.gateway.project_schemas import UpdateProject
from services.gateway.store import projects as project_store


async def update_project(
    pool: asyncpg.Pool[Any], connector: ConnectorClient, project_id: str, request: UpdateProject
) -> None:
    """Apply the given fields; nothing of ours changes when the connector refuses the apps."""
    report = None
    changes = request.oauth_apps.changes() if request.oauth_apps is not None else {}
    if changes:
        report = await connector.change_oauth_apps(project_id, changes)
    given = request.model_fields_set
    async with pool.acquire() as conn, conn.transaction():
        if given & {"name", "bot_runner_url"}:
            await project_store.update_settings(
                conn,
                project_id,
                name=request.name,
                bot_runner_url=request.bot_runner_url,
                bot_runner_url_given="bot_runner_url" in given,
            )
        if report is not None:
            version, apps = report
            await project_store.store_oauth_apps(conn, project_id, apps, version)
