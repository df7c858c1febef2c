"""Push channel tokens: what the connector hands a provider with a channel and the gateway's
receiver checks, without either reading the other's schema.

A token is the HMAC-SHA-256 of the channel id under `ROLLCALL_PUSH_SECRET` (base64url, no
padding). Channel ids name their calendar (`<calendar_id>.<random>`), so a receiver learns the
calendar from the id and trusts it only when the token matches.

Where a provider carries one opaque value instead of an id and a token (Graph's `clientState`,
at most 128 characters, providers.md §2.5), the client state is `<channel_id>.<token>`: the
token is base64url, so it never holds the separator, and the channel id is everything before
the last one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

CHANNEL_SEPARATOR = "."
_MAX_CHANNEL_ID = 64  # Google: channel ids of at most 64 characters from [A-Za-z0-9\-_+/=]
MAX_CLIENT_STATE = 128  # Graph's limit on `clientState`


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


def client_state(channel_id: str, token: str) -> str:
    """The one value naming a channel and carrying its token (Graph's `clientState`)."""
    state = f"{channel_id}{CHANNEL_SEPARATOR}{token}"
    if len(state) > MAX_CLIENT_STATE or CHANNEL_SEPARATOR in token:
        raise ValueError("channel id and token do not fit one client state")
    return state


def parse_client_state(state: str | None) -> tuple[str, str] | None:
    """The channel id and token a client state carries, None when it is not one; the token is
    still to be checked (`token_matches`)."""
    if not state or len(state) > MAX_CLIENT_STATE:
        return None
    channel_id, separator, token = state.rpartition(CHANNEL_SEPARATOR)
    if not separator or not channel_id or not token:
        return None
    return channel_id, token
