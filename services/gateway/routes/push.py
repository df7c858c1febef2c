"""Provider push receivers (no API key; each provider's own credential is checked).

`POST /v1/push/google`: watch channel notifications (the channel token is the credential,
providers.md §1.9). The channel id names the calendar (`<calendar_id>.<random>`) and its token
is the HMAC of the id under `ROLLCALL_PUSH_SECRET` (`shared/push_tokens.py`), so verifying needs
no connector state. A missing or wrong token is a 401 problem, counted, and publishes nothing.
The first `sync` message of a channel is acknowledged only. Anything else becomes a
`sync.hint`, coalesced per calendar (`push_hints.py`: a flood is one hint now and one trailing
hint 5 s later, so at most two syncs), and is answered 200 at once. A verified channel of a
calendar that is gone (deleted, or not a Google calendar) is answered 200 without publishing:
Google only needs a 2xx, and the connector stops such channels itself.

`POST /v1/push/microsoft`: Graph subscriptions (§2.5). With `validationToken` it is the
handshake: 200 `text/plain` with the decoded token and `X-Content-Type-Options: nosniff` (the
token is echoed as given: no browser may sniff it into HTML); a token over 1,024 characters
(Graph's are short opaque strings) is a 400 problem. Otherwise a batch whose notifications
each carry `clientState` = `<channel_id>.<token>` (`domain/graph_notifications.py`); rejected
ones are counted and publish nothing, verified ones are published (`graph_push.py`) and the
batch answered 202 (Graph wants an answer within 3 s: nothing here waits for a sync). A batch
of rejected notifications only is a 401 problem, a body that is no batch a 400 problem.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import PlainTextResponse
from prometheus_client import Counter

from services.gateway import graph_push
from services.gateway.domain import graph_notifications
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
ValidationToken = Annotated[str | None, Query(alias="validationToken")]
# Graph's validation tokens are short; anything longer is not Graph and is not echoed.
MAX_VALIDATION_TOKEN = 1024
_ECHOED = {"X-Content-Type-Options": "nosniff"}


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


@router.post("/microsoft", status_code=202, response_class=Response)
async def microsoft_notification(
    request: Request, deps: Deps, validation_token: ValidationToken = None
) -> Response:
    if validation_token is not None:
        if len(validation_token) > MAX_VALIDATION_TOKEN:
            raise Problem(400, f"validationToken is longer than {MAX_VALIDATION_TOKEN} characters.")
        return PlainTextResponse(validation_token, headers=_ECHOED)
    try:
        batch = graph_notifications.read_batch(await request.body(), deps.push_secret)
    except graph_notifications.MalformedBatch:
        raise Problem(400, "The body is not a Graph notification batch.") from None
    NOTIFICATIONS.labels("microsoft", "rejected").inc(batch.rejected)
    if batch.rejected and not batch.verified:
        raise Problem(401, "No notification carried a valid clientState.")
    for outcome, count in (await graph_push.publish(deps.push_hints, batch)).items():
        NOTIFICATIONS.labels("microsoft", outcome).inc(count)
    return Response(status_code=202)
