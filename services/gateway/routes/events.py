"""`/v1/calendar_events`: list and read canonical events from the read model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from services.gateway.domain.event_filters import (
    EventFilter,
    Ordering,
    When,
    apply_when,
    sort_column,
)
from services.gateway.routes.context import Deps, ProjectId
from services.gateway.routes.paging import after_cursor, next_cursor
from services.gateway.routes.presenters import event_out
from services.gateway.schemas import EventList
from services.gateway.store import events as event_store
from services.gateway.store.events import EventRow
from shared.http.problems import Problem

router = APIRouter(prefix="/v1/calendar_events", tags=["calendar events"])

Time = AwareDatetime | None


@router.get("", response_model=EventList)
async def list_events(
    project: ProjectId,
    deps: Deps,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
    calendar_id: str | None = None,
    calendar_deduplication_key: str | None = None,
    start_time_gte: Time = None,
    start_time_lte: Time = None,
    end_time_gte: Time = None,
    end_time_lte: Time = None,
    updated_at_gte: Time = None,
    organizer_email: str | None = None,
    attendee_email: str | None = None,
    status: Annotated[str | None, Query(pattern="^(confirmed|tentative|cancelled)$")] = None,
    when: When = "upcoming",
    has_meeting: bool | None = None,
    platform: str | None = None,
    series_id: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    include_deleted: bool = False,
    ordering: Ordering = "start_time",
) -> EventList:
    spec = EventFilter(
        calendar_id=calendar_id,
        calendar_deduplication_key=calendar_deduplication_key,
        start_time_gte=start_time_gte,
        start_time_lte=start_time_lte,
        end_time_gte=end_time_gte,
        end_time_lte=end_time_lte,
        updated_at_gte=updated_at_gte,
        organizer_email=organizer_email,
        attendee_email=attendee_email,
        status=status,
        has_meeting=has_meeting,
        platform=platform,
        series_id=series_id,
        q=q,
        include_deleted=include_deleted,
    )
    spec = apply_when(spec, when, datetime.now(UTC))
    rows = await event_store.list_events(
        deps.pool, project, spec, ordering=ordering, after=after_cursor(cursor), limit=limit
    )
    return EventList(results=[event_out(r) for r in rows], next=_next(rows, ordering, limit))


def _next(rows: list[EventRow], ordering: Ordering, limit: int) -> str | None:
    if not rows:
        return None
    column, _ = sort_column(ordering)
    last = rows[-1]
    return next_cursor(
        len(rows), limit, last.start_at if column == "start_at" else last.updated_at, last.id
    )


@router.get("/{event_id}")
async def get_event(event_id: str, project: ProjectId, deps: Deps) -> dict[str, Any]:
    row = await event_store.get_event(deps.pool, project, event_id)
    if row is None:
        raise Problem(404, f"No calendar event {event_id} in this project.")
    return event_out(row)
