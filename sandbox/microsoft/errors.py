"""Microsoft Graph errors: one exception carrying Graph's JSON envelope
(`{"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}`,
https://learn.microsoft.com/graph/errors) and the common cases the emulation answers with.

Shapes and texts follow providers.md §2.1-2.6; where Graph's wording is unknown the sandbox keeps
Graph's code and says plainly what is wrong.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from starlette.responses import Response

from sandbox.microsoft import identifiers

JSON = "application/json; charset=utf-8"
# What Graph's 401 carries; the client id is Graph's own resource app id.
WWW_AUTHENTICATE = (
    'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/'
    'authorize", client_id="00000003-0000-0000-c000-000000000000"'
)


class GraphError(Exception):
    """Raised anywhere below a Graph route to answer with Graph's error envelope."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def body(self, client_request_id: str | None = None) -> dict[str, Any]:
        request_id = identifiers.trace_id()
        inner = {
            "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            "request-id": request_id,
            "client-request-id": client_request_id or request_id,
        }
        return {"error": {"code": self.code, "message": self.message, "innerError": inner}}

    def response(self, client_request_id: str | None = None) -> Response:
        return Response(
            json.dumps(self.body(client_request_id)),
            status_code=self.status,
            media_type=JSON,
            headers=self.headers,
        )


def bad_request(message: str, *, code: str = "ErrorInvalidRequest") -> GraphError:
    return GraphError(400, code, message)


def invalid_token(message: str = "Access token has expired or is not yet valid.") -> GraphError:
    """A missing, unknown, expired or revoked bearer token."""
    return GraphError(
        401, "InvalidAuthenticationToken", message, {"WWW-Authenticate": WWW_AUTHENTICATE}
    )


def access_denied() -> GraphError:
    """The token's scopes do not cover the call."""
    return GraphError(
        403, "ErrorAccessDenied", "Access is denied. Check credentials and try again."
    )


def item_not_found() -> GraphError:
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def segment_not_found(segment: str) -> GraphError:
    """An unknown path under `/v1.0/` (Graph answers 400 for an unknown segment)."""
    return GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")


def method_not_allowed() -> GraphError:
    return GraphError(
        405, "MethodNotAllowed", "The HTTP method is not supported for this resource."
    )


def mailbox_concurrency(retry_after: int) -> GraphError:
    """More requests in flight for one mailbox than Outlook allows (providers.md §2.6)."""
    return GraphError(
        429,
        "ApplicationThrottled",
        "Application is over its MailboxConcurrency limit.",
        {"Retry-After": str(retry_after)},
    )


def sync_state_not_found(status: int, location: str | None) -> GraphError:
    """An expired or unknown delta token (providers.md §2.3): start a new round."""
    headers = {"Location": location} if location and status == 410 else {}
    return GraphError(
        status,
        "syncStateNotFound",
        "The sync state generation is not found. The delta token is expired and data must be "
        "synchronized again.",
        headers,
    )


def unknown_error() -> GraphError:
    """Anything that went wrong inside the sandbox, as Graph answers its own failures."""
    return GraphError(500, "UnknownError", "")


def not_emulated(what: str) -> GraphError:
    return bad_request(f"{what} is not supported by the sandbox's Graph emulation.")
