"""A provider API's last route: any other path or method under its prefix answers in the
provider's error shape (not FastAPI's `{"detail"}`): 405 for a path that exists with other
methods, else the provider's "not found"."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from fastapi import APIRouter, Response
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.routing import BaseRoute, Match

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def unknown_router(
    known: Sequence[BaseRoute],
    route_class: type[APIRoute],
    method_not_allowed: Callable[[], Exception],
    not_found: Callable[[str], Exception],
) -> APIRouter:
    """Include last: `known` are the routes whose paths exist (with other methods);
    `not_found` gets the unknown path (relative to the prefix)."""
    router = APIRouter(route_class=route_class)

    @router.api_route("/{path:path}", methods=METHODS, include_in_schema=False)
    async def unknown(request: Request, path: str) -> Response:
        if any(route.matches(request.scope)[0] == Match.PARTIAL for route in known):
            raise method_not_allowed()
        raise not_found(path)

    return router
