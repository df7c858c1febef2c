"""HTTP routes of `calendarView` and `calendarView/delta`, for the default calendar (`/me/…`,
`/me/calendar/…`) and per calendar (`/me/calendars/{calendarId}/…`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from sandbox.microsoft import calendar_view, delta, resources
from sandbox.microsoft.auth import CurrentAccount
from sandbox.microsoft.backend import MicrosoftBackend
from sandbox.microsoft.http_io import Page, Prefs, Select, TimeWindow, json_response

PARENTS = ("/me", "/me/calendar", "/me/calendars/{calendar_id}")


def views_router(backend: MicrosoftBackend, route_class: type, api_prefix: str) -> APIRouter:
    router = APIRouter(route_class=route_class)

    async def view(
        account: CurrentAccount,
        window: TimeWindow,
        page: Page,
        prefs: Prefs,
        select: Select,
        calendar_id: str | None = None,
    ) -> Response:
        listing = calendar_view.calendar_view(backend, account, calendar_id, window, page, prefs)
        listing["value"] = [resources.select(row, select) for row in listing["value"]]
        return json_response(listing, prefs)

    async def view_delta(
        request: Request,
        account: CurrentAccount,
        prefs: Prefs,
        start: Annotated[str | None, Query(alias="startDateTime")] = None,
        end: Annotated[str | None, Query(alias="endDateTime")] = None,
        skip_token: Annotated[str | None, Query(alias="$skiptoken")] = None,
        delta_token: Annotated[str | None, Query(alias="$deltatoken")] = None,
        calendar_id: str | None = None,
    ) -> Response:
        asked = delta.DeltaRequest(
            calendar_id,
            start,
            end,
            skip_token,
            delta_token,
            str(request.base_url).rstrip("/") + api_prefix,
            tuple(k for k in request.query_params if k.startswith("$")),
        )
        return json_response(delta.delta_page(backend, account, asked, prefs), prefs)

    for parent in PARENTS:
        router.add_api_route(parent + "/calendarView", view, methods=["GET"])
        router.add_api_route(parent + "/calendarView/delta", view_delta, methods=["GET"])
    return router
