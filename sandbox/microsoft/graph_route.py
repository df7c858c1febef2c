"""The route class of every Graph route: it authenticates the caller, holds one of the mailbox's
concurrency slots while the route runs, and answers `GraphError`, validation failures (400, not
FastAPI's 422) and unexpected failures (500 `UnknownError`, logged) in Graph's shape.

Routers cannot register exception handlers, so the route itself catches.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from sandbox.microsoft import errors
from sandbox.microsoft.auth import Authenticator
from sandbox.microsoft.mailboxes import MailboxGate

logger = logging.getLogger(__name__)

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def graph_route(authenticate: Authenticator | None, gate: MailboxGate | None) -> type[APIRoute]:
    """A route class bound to this emulation's authenticator and mailbox gate (None: open)."""

    class GraphRoute(APIRoute):
        def get_route_handler(self) -> Handler:
            handler = super().get_route_handler()

            async def graph_handler(request: Request) -> Response:
                client_request_id = request.headers.get("client-request-id")
                try:
                    response = await _run(handler, request, authenticate, gate)
                except errors.GraphError as error:
                    return error.response(client_request_id)
                except RequestValidationError as error:
                    return errors.bad_request(_message(error)).response(client_request_id)
                except HTTPException:
                    raise
                except Exception:
                    logger.exception(
                        "Graph request failed",
                        extra={"method": request.method, "path": request.url.path},
                    )
                    return errors.unknown_error().response(client_request_id)
                if client_request_id:
                    response.headers["client-request-id"] = client_request_id
                return response

            return graph_handler

    return GraphRoute


async def _run(
    handler: Handler,
    request: Request,
    authenticate: Authenticator | None,
    gate: MailboxGate | None,
) -> Response:
    if authenticate is None:
        return await handler(request)
    account = authenticate(request)
    request.state.microsoft_account = account
    if gate is None:
        return await handler(request)
    async with gate.slot(account.id):
        return await handler(request)


def _message(error: RequestValidationError) -> str:
    first = error.errors()[0] if error.errors() else {}
    where = ".".join(str(part) for part in first.get("loc", ())[1:])
    return f"Invalid value for '{where or 'request'}': {first.get('msg', 'invalid')}"
