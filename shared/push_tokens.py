"""Push channel tokens: what the connector hands a provider with a channel and the gateway's
receiver checks, without either reading the other's schema.

A token is the HMAC-SHA-256 of the channel id under `ROLLCALL_PUSH_SECRET` (base64url, no
padding). Channel ids name their calendar (`<calendar_id>.<random>`), so a receiver learns the
calendar from the id and trusts it only when the token matches.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

CHANNEL_SEPARATOR = "."
_MAX_CHANNEL_ID = 64  # Google: channel ids of at most 64 characters from [A-Za-z0-9\-_+/=]


def channel_token(secret: str, channel_id: str) -> str:
    """The channel's token; raises ValueError without a secret (push needs one)."""
    if not secret:
        raise ValueError("ROLLCALL_PUSH_SECRET is not set")
    digest = hmac.new(secret.encode(), channel_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_matches(secret: str, channel_id: str, presented: str | None) -> bool:
    """Whether `presented` is the channel's token (constant-time; False without a secret)."""
    if not secret or not presented:
        return False
    expected = channel_token(secret, channel_id)
    return hmac.compare_digest(expected.encode(), presented.encode())


def new_channel_id(calendar_id: str) -> str:
    """A fresh channel id naming the calendar."""
    channel_id = f"{calendar_id}{CHANNEL_SEPARATOR}{secrets.token_hex(8)}"
    if len(channel_id) > _MAX_CHANNEL_ID:
        raise ValueError("calendar id too long for a channel id")
    return channel_id


def calendar_of_channel(channel_id: str) -> str | None:
    """The calendar a channel id names, None when it names none."""
    calendar_id, separator, suffix = channel_id.rpartition(CHANNEL_SEPARATOR)
    if not separator or not calendar_id or not suffix:
        return None
    return calendar_id
