"""How Zoom signs what it sends an app's webhook endpoint (providers.md §4,
https://developers.zoom.us/docs/api/webhooks/#verify-webhook-events): HMAC-SHA256 keyed with the
app's secret token, over `v0:{timestamp}:{raw body}` for events and over the plain token for the
`endpoint.url_validation` challenge."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE = "x-zm-signature"
TIMESTAMP = "x-zm-request-timestamp"


def signature(secret_token: str, timestamp: str, body: bytes) -> str:
    """The `x-zm-signature` header: `v0=` + hex HMAC of `v0:{timestamp}:{body}`."""
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret_token.encode(), message, hashlib.sha256).hexdigest()


def encrypted_token(secret_token: str, plain_token: str) -> str:
    """What the endpoint must answer to a URL validation challenge: hex HMAC of the plain token."""
    return hmac.new(secret_token.encode(), plain_token.encode(), hashlib.sha256).hexdigest()


def signed_headers(secret_token: str, timestamp: str, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Zoom Marketplace/1.0a",
        TIMESTAMP: timestamp,
        SIGNATURE: signature(secret_token, timestamp, body),
    }
