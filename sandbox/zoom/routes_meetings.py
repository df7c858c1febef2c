"""Routes of `/v2/users/me`, `/v2/users/me/meetings` and `/v2/meetings/{meetingId}`: decode, call
one use case, answer."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from sandbox.zoom import auth, editing, errors, listing, views
from sandbox.zoom.auth import CurrentCaller
from sandbox.zoom.backend import ZoomBackend


async def json_body(request: Request) -> Any:
    raw = await request.body()
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        raise errors.bad_request("Request Body should be a valid JSON object.") from None


def zoom_json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status, media_type=errors.JSON)


def meetings_router(backend: ZoomBackend, bearer: Callable[..., Awaitable[None]]) -> APIRouter:
    router = APIRouter(route_class=errors.ZoomRoute, dependencies=[Depends(bearer)])

    @router.get("/users/me")
    async def me(caller: CurrentCaller) -> Response:
        return zoom_json(views.user_json(backend.user_for(caller.account)))

    @router.get("/users/me/meetings")
    async def list_meetings(
        caller: CurrentCaller,
        list_type: Annotated[str, Query(alias="type")] = "scheduled",
        page_size: Annotated[int, Query()] = listing.DEFAULT_PAGE_SIZE,
        next_page_token: str | None = None,
    ) -> Response:
        caller.require(auth.LIST_MEETINGS)
        user = backend.user_for(caller.account)
        return zoom_json(
            listing.list_meetings(backend, user, list_type, page_size, next_page_token)
        )

    @router.post("/users/me/meetings")
    async def create_meeting(caller: CurrentCaller, request: Request) -> Response:
        caller.require(auth.CREATE_MEETING)
        user = backend.user_for(caller.account)
        return zoom_json(editing.create_meeting(backend, user, await json_body(request)), 201)

    @router.get("/meetings/{meeting_id}")
    async def get_meeting(caller: CurrentCaller, meeting_id: str) -> Response:
        caller.require(auth.READ_MEETING)
        user = backend.user_for(caller.account)
        return zoom_json(editing.get_meeting(backend, user, meeting_id))

    @router.patch("/meetings/{meeting_id}")
    async def update_meeting(caller: CurrentCaller, meeting_id: str, request: Request) -> Response:
        caller.require(auth.UPDATE_MEETING)
        user = backend.user_for(caller.account)
        editing.update_meeting(backend, user, meeting_id, await json_body(request))
        return Response(status_code=204)

    @router.delete("/meetings/{meeting_id}")
    async def delete_meeting(
        caller: CurrentCaller, meeting_id: str, occurrence_id: str | None = None
    ) -> Response:
        caller.require(auth.DELETE_MEETING)
        user = backend.user_for(caller.account)
        editing.delete_meeting(backend, user, meeting_id, occurrence_id)
        return Response(status_code=204)

    return router
