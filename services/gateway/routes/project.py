"""`/v1/project`: the caller's project settings; OAuth app secrets are write-only."""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway import project_settings
from services.gateway.project_schemas import ProjectOut, UpdateProject
from services.gateway.routes.context import Deps, ProjectId
from services.gateway.routes.presenters import project_out
from services.gateway.store import projects as project_store
from shared.http.problems import Problem

router = APIRouter(prefix="/v1/project", tags=["project"])


async def _present(deps: Deps, project: str) -> ProjectOut:
    row = await project_store.get_project(deps.pool, project)
    if row is None:  # its API key just authenticated: only a concurrent deletion gets here
        raise Problem(404, "The project no longer exists.")
    return project_out(row)


@router.get("", response_model=ProjectOut)
async def get_project(project: ProjectId, deps: Deps) -> ProjectOut:
    return await _present(deps, project)


@router.patch("", response_model=ProjectOut)
async def update_project(body: UpdateProject, project: ProjectId, deps: Deps) -> ProjectOut:
    await project_settings.update_project(deps.pool, deps.connector, project, body)
    return await _present(deps, project)
