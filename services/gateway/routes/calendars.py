"""`/v1/calendars`: connect, list, read, update, delete and resync calendars."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response

from services.gateway import usecases
from services.gateway.routes.context import Deps, ProjectId
from services.gateway.routes.paging import after_cursor, next_cursor
from services.gateway.routes.presenters import calendar_out
from services.gateway.schemas import (
    CalendarList,
    CalendarOut,
    CreateCalendar,
    RawCalendarList,
    RawCalendarsRequest,
    ResyncAllOut,
    UpdateCalendar,
    check_credentials,
)
from services.gateway.store import calendars as calendar_store
from shared.http.problems import Problem

router = APIRouter(prefix="/v1/calendars", tags=["calendars"])

Limit = Annotated[int, Query(ge=1, le=500)]


def _not_found(calendar_id: str) -> Problem:
    return Problem(404, f"No calendar {calendar_id} in this project.")


async def _present(deps: Deps, project: str, calendar_id: str) -> CalendarOut:
    row = await calendar_store.get_calendar(deps.pool, project, calendar_id)
    if row is None:
        raise _not_found(calendar_id)
    return calendar_out(row)


@router.post("", status_code=201, response_model=CalendarOut)
async def create_calendar(body: CreateCalendar, project: ProjectId, deps: Deps) -> CalendarOut:
    body.check_credentials()
    calendar_id = await usecases.connect_calendar(deps.pool, deps.connector, project, body)
    return await _present(deps, project, calendar_id)


@router.post("/raw", response_model=RawCalendarList)
async def raw_calendars(
    body: RawCalendarsRequest, project: ProjectId, deps: Deps
) -> RawCalendarList:
    """The account's calendars straight from the provider; nothing is stored."""
    check_credentials(body.provider, body.credentials)
    listing = await deps.connector.list_calendars(
        project_id=project, provider=body.provider, credentials=body.credentials
    )
    return RawCalendarList.model_validate(listing)


@router.get("", response_model=CalendarList)
async def list_calendars(
    project: ProjectId,
    deps: Deps,
    limit: Limit = 50,
    cursor: str | None = None,
    deduplication_key: str | None = None,
    state: str | None = None,
    provider: str | None = None,
) -> CalendarList:
    after = after_cursor(cursor)
    filters = {
        k: v
        for k, v in {
            "deduplication_key": deduplication_key,
            "state": state,
            "provider": provider,
        }.items()
        if v is not None
    }
    rows = await calendar_store.list_calendars(
        deps.pool, project, filters=filters, after=after, limit=limit
    )
    following = next_cursor(len(rows), limit, rows[-1].created_at, rows[-1].id) if rows else None
    return CalendarList(results=[calendar_out(r) for r in rows], next=following)


@router.post("/resync", status_code=202, response_model=ResyncAllOut)
async def resync_all(project: ProjectId, deps: Deps) -> ResyncAllOut:
    return ResyncAllOut(calendar_ids=await usecases.resync_all(deps.pool, project))


@router.get("/{calendar_id}", response_model=CalendarOut)
async def get_calendar(calendar_id: str, project: ProjectId, deps: Deps) -> CalendarOut:
    return await _present(deps, project, calendar_id)


@router.patch("/{calendar_id}", response_model=CalendarOut)
async def update_calendar(
    calendar_id: str, body: Annotated[UpdateCalendar, Body()], project: ProjectId, deps: Deps
) -> CalendarOut:
    row = await calendar_store.get_calendar(deps.pool, project, calendar_id)
    if row is None:
        raise _not_found(calendar_id)
    await usecases.update_calendar(deps.pool, deps.connector, row, body)
    return await _present(deps, project, calendar_id)


@router.delete("/{calendar_id}", status_code=204)
async def delete_calendar(calendar_id: str, project: ProjectId, deps: Deps) -> Response:
    if not await usecases.delete_calendar(deps.pool, project, calendar_id):
        raise _not_found(calendar_id)
    return Response(status_code=204)


@router.post("/{calendar_id}/resync", status_code=202)
async def resync_calendar(calendar_id: str, project: ProjectId, deps: Deps) -> dict[str, str]:
    if not await usecases.resync_calendar(deps.pool, project, calendar_id):
        raise _not_found(calendar_id)
    return {"calendar_id": calendar_id, "status": "queued"}
