"""Google API errors: one exception carrying Google's JSON error envelope, and the route class that
answers it (routers cannot register exception handlers, so the route itself catches).

Shapes follow providers.md §1.5 and §1.10 (`{"error": {"errors": [...], "code", "message"}}`).
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

AUTH_MESSAGE = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
    "or other valid authentication credential. See "
    "https://developers.google.com/identity/sign-in/web/devconsole-project."
)


class GoogleApiError(Exception):
    """Raised anywhere below a route to answer with Google's error envelope."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        domain: str = "global",
        location: str | None = None,
        location_type: str | None = None,
        status: str | None = None,
        detail_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.detail_message = detail_message or message
        self.code = code
        self.reason = reason
        self.message = message
        self.domain = domain
        self.location = location
        self.location_type = location_type
        self.status = status

    def body(self) -> dict[str, Any]:
        detail: dict[str, Any] = {"domain": self.domain, "reason": self.reason}
        detail["message"] = self.detail_message
        if self.location_type:
            detail["locationType"] = self.location_type
        if self.location:
            detail["location"] = self.location
        error: dict[str, Any] = {"errors": [detail], "code": self.code, "message": self.message}
        if self.status:
            error["status"] = self.status
        return {"error": error}

    def headers(self) -> dict[str, str]:
        if self.code == 401:
            return {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'}
        return {}

    def response(self) -> Response:
        return Response(
            json.dumps(self.body()),
            status_code=self.code,
            media_type="application/json; charset=UTF-8",
            headers=self.headers(),
        )


def auth_error() -> GoogleApiError:
    """Missing, unknown, expired or revoked bearer token."""
    return GoogleApiError(
        401,
        "authError",
        AUTH_MESSAGE,
        location="Authorization",
        location_type="header",
        status="UNAUTHENTICATED",
        detail_message="Invalid Credentials",
    )


def insufficient_permissions() -> GoogleApiError:
    """The token's scopes do not cover the call (e.g. a write with `calendar.readonly`)."""
    return GoogleApiError(
        403,
        "insufficientPermissions",
        "Request had insufficient authentication scopes.",
        status="PERMISSION_DENIED",
        detail_message="Insufficient Permission",
    )


def bad_request(
    message: str, *, reason: str = "invalid", location: str | None = None
) -> GoogleApiError:
    return GoogleApiError(
        400, reason, message, location=location, location_type="parameter" if location else None
    )


def required(message: str) -> GoogleApiError:
    return GoogleApiError(400, "required", message)


def not_found() -> GoogleApiError:
    return GoogleApiError(404, "notFound", "Not Found")


def method_not_allowed() -> GoogleApiError:
    return GoogleApiError(405, "httpMethodNotAllowed", "Method Not Allowed")


def backend_error() -> GoogleApiError:
    """Anything that went wrong inside the sandbox, as Google answers its own failures."""
    return GoogleApiError(500, "backendError", "Backend Error")


def forbidden_for_non_organizer() -> GoogleApiError:
    """An attendee changed more than their own response on their copy of an invitation."""
    return GoogleApiError(
        403,
        "forbiddenForNonOrganizer",
        "Shared properties can only be changed by the organizer of the event.",
        domain="calendar",
    )


def duplicate() -> GoogleApiError:
    return GoogleApiError(409, "duplicate", "The requested identifier already exists.")


def full_sync_required() -> GoogleApiError:
    return GoogleApiError(
        410,
        "fullSyncRequired",
        "Sync token is no longer valid, a full sync is required.",
        domain="calendar",
        location="syncToken",
        location_type="parameter",
    )


def updated_min_too_long_ago() -> GoogleApiError:
    return GoogleApiError(
        410,
        "updatedMinTooLongAgo",
        "The requested minimum modification time lies too far in the past.",
        domain="calendar",
        location="updatedMin",
        location_type="parameter",
    )


def deleted() -> GoogleApiError:
    return GoogleApiError(410, "deleted", "Resource has been deleted")


def time_range_empty(location: str = "timeMax") -> GoogleApiError:
    return GoogleApiError(
        400,
        "timeRangeEmpty",
        "The specified time range is empty.",
        domain="calendar",
        location=location,
        location_type="parameter",
    )


class GoogleRoute(APIRoute):
    """Answers `GoogleApiError` and request-validation failures in Google's shape (400, not 422),
    and any other failure as Google's 500 `backendError` (logged), never a plain-text 500."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def google_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except GoogleApiError as error:
                return error.response()
            except RequestValidationError as error:
                return bad_request(_validation_message(error)).response()
            except HTTPException:
                raise
            except Exception:
                logger.exception(
                    "Google API request failed",
                    extra={"method": request.method, "path": request.url.path},
                )
                return backend_error().response()

        return google_handler


def _validation_message(error: RequestValidationError) -> str:
    first = error.errors()[0] if error.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ())[1:])
    return f"Invalid value for {where or 'request'}: {first.get('msg', 'invalid')}"
