"""HTTP routes of `/me`, `/me/calendars` and `/me/calendar`: decode, call one use case, answer."""

from __future__ import annotations

from fastapi import APIRouter, Response

from sandbox.microsoft import calendars, resources
from sandbox.microsoft.auth import CurrentAccount
from sandbox.microsoft.backend import MicrosoftBackend
from sandbox.microsoft.http_io import JsonBody, Page, json_response


def me_router(backend: MicrosoftBackend, route_class: type) -> APIRouter:
    router = APIRouter(route_class=route_class)

    @router.get("/me")
    async def me(account: CurrentAccount) -> Response:
        return json_response(resources.user_json(account))

    @router.get("/me/calendars")
    async def list_calendars(account: CurrentAccount, page: Page) -> Response:
        return json_response(calendars.list_calendars(backend, account, page))

    @router.post("/me/calendars")
    async def create_calendar(account: CurrentAccount, body: JsonBody) -> Response:
        return json_response(calendars.create_calendar(backend, account, body), status=201)

    @router.get("/me/calendar")
    async def default_calendar(account: CurrentAccount) -> Response:
        return json_response(calendars.get_calendar(backend, account, None))

    @router.get("/me/calendars/{calendar_id}")
    async def get_calendar(calendar_id: str, account: CurrentAccount) -> Response:
        return json_response(calendars.get_calendar(backend, account, calendar_id))

    return router
