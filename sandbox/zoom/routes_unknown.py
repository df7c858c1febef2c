"""The API's last route: any other path or method under `/zoom/v2/` answers in Zoom's shape (404,
or 405 for a known path), not with FastAPI's `{"detail"}`."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Response
from starlette.requests import Request
from starlette.routing import BaseRoute, Match

from sandbox.zoom import errors

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def unknown_router(known: Sequence[BaseRoute]) -> APIRouter:
    """Include last: `known` are the routes whose paths exist (with other methods)."""
    router = APIRouter(route_class=errors.ZoomRoute)

    @router.api_route("/{path:path}", methods=METHODS, include_in_schema=False)
    async def unknown(request: Request, path: str) -> Response:
        del path
        if any(route.matches(request.scope)[0] == Match.PARTIAL for route in known):
            raise errors.method_not_allowed()
        raise errors.not_found()

    return router
