"""HTTP routes of push channels: `calendars/{calendarId}/events/watch` and `channels/stop`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Depends, Response

from sandbox.google import errors, watching
from sandbox.google.auth import CurrentAccount
from sandbox.google.backend import GoogleBackend
from sandbox.google.http_io import JsonBody, json_response


def channels_router(backend: GoogleBackend, auth: Callable[..., Awaitable[None]]) -> APIRouter:
    router = APIRouter(route_class=errors.GoogleRoute, dependencies=[Depends(auth)])

    @router.post("/calendars/{calendar_id}/events/watch")
    async def watch_events(calendar_id: str, body: JsonBody, account: CurrentAccount) -> Response:
        return json_response(watching.watch_events(backend, account, calendar_id, body))

    @router.post("/channels/stop", status_code=204)
    async def stop_channel(body: JsonBody, account: CurrentAccount) -> Response:
        watching.stop_channel(backend, account, body)
        return Response(status_code=204)

    return router
