"""What the OAuth store keeps: registered apps, grants (refresh tokens), authorization codes and
access tokens. Accounts are `sandbox.world.Account`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urlsplit

from sandbox.oauth.pkce import ChallengeMethod

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# Why a grant died: the user or an admin revoked it, it expired (e.g. unused too long), or the
# app's consent was withdrawn. Providers word each differently (Microsoft: AADSTS50173, 700082,
# 65001).
GrantEnd = Literal["revoked", "expired", "consent_revoked"]
GRANT_ENDS: tuple[GrantEnd, ...] = ("revoked", "expired", "consent_revoked")


@dataclass(frozen=True)
class App:
    """An OAuth client. A default app also accepts any loopback redirect URI, like Google's
    installed-app clients (https://developers.google.com/identity/protocols/oauth2/native-app)."""

    provider: str
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    any_loopback: bool = False

    def accepts_redirect(self, uri: str) -> bool:
        return uri in self.redirect_uris or (self.any_loopback and is_loopback(uri))


def is_loopback(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS


@dataclass
class Grant:
    """One consent of one account to one app. `refresh_token` is its current refresh token (a
    rotating provider replaces it on every refresh); it lives until the grant ends."""

    id: str
    account_id: str
    client_id: str
    scope: str
    refresh_token: str
    created_at: datetime
    ended: GrantEnd | None = None

    @property
    def revoked(self) -> bool:
        return self.ended is not None


@dataclass(frozen=True)
class AuthorizationCode:
    """A single-use code bound to the client, the redirect URI and the PKCE challenge (RFC 7636)."""

    code: str
    account_id: str
    client_id: str
    redirect_uri: str
    scope: str
    challenge: str | None
    challenge_method: ChallengeMethod
    offline: bool  # Google: `access_type=offline`, the only way to get a refresh token
    expires_at: datetime


@dataclass(frozen=True)
class AccessToken:
    token: str
    grant_id: str
    provider: str
    scope: str
    expires_at: datetime

    def expires_in(self, now: datetime) -> int:
        return max(0, int((self.expires_at - now).total_seconds()))


@dataclass(frozen=True)
class Refreshed:
    """What a refresh grant yields; `refresh_token` is the new one when the provider rotates."""

    grant: Grant
    access_token: AccessToken
    refresh_token: str | None


@dataclass(frozen=True)
class Redemption:
    """What exchanging a code yields; `offline` says whether to hand out the refresh token."""

    grant: Grant
    access_token: AccessToken
    offline: bool
