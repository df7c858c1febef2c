"""Hosted OAuth's pure rules in the gateway: the state (high entropy, kept only as its SHA-256,
single use, 10 minutes), the client's redirect at the end (always carrying the state back, so
the client can tell the browser that lands there is the one that started the flow), and which
error codes it carries.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

STATE_LIFETIME = timedelta(minutes=10)
_STATE_BYTES = 32  # 256 bits: unguessable, so the state alone binds the callback to its flow
# RFC 6749 §4.1.2.1 error codes are ASCII words; anything else a provider sends is not passed on.
_ERROR_CODE = re.compile(r"[a-z][a-z0-9_]{0,63}")
# What the final redirect adds to the client's query: a `redirect_uri` carrying one of these
# itself would reach the client with two values of it.
REDIRECT_PARAMETERS = ("state", "calendar_id", "error")


def new_state() -> str:
    return secrets.token_urlsafe(_STATE_BYTES)


def state_digest(state: str) -> bytes:
    """What is stored and looked up: a fast hash suffices for 256 random bits."""
    return hashlib.sha256(state.encode()).digest()


def expires_at(now: datetime) -> datetime:
    return now + STATE_LIFETIME


def client_redirect(redirect_uri: str, state: str, params: Mapping[str, str]) -> str:
    """`redirect_uri` with `params`, then `state`, appended to its query; the client's own
    parameters stay as they were written. The state comes back on every redirect, success or
    error (as RFC 6749 §4.1.2 has an authorization server do), so the client can compare it
    with the one it kept in the user's session: a browser sent a callback link of a flow
    someone else started (login CSRF, calendar injection) arrives with a state its session
    never asked for."""
    parts = urlsplit(redirect_uri)
    added = urlencode([*params.items(), ("state", state)])
    query = f"{parts.query}&{added}" if parts.query else added
    return urlunsplit(parts._replace(query=query))


def check_client_redirect(redirect_uri: str) -> str:
    """`redirect_uri` when its query leaves the parameters the final redirect adds to us;
    raises `ValueError` naming them."""
    own = {name for name, _ in parse_qsl(urlsplit(redirect_uri).query, keep_blank_values=True)}
    taken = [name for name in REDIRECT_PARAMETERS if name in own]
    if taken:
        raise ValueError(f"must not carry the parameters the callback adds ({', '.join(taken)})")
    return redirect_uri


def provider_error(error: str) -> str:
    """The provider's `error` (RFC 6749 §4.1.2.1, e.g. `access_denied`) when it is a plain
    code, else `server_error`; its description is never passed on."""
    return error if _ERROR_CODE.fullmatch(error) else "server_error"
