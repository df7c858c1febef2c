"""Use cases of push channels: `events.watch` opens one on a calendar, `channels.stop` ends it."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sandbox.google import errors
from sandbox.google.backend import GoogleBackend
from sandbox.world import Account

CHANNEL_TYPES = ("web_hook", "webhook")
Model = TypeVar("Model", bound=BaseModel)


class WatchBody(BaseModel):
    """The `Channel` a client posts to `events/watch` (providers.md §1.9)."""

    model_config = ConfigDict(extra="ignore")
    id: str
    type: str
    address: str
    token: str | None = None
    expiration: int | None = None
    params: dict[str, str] | None = None


class StopBody(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    id: str
    resource_id: str = Field(alias="resourceId")


def watch_events(
    backend: GoogleBackend, account: Account, calendar_id: str, raw: Any
) -> dict[str, Any]:
    body = _parse(WatchBody, raw)
    if body.type not in CHANNEL_TYPES:
        raise errors.bad_request(f"Invalid channel type: {body.type}", reason="invalid")
    if not body.id or len(body.id) > 64:
        raise errors.bad_request("Channel id must be 1 to 64 characters.")
    with backend.lock:
        calendar = backend.calendar_for(account, calendar_id)
        now_ms = int(backend.now().timestamp() * 1000)
    # The effective expiry is the more restrictive of the request's and the server's limit.
    limits = [now_ms + backend.settings.google_channel_ttl_seconds * 1000]
    if body.expiration is not None:
        if body.expiration <= now_ms:
            raise errors.bad_request(
                f"Invalid expiration: {body.expiration} is not in the future.",
                location="expiration",
            )
        limits.append(body.expiration)
    if body.params and body.params.get("ttl", "").isdigit():
        limits.append(now_ms + int(body.params["ttl"]) * 1000)
    channel = backend.push.open(
        channel_id=body.id,
        calendar_id=calendar.id,
        account_id=account.id,
        address=body.address,
        token=body.token,
        expiration_ms=min(limits),
    )
    resource: dict[str, Any] = {
        "kind": "api#channel",
        "id": channel.id,
        "resourceId": channel.resource_id,
        "resourceUri": channel.resource_uri,
    }
    if channel.token is not None:
        resource["token"] = channel.token
    resource["expiration"] = str(channel.expiration_ms)
    return resource


def stop_channel(backend: GoogleBackend, account: Account, raw: Any) -> None:
    body = _parse(StopBody, raw)
    if not backend.push.stop(body.id, body.resource_id, account.id):
        raise errors.GoogleApiError(404, "notFound", f"Channel '{body.id}' not found for project")


def _parse(model: type[Model], raw: Any) -> Model:
    try:
        return model.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise errors.required(
            f"Required: {where}" if first["type"] == "missing" else f"Invalid {where}"
        ) from None
