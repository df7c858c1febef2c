"""Zoom app webhooks (providers.md §4): which project's secret token signed a delivery, the
answer to the `endpoint.url_validation` challenge, and which Zoom users a verified event is
about.

Zoom signs every delivery, the challenge included, with `x-zm-signature: v0=hex(HMAC-SHA256(
secret, "v0:{x-zm-request-timestamp}:{raw body}"))`. One receiver URL serves every project, so
the signature itself says whose app sent it: the projects whose secret reproduces it. A
timestamp further than `MAX_SKEW` from now is refused, so a captured delivery replays only
within that window, where it merely hints a sync again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

MAX_SKEW = timedelta(minutes=5)
# A verified delivery shows the app's endpoint reaches us; Zoom re-validates endpoints every
# 72 h and pauses events to one that fails, so that long is what a delivery vouches for.
WEBHOOK_LIVE_FOR = timedelta(hours=72)
# A calendar's webhook expiry is moved (and announced) at most this often.
WEBHOOK_RENEW_EVERY = timedelta(hours=1)
URL_VALIDATION = "endpoint.url_validation"
MEETING_EVENTS = frozenset({"meeting.created", "meeting.updated", "meeting.deleted"})
_MAX_PLAIN_TOKEN = 256


class InvalidDelivery(ValueError):
    """Raised when a delivery is not a Zoom webhook we can read (the text says why)."""


@dataclass(frozen=True)
class Delivery:
    """A webhook delivery as received: the two headers and the raw body."""

    timestamp: str
    signature: str
    body: bytes


@dataclass(frozen=True)
class ProjectSecret:
    project_id: str
    secret: str


@dataclass(frozen=True)
class Notice:
    """What a verified delivery asks of us: answer a challenge, or sync some Zoom users."""

    event: str
    plain_token: str | None  # the URL validation challenge
    user_ids: tuple[str, ...]  # Zoom users whose meetings may have changed
    emails: tuple[str, ...]  # the same people by address (the operator's)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def fresh(timestamp: str, now: datetime) -> bool:
    """Whether the delivery's timestamp (seconds since the epoch) is within `MAX_SKEW`."""
    try:
        sent = float(timestamp)
    except ValueError:
        return False
    return abs(now.timestamp() - sent) <= MAX_SKEW.total_seconds()


def signers(delivery: Delivery, secrets: Iterable[ProjectSecret], now: datetime) -> list[str]:
    """The projects whose secret signed the delivery (constant-time comparisons); none for a
    stale timestamp."""
    if not fresh(delivery.timestamp, now):
        return []
    presented = delivery.signature.encode()
    return [
        entry.project_id
        for entry in secrets
        if hmac.compare_digest(
            signature(entry.secret, delivery.timestamp, delivery.body).encode(), presented
        )
    ]


def validation_answer(secret: str, plain_token: str) -> dict[str, str]:
    """The answer to `endpoint.url_validation`: the plain token and its hex HMAC."""
    encrypted = hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}


def read(body: bytes) -> Notice:
    """What a delivery's body asks; raises `InvalidDelivery` for one that is not Zoom's JSON."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidDelivery("the body is not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("event"), str):
        raise InvalidDelivery("the body names no event")
    event: str = document["event"]
    payload = document.get("payload")
    payload = payload if isinstance(payload, dict) else {}
    if event == URL_VALIDATION:
        token = payload.get("plainToken")
        if not isinstance(token, str) or not 0 < len(token) <= _MAX_PLAIN_TOKEN:
            raise InvalidDelivery("the challenge has no plainToken")
        return Notice(event, token, (), ())
    if event not in MEETING_EVENTS:
        return Notice(event, None, (), ())
    meeting = payload.get("object")
    host = meeting.get("host_id") if isinstance(meeting, dict) else None
    # `meeting.updated` names only the changed fields (no host): the operator made the change.
    user_ids = _texts(host, payload.get("operator_id"))
    return Notice(event, None, user_ids, _texts(payload.get("operator")))


def _texts(*values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if isinstance(v, str) and v))
