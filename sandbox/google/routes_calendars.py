"""HTTP routes of `users/me/calendarList…` and `calendars/{calendarId}`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from sandbox.google import calendar_listing, errors
from sandbox.google.auth import CurrentAccount
from sandbox.google.backend import GoogleBackend
from sandbox.google.calendar_listing import CalendarListRequest
from sandbox.google.http_io import json_response


async def calendar_list_request(
    max_results: Annotated[int | None, Query(alias="maxResults")] = None,
    page_token: Annotated[str | None, Query(alias="pageToken")] = None,
    sync_token: Annotated[str | None, Query(alias="syncToken")] = None,
    show_deleted: Annotated[bool | None, Query(alias="showDeleted")] = None,
    show_hidden: Annotated[bool | None, Query(alias="showHidden")] = None,
    min_access_role: Annotated[str | None, Query(alias="minAccessRole")] = None,
    own_organization: Annotated[bool | None, Query(alias="showOwnOrganizationOnly")] = None,
) -> CalendarListRequest:
    return CalendarListRequest(
        max_results=max_results,
        page_token=page_token,
        sync_token=sync_token,
        show_deleted=show_deleted,
        show_hidden=show_hidden,
        min_access_role=min_access_role,
        show_own_organization_only=own_organization,
    )


CalendarListParams = Annotated[CalendarListRequest, Depends(calendar_list_request)]


def calendars_router(backend: GoogleBackend, auth: Callable[..., Awaitable[None]]) -> APIRouter:
    router = APIRouter(route_class=errors.GoogleRoute, dependencies=[Depends(auth)])

    @router.get("/users/me/calendarList")
    async def list_calendar_list(request: CalendarListParams, account: CurrentAccount) -> Response:
        return json_response(calendar_listing.list_calendars(backend, account, request))

    @router.get("/users/me/calendarList/{calendar_id}")
    async def get_calendar_list_entry(calendar_id: str, account: CurrentAccount) -> Response:
        entry = calendar_listing.get_calendar_list_entry(backend, account, calendar_id)
        return json_response(entry)

    @router.get("/calendars/{calendar_id}")
    async def get_calendar(calendar_id: str, account: CurrentAccount) -> Response:
        return json_response(calendar_listing.get_calendar(backend, account, calendar_id))

    return router
