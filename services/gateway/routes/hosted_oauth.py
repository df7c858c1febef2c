"""Hosted OAuth: `POST /v1/calendars/authorize` (API key) and `GET /v1/oauth/callback` (no API
key: the provider sends the user's browser here with `code` and `state`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import RedirectResponse

from services.gateway import hosted_oauth
from services.gateway.routes.context import Deps, ProjectId
from services.gateway.schemas import AuthorizationOut, AuthorizeCalendar
from shared.http.problems import PROBLEM_JSON, Problem

router = APIRouter(tags=["calendars"])

# The callback URL holds a code: no cache keeps the answer, no Referer carries it on.
_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
_PROBLEM: dict[str, Any] = {"content": {PROBLEM_JSON: {}}}


@router.post(
    "/v1/calendars/authorize",
    response_model=AuthorizationOut,
    responses={409: _PROBLEM, 422: _PROBLEM},
)
async def authorize_calendar(
    body: AuthorizeCalendar, project: ProjectId, deps: Deps
) -> AuthorizationOut:
    """Start hosted OAuth with the project's own app (`PATCH /v1/project` `oauth_apps`): keep
    `state` in the user's session and send the user to `authorization_url`; the state is
    single use, expires in 10 minutes, and comes back on the redirect to `redirect_uri`."""
    return await hosted_oauth.start_authorization(
        deps.pool, deps.connector, project, body, deps.clock()
    )


@router.get(
    "/v1/oauth/callback",
    status_code=303,
    response_class=RedirectResponse,
    responses={
        303: {
            "description": "To the client's redirect_uri with calendar_id, or error, and the "
            "state (compare it with the one kept in the user's session)."
        },
        400: {"description": "Unknown, used or expired state.", **_PROBLEM},
    },
)
async def oauth_callback(
    deps: Deps,
    state: Annotated[str | None, Query(max_length=512)] = None,
    code: Annotated[str | None, Query(max_length=4096)] = None,
    error: Annotated[str | None, Query(max_length=256)] = None,
) -> RedirectResponse:
    """Complete hosted OAuth: create the calendar and send the browser to the client's
    `redirect_uri` with `calendar_id=…` (or `error=…`) and `state=…`, which the client must
    find equal to the state it kept in the session that called authorize."""
    callback = hosted_oauth.Callback(state=state, code=code, error=error)
    try:
        location = await hosted_oauth.complete_authorization(
            deps.pool, deps.connector, callback, deps.clock()
        )
    except hosted_oauth.InvalidState as invalid:
        raise Problem(
            400, str(invalid), type_="/problems/invalid-oauth-state", headers=_PRIVATE
        ) from None
    return RedirectResponse(location, status_code=303, headers=_PRIVATE)
