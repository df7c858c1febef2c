"""`POST /v1/push/google`: Google watch channel notifications (no API key; the channel token is
the credential, providers.md §1.9).

The channel id names the calendar (`<calendar_id>.<random>`) and its token is the HMAC of the
id under `ROLLCALL_PUSH_SECRET` (`shared/push_tokens.py`), so verifying needs no connector
state. A missing or wrong token is a 401 problem, counted, and publishes nothing. The first
`sync` message of a channel is acknowledged only. Anything else becomes a `sync.hint`,
coalesced per calendar (`push_hints.py`: a flood is one hint now and one trailing hint 5 s
later, so at most two syncs), and is answered 200 at once. A verified
channel of a calendar that is gone (deleted, or not a Google calendar) is answered 200 without
publishing: Google only needs a 2xx, and the connector stops such channels itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Response
from prometheus_client import Counter

from services.gateway.routes.context import Deps
from shared.http.problems import Problem
from shared.push_tokens import calendar_of_channel, token_matches

router = APIRouter(prefix="/v1/push", tags=["push"])

NOTIFICATIONS = Counter(
    "rollcall_push_notifications_total",
    "Provider push notifications received, by provider and outcome.",
    ["provider", "outcome"],
)

OptionalHeader = Annotated[str | None, Header()]


@router.post("/google", status_code=200, response_class=Response)
async def google_notification(
    deps: Deps,
    x_goog_channel_id: OptionalHeader = None,
    x_goog_channel_token: OptionalHeader = None,
    x_goog_resource_state: OptionalHeader = None,
) -> Response:
    channel_id = x_goog_channel_id or ""
    calendar_id = calendar_of_channel(channel_id)
    if calendar_id is None or not token_matches(deps.push_secret, channel_id, x_goog_channel_token):
        NOTIFICATIONS.labels("google", "rejected").inc()
        raise Problem(401, "Unknown channel or wrong channel token.")
    if x_goog_resource_state == "sync":
        NOTIFICATIONS.labels("google", "sync").inc()
        return Response(status_code=200)
    outcome = await deps.push_hints.notified(calendar_id, "google")
    NOTIFICATIONS.labels("google", outcome).inc()
    return Response(status_code=200)
