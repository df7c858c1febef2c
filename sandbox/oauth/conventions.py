"""Per-provider OAuth conventions: which providers exist, their default scope, the default app's
credentials and what their opaque tokens look like (so logs and clients see familiar shapes)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

PROVIDERS: tuple[str, ...] = ("google", "microsoft", "zoom")

DEFAULT_SCOPES: dict[str, str] = {
    "google": "https://www.googleapis.com/auth/calendar",
    "microsoft": "offline_access User.Read Calendars.ReadWrite",
    "zoom": "meeting:read meeting:write",
}


@dataclass(frozen=True)
class TokenShape:
    """Prefixes of a provider's opaque strings (Google: `ya29.`, `1//` and `4/`)."""

    access: str = ""
    refresh: str = ""
    code: str = ""

    def new_access_token(self) -> str:
        return self.access + secrets.token_urlsafe(32)

    def new_refresh_token(self) -> str:
        return self.refresh + secrets.token_urlsafe(32)

    def new_code(self) -> str:
        return self.code + secrets.token_urlsafe(24)


_JWT_HEADER = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9."  # Entra and Zoom access tokens are JWTs
SHAPES: dict[str, TokenShape] = {
    "google": TokenShape(access="ya29.", refresh="1//0", code="4/0"),
    "microsoft": TokenShape(access=_JWT_HEADER, refresh="0.AXoA", code="0.AXoA"),
    "zoom": TokenShape(access="eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIn0.", refresh="eyJzdiI6Ij"),
}


def token_shape(provider: str) -> TokenShape:
    return SHAPES.get(provider, TokenShape())


def default_client_id(provider: str) -> str:
    """Stable across restarts and resets, so a demo's configuration never goes stale."""
    return f"sandbox-{provider}-client"


def default_client_secret(provider: str) -> str:
    return f"sandbox-{provider}-secret"
