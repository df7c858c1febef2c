"""Internal HTTP route (gateway → connector) for push deliveries whose check needs a project
credential: Zoom webhooks, signed with each tenant's webhook secret token."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from services.connector.domain.zoom_webhooks import Delivery, InvalidDelivery
from services.connector.zoom_push import NotSigned, ZoomWebhookReceiver
from shared.http.internal import require_internal_token
from shared.http.problems import Problem

MAX_BODY_CHARS = 256 * 1024


class ZoomDeliveryBody(BaseModel):
    """`POST /internal/push/zoom`: a delivery exactly as received (the body byte for byte)."""

    model_config = ConfigDict(extra="forbid")
    timestamp: str = Field(max_length=32)
    signature: str = Field(max_length=128)
    body: str = Field(max_length=MAX_BODY_CHARS)


class ZoomDeliveryAnswer(BaseModel):
    """Whose delivery it is; the challenge answer (`{plainToken, encryptedToken}`) or the
    connected calendars of the Zoom users it is about."""

    project_ids: list[str]
    validation: dict[str, str] | None
    calendar_ids: list[str]


def push_router(receiver: ZoomWebhookReceiver, internal_token: str) -> APIRouter:
    check_token: Any = require_internal_token(internal_token)
    router = APIRouter(prefix="/internal/push", dependencies=[Depends(check_token)])

    @router.post("/zoom", response_model=ZoomDeliveryAnswer)
    async def zoom_delivery(body: ZoomDeliveryBody) -> ZoomDeliveryAnswer:
        delivery = Delivery(body.timestamp, body.signature, body.body.encode())
        try:
            received = await receiver.receive(delivery)
        except NotSigned:
            raise Problem(401, "No project's Zoom webhook secret signed this delivery.") from None
        except InvalidDelivery as exc:
            raise Problem(400, f"Not a Zoom webhook delivery: {exc}.") from None
        return ZoomDeliveryAnswer(
            project_ids=received.project_ids,
            validation=received.validation,
            calendar_ids=received.calendar_ids,
        )

    return router
