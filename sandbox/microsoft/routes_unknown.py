"""Graph's last route: any other path or method under `/v1.0/` answers like Graph (400
`BadRequest` "Resource not found for the segment …", or 405 for a known path), not FastAPI's
`{"detail"}`."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Response
from starlette.requests import Request
from starlette.routing import BaseRoute, Match

from sandbox.microsoft import errors

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def unknown_router(known: Sequence[BaseRoute], route_class: type) -> APIRouter:
    """Include last: `known` are the routes whose paths exist (with other methods)."""
    router = APIRouter(route_class=route_class)

    @router.api_route("/{path:path}", methods=METHODS, include_in_schema=False)
    async def unknown(request: Request, path: str) -> Response:
        if any(route.matches(request.scope)[0] == Match.PARTIAL for route in known):
            raise errors.method_not_allowed()
        segment = next((part for part in reversed(path.split("/")) if part), "v1.0")
        raise errors.segment_not_found(segment)

    return router
