"""Zoom API errors: one exception carrying Zoom's `{"code", "message"}` body, and the route class
that answers it (routers cannot register exception handlers, so the route itself catches).

Codes follow Zoom's API reference (https://developers.zoom.us/docs/api/errors/): 124 invalid access
token, 300 validation, 3001 meeting not found, 4711 missing scopes; providers.md §4.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

logger = logging.getLogger(__name__)

JSON = "application/json;charset=UTF-8"


class ZoomApiError(Exception):
    """Raised anywhere below a route to answer `status` with Zoom's error body."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.errors = errors
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.errors:
            body["errors"] = self.errors
        return body

    def response(self) -> Response:
        return Response(json.dumps(self.body()), self.status, self.headers, media_type=JSON)


def invalid_access_token() -> ZoomApiError:
    """Missing, unknown, expired or revoked bearer token."""
    return ZoomApiError(401, 124, "Invalid access token.")


def missing_scopes(scopes: str) -> ZoomApiError:
    """The token's scopes do not cover the call (Zoom answers 400, not 403)."""
    return ZoomApiError(400, 4711, f"Invalid access token, does not contain scopes:[{scopes}].")


def meeting_not_found(meeting_id: str | int) -> ZoomApiError:
    return ZoomApiError(404, 3001, f"Meeting does not exist: {meeting_id}.")


def validation_failed(field: str, message: str = "Invalid field.") -> ZoomApiError:
    return ZoomApiError(
        400, 300, "Validation Failed.", errors=[{"field": field, "message": message}]
    )


def bad_request(message: str) -> ZoomApiError:
    return ZoomApiError(400, 300, message)


def not_found() -> ZoomApiError:
    return ZoomApiError(404, 404, "Not Found")


def method_not_allowed() -> ZoomApiError:
    return ZoomApiError(405, 405, "Method Not Allowed")


def internal_error() -> ZoomApiError:
    return ZoomApiError(500, 500, "Internal Server Error")


class ZoomRoute(APIRoute):
    """Answers `ZoomApiError` and request-validation failures in Zoom's shape (400 code 300, not
    FastAPI's 422), and any other failure as a Zoom 500 (logged), never a plain-text 500."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def zoom_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except ZoomApiError as error:
                return error.response()
            except RequestValidationError as error:
                return _validation_error(error).response()
            except HTTPException:
                raise
            except Exception:
                logger.exception(
                    "Zoom API request failed",
                    extra={"method": request.method, "path": request.url.path},
                )
                return internal_error().response()

        return zoom_handler


def _validation_error(error: RequestValidationError) -> ZoomApiError:
    first = error.errors()[0] if error.errors() else {}
    field = ".".join(str(part) for part in first.get("loc", ())[1:])
    return validation_failed(field or "request", str(first.get("msg", "Invalid field.")))
