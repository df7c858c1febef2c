"""Why the OAuth store refuses a request; each provider's routes translate these to its wire."""

from __future__ import annotations

from typing import Literal

from sandbox.oauth.records import GrantEnd

GrantProblem = Literal[
    "malformed_code",
    "unknown_code",
    "used_code",
    "expired_code",
    "redirect_mismatch",
    "client_mismatch",
    "verifier_missing",
    "verifier_mismatch",
    "dead_refresh_token",
    "rotated_refresh_token",
]


class OAuthError(Exception):
    """Base of every refusal by the OAuth store."""


class InvalidClient(OAuthError):
    """Raised when a client id is unknown (`unknown` is True) or its secret is wrong."""

    def __init__(self, *, unknown: bool) -> None:
        super().__init__("unknown client" if unknown else "wrong client secret")
        self.unknown = unknown


class InvalidGrant(OAuthError):
    """Raised when a code or refresh token cannot be exchanged; `problem` says why, and `ended`
    how the grant died when it did (None for a token that never existed)."""

    def __init__(self, problem: GrantProblem, ended: GrantEnd | None = None) -> None:
        super().__init__(problem)
        self.problem: GrantProblem = problem
        self.ended = ended


class UnauthorizedClient(OAuthError):
    """Raised when a refresh token issued to one client is presented by another."""


class AccountExists(OAuthError):
    """Raised when an account with the same provider and email already exists."""
