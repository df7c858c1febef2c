"""`POST /v1/push/zoom`: Zoom app webhooks (no API key; Zoom's signature is the credential,
providers.md §4).

Tenants point their Zoom app's event endpoint here and give Rollcall the app's secret token
(`PATCH /v1/project` `oauth_apps.zoom.webhook_secret`). The secrets are credentials the
connector keeps, so the delivery goes there to be checked (`/internal/push/zoom`): headers Zoom
could not have sent, a body that is not UTF-8, signed by no project or a stale timestamp → 401
problem, counted. The `endpoint.url_validation`
challenge is answered with `{plainToken, encryptedToken}`; a meeting event becomes a coalesced
`sync.hint` for each connected Zoom calendar of its host, and 200 at once (Zoom waits 3 s).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response
from fastapi.responses import JSONResponse

from services.gateway.routes.context import Deps
from services.gateway.routes.push import NOTIFICATIONS
from shared.http.problems import Problem

router = APIRouter(prefix="/v1/push", tags=["push"])

MAX_BODY_BYTES = 256 * 1024

OptionalHeader = Annotated[str | None, Header()]


@router.post("/zoom", status_code=200, response_class=Response)
async def zoom_notification(
    request: Request,
    deps: Deps,
    x_zm_request_timestamp: OptionalHeader = None,
    x_zm_signature: OptionalHeader = None,
) -> Response:
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        raise Problem(413, "The delivery is larger than any Zoom webhook.")
    timestamp, signature, text = x_zm_request_timestamp, x_zm_signature, _text(body)
    if (
        timestamp is None
        or signature is None
        or text is None
        or not _plausible(timestamp, signature)
    ):
        NOTIFICATIONS.labels("zoom", "rejected").inc()
        raise Problem(401, "Not a signed Zoom webhook delivery.")
    try:
        answer = await deps.connector.zoom_delivery(
            timestamp=timestamp, signature=signature, body=text
        )
    except Problem as problem:
        if problem.status == 401:
            NOTIFICATIONS.labels("zoom", "rejected").inc()
        raise
    if answer["validation"] is not None:
        NOTIFICATIONS.labels("zoom", "validation").inc()
        return JSONResponse(answer["validation"])
    if not answer["calendar_ids"]:
        NOTIFICATIONS.labels("zoom", "no_calendar").inc()
    for calendar_id in answer["calendar_ids"]:
        outcome = await deps.push_hints.notified(calendar_id, "zoom")
        NOTIFICATIONS.labels("zoom", outcome).inc()
    return Response(status_code=200)


def _plausible(timestamp: str, signature: str) -> bool:
    """Headers Zoom could have sent: seconds since the epoch and `v0=` + 64 hex digits."""
    if len(timestamp) > 16 or not timestamp.isdigit():
        return False
    return signature.startswith("v0=") and len(signature) == 67


def _text(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None  # Zoom sends UTF-8 JSON: nobody signed this
