"""Apps' webhook endpoints: the URL and secret token each Zoom app configures (through the admin
API here, in the Marketplace's app settings at Zoom), and the `endpoint.url_validation` challenge
Zoom runs before saving one (https://developers.zoom.us/docs/api/webhooks/#validate-your-webhook-endpoint).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from datetime import datetime

import httpx

from sandbox.zoom import signing

VALIDATION_TIMEOUT_SECONDS = 3.0  # Zoom expects the challenge's answer within 3 s


@dataclass
class Endpoint:
    """One app's webhook configuration; `validated` goes False when a re-validation fails, and
    events then wait for a passing one (Zoom stops sending to an endpoint that fails it)."""

    client_id: str
    url: str
    secret_token: str
    validated_at: datetime
    validated: bool = True

    def as_json(self) -> dict[str, object]:
        return {
            "client_id": self.client_id,
            "url": self.url,
            "secret_token": self.secret_token,
            "validated": self.validated,
            "validated_at": self.validated_at.isoformat(),
        }


class ValidationFailed(Exception):
    """Raised when an endpoint does not answer the URL validation challenge correctly in time."""


async def validate(url: str, secret_token: str, now: datetime, within: float) -> None:
    """Send the signed challenge; raises `ValidationFailed` unless the endpoint answers 200 with
    the plain token and its HMAC within `within` seconds."""
    plain = secrets.token_urlsafe(16)
    event_ts = int(now.timestamp() * 1000)
    body = json.dumps(
        {"payload": {"plainToken": plain}, "event_ts": event_ts, "event": "endpoint.url_validation"}
    ).encode()
    headers = signing.signed_headers(secret_token, str(event_ts // 1000), body)
    try:
        async with asyncio.timeout(within), httpx.AsyncClient() as client:
            response = await client.post(url, content=body, headers=headers)
    except TimeoutError as error:
        raise ValidationFailed(f"no answer within {within:g} s") from error
    except httpx.HTTPError as error:
        raise ValidationFailed(f"endpoint unreachable: {type(error).__name__}") from error
    if response.status_code != 200:
        raise ValidationFailed(f"endpoint answered {response.status_code}, expected 200")
    try:
        answer = response.json()
    except ValueError:
        raise ValidationFailed("endpoint answered no JSON") from None
    expected = {"plainToken": plain, "encryptedToken": signing.encrypted_token(secret_token, plain)}
    if not isinstance(answer, dict) or any(answer.get(k) != v for k, v in expected.items()):
        raise ValidationFailed("endpoint answered a wrong plainToken or encryptedToken")
