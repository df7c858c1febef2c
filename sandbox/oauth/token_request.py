"""Reading an RFC 6749 token request: its form parameters and the client's credentials, from the
body (`client_id`/`client_secret`) or HTTP Basic (RFC 6749 §2.3.1)."""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import parse_qsl, unquote_plus

from starlette.requests import Request


async def read_form(request: Request) -> dict[str, str]:
    """The request's parameters: form-encoded as the RFC says, JSON tolerated as Google does."""
    body = (await request.body()).decode("utf-8", errors="replace")
    if request.headers.get("content-type", "").startswith("application/json"):
        return json_params(body)
    return dict(parse_qsl(body, keep_blank_values=True))


def json_params(body: str) -> dict[str, str]:
    try:
        decoded = json.loads(body or "{}")
    except json.JSONDecodeError:
        return {}
    if not isinstance(decoded, dict):
        return {}
    return {str(k): str(v) for k, v in decoded.items() if isinstance(v, str | int)}


def client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    """(client_id, client_secret): HTTP Basic when present, else the body's parameters."""
    basic = basic_credentials(request.headers.get("authorization", ""))
    if basic is not None:
        return basic
    return form.get("client_id") or None, form.get("client_secret") or None


def basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return unquote_plus(client_id), unquote_plus(secret)
